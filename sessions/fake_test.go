package sessions_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/sessions"
	"github.com/shequn/shequn/store/sqlite"
)

// The service is tested over the real embedded store (a fresh file per
// test), the real groups service (which owns a group's problems), and an
// in-memory chat that records every effect per chat.

// chat is an in-memory chat platform and notifier.
type chat struct {
	mu     sync.Mutex
	nextID map[int64]int      // per chat, as Telegram numbers messages
	log    map[int64][]string // chat -> effects in order
	fail   map[string]error   // "<kind> <chat>" or "<kind> <chat> <arg>" -> error
}

func newChat() *chat {
	return &chat{log: map[int64][]string{}, fail: map[string]error{}, nextID: map[int64]int{}}
}

func (c *chat) failOn(key string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		delete(c.fail, key)
		return
	}
	c.fail[key] = err
}

func (c *chat) do(chatID int64, kind, arg string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range []string{fmt.Sprintf("%s %d", kind, chatID), fmt.Sprintf("%s %d %s", kind, chatID, arg)} {
		if err := c.fail[k]; err != nil {
			return err
		}
	}
	c.log[chatID] = append(c.log[chatID], strings.TrimSpace(kind+" "+arg))
	return nil
}

// effects returns what reached the chat, in order.
func (c *chat) effects(chatID int64) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.log[chatID])
}

func (c *chat) Copy(_ context.Context, chatID int64, ref sessions.MessageRef, relay bool) error {
	ids := make([]string, len(ref.MessageIDs))
	for i, id := range ref.MessageIDs {
		ids[i] = fmt.Sprint(id)
	}
	return c.do(chatID, "copy", strings.Join(ids, ","))
}

func (c *chat) OpenChat(_ context.Context, chatID int64, open bool) error {
	if open {
		return c.do(chatID, "open", "")
	}
	return c.do(chatID, "mute", "")
}

func (c *chat) Unpin(_ context.Context, chatID int64, messageID int) error {
	return c.do(chatID, "unpin", fmt.Sprint(messageID))
}

func (c *chat) Tell(_ context.Context, userID int64, n shequn.Notice) error {
	return c.do(userID, "tell", describe(n))
}

func (c *chat) Post(_ context.Context, chatID int64, n shequn.Notice) (int, error) {
	if err := c.do(chatID, "post", describe(n)); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID[chatID]++
	return c.nextID[chatID], nil
}

func (c *chat) Pin(_ context.Context, chatID int64, messageID int) error {
	return c.do(chatID, "pin", fmt.Sprint(messageID))
}

// describe names a notice briefly, for the effect log.
func describe(n shequn.Notice) string {
	switch n := n.(type) {
	case sessions.ReminderNotice:
		return fmt.Sprintf("reminder:%v", n.Before)
	case sessions.QuestionNotice:
		return fmt.Sprintf("question:%d:%d:%s", n.Question.Seq, n.Question.Number, n.Question.Text)
	case sessions.RecapNotice:
		return fmt.Sprintf("recap:%d/%d:q%d:r%d", n.GroupCheckIns, n.CheckIns, n.Questions, n.Relayed)
	}
	return n.NoticeName()
}

// world is a community with student groups and a clock.
type world struct {
	db     *sqlite.DB
	chat   *chat
	groups *groups.Service
	svc    *sessions.Service
	now    time.Time
}

const (
	admin   = int64(1)
	speaker = int64(7)
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &world{db: db, chat: newChat(), now: t0}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w.groups = &groups.Service{Store: db, Posts: db, Notifier: w.chat, Now: w.clock, Log: log}
	w.svc = w.service()
	return w
}

// service returns a new service over the same store and chat, as after a
// restart.
func (w *world) service() *sessions.Service {
	return &sessions.Service{Store: w.db, Posts: w.db, Groups: w.groups, Platform: w.chat, Notifier: w.chat,
		Members: numbers{w.db}, Now: w.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: 4}
}

func (w *world) clock() time.Time { return w.now }

// numbers reads member numbers from the seats.
type numbers struct{ db *sqlite.DB }

func (n numbers) MemberNumber(ctx context.Context, course string, userID int64) (int, error) {
	s, err := n.db.Seat(ctx, course, userID)
	return s.Number, err
}

// group registers a student group of the course.
func (w *world) group(t *testing.T, course string, chatID int64) groups.Group {
	t.Helper()
	g, err := w.db.AddGroup(t.Context(), groups.Group{ChatID: chatID, Kind: groups.KindStudent, Course: course, Capacity: 100, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// seat gives the user a seat in the course, numbered number.
func (w *world) seat(t *testing.T, course string, userID int64, number int) {
	t.Helper()
	if _, err := w.db.TakeSeat(t.Context(), groups.SeatRequest{Course: course, UserID: userID, Number: number, At: t0}); err != nil {
		t.Fatal(err)
	}
}

// pass runs the sessions pass at the world's time.
func (w *world) pass(t *testing.T) {
	t.Helper()
	if err := w.svc.Pass(t.Context(), w.now); err != nil {
		t.Fatal(err)
	}
}

// broadcast runs the broadcast pass at the world's time.
func (w *world) broadcast(t *testing.T) {
	t.Helper()
	if err := w.svc.Broadcast(t.Context(), w.now); err != nil {
		t.Fatal(err)
	}
}

func wantEffects(t *testing.T, c *chat, chatID int64, want ...string) {
	t.Helper()
	if got := c.effects(chatID); !slices.Equal(got, want) {
		t.Errorf("chat %d got\n  %q\nwant\n  %q", chatID, got, want)
	}
}

// removed is Telegram's refusal in a group the bot was removed from.
func removed(chatID int64) error {
	return &groups.GroupError{ChatID: chatID, Problem: groups.ProblemRemoved, Err: errors.New("Forbidden: bot was kicked from the supergroup chat")}
}
