package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// delivery is one webhook request seen by the receiver.
type delivery struct {
	secret string
	update tgbotapi.Update
}

func TestWebhook(t *testing.T) {
	srv, bot := newBot(t, WithWebhookRetryDelay(5*time.Millisecond))
	got := make(chan delivery, 10)
	var mu sync.Mutex
	attempts := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u tgbotapi.Update
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &u)
		got <- delivery{secret: r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), update: u}
		mu.Lock()
		attempts++
		n := attempts
		mu.Unlock()
		switch {
		case n == 1:
			http.Error(w, "boom", http.StatusInternalServerError)
		case u.Message != nil && u.Message.Text == "echo me":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"method":"sendMessage","chat_id":21,"text":"echo"}`))
		}
	}))
	defer recv.Close()

	_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": recv.URL, "secret_token": "s3cr3t_-"})
	mustNoErr(t, err)
	_, err = bot.MakeRequest("setWebhook", tgbotapi.Params{"url": recv.URL, "secret_token": "bad secret!"})
	wantAPIError(t, err, 400, "Bad Request: secret token contains unallowed characters")
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	wantAPIError(t, err, 409, "Conflict: can't use getUpdates method while webhook is active")

	if _, err := srv.SendText(alice, alice, "hi"); err != nil {
		t.Fatal(err)
	}
	wait := func() delivery {
		t.Helper()
		select {
		case d := <-got:
			return d
		case <-time.After(5 * time.Second):
			t.Fatal("no webhook delivery")
			return delivery{}
		}
	}
	first, retry := wait(), wait()
	if first.secret != "s3cr3t_-" || first.update.Message == nil || first.update.Message.Text != "hi" {
		t.Fatalf("first delivery = %+v", first)
	}
	if retry.update.UpdateID != first.update.UpdateID {
		t.Fatalf("retry delivered update %d, want %d", retry.update.UpdateID, first.update.UpdateID)
	}
	info, err := bot.GetWebhookInfo()
	mustNoErr(t, err)
	if info.URL != recv.URL || info.LastErrorDate == 0 || info.LastErrorMessage == "" {
		t.Fatalf("webhook info = %+v", info)
	}

	// The webhook may answer with a method call.
	echoed := make(chan struct{}, 1)
	srv.OnEvent(func(e Event) {
		if e.Kind == "bot_message" && e.ChatID == alice && e.Text == "echo" {
			select {
			case echoed <- struct{}{}:
			default:
			}
		}
	})
	if _, err := srv.SendText(alice, alice, "echo me"); err != nil {
		t.Fatal(err)
	}
	wait()
	select {
	case <-echoed:
	case <-time.After(5 * time.Second):
		t.Fatal("webhook reply method not executed")
	}
	if info, _ := bot.GetWebhookInfo(); info.PendingUpdateCount != 0 {
		t.Fatalf("pending = %d", info.PendingUpdateCount)
	}

	_, err = bot.Request(tgbotapi.DeleteWebhookConfig{})
	mustNoErr(t, err)
	if srv.WebhookURL() != "" {
		t.Fatal("webhook still set")
	}
	if _, err := srv.SendText(alice, alice, "polling again"); err != nil {
		t.Fatal(err)
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	mustNoErr(t, err)
	if len(ups) != 1 || ups[0].Message.Text != "polling again" {
		t.Fatalf("updates after deleteWebhook = %+v", ups)
	}
}

func TestWebhookDropPending(t *testing.T) {
	srv, bot := newBot(t)
	if _, err := srv.SendText(alice, alice, "old"); err != nil {
		t.Fatal(err)
	}
	wh, err := tgbotapi.NewWebhook("http://127.0.0.1:1/hook")
	mustNoErr(t, err)
	wh.DropPendingUpdates = true
	_, err = bot.Request(wh)
	mustNoErr(t, err)
	_, err = bot.Request(tgbotapi.DeleteWebhookConfig{DropPendingUpdates: true})
	mustNoErr(t, err)
	if n := srv.PendingUpdates(); n != 0 {
		t.Fatalf("pending = %d", n)
	}
}
