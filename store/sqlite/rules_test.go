package sqlite

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/membership"
)

// The unique index on (course, number) is the last line of defence of
// member numbers: whatever the counter says, the store refuses a second
// enrollment with a number that is taken.
func TestTakenNumberRefused(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	first := must(db.RecordPayment(ctx, membership.Order{ID: "cs_1", Course: "ppt", UserID: 1, PaymentIntent: "pi_1",
		Status: membership.OrderPaid, PaidAt: at}))
	err := db.write(ctx, func(t *tx) error {
		_, err := t.tx.ExecContext(t.ctx, `INSERT INTO enrollments (course, user_id, number, order_id, status, enrolled_at, updated_at)
			VALUES ('ppt', 2, ?, 'cs_2', 'active', 1, 1)`, first.Number)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("a second enrollment with number %d: %v, want a unique constraint error", first.Number, err)
	}
	// A counter knocked back (an old backup restored, a bad hand edit)
	// makes the next payment fail rather than give the number again.
	if err := db.write(ctx, func(t *tx) error {
		_, err := t.tx.ExecContext(t.ctx, `UPDATE course_counters SET last_number = 0`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e, err := db.RecordPayment(ctx, membership.Order{ID: "cs_3", Course: "ppt", UserID: 3, PaymentIntent: "pi_3",
		Status: membership.OrderPaid, PaidAt: at})
	if err == nil && e.Number == first.Number {
		t.Fatalf("number %d given twice", e.Number)
	}
	var dup int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM enrollments
		GROUP BY course, number HAVING COUNT(*) > 1)`).Scan(&dup); err != nil || dup != 0 {
		t.Errorf("%d numbers held twice (%v)", dup, err)
	}
}

// In a group-commit batch every write runs in its own savepoint: one that
// fails after changing something leaves none of its changes behind, while
// the writes before and after it commit.
func TestGroupCommitUndoesOnlyTheFailedWrite(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	insert := func(course string) func(t *tx) error {
		return func(t *tx) error {
			_, err := t.tx.ExecContext(t.ctx, `INSERT INTO course_counters (course, last_number) VALUES (?, 1)`, course)
			return err
		}
	}
	boom := errors.New("boom")
	writes := []func(t *tx) error{
		insert("a"),
		func(t *tx) error { // changes, then fails in SQL: "a" is taken
			if err := insert("b")(t); err != nil {
				return err
			}
			return insert("a")(t)
		},
		insert("c"),
		func(t *tx) error { // changes twice, then fails in Go
			if err := insert("d")(t); err != nil {
				return err
			}
			if err := insert("e")(t); err != nil {
				return err
			}
			return boom
		},
		insert("f"),
	}
	batch := make([]writeReq, len(writes))
	for i, fn := range writes {
		batch[i] = writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	}
	db.commit(batch)
	for i, r := range batch {
		err := <-r.done
		switch i {
		case 1:
			if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
				t.Errorf("write %d: %v, want a unique constraint error", i, err)
			}
		case 3:
			if !errors.Is(err, boom) {
				t.Errorf("write %d: %v, want %v", i, err, boom)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}
	if got, want := counters(t, db), []string{"a", "c", "f"}; !slices.Equal(got, want) {
		t.Errorf("after the batch the store holds %v, want %v", got, want)
	}

	// A write alone in its transaction is undone the same way.
	if err := db.write(ctx, writes[3]); !errors.Is(err, boom) {
		t.Fatalf("single write: %v", err)
	}
	if got, want := counters(t, db), []string{"a", "c", "f"}; !slices.Equal(got, want) {
		t.Errorf("after a failed single write the store holds %v, want %v", got, want)
	}
}

func counters(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.r.QueryContext(t.Context(), `SELECT course FROM course_counters ORDER BY course`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// Ranks of students tied on points whose first submissions fall exactly on,
// just before and just after the slot boundaries of every level of the
// rank histogram (see tieShifts) count the rows ahead exactly.
func TestRankTiesOnBucketBoundaries(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	a := must(db.CreateAssignment(ctx, assignments.Assignment{Course: "ppt", CreatedAt: time.Unix(0, 0)}))
	base := int64(1572) << 50 // a boundary of every level, in 2026
	var offsets []int64
	for _, shift := range tieShifts {
		for _, k := range []int64{-1, 0, 1} {
			offsets = append(offsets, k<<shift-1, k<<shift, k<<shift+1)
		}
	}
	offsets = append(offsets, 0, 0, 1) // exact ties on time too, told apart by user id
	type student struct {
		user    int64
		points  int
		firstAt int64
	}
	var students []student
	user := int64(1)
	for _, points := range []int{10, 20} {
		for _, off := range offsets {
			s := student{user, points, base + off}
			students = append(students, s)
			sub := must(db.Submit(ctx, assignments.Submission{AssignmentID: a.ID, Course: "ppt", UserID: s.user,
				Content: assignments.Content{Kind: assignments.ContentText}, SubmittedAt: time.Unix(0, s.firstAt)}))
			must(db.ApplyReview(ctx, assignments.Review{SubmissionID: sub.ID, Reviewer: 9999, Grade: assignments.GradeGood,
				Score: points, At: time.Unix(0, base+1<<52), Keys: assignments.PeriodKeys{Week: "w", Month: "m", All: "all"}}))
			user++
		}
	}
	slices.SortFunc(students, func(x, y student) int {
		if x.points != y.points {
			return y.points - x.points
		}
		if x.firstAt != y.firstAt {
			return int(x.firstAt - y.firstAt)
		}
		return int(x.user - y.user)
	})
	top := must(db.Top(ctx, "ppt", assignments.PeriodAll, "all", len(students)))
	if len(top) != len(students) {
		t.Fatalf("top holds %d, want %d", len(top), len(students))
	}
	for i, s := range students {
		got := must(db.Standing(ctx, "ppt", s.user, assignments.PeriodAll, "all"))
		if got.Rank != i+1 || got.Points != s.points || got.FirstAt.UnixNano() != s.firstAt {
			t.Errorf("user %d (%d points, first at base%+d): rank %d, want %d", s.user, s.points, s.firstAt-base, got.Rank, i+1)
		}
		if top[i].UserID != s.user || top[i].Rank != i+1 {
			t.Errorf("top #%d = user %d, want %d", i+1, top[i].UserID, s.user)
		}
	}
	if t.Failed() {
		t.Log(fmt.Sprintf("levels: %v", tieShifts))
	}
}
