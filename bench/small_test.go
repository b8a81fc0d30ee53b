package main

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/places"
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

// BenchmarkInspectPlaces is the inspection cost of one request's places
// (path segments, query values, non-protocol headers) as the proxy reads
// them for every in-scope request: a robot message's URL with its 64-hex
// access_token and the headers a DingTalk client sends.
func BenchmarkInspectPlaces(b *testing.B) {
	eng := defaultEngine(b)
	r, err := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef&timestamp=1733472000000&sign=abcdEFGHijklMNOPqrstUVWXyz0123456789%2B%2F%3D", nil)
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "DingTalk/7.6.0")
	r.Header.Set("X-Acs-Dingtalk-Access-Token", "3f9c2a1b7d8e4f6a9b0c1d2e3f4a5b6c")
	r.Header.Set("Cookie", "deviceid=5d41402abc4b2a76b9719d911017c592; lang=zh_HK")
	req := rules.Request{Method: "POST", Host: "oapi.dingtalk.com", Path: "/robot/send"}
	b.ReportAllocs()
	for b.Loop() {
		doc := places.Build(r).JSON()
		res, err := eng.Inspect(context.Background(), req, extract.Input{ContentType: "application/json", Body: bytes.NewReader(doc), Size: int64(len(doc)), Origin: "url"})
		if err != nil || res.Decision.Action != rules.Allow {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
