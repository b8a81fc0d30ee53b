package wsframe_test

import (
	"context"
	"net/http"

	"github.com/elazarl/goproxy"

	"github.com/dlpgate/dlpgate/proxy/wsframe"
)

// The proxy's RoundTripper strips compression from the upgrade request (plain
// frames are cheaper to inspect) and wraps the upstream 101 body, which
// goproxy then relays: client frames are written into the wrapper, server
// frames read out of it.
func ExampleWrapResponse() {
	proxy := goproxy.NewProxyHttpServer()
	inspect := func(ctx context.Context, m wsframe.Message) wsframe.Verdict {
		// Classify m.Data here (copy it to keep it), e.g. through inspect.Engine.
		return wsframe.Verdict{}
	}
	proxy.OnRequest().DoFunc(func(req *http.Request, pctx *goproxy.ProxyCtx) (*http.Request, *http.Response) {
		pctx.RoundTripper = goproxy.RoundTripperFunc(func(req *http.Request, _ *goproxy.ProxyCtx) (*http.Response, error) {
			wsframe.StripCompression(req.Header)
			resp, err := proxy.Tr.RoundTrip(req)
			if err != nil {
				return nil, err
			}
			// The request context lives as long as the relayed connection.
			wsframe.WrapResponse(req.Context(), resp, wsframe.Options{MaxMessage: 4 << 20, OversizeBlock: true}, inspect)
			return resp, nil
		})
		return req, nil
	})
}
