package bot_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
)

// failingSave is an update log whose store is down for saving.
type failingSave struct {
	shequn.UpdateLog
	down atomic.Bool
}

func (f *failingSave) SaveUpdate(ctx context.Context, id, chat int64, hash string, payload []byte, at time.Time) (bool, error) {
	if f.down.Load() {
		return false, errors.New("store down")
	}
	return f.UpdateLog.SaveUpdate(ctx, id, chat, hash, payload, at)
}

// The webhook answers 200 as soon as the update is stored, while its
// handling is still going on; 500 when it cannot be stored, so Telegram
// delivers it again; and a redelivery is handled once.
func TestWebhookAnswersAfterStoring(t *testing.T) {
	_, db, rec := pollerFixture(t)
	log := &failingSave{UpdateLog: db}
	release := make(chan struct{})
	rec.hold = func(string) { <-release }
	in := newIntake(log, rec.handle)
	h := &bot.WebhookHandler{Secret: "s", Intake: in, Log: quiet}
	post := func() int {
		req := httptest.NewRequest(http.MethodPost, "/telegram/webhook",
			strings.NewReader(`{"update_id":9,"message":{"message_id":1,"date":1,"text":"hi","chat":{"id":7,"type":"private"}}}`))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	log.down.Store(true)
	if code := post(); code != http.StatusInternalServerError {
		t.Fatalf("store down: %d, want 500", code)
	}
	log.down.Store(false)
	if code := post(); code != http.StatusOK {
		t.Fatalf("stored: %d, want 200", code)
	}
	if code := post(); code != http.StatusOK { // Telegram retried meanwhile
		t.Fatalf("redelivery: %d, want 200", code)
	}
	close(release)
	rec.wait(t, "hi")
	in.Wait(t.Context())
	rec.once(t, "hi")
}
