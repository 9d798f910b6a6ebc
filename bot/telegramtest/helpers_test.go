package telegramtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const testToken = "123456:TEST-token"

// Users used throughout the tests.
const (
	owner   int64 = 11
	alice   int64 = 21
	bob     int64 = 22
	charlie int64 = 23
)

// fakeClock is a manually advanced clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newBot starts a server with the test users and a real client for it.
func newBot(t *testing.T, opts ...Option) (*Server, *tgbotapi.BotAPI) {
	t.Helper()
	srv := New(testToken, opts...)
	t.Cleanup(srv.Close)
	srv.AddUser(User{ID: owner, FirstName: "Olga", Username: "olga"})
	srv.AddUser(User{ID: alice, FirstName: "Alice", LanguageCode: "en"})
	srv.AddUser(User{ID: bob, FirstName: "Bob"})
	srv.AddUser(User{ID: charlie, FirstName: "Charlie"})
	bot, err := tgbotapi.NewBotAPIWithClient(testToken, srv.URL()+"/bot%s/%s", &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return srv, bot
}

// newGroup creates a supergroup owned by owner with the bot as administrator
// with the given rights.
func newGroup(t *testing.T, srv *Server, rights AdminRights) int64 {
	t.Helper()
	id := srv.CreateSupergroup("Course 1", owner)
	if err := srv.AddBotAdmin(id, rights); err != nil {
		t.Fatalf("AddBotAdmin: %v", err)
	}
	return id
}

// wantAPIError checks that err is a *tgbotapi.Error with the code and a
// description starting with desc.
func wantAPIError(t *testing.T, err error, code int, desc string) *tgbotapi.Error {
	t.Helper()
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v (%T), want *tgbotapi.Error %d %q", err, err, code, desc)
	}
	if apiErr.Code != code || !strings.HasPrefix(apiErr.Message, desc) {
		t.Fatalf("error = %d %q, want %d %q", apiErr.Code, apiErr.Message, code, desc)
	}
	return apiErr
}

// mustNoErr fails the test on err.
func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// drain fetches and confirms all queued updates.
func drain(t *testing.T, bot *tgbotapi.BotAPI) []tgbotapi.Update {
	t.Helper()
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	mustNoErr(t, err)
	if len(ups) > 0 {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[len(ups)-1].UpdateID + 1})
		mustNoErr(t, err)
	}
	return ups
}

// startPrivate makes the user open a private chat with the bot and drops the
// resulting updates.
func startPrivate(t *testing.T, srv *Server, bot *tgbotapi.BotAPI, userID int64) {
	t.Helper()
	if _, err := srv.SendText(userID, userID, "/start"); err != nil {
		t.Fatal(err)
	}
	drain(t, bot)
}

// jsonUnmarshal decodes a raw API result.
func jsonUnmarshal(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }
