package assignments_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// The service is tested over the real embedded store (a fresh file per
// test) and an in-memory notifier; this file is the one place that knows
// how they are put together.

// sent is one notice the fake notifier delivered.
type sent struct {
	to     int64 // user or chat
	notice shequn.Notice
	pin    bool
	post   bool
}

// notifier records notices; fail makes the next deliveries to a chat or
// user fail with the error.
type notifier struct {
	mu   sync.Mutex
	sent []sent
	fail map[int64]error
}

func (n *notifier) deliver(to int64, s sent) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.fail[to]; err != nil {
		return err
	}
	n.sent = append(n.sent, s)
	return nil
}

func (n *notifier) Tell(_ context.Context, userID int64, no shequn.Notice) error {
	return n.deliver(userID, sent{to: userID, notice: no})
}

// Post delivers a post; its message id is its place in the record.
func (n *notifier) Post(_ context.Context, chatID int64, no shequn.Notice) (int, error) {
	if err := n.deliver(chatID, sent{to: chatID, notice: no, post: true}); err != nil {
		return 0, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.sent), nil
}

// Pin marks a delivered post pinned.
func (n *notifier) Pin(_ context.Context, chatID int64, messageID int) error {
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

func (n *notifier) failFor(to int64, err error) {
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
func (n *notifier) to(id int64) []sent {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []sent
	for _, s := range n.sent {
		if s.to == id {
			out = append(out, s)
		}
	}
	return out
}

var errDown = errors.New("telegram is down")

// Users of the community the tests use.
const (
	owner      = 1   // an owner: reviews every course
	pptTeacher = 10  // teacher of ppt
	xlsTeacher = 11  // assistant of xls
	allTeacher = 12  // teacher of every course
	student    = 100 // enrolled in ppt
	student2   = 101 // enrolled in ppt and xls
	outsider   = 102 // enrolled nowhere
	dropped    = 103 // refunded from ppt
)

// t0 is a Monday, 9:00 in Shanghai.
var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// env is a community with two courses, its staff and students.
type env struct {
	svc   *assignments.Service
	db    *sqlite.DB
	notes *notifier
	now   time.Time
	logs  *logBuffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, notes: &notifier{}, now: t0, logs: &logBuffer{}}
	log := slog.New(slog.NewTextHandler(e.logs, nil))
	// Assignments are announced through the groups domain, as in the app.
	announcer := &groups.Service{Store: db, Posts: db, Notifier: e.notes, Owners: []int64{owner},
		Now: func() time.Time { return e.now }, Log: log}
	e.svc = &assignments.Service{
		Store: db, Members: db, Roles: db, Groups: announcer, Notifier: e.notes,
		Owners: []int64{owner},
		Courses: map[string]membership.Course{
			"ppt": {ID: "ppt", Title: "PPT", Prefix: "PPT"},
			"xls": {ID: "xls", Title: "Excel", Prefix: "XLS"},
		},
		Location: shanghai, Late: assignments.LateAccept, LatePenaltyPct: 20,
		Now: func() time.Time { return e.now }, Log: log,
	}
	for _, g := range []membership.Grant{
		{UserID: pptTeacher, Role: membership.RoleTeacher, Course: "ppt"},
		{UserID: xlsTeacher, Role: membership.RoleAssistant, Course: "xls"},
		{UserID: allTeacher, Role: membership.RoleTeacher},
	} {
		g.GrantedBy, g.GrantedAt = owner, t0
		if err := db.GrantRole(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	e.enroll(t, "ppt", student)
	e.enroll(t, "ppt", student2)
	e.enroll(t, "xls", student2)
	e.enroll(t, "ppt", dropped)
	if _, err := db.RevokePayment(ctx, "pi_ppt_103", membership.OrderRefunded, t0); err != nil {
		t.Fatal(err)
	}
	return e
}

// enroll makes the user a paying member of the course.
func (e *env) enroll(t *testing.T, course string, user int64) {
	t.Helper()
	id := course + "_" + strconv.FormatInt(user, 10)
	if _, err := e.db.RecordPayment(t.Context(), membership.Order{ID: "cs_" + id, Course: course, UserID: user,
		PaymentIntent: "pi_" + id, Amount: 100, Currency: "cny", Status: membership.OrderPaid, PaidAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
}

// assignment publishes homework of the course, due in a week.
func (e *env) assignment(t *testing.T, course string) assignments.Assignment {
	t.Helper()
	a, err := e.svc.Create(t.Context(), owner, assignments.Assignment{Course: course, Title: "homework of " + course,
		MaxScore: 100, Due: e.now.Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// submit hands in text work and moves the clock a minute on, so that
// submissions are ordered.
func (e *env) submit(t *testing.T, user int64, a assignments.Assignment) assignments.Submission {
	t.Helper()
	s, err := e.svc.Submit(t.Context(), user, a.ID, assignments.Content{Kind: assignments.ContentText, Text: "my work"})
	if err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Minute)
	return s
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
