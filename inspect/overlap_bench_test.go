package inspect_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/extract"
)

// BenchmarkOverlapGzipFinish is the inspection left once the last byte of
// a 20 MiB text body with Content-Encoding gzip has arrived: overlapped
// ("overlap": all but the last byte fed and given time to be read), and
// Inspect on the complete body ("whole").
func BenchmarkOverlapGzipFinish(b *testing.B) {
	gz := compressed(b, "gzip", noisyText(rand.New(rand.NewPCG(3, 4)), 20<<20, ""))
	in := extract.Input{ContentType: "text/plain", ContentEncoding: "gzip", Size: int64(len(gz)), Origin: "body"}
	eng := defaultEngine(b)
	b.Run("overlap", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			g := newGrowing(gz)
			ov := eng.Begin(context.Background(), in, g)
			g.feed(len(gz) - 1)
			time.Sleep(500 * time.Millisecond)
			b.StartTimer()
			g.end(nil)
			if _, err := ov.Finish(context.Background(), overlapReq); err != nil {
				b.Fatal(err)
			}
			if ok, why := ov.Overlapped(); !ok {
				b.Fatal(why)
			}
		}
	})
	b.Run("whole", func(b *testing.B) {
		whole := in
		whole.Body = spilled{bytes.NewReader(gz)}
		for b.Loop() {
			if _, err := eng.Inspect(context.Background(), overlapReq, whole); err != nil {
				b.Fatal(err)
			}
		}
	})
}
