package bot

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// WebhookHandler takes updates that Telegram posts (webhook mode). It checks
// the secret token before reading the body, stores the update and answers
// 200; the Intake handles it in the background, in order within its chat.
// When the update cannot be stored it answers 500, so Telegram retries.
type WebhookHandler struct {
	Secret string
	Intake *Intake
	Log    *slog.Logger
}

func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if h.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(h.Secret)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	var u tgbotapi.Update
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&u); err != nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	if err := h.Intake.Accept(r.Context(), []tgbotapi.Update{u}); err != nil {
		h.Log.ErrorContext(r.Context(), "webhook update not stored", "update", u.UpdateID, "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}
