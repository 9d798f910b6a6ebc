package app_test

import (
	"testing"

	"github.com/shequn/shequn/demo"
)

// /healthz names the QQ connection's state without failing on it.
func TestHealthzReportsTheQQConnection(t *testing.T) {
	h, err := demo.Start(t.Context(), instant)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if code, status := healthz(t, h); code != 200 || status["qq"] != "disconnected" {
		t.Fatalf("before NapCat connects: %d %v", code, status)
	}
	qq, err := h.ConnectQQ(t.Context(), 3_000_000_001)
	if err != nil {
		t.Fatal(err)
	}
	if code, status := healthz(t, h); code != 200 || status["qq"] != "ok" {
		t.Fatalf("connected: %d %v", code, status)
	}
	qq.Close()
}
