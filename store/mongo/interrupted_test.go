package mongo

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// The tests of this file stop a multi-write call half-way, by running only
// its first writes, and check that running the call again finishes it.

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// addGroup registers a student group of course ppt.
func addGroup(t *testing.T, db *DB, chatID int64, capacity int) groups.Group {
	t.Helper()
	g, err := db.AddGroup(t.Context(), groups.Group{ChatID: chatID, Kind: groups.KindStudent, Course: "ppt", Capacity: capacity})
	check(t, err)
	return g
}

// seatsUsed returns the group's count of seats, after checking that its
// counters agree with its list of tickets.
func seatsUsed(t *testing.T, db *DB, id int64) int {
	t.Helper()
	var g groupDoc
	check(t, findOne(t.Context(), db.groups, bson.M{"_id": id}, &g))
	if g.SeatsUsed != len(g.Holders) || g.Free != max(g.Capacity, 0)-g.SeatsUsed {
		t.Errorf("group %d: %d seats used, %d free of %d, %d tickets held", id, g.SeatsUsed, g.Free, g.Capacity, len(g.Holders))
	}
	return g.SeatsUsed
}

// wantUsed checks the seats used of groups, in order.
func wantUsed(t *testing.T, db *DB, gs []groups.Group, want ...int) {
	t.Helper()
	for i, g := range gs {
		if got := seatsUsed(t, db, g.ID); got != want[i] {
			t.Errorf("group %d has %d seats used, want %d", g.Ordinal, got, want[i])
		}
	}
}

// claimOnly runs the first writes of TakeSeat for a new member: the seat
// stored as claiming and one claim per group in claims, as racing calls
// would make them.
func claimOnly(t *testing.T, db *DB, r groups.SeatRequest, claims int) seatDoc {
	t.Helper()
	s, ok, err := db.startClaim(t.Context(), key(r.Course, r.UserID), r, seatDoc{}, false)
	check(t, err)
	if !ok {
		t.Fatal("seat exists")
	}
	for range claims {
		g, err := db.claim(t.Context(), r.Course, s.Ticket)
		check(t, err)
		if g == 0 {
			t.Fatal("no group had room")
		}
	}
	return s
}

func TestTakeSeatFinishesAnInterruptedClaim(t *testing.T) {
	db := mustOpen(t)
	gs := []groups.Group{addGroup(t, db, -1, 2), addGroup(t, db, -2, 2)}
	r := groups.SeatRequest{Course: "ppt", UserID: 1, Number: 1, At: t0}
	claimOnly(t, db, r, 1)
	wantUsed(t, db, gs, 1, 0)
	if s, err := db.Seat(t.Context(), "ppt", 1); err != nil || s.State != groups.SeatWaiting {
		t.Errorf("seat being taken = %+v, %v; want it to read as waiting", s, err)
	}
	s, err := db.TakeSeat(t.Context(), r)
	check(t, err)
	if s.State != groups.SeatSeated || s.GroupID != gs[0].ID || !s.WaitingSince.IsZero() {
		t.Errorf("seat = %+v, want seated in the group that held it", s)
	}
	wantUsed(t, db, gs, 1, 0)
}

func TestTakeSeatGivesBackRacingClaims(t *testing.T) {
	db := mustOpen(t)
	gs := []groups.Group{addGroup(t, db, -1, 2), addGroup(t, db, -2, 2)}
	ctx := t.Context()

	// Two calls each claimed a group for member 1; neither committed.
	r1 := groups.SeatRequest{Course: "ppt", UserID: 1, Number: 1, At: t0}
	claimOnly(t, db, r1, 2)
	wantUsed(t, db, gs, 1, 1)
	s, err := db.TakeSeat(ctx, r1)
	check(t, err)
	if s.GroupID != gs[0].ID {
		t.Errorf("seat in group %d, want %d", s.GroupID, gs[0].ID)
	}
	wantUsed(t, db, gs, 1, 0)

	// One committed; the other died before giving its claim back.
	r2 := groups.SeatRequest{Course: "ppt", UserID: 2, Number: 2, At: t0}
	doc := claimOnly(t, db, r2, 2)
	wantUsed(t, db, gs, 2, 1)
	_, ok, err := db.commit(ctx, doc, gs[1].ID, nil, t0)
	check(t, err)
	if !ok {
		t.Fatal("commit failed")
	}
	s, err = db.TakeSeat(ctx, r2)
	check(t, err)
	if s.State != groups.SeatSeated || s.GroupID != gs[1].ID {
		t.Errorf("seat taken again = %+v, want unchanged in group %d", s, gs[1].ID)
	}
	wantUsed(t, db, gs, 1, 1)
}

