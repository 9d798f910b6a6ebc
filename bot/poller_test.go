package bot_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/store/sqlite"
)

const token = "123:poller-test-token"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// recorder counts how often each message text was handled.
type recorder struct {
	mu   sync.Mutex
	seen map[string]int
	got  chan string
}

func newRecorder() *recorder { return &recorder{seen: map[string]int{}, got: make(chan string, 100)} }

func (r *recorder) handle(_ context.Context, u tgbotapi.Update) error {
	r.mu.Lock()
	r.seen[u.Message.Text]++
	r.mu.Unlock()
	r.got <- u.Message.Text
	return nil
}

func (r *recorder) wait(t *testing.T, texts ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, s := range texts {
		want[s] = true
	}
	deadline := time.After(10 * time.Second)
	for len(want) > 0 {
		select {
		case s := <-r.got:
			delete(want, s)
		case <-deadline:
			t.Fatalf("updates not handled: %v", want)
		}
	}
}

func (r *recorder) once(t *testing.T, texts ...string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range texts {
		if r.seen[s] != 1 {
			t.Errorf("%q handled %d times, want once", s, r.seen[s])
		}
	}
}

func newPoller(srv *telegramtest.Server, log bot.UpdateLog, rec *recorder) *bot.Poller {
	return &bot.Poller{
		API:     bot.NewAPI(token, srv.URL(), &http.Client{Timeout: 10 * time.Second}),
		Handle:  bot.Once(log, time.Now, rec.handle),
		Log:     quiet,
		Timeout: time.Second,
	}
}

func run(t *testing.T, p *bot.Poller) (stop func()) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	return func() { cancel(); <-done }
}

// pollerFixture is a fake Telegram with one user who opened a chat, an
// update log on a fresh SQLite file, and a recorder; all closed at the end.
func pollerFixture(t *testing.T) (*telegramtest.Server, *sqlite.DB, *recorder) {
	t.Helper()
	srv := telegramtest.New(token)
	t.Cleanup(srv.Close)
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return srv, db, newRecorder()
}

func TestPollerRestartNeitherLosesNorRepeats(t *testing.T) {
	srv, db, rec := pollerFixture(t)

	// A crash: updates handled and recorded, but the process died before
	// the next getUpdates confirmed them.
	for _, s := range []string{"one", "two", "three"} {
		srv.SendText(7, 7, s)
	}
	raw := bot.NewAPI(token, srv.URL(), nil)
	first, err := raw.GetUpdates(tgbotapi.UpdateConfig{Limit: 2})
	if err != nil || len(first) != 2 {
		t.Fatalf("getUpdates: %v %d", err, len(first))
	}
	handle := bot.Once(db, time.Now, rec.handle)
	for _, u := range first {
		if err := handle(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	rec.wait(t, "one", "two")

	// The restarted poller gets all three again and handles only "three".
	stop := run(t, newPoller(srv, db, rec))
	rec.wait(t, "three")
	srv.SendText(7, 7, "four")
	rec.wait(t, "four")
	stop() // a graceful stop confirms what was handled

	// The next start sees only new updates.
	srv.SendText(7, 7, "five")
	stop = run(t, newPoller(srv, db, rec))
	rec.wait(t, "five")
	stop()
	rec.once(t, "one", "two", "three", "four", "five")
}

func TestPollerSurvivesUpdateIDReset(t *testing.T) {
	srv, db, rec := pollerFixture(t)
	p := newPoller(srv, db, rec)
	polls := make(chan struct{}, 100)
	p.API.Client = &http.Client{Transport: notifyingTransport{polls}, Timeout: 10 * time.Second}
	stop := run(t, p)
	defer stop()
	srv.SendText(7, 7, "before")
	rec.wait(t, "before")
	for len(polls) > 0 {
		<-polls
	}
	// A week of silence: the poller has confirmed everything and polls
	// without an offset (one empty poll done, the next one started).
	for range 2 {
		select {
		case <-polls:
		case <-time.After(10 * time.Second):
			t.Fatal("the poller stopped polling")
		}
	}
	// Then Telegram picks a new, lower id.
	srv.ResetUpdateIDs(5)
	srv.SendText(7, 7, "after")
	rec.wait(t, "after")
	rec.once(t, "before", "after")
}

// notifyingTransport signals every request it starts.
type notifyingTransport struct{ started chan<- struct{} }

func (n notifyingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	select {
	case n.started <- struct{}{}:
	default:
	}
	return http.DefaultTransport.RoundTrip(r)
}
