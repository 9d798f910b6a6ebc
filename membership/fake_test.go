package membership_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// The service is tested over the real embedded store (a fresh file per
// test) and an in-memory Seats; this file is the one place that knows how
// they are put together.

// seatLog records seat and release calls; fail makes them fail for a user.
type seatLog struct {
	mu       sync.Mutex
	seated   []membership.Enrollment
	released []membership.Enrollment
	fail     map[int64]error
}

func (s *seatLog) Seat(_ context.Context, e membership.Enrollment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail[e.UserID]; err != nil {
		return err
	}
	s.seated = append(s.seated, e)
	return nil
}

func (s *seatLog) Release(_ context.Context, e membership.Enrollment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail[e.UserID]; err != nil {
		return err
	}
	s.released = append(s.released, e)
	return nil
}

func (s *seatLog) failFor(user int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail == nil {
		s.fail = map[int64]error{}
	}
	s.fail[user] = err
}

var day0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// desk is the payment desk under test: the service over a fresh store.
type desk struct {
	svc   *membership.Service
	db    *sqlite.DB
	seats *seatLog
	now   time.Time
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &desk{db: db, seats: &seatLog{}, now: day0}
	e.svc = &membership.Service{
		Store: db, Inbox: db, Seats: e.seats,
		Courses: map[string]membership.Course{
			"ppt": {ID: "ppt", Title: "PPT", Prefix: "PPT", Amount: 9900, Currency: "cny"},
			"xls": {ID: "xls", Title: "Excel", Prefix: "XLS", Amount: 9900, Currency: "cny"},
		},
		Now: func() time.Time { return e.now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return e
}

// paid is a paid event of a purchase: order cs_<id>, payment pi_<id>.
func paid(id, course string, user int64, created time.Time) membership.PaymentEvent {
	return membership.PaymentEvent{ID: "evt_paid_" + id, Kind: membership.EventPaid, OrderID: "cs_" + id,
		PaymentIntent: "pi_" + id, Course: course, UserID: user, Amount: 9900, Currency: "cny", Created: created}
}

// refunded is the refund (or, with kind, the dispute) of purchase id.
func refunded(id string, kind membership.EventKind, created time.Time) membership.PaymentEvent {
	return membership.PaymentEvent{ID: "evt_" + string(kind) + "_" + id, Kind: kind, PaymentIntent: "pi_" + id, Created: created}
}

// receive stores the events, failing the test on an error.
func (e *desk) receive(t *testing.T, evs ...membership.PaymentEvent) {
	t.Helper()
	for _, ev := range evs {
		if _, err := e.svc.Receive(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *desk) process(t *testing.T) {
	t.Helper()
	if err := e.svc.ProcessPending(t.Context(), e.now); err != nil {
		t.Fatal(err)
	}
}

// pending lists the ids of the events still pending.
func (e *desk) pending(t *testing.T) []string {
	t.Helper()
	evs, err := e.db.PendingEvents(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.ID)
	}
	return ids
}
