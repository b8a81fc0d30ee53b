package icap

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
)

// benchExchange sends pre-encoded REQMODs on one keep-alive connection and
// expects 204 each time. Like Squid after OPTIONS, it sends Preview: 0 and
// the body after 100 Continue.
func benchExchange(b *testing.B, body []byte, contentType string, noOverlap bool) {
	s, _ := startServer(b, nil)
	s.noOverlap = noOverlap
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 64<<10)
	m := icapMsg{headers: []string{"Allow: 204", "X-Client-IP: 10.0.0.1"}, http: httpPost(robotURL, contentType, len(body)),
		body: body, preview: 0, chunk: 64 << 10}
	first, rest := m.encode()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, _ := roundTrip(b, c, br, icapMsgBytes{first, rest})
		if r.code != 204 {
			b.Fatalf("status %d", r.code)
		}
	}
}

// BenchmarkICAPRobotMessage: the ICAP round trip for one small robot
// message — what dlpgate adds to a Squid request.
func BenchmarkICAPRobotMessage(b *testing.B) {
	benchExchange(b, []byte(`{"msgtype":"text","text":{"content":"Build 1234 passed; deploy at 15:00 HKT"}}`), "application/json", false)
}

// BenchmarkICAPUpload: a 50 MB plain-text upload over ICAP (spilled past
// the 8 MiB budget), inspected with the default classifiers while it is
// spooled, and ("-no-overlap") only once it is held.
func BenchmarkICAPUpload(b *testing.B) {
	const line = "plain quarterly planning notes without identifiers\n"
	size := 50 << 20
	body := []byte(strings.Repeat(line, size/len(line)+1)[:size])
	b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) { benchExchange(b, body, "text/plain", false) })
	b.Run(fmt.Sprintf("%dMB-no-overlap", size>>20), func(b *testing.B) { benchExchange(b, body, "text/plain", true) })
}

// icapMsgBytes replays an already encoded message.
type icapMsgBytes struct{ first, rest []byte }

func (m icapMsgBytes) encode() ([]byte, []byte) { return m.first, m.rest }
