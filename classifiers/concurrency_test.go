package classifiers

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// One Set serves every request of the proxy at once.
func TestClassifyConcurrent(t *testing.T) {
	inputs := [][]extract.Segment{
		{{Origin: "a", Text: mixedText(64 << 10)}},
		{{Origin: "b", Text: "出院小結\n病人姓名：陳大文\n診斷：肺炎；高血壓\n出院藥物：Augmentin"}},
		{{Origin: "c", Text: "Balance Sheet\nTotal assets 1,204,330\nTotal liabilities 455,210\nNet assets 749,120"}},
	}
	want := make([][]Finding, len(inputs))
	for i, in := range inputs {
		want[i] = testSet.Classify(context.Background(), in)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				in := (g + i) % len(inputs)
				if got := testSet.Classify(context.Background(), inputs[in]); !reflect.DeepEqual(got, want[in]) {
					t.Errorf("input %d: concurrent result differs", in)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestClassifyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := testSet.Classify(ctx, []extract.Segment{{Text: "HKID A123456(3)"}}); got != nil {
		t.Fatalf("cancelled context still classified: %v", got)
	}
}
