package groups_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// The service is tested over the real embedded store (a fresh file per
// test) and an in-memory chat platform; this file is the one place that
// knows how they are put together.

// chatPlatform is an in-memory chat platform: chats with members, the bot's
// rights, pending join requests, and a log of what was done.
type chatPlatform struct {
	mu       sync.Mutex
	rights   map[int64][]groups.Right // nil entry: the bot is not an admin
	members  map[int64]map[int64]bool
	requests map[int64]map[int64]bool // chat -> user -> pending
	links    int
	calls    []string
	fail     map[string]error // by call name ("mute", "approve", ...)
}

func newPlatform() *chatPlatform {
	return &chatPlatform{rights: map[int64][]groups.Right{}, members: map[int64]map[int64]bool{},
		requests: map[int64]map[int64]bool{}, fail: map[string]error{}}
}

func (p *chatPlatform) do(call string, chatID, userID int64) error {
	p.calls = append(p.calls, fmt.Sprintf("%s %d %d", call, chatID, userID))
	return p.fail[call]
}

func (p *chatPlatform) failOn(call string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		delete(p.fail, call)
		return
	}
	p.fail[call] = err
}

// count returns how many calls named call (with the chat and user, if
// given) were made.
func (p *chatPlatform) count(call string, ids ...int64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	want := call
	for _, id := range ids {
		want += fmt.Sprintf(" %d", id)
	}
	n := 0
	for _, c := range p.calls {
		if c == want || strings.HasPrefix(c, want+" ") {
			n++
		}
	}
	return n
}

func (p *chatPlatform) admin(chatID int64, rights ...groups.Right) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rights[chatID] = append([]groups.Right{}, rights...)
}

// ask makes the user ask to join the chat.
func (p *chatPlatform) ask(chatID, userID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.requests[chatID] == nil {
		p.requests[chatID] = map[int64]bool{}
	}
	p.requests[chatID][userID] = true
}

func (p *chatPlatform) setMember(chatID, userID int64, in bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.members[chatID] == nil {
		p.members[chatID] = map[int64]bool{}
	}
	p.members[chatID][userID] = in
}

func (p *chatPlatform) BotRights(_ context.Context, chatID int64) ([]groups.Right, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.do("rights", chatID, 0); err != nil {
		return nil, err
	}
	return slices.Clone(p.rights[chatID]), nil
}

func (p *chatPlatform) MuteAll(_ context.Context, chatID int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.do("mute", chatID, 0)
}

func (p *chatPlatform) CreateJoinLink(_ context.Context, chatID int64, name string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.do("link", chatID, 0); err != nil {
		return "", err
	}
	p.links++
	return fmt.Sprintf("https://t.me/+%d_%d", -chatID, p.links), nil
}

// JoinLinkWorks reports whether the link is one this platform made
// for the chat; links are never revoked here.
func (p *chatPlatform) JoinLinkWorks(_ context.Context, chatID int64, link, _ string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.do("check_link", chatID, 0); err != nil {
		return false, err
	}
	return strings.HasPrefix(link, fmt.Sprintf("https://t.me/+%d_", -chatID)), nil
}

func (p *chatPlatform) ApproveJoin(_ context.Context, chatID, userID int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.do("approve", chatID, userID); err != nil {
		return err
	}
	if !p.requests[chatID][userID] {
		return groups.ErrJoinRequestGone
	}
	delete(p.requests[chatID], userID)
	if p.members[chatID] == nil {
		p.members[chatID] = map[int64]bool{}
	}
	p.members[chatID][userID] = true
	return nil
}

func (p *chatPlatform) DeclineJoin(_ context.Context, chatID, userID int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.do("decline", chatID, userID); err != nil {
		return err
	}
	if !p.requests[chatID][userID] {
		return groups.ErrJoinRequestGone
	}
	delete(p.requests[chatID], userID)
	return nil
}

func (p *chatPlatform) LiftBan(_ context.Context, chatID, userID int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.do("liftban", chatID, userID)
}

func (p *chatPlatform) RemoveMember(_ context.Context, chatID, userID int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.do("remove", chatID, userID); err != nil {
		return err
	}
	delete(p.members[chatID], userID)
	return nil
}