func TestClaimCommittedFromTheWaitlist(t *testing.T) {
	db := mustOpen(t)
	gs := []groups.Group{addGroup(t, db, -1, 1)}
	ctx := t.Context()
	r := groups.SeatRequest{Course: "ppt", UserID: 1, Number: 1, At: t0}
	doc := claimOnly(t, db, r, 1)
	// A racing call found no room and put the seat on the waitlist.
	_, err := db.update(ctx, db.seats, bson.M{"_id": doc.ID}, bson.M{"$set": bson.M{"state": stateWaiting}})
	check(t, err)
	s, ok, err := db.commit(ctx, doc, gs[0].ID, nil, t0)
	check(t, err)
	if !ok || s.State != stateSeated || s.GroupID != gs[0].ID {
		t.Errorf("commit = %+v, %v; want seated", s, ok)
	}
	wantUsed(t, db, gs, 1)
}

func TestReleaseSeatFinishesAnInterruptedRelease(t *testing.T) {
	db := mustOpen(t)
	gs := []groups.Group{addGroup(t, db, -1, 1)}
	ctx := t.Context()
	_, err := db.TakeSeat(ctx, groups.SeatRequest{Course: "ppt", UserID: 1, Number: 1, At: t0})
	check(t, err)
	// The seat was marked released; the group was not told.
	_, err = db.update(ctx, db.seats, bson.M{"_id": key("ppt", 1)},
		bson.M{"$set": bson.M{"state": stateReleased, "released_at": t0}})
	check(t, err)
	wantUsed(t, db, gs, 1)
	s, err := db.ReleaseSeat(ctx, "ppt", 1, t0.Add(time.Minute))
	check(t, err)
	if s.State != groups.SeatReleased || !s.ReleasedAt.Equal(t0) || s.GroupID != gs[0].ID {
		t.Errorf("released again = %+v, want released at %v in group %d", s, t0, gs[0].ID)
	}
	wantUsed(t, db, gs, 0)
}

func TestFillWaitlistFinishesAnInterruptedFill(t *testing.T) {
	db := mustOpen(t)
	gs := []groups.Group{addGroup(t, db, -1, 1)}
	ctx := t.Context()
	for u := range int64(3) {
		_, err := db.TakeSeat(ctx, groups.SeatRequest{Course: "ppt", UserID: u + 1, Number: int(u + 1), At: t0.Add(time.Duration(u) * time.Minute)})
		check(t, err)
	}
	_, err := db.ReleaseSeat(ctx, "ppt", 1, t0)
	check(t, err)
	// A fill claimed the seat for member 2, the first waiting, and died.
	w, _, err := db.seatDoc(ctx, key("ppt", 2))
	check(t, err)
	g, err := db.claim(ctx, "ppt", w.Ticket)
	check(t, err)
	if g != gs[0].ID {
		t.Fatalf("claimed group %d", g)
	}
	seated, err := db.FillWaitlist(ctx, "ppt", t0)
	check(t, err)
	if len(seated) != 1 || seated[0].UserID != 2 || seated[0].GroupID != g {
		t.Errorf("fill seated %+v, want member 2 in group %d", seated, g)
	}
	wantUsed(t, db, gs, 1)
	if n, err := db.WaitlistLen(ctx, "ppt"); err != nil || n != 1 {
		t.Errorf("waitlist length %d, %v; want 1", n, err)
	}
}

func TestNumberCounterBehindIsMovedUp(t *testing.T) {
	db := mustOpen(t)
	ctx := t.Context()
	record := func(user int64) membership.Enrollment {
		t.Helper()
		e, err := db.RecordPayment(ctx, membership.Order{ID: fmt.Sprint("cs_", user), Course: "ppt", UserID: user,
			PaymentIntent: fmt.Sprint("pi_", user), Status: membership.OrderPaid, PaidAt: t0})
		check(t, err)
		return e
	}
	record(1)
	record(2)
	// The counters were restored from a backup older than the enrollments.
	_, err := db.update(ctx, db.counters, bson.M{"_id": "number/ppt"}, bson.M{"$set": bson.M{"n": int64(0)}})
	check(t, err)
	if e := record(3); e.Number != 3 {
		t.Errorf("number %d, want 3", e.Number)
	}
}

func TestOpenAgainKeepsIndexes(t *testing.T) {
	db := mustOpen(t)
	uri, err := server.DatabaseURI(db.db.Name())
	check(t, err)
	again, err := Open(t.Context(), uri)
	check(t, err)
	defer again.Close()
	check(t, again.Ping(t.Context()))
	for coll, models := range indexes {
		var got []bson.M
		cur, err := again.db.Collection(coll).Indexes().List(t.Context())
		check(t, err)
		check(t, cur.All(t.Context(), &got))
		if len(got) != len(models)+1 { // and _id
			t.Errorf("%s has %d indexes, want %d and _id", coll, len(got), len(models))
		}
	}
	if os.Getenv("MONGODB_URI") == "" && again.serial == nil {
		t.Error("FerretDB not recognised: writes are not serialised")
	}
}
