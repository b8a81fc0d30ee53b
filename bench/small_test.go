package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/rules"
)

// BenchmarkInspectRobotMessage is the inspection cost of one small robot
// message (the bench's c=1 and c=64 rows), default policy and classifiers.
func BenchmarkInspectRobotMessage(b *testing.B) {
	eng := defaultEngine(b)
	body := []byte(`{"msgtype":"text","text":{"content":"Build 1234 passed; deploy at 15:00 HKT. 今日部署完成，請檢查。"}}`)
	req := rules.Request{Method: "POST", Host: "oapi.dingtalk.com", Path: "/robot/send"}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := eng.Inspect(context.Background(), req, extract.Input{ContentType: "application/json", Body: bytes.NewReader(body), Size: int64(len(body)), Origin: "body"})
		if err != nil || r.Decision.Action != rules.Allow {
			b.Fatalf("%v %+v", err, r)
		}
	}
}