func (p *chatPlatform) IsMember(_ context.Context, chatID, userID int64) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.do("ismember", chatID, userID); err != nil {
		return false, err
	}
	return p.members[chatID][userID], nil
}

// delivered is one notice the fake notifier delivered.
type delivered struct {
	to     int64
	notice shequn.Notice
	pin    bool
}

// noticeLog records notices; fail makes deliveries to a chat or user fail.
type noticeLog struct {
	mu   sync.Mutex
	sent []delivered
	fail map[int64]error
}

func (n *noticeLog) deliver(d delivered) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.fail[d.to]; err != nil {
		return err
	}
	n.sent = append(n.sent, d)
	return nil
}

func (n *noticeLog) Tell(_ context.Context, userID int64, no shequn.Notice) error {
	return n.deliver(delivered{to: userID, notice: no})
}

// Post delivers a post; its message id is its place in the record.
func (n *noticeLog) Post(_ context.Context, chatID int64, no shequn.Notice) (int, error) {
	if err := n.deliver(delivered{to: chatID, notice: no}); err != nil {
		return 0, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.sent), nil
}

// Pin marks a delivered post pinned.
func (n *noticeLog) Pin(_ context.Context, chatID int64, messageID int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.fail[chatID]; err != nil {
		return err
	}
	if messageID < 1 || messageID > len(n.sent) || n.sent[messageID-1].to != chatID {
		return errors.New("no such message")
	}
	n.sent[messageID-1].pin = true
	return nil
}

func (n *noticeLog) failFor(to int64, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail == nil {
		n.fail = map[int64]error{}
	}
	if err == nil {
		delete(n.fail, to)
		return
	}
	n.fail[to] = err
}

// to returns the notices delivered to a user or chat, in order.
func (n *noticeLog) to(id int64) []delivered {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []delivered
	for _, d := range n.sent {
		if d.to == id {
			out = append(out, d)
		}
	}
	return out
}

const owner = 1

var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// env is a community with the courses ppt and xls and no groups yet.
type env struct {
	svc   *groups.Service
	db    *sqlite.DB
	chat  *chatPlatform
	notes *noticeLog
	now   time.Time
	wakes atomic.Int64
	logs  *logBuffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, chat: newPlatform(), notes: &noticeLog{}, now: t0, logs: &logBuffer{}}
	e.svc = &groups.Service{
		Store: db, Posts: db, Platform: e.chat, Notifier: e.notes, Profiles: db, Owners: []int64{owner, 2},
		Courses: map[string]membership.Course{
			"ppt": {ID: "ppt", Title: "PPT", Prefix: "PPT"},
			"xls": {ID: "xls", Title: "Excel", Prefix: "XLS"},
		},
		Now: func() time.Time { return e.now }, Log: slog.New(slog.NewTextHandler(e.logs, nil)),
		Wake: func() { e.wakes.Add(1) },
	}
	return e
}

// group registers a student group of the course with every right.
func (e *env) group(t *testing.T, course string, chatID int64, capacity int) groups.Group {
	t.Helper()
	e.chat.admin(chatID, groups.RequiredRights(groups.KindStudent)...)
	g, err := e.svc.Register(t.Context(), groups.RegisterRequest{ChatID: chatID, Title: fmt.Sprintf("chat %d", chatID),
		Kind: groups.KindStudent, Course: course, Capacity: capacity, By: owner})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// seat enrolls the user as member number n of the course and seats them.
func (e *env) seat(t *testing.T, course string, user int64, n int) groups.Seat {
	t.Helper()
	if err := e.svc.Seat(t.Context(), membership.Enrollment{Course: course, UserID: user, Number: n,
		Status: membership.EnrollmentActive}); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Second)
	return must(e.db.Seat(t.Context(), course, user))(t)
}

func (e *env) reconcile(t *testing.T) {
	t.Helper()
	if err := e.svc.Reconcile(t.Context(), e.now); err != nil {
		t.Fatal(err)
	}
}

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// logBuffer keeps the service's log lines; workers write concurrently.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// count returns how many lines hold s, and resets the log.
func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range strings.Split(l.buf.String(), "\n") {
		if strings.Contains(line, s) {
			n++
		}
	}
	l.buf.Reset()
	return n
}
