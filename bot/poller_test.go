package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/store/sqlite"
)

const token = "123:poller-test-token"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// recorder counts how often each message text was handled, and in which
// order.
type recorder struct {
	mu    sync.Mutex
	seen  map[string]int
	order []string
	got   chan string
	// hold, when set, is called before an update is recorded.
	hold func(text string)
}

func newRecorder() *recorder { return &recorder{seen: map[string]int{}, got: make(chan string, 1000)} }

func (r *recorder) handle(_ context.Context, u tgbotapi.Update) error {
	if r.hold != nil {
		r.hold(u.Message.Text)
	}
	r.mu.Lock()
	r.seen[u.Message.Text]++
	r.order = append(r.order, u.Message.Text)
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

func newIntake(log shequn.UpdateLog, handle func(context.Context, tgbotapi.Update) error) *bot.Intake {
	return &bot.Intake{Log: log, Handle: handle, Now: time.Now, Logger: quiet}
}

func newPoller(srv *telegramtest.Server, in *bot.Intake) *bot.Poller {
	return &bot.Poller{
		API:     bot.NewAPI(token, srv.URL(), &http.Client{Timeout: 10 * time.Second}),
		Intake:  in,
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

// pollerFixture is a fake Telegram with two users who opened a chat, an
// update log on a fresh SQLite file, and a recorder; all closed at the end.
func pollerFixture(t *testing.T) (*telegramtest.Server, *sqlite.DB, *recorder) {
	t.Helper()
	srv := telegramtest.New(token)
	t.Cleanup(srv.Close)
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
	srv.AddUser(telegramtest.User{ID: 8, FirstName: "B"})
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return srv, db, newRecorder()
}

func TestPollerRestartNeitherLosesNorRepeats(t *testing.T) {
	srv, db, rec := pollerFixture(t)

	// A crash: updates stored and handled, but the process died before
	// the next getUpdates confirmed them.
	for _, s := range []string{"one", "two", "three"} {
		srv.SendText(7, 7, s)
	}
	raw := bot.NewAPI(token, srv.URL(), nil)
	first, err := raw.GetUpdates(tgbotapi.UpdateConfig{Limit: 2})
	if err != nil || len(first) != 2 {
		t.Fatalf("getUpdates: %v %d", err, len(first))
	}
	in := newIntake(db, rec.handle)
	for _, u := range first {
		if err := in.HandleNow(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	rec.wait(t, "one", "two")

	// The restarted poller gets all three again and handles only "three".
	stop := run(t, newPoller(srv, in))
	rec.wait(t, "three")
	srv.SendText(7, 7, "four")
	rec.wait(t, "four")
	stop() // a graceful stop confirms what was stored

	// The next start sees only new updates.
	srv.SendText(7, 7, "five")
	stop = run(t, newPoller(srv, in))
	rec.wait(t, "five")
	stop()
	if err := in.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec.once(t, "one", "two", "three", "four", "five")
}

// crashLog is an update log whose process died: after crash, nothing it
// is told reaches the store.
type crashLog struct {
	shequn.UpdateLog
	crashed atomic.Bool
}

func (c *crashLog) FinishUpdate(ctx context.Context, id int64, at time.Time) error {
	if c.crashed.Load() {
		return errors.New("the process is dead")
	}
	return c.UpdateLog.FinishUpdate(ctx, id, at)
}

// Updates confirmed to Telegram but not handled when the process died are
// handled after the restart, from the store.
func TestConfirmedUpdatesSurviveACrash(t *testing.T) {
	srv, db, rec := pollerFixture(t)
	log := &crashLog{UpdateLog: db}
	release := make(chan struct{})
	defer close(release)
	stuck := newIntake(log, func(context.Context, tgbotapi.Update) error { <-release; return nil })
	stop := run(t, newPoller(srv, stuck))
	for _, s := range []string{"a1", "a2", "a3"} {
		srv.SendText(7, 7, s)
	}
	srv.SendText(8, 8, "b1")
	// Wait until Telegram forgot them: they were confirmed.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := srv.WaitUpdatesTaken(ctx); err != nil {
		t.Fatal("the updates were never confirmed")
	}
	log.crashed.Store(true)
	stop()

	in := newIntake(db, rec.handle)
	if err := in.Recover(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "a1", "a2", "a3", "b1")
	if err := in.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec.once(t, "a1", "a2", "a3", "b1")
	if got := slices.DeleteFunc(slices.Clone(rec.order), func(s string) bool { return s == "b1" }); !slices.Equal(got, []string{"a1", "a2", "a3"}) {
		t.Errorf("chat 7 handled in the order %v", got)
	}
	// Handled now: a later recovery finds nothing.
	if err := in.Recover(t.Context(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	in.Wait(t.Context())
	rec.once(t, "a1", "a2", "a3", "b1")
}

// A chat whose handling is stuck holds up neither the poller nor another
// chat; its own updates wait, in order, also past its queue's bound.
func TestOneChatDoesNotHoldUpAnother(t *testing.T) {
	srv, db, rec := pollerFixture(t)
	release := make(chan struct{})
	rec.hold = func(text string) {
		if text == "a0" {
			<-release
		}
	}
	in := newIntake(db, rec.handle)
	in.QueueLen = 3
	stop := run(t, newPoller(srv, in))
	defer stop()
	var want []string
	for i := range 12 {
		want = append(want, fmt.Sprint("a", i))
		srv.SendText(7, 7, want[i])
	}
	srv.SendText(8, 8, "b")
	rec.wait(t, "b") // while a0 is stuck
	close(release)
	rec.wait(t, want...)
	rec.once(t, want...)
	got := slices.DeleteFunc(slices.Clone(rec.order), func(s string) bool { return s == "b" })
	if !slices.Equal(got, want) {
		t.Errorf("chat 7 handled in the order %v, want %v", got, want)
	}
}

// A handler that panics is recovered: the update counts as a failure and
// the chat goes on.
func TestIntakeRecoversAPanic(t *testing.T) {
	_, db, rec := pollerFixture(t)
	var failures atomic.Int32
	in := newIntake(db, func(ctx context.Context, u tgbotapi.Update) error {
		if u.Message.Text == "boom" {
			panic("boom")
		}
		return rec.handle(ctx, u)
	})
	in.Handled = func(err error) {
		if err != nil {
			failures.Add(1)
		}
	}
	msg := func(id int, text string) tgbotapi.Update {
		return tgbotapi.Update{UpdateID: id, Message: &tgbotapi.Message{Text: text, Chat: &tgbotapi.Chat{ID: 7}}}
	}
	if err := in.Accept(t.Context(), []tgbotapi.Update{msg(1, "boom"), msg(2, "after")}); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "after")
	in.Wait(t.Context())
	if failures.Load() != 1 {
		t.Errorf("failures = %d, want 1", failures.Load())
	}
}

func TestPollerSurvivesUpdateIDReset(t *testing.T) {
	srv, db, rec := pollerFixture(t)
	in := newIntake(db, rec.handle)
	p := newPoller(srv, in)
	polls := make(chan struct{}, 100)
	p.API.Client = &http.Client{Transport: notifyingTransport{polls}, Timeout: 10 * time.Second}
	stop := run(t, p)
	defer stop()
	first := srv.NextUpdateID()
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
	// Then Telegram picks a new, lower id, and later even one it used.
	srv.ResetUpdateIDs(5)
	srv.SendText(7, 7, "after")
	rec.wait(t, "after")
	srv.ResetUpdateIDs(first)
	srv.SendText(7, 7, "reused id")
	rec.wait(t, "reused id")
	rec.once(t, "before", "after", "reused id")
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

// A shutdown that cannot wait for a busy chat leaves its queued updates in
// the store, and the next start handles them, once.
func TestIntakeCloseLeavesTheRestStored(t *testing.T) {
	_, db, rec := pollerFixture(t)
	release := make(chan struct{})
	rec.hold = func(text string) {
		if text == "1" {
			<-release
		}
	}
	in := newIntake(db, rec.handle)
	var us []tgbotapi.Update
	for i := 1; i <= 3; i++ {
		us = append(us, tgbotapi.Update{UpdateID: i, Message: &tgbotapi.Message{Text: fmt.Sprint(i), Chat: &tgbotapi.Chat{ID: 7}}})
	}
	if err := in.Accept(t.Context(), us); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := in.Close(ctx); err == nil {
		t.Fatal("Close did not give up on the stuck chat")
	}
	close(release)
	rec.wait(t, "1")
	in.Wait(t.Context())
	rec.mu.Lock()
	early := rec.seen["2"] + rec.seen["3"]
	rec.mu.Unlock()
	if early != 0 {
		t.Fatal("the closed intake went on with the queue")
	}

	next := newIntake(db, rec.handle)
	if err := next.Recover(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "2", "3")
	next.Wait(t.Context())
	rec.once(t, "1", "2", "3")
}

// Recovering more stored updates than a page, with a clock that stands
// still, takes each once and ends.
func TestRecoverPagesWithAStillClock(t *testing.T) {
	_, db, rec := pollerFixture(t)
	still := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	first := &bot.Intake{Log: db, Handle: rec.handle, Now: func() time.Time { return still }, Logger: quiet, QueueLen: 5}
	var want []string
	for i := 1; i <= 12; i++ {
		text := fmt.Sprint(i)
		want = append(want, text)
		u := tgbotapi.Update{UpdateID: i, Message: &tgbotapi.Message{Text: text, Chat: &tgbotapi.Chat{ID: int64(i)}}}
		payload, _ := json.Marshal(u)
		if _, err := db.SaveUpdate(t.Context(), int64(i), int64(i), text, payload, still); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := first.Recover(ctx, still.Add(time.Nanosecond)); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, want...)
	first.Wait(t.Context())
	rec.once(t, want...)
}
