package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/demo"
)

func TestHealthzAndMetrics(t *testing.T) {
	h, err := demo.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	base := "http://" + h.App.Addr()
	if h.App.Addr() == "" {
		t.Fatal("no address")
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var status map[string]string
	json.NewDecoder(resp.Body).Decode(&status)
	resp.Body.Close()
	if resp.StatusCode != 200 || status["store"] != "ok" || status["telegram"] != "ok" {
		t.Fatalf("healthz %d %v", resp.StatusCode, status)
	}
	// Telegram unreachable: 503 naming it.
	h.TG.FailNext("getMe", 100, 500, "Internal Server Error")
	resp, err = http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&status)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || status["telegram"] != "unreachable" {
		t.Fatalf("healthz with Telegram down: %d %v", resp.StatusCode, status)
	}
	h.TG.FailNext("getMe", 0, 0, "")

	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/help"))
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"shequn_updates_total 1", "shequn_reconcile_passes_total", "shequn_waitlist{course=\"ppt\"} 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	// Only the documented routes and methods answer.
	resp, err = http.Get(base + "/stripe/webhook")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /stripe/webhook = %d", resp.StatusCode)
	}
	resp, err = http.Post(base+"/telegram/webhook", "application/json", strings.NewReader(`{"update_id":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("telegram webhook without the secret header = %d, want 403", resp.StatusCode)
	}
}

func TestSecretsNeverReachTheLog(t *testing.T) {
	var buf bytes.Buffer
	token := "123456:AAE-super-secret-token"
	log := app.NewLogger(&buf, 0, []string{token, "sk_test_secret_key"})
	log.Error("call failed", "err", errors.New(`Post "https://api.telegram.org/bot`+token+`/getMe": dial tcp: timeout`), "key", "sk_test_secret_key")
	if strings.Contains(buf.String(), "super-secret") || strings.Contains(buf.String(), "sk_test_secret_key") {
		t.Fatalf("secret in the log: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "[REDACTED]") {
		t.Fatalf("nothing redacted: %s", buf.String())
	}
}

// Shutdown stops intake and flushes the sender: Run returns, the store
// closes, and a webhook after shutdown is refused rather than half-done.
func TestGracefulShutdown(t *testing.T) {
	h, err := demo.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	addr := h.App.Addr()
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/help"))
	if err := h.Close(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The daily job forgets updates handled more than a week ago, and only
// those: a redelivery of a recent one is still recognised.
func TestPruneUpdatesKeepsAWeek(t *testing.T) {
	h, err := demo.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := t.Context()
	st := h.App.Store()
	saved := func(id int64) bool {
		t.Helper()
		ok, err := st.SaveUpdate(ctx, id, 7, "h", []byte(`{}`), h.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	saved(1)
	must(t, st.FinishUpdate(ctx, 1, h.Clock.Now()))
	h.Clock.Advance(6 * 24 * time.Hour)
	saved(2)
	must(t, st.FinishUpdate(ctx, 2, h.Clock.Now()))
	h.Clock.Advance(2 * 24 * time.Hour)
	must(t, h.App.PruneUpdates(ctx, h.Clock.Now()))
	if !saved(1) {
		t.Error("an update handled 8 days ago is still remembered")
	}
	if saved(2) {
		t.Error("an update handled 2 days ago was forgotten")
	}
}
