package proxy

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/cputime"
)

// BenchmarkRobotMessage: one small JSON robot message through dlpgate on a
// keep-alive intercepted connection (held, inspected, forwarded).
func BenchmarkRobotMessage(b *testing.B) {
	benchRobot(b, harnessConfig{})
}

// BenchmarkRobotMessageDefault is BenchmarkRobotMessage with the default
// classifiers: the CPU a chat line costs in production (places and body
// inspected, forwarded), for profiling.
func BenchmarkRobotMessageDefault(b *testing.B) {
	benchRobot(b, harnessConfig{classifiers: classifiers.NewDefault()})
}

func benchRobot(b *testing.B, hc harnessConfig) {
	h := newHarness(b, hc)
	c := h.client()
	msg := robotJSON("Build 1234 passed; deploy at 15:00 HKT")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := c.Post(robotURL, "application/json", bytes.NewReader(msg))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkUpload: a 4 MB text upload (held in memory) and 16 MB and
// 50 MB ones (spilled to a file, classified while they arrive) through
// dlpgate, with the default classifiers; the spilled sizes also with the
// overlap switched off (".../50MB-no-overlap"), so one test binary compares
// both; and a 50 MB multipart/form-data upload (a small JSON field and a
// 50 MiB text file) the same two ways. decide-ms/op is the inspection left
// after the last byte is held (what overlapping receiving with inspection
// hides).
func BenchmarkUpload(b *testing.B) {
	for _, size := range []int{4 << 20, 16 << 20, 50 << 20} {
		for _, off := range []bool{false, true} {
			name := byteSize(size)
			if off {
				if size <= extract.StreamAbove {
					continue
				}
				name += "-no-overlap"
			}
			const line = "plain quarterly planning notes without identifiers\n"
			body := []byte(strings.Repeat(line, size/len(line)+1)[:size])
			b.Run(name, func(b *testing.B) { benchPut(b, off, body, "") })
		}
	}
	// A multipart/form-data upload as DingTalk's file upload sends it: a
	// small JSON field, then a 50 MiB text file.
	const line = "plain quarterly planning notes without identifiers\n"
	mpType, mp := multipartFields(b, [][3]string{
		{"msgParam", "", `{"title":"quarterly notes","size":52428800}`},
		{"media", "notes.txt", strings.Repeat(line, (50<<20)/len(line)+1)[:50<<20]},
	})
	for _, off := range []bool{false, true} {
		name := "multipart-50MB"
		if off {
			name += "-no-overlap"
		}
		b.Run(name, func(b *testing.B) { benchPutAs(b, off, mp, mpType, "") })
	}
}

// multipartFields is a multipart/form-data body of parts {field, file
// name ("": a plain field), content} and its Content-Type.
func multipartFields(t testing.TB, parts [][3]string) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p[1] == "" {
			w, err = mw.CreateFormField(p[0])
		} else {
			w, err = mw.CreateFormFile(p[0], p[1])
		}
		if err == nil {
			_, err = io.WriteString(w, p[2])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

// decideTimes sums the inspection time the proxy reports per body
// (Observer.Inspected: from the last byte held to the decision).
type decideTimes struct {
	mu    sync.Mutex
	total time.Duration
	n     int
}

func (d *decideTimes) Decision(string, string, string, string) {}
func (d *decideTimes) Held(string, int64, bool)                {}
func (d *decideTimes) Inspected(_ string, _ int64, _ int, took time.Duration) {
	d.mu.Lock()
	d.total += took
	d.n++
	d.mu.Unlock()
}

func (d *decideTimes) perOp() float64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == 0 {
		return 0
	}
	return float64(d.total.Microseconds()) / 1000 / float64(d.n)
}

// BenchmarkConcurrentUploads sends 100 text uploads of 20 MiB at once
// through dlpgate with the default classifiers and the default inspection
// budget: the in-process twin of bench's peak-RSS measurement. Run it with
// -memprofile to see that no site allocates a full body per request:
//
//	go test ./proxy -run XXX -bench ConcurrentUploads -benchtime 1x -memprofile mem.out
//	go tool pprof -sample_index=alloc_space -top proxy.test mem.out
func BenchmarkConcurrentUploads(b *testing.B) {
	const n, size = 100, 20 << 20
	h := newHarness(b, harnessConfig{classifiers: classifiers.NewDefault(), budget: inspect.NewBudget(0, 0, 0)})
	c := h.client()
	// 2 GiB through one 2-core machine shared with other work can take
	// longer than the harness client's minute; the proxy answers each one
	// (the budget's queue wait bounds how long).
	c.Timeout = 10 * time.Minute
	const line = "plain quarterly planning notes without identifiers\n"
	body := []byte(strings.Repeat(line, size/len(line)+1)[:size])
	b.SetBytes(int64(n * size))
	for b.Loop() {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				resp, err := c.Post("https://sh-dualstack.trans.dingtalk.com/put", "text/plain", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
}

// benchPut posts body as text/plain (with Content-Encoding encoding when
// not empty) through dlpgate with the default classifiers (the test ones
// are a slow regexp), the overlap switched off when off, and reports
// decide-ms/op.
func benchPut(b *testing.B, off bool, body []byte, encoding string) {
	benchPutAs(b, off, body, "text/plain", encoding)
}

// benchPutAs is benchPut with the Content-Type ctype.
func benchPutAs(b *testing.B, off bool, body []byte, ctype, encoding string) {
	obs := &decideTimes{}
	h := newHarness(b, harnessConfig{classifiers: classifiers.NewDefault(), opts: func(o *Options) { o.Metrics = obs }})
	h.srv.noOverlap = off
	c := h.client()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	cpu0 := cputime.Process()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, "https://sh-dualstack.trans.dingtalk.com/put", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		if encoding != "" {
			req.Header.Set("Content-Encoding", encoding)
		}
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(obs.perOp(), "decide-ms/op")
	b.ReportMetric((cputime.Process()-cpu0).Seconds()*1000/float64(b.N), "cpu-ms/op")
}

func byteSize(n int) string { return fmt.Sprintf("%dMB", n>>20) }

// BenchmarkGzipUpload sends a 20 MiB text upload with Content-Encoding
// gzip (about 12 MiB on the wire, spilled) through dlpgate with the default
// classifiers, overlapped (decompressed while it arrives) and not
// ("-no-overlap"). decide-ms/op is the inspection left after the last
// byte is held.
func BenchmarkGzipUpload(b *testing.B) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(wordNoise(31, 20<<20))
	zw.Close()
	for _, off := range []bool{false, true} {
		name := "20MiB"
		if off {
			name += "-no-overlap"
		}
		b.Run(name, func(b *testing.B) { benchPut(b, off, gz.Bytes(), "gzip") })
	}
}

// BenchmarkJSONUpload sends large JSON bodies through dlpgate with the
// default classifiers, overlapped and not ("-no-overlap"): a 50 MiB robot
// message (one huge text string), a 20 MiB API body with an array of
// records, and a 20 MiB multipart/form-data upload of a text file.
// decide-ms/op is the inspection left after the last byte is held.
func BenchmarkJSONUpload(b *testing.B) {
	robot := robotJSON(string(wordNoise(41, 50<<20)))
	var recs bytes.Buffer
	recs.WriteString(`{"msgtype":"records","records":[`)
	words := wordNoise(43, 20<<20)
	for i := 0; recs.Len() < 20<<20; i++ {
		if i > 0 {
			recs.WriteByte(',')
		}
		at := (i * 61) % (len(words) - 64)
		fmt.Fprintf(&recs, `{"id":%d,"title":%q,"status":"ok","tags":["plan","q%d"],"n":%d}`, i, words[at:at+60], i%4, i%1000)
	}
	recs.WriteString(`]}`)
	mpType, mp := multipartBody(b, "media", "notes.txt", wordNoise(47, 20<<20))
	for _, c := range []struct {
		name, ctype string
		body        []byte
	}{
		{"robot-50MiB", "application/json", robot},
		{"records-20MiB", "application/json", recs.Bytes()},
		{"multipart-text-20MiB", mpType, mp},
	} {
		for _, off := range []bool{false, true} {
			name := c.name
			if off {
				name += "-no-overlap"
			}
			b.Run(name, func(b *testing.B) { benchPutAs(b, off, c.body, c.ctype, "") })
		}
	}
}
