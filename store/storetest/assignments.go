package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// assign creates an assignment of the course due at(dueMinute), or without
// a due date when dueMinute is negative.
func assign(t *testing.T, s Stores, course string, dueMinute int) assignments.Assignment {
	t.Helper()
	a := assignments.Assignment{Course: course, Title: "homework of " + course, MaxScore: 100, CreatedBy: 900,
		CreatedAt: at(0)}
	if dueMinute >= 0 {
		a.Due = at(dueMinute)
	}
	return must(s.CreateAssignment(t.Context(), a))(t)
}

// submit stores a text submission of the user to a, made at(minute).
func submit(t *testing.T, s Stores, a assignments.Assignment, userID int64, minute int) assignments.Submission {
	t.Helper()
	return must(s.Submit(t.Context(), work(a, userID, minute)))(t)
}

func work(a assignments.Assignment, userID int64, minute int) assignments.Submission {
	return assignments.Submission{AssignmentID: a.ID, Course: a.Course, UserID: userID, SubmittedAt: at(minute),
		Content: assignments.Content{Kind: assignments.ContentText, Text: fmt.Sprintf("work of %d at %d", userID, minute)}}
}

// hold holds sub for reviewer from at(from) until at(until).
func hold(t *testing.T, s Stores, sub assignments.Submission, reviewer int64, from, until int) assignments.Submission {
	t.Helper()
	return must(s.HoldSubmission(t.Context(), sub.ID, reviewer, at(from), at(until)))(t)
}

// submissionIDs lists the ids of ss.
func submissionIDs(ss []assignments.Submission) []int64 {
	ids := make([]int64, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	return ids
}

func assignmentIDs(as []assignments.Assignment) []int64 {
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}

func testAssignments(t *testing.T, s Stores) {
	ctx := t.Context()
	want := assignments.Assignment{Course: "ppt", Title: "Slides", Description: "Ten slides on anything",
		Due: at(100), MaxScore: 100, CreatedBy: 900, CreatedAt: at(3)}
	late := must(s.CreateAssignment(ctx, want))(t)
	if late.ID == 0 || late.Course != want.Course || late.Title != want.Title || late.Description != want.Description ||
		late.MaxScore != want.MaxScore || late.CreatedBy != want.CreatedBy {
		t.Errorf("created %+v, want %+v", late, want)
	}
	got := must(s.Assignment(ctx, late.ID))(t)
	if got.ID != late.ID || got.Title != want.Title || got.Description != want.Description {
		t.Errorf("stored %+v, want %+v", got, want)
	}
	sameTime(t, "Due", got.Due, at(100))
	sameTime(t, "CreatedAt", got.CreatedAt, at(3))
	sameTime(t, "AnnouncedAt", got.AnnouncedAt, time.Time{})
	_, err := s.Assignment(ctx, late.ID+1000)
	isErr(t, "unknown assignment", err, shequn.ErrNotFound)

	open := assign(t, s, "ppt", -1)
	xls := assign(t, s, "xls", 50)
	past := assign(t, s, "ppt", 10)
	soon := assign(t, s, "ppt", 20) // due exactly at since: still listed
	if got := must(s.Assignment(ctx, open.ID))(t); !got.Due.IsZero() {
		t.Errorf("assignment without due date has Due %v", got.Due)
	}
	for _, c := range []struct {
		name    string
		courses []string
		want    []int64
	}{
		{"one course", []string{"ppt"}, []int64{soon.ID, late.ID, open.ID}},
		{"every course", nil, []int64{soon.ID, xls.ID, late.ID, open.ID}},
		{"two courses", []string{"xls", "ppt"}, []int64{soon.ID, xls.ID, late.ID, open.ID}},
		{"no course", []string{}, nil},
		{"another course", []string{"art"}, nil},
	} {
		if got := assignmentIDs(must(s.Assignments(ctx, c.courses, at(20)))(t)); !slices.Equal(got, c.want) {
			t.Errorf("%s: assignments %v, want %v (earliest due first, no due date last)", c.name, got, c.want)
		}
	}
	if got := assignmentIDs(must(s.Assignments(ctx, []string{"ppt"}, at(0)))(t)); !slices.Equal(got,
		[]int64{past.ID, soon.ID, late.ID, open.ID}) {
		t.Errorf("assignments since 0 = %v", got)
	}

	// Unannounced: oldest first by creation, then id.
	if got := assignmentIDs(must(s.Unannounced(ctx, 10))(t)); !slices.Equal(got,
		[]int64{open.ID, xls.ID, past.ID, soon.ID, late.ID}) {
		t.Errorf("unannounced = %v", got)
	}
	ok(t, s.MarkAnnounced(ctx, open.ID, at(4)))
	ok(t, s.MarkAnnounced(ctx, past.ID, at(4)))
	if got := assignmentIDs(must(s.Unannounced(ctx, 2))(t)); !slices.Equal(got, []int64{xls.ID, soon.ID}) {
		t.Errorf("unannounced after marking, limit 2 = %v", got)
	}
	sameTime(t, "AnnouncedAt", must(s.Assignment(ctx, open.ID))(t).AnnouncedAt, at(4))
	isErr(t, "announce unknown", s.MarkAnnounced(ctx, late.ID+1000, at(4)), shequn.ErrNotFound)
}

func testSubmitVersions(t *testing.T, s Stores) {
	ctx := t.Context()
	a := assign(t, s, "ppt", 100)
	b := assign(t, s, "ppt", 200)
	first := assignments.Submission{AssignmentID: a.ID, Course: "ppt", UserID: 7, SubmittedAt: at(1), Late: true, PenaltyPct: 10,
		Content: assignments.Content{Kind: assignments.ContentPhoto, Text: "caption", FileIDs: []string{"f1", "f2"}}}
	v1 := must(s.Submit(ctx, first))(t)
	for _, got := range []assignments.Submission{v1, must(s.Submission(ctx, v1.ID))(t)} {
		if got.ID == 0 || got.AssignmentID != a.ID || got.Course != "ppt" || got.UserID != 7 || got.Version != 1 ||
			got.State != assignments.StatePending || !got.Late || got.PenaltyPct != 10 ||
			got.Content.Kind != assignments.ContentPhoto || got.Content.Text != "caption" ||
			!slices.Equal(got.Content.FileIDs, []string{"f1", "f2"}) ||
			got.HeldBy != 0 || got.Grade != "" || got.Score != 0 || got.ReviewedBy != 0 {
			t.Errorf("first version %+v, want %+v as version 1, pending", got, first)
		}
		sameTime(t, "SubmittedAt", got.SubmittedAt, at(1))
		sameTime(t, "HeldUntil", got.HeldUntil, time.Time{})
		sameTime(t, "ReviewedAt", got.ReviewedAt, time.Time{})
	}

	// Resubmitting before review replaces the pending version and keeps it.
	v2 := submit(t, s, a, 7, 2)
	v3 := submit(t, s, a, 7, 3)
	if v3.Version != 3 || v3.State != assignments.StatePending || len(v3.Content.FileIDs) != 0 {
		t.Errorf("third version %+v", v3)
	}
	versions := must(s.Versions(ctx, a.ID, 7))(t)
	if got := submissionIDs(versions); !slices.Equal(got, []int64{v1.ID, v2.ID, v3.ID}) {
		t.Fatalf("versions %v, want %v", got, []int64{v1.ID, v2.ID, v3.ID})
	}
	for i, st := range []assignments.State{assignments.StateSuperseded, assignments.StateSuperseded, assignments.StatePending} {
		if versions[i].State != st || versions[i].Version != i+1 {
			t.Errorf("version %d: %+v, want state %s", i+1, versions[i], st)
		}
	}
	if got := must(s.Submission(ctx, v1.ID))(t); !slices.Equal(got.Content.FileIDs, []string{"f1", "f2"}) {
		t.Errorf("superseded version lost its files: %+v", got)
	}

	w := submit(t, s, b, 7, 4)
	submit(t, s, a, 8, 5)
	if got := submissionIDs(must(s.Submissions(ctx, 7))(t)); !slices.Equal(got, []int64{w.ID, v3.ID}) {
		t.Errorf("submissions of 7 = %v, want current versions newest first %v", got, []int64{w.ID, v3.ID})
	}
	if got := must(s.Submissions(ctx, 99))(t); len(got) != 0 {
		t.Errorf("submissions of a stranger = %v", submissionIDs(got))
	}
	_, err := s.Submission(ctx, v3.ID+1000)
	isErr(t, "unknown submission", err, shequn.ErrNotFound)
	_, err = s.Submit(ctx, work(assignments.Assignment{ID: b.ID + 1000, Course: "ppt"}, 7, 6))
	isErr(t, "submit to an unknown assignment", err, shequn.ErrNotFound)
}

// testSubmitOverReview resubmits over a first version in every state a
// review can leave it in.
func testSubmitOverReview(t *testing.T, s Stores) {
	ctx := t.Context()
	cases := []struct {
		name    string
		prepare func(t *testing.T, v1 assignments.Submission)
		err     error             // of the resubmission at minute 10
		v1      assignments.State // after it
	}{
		{"pending", nil, nil, assignments.StateSuperseded},
		{"held by a reviewer", func(t *testing.T, v1 assignments.Submission) { hold(t, s, v1, 100, 2, 20) },
			shequn.ErrConflict, assignments.StatePending},
		{"hold ended", func(t *testing.T, v1 assignments.Submission) { hold(t, s, v1, 100, 2, 10) },
			nil, assignments.StateSuperseded},
		{"reviewed", func(t *testing.T, v1 assignments.Submission) {
			review(t, s, v1, 100, assignments.GradeGood, 80, 3)
		}, shequn.ErrConflict, assignments.StateReviewed},
		{"reviewed pass with no score", func(t *testing.T, v1 assignments.Submission) {
			review(t, s, v1, 100, assignments.GradePass, 0, 3)
		}, shequn.ErrConflict, assignments.StateReviewed},
		{"redo reopens", func(t *testing.T, v1 assignments.Submission) {
			review(t, s, v1, 100, assignments.GradeRedo, 0, 3)
		}, nil, assignments.StateRedo},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			user := int64(i + 1)
			a := assign(t, s, "ppt", 100)
			v1 := submit(t, s, a, user, 1)
			if c.prepare != nil {
				c.prepare(t, v1)
			}
			v2, err := s.Submit(ctx, work(a, user, 10))
			isErr(t, "resubmit", err, c.err)
			if got := must(s.Submission(ctx, v1.ID))(t); got.State != c.v1 {
				t.Errorf("first version is %s, want %s", got.State, c.v1)
			}
			current := submissionIDs(must(s.Submissions(ctx, user))(t))
			versions := submissionIDs(must(s.Versions(ctx, a.ID, user))(t))
			if c.err != nil {
				if !slices.Equal(current, []int64{v1.ID}) || !slices.Equal(versions, []int64{v1.ID}) {
					t.Errorf("after refusal: current %v, versions %v, want only %d", current, versions, v1.ID)
				}
				return
			}
			if v2.Version != 2 || v2.State != assignments.StatePending || v2.HeldBy != 0 {
				t.Errorf("second version %+v", v2)
			}
			if !slices.Equal(current, []int64{v2.ID}) || !slices.Equal(versions, []int64{v1.ID, v2.ID}) {
				t.Errorf("current %v, versions %v; want [%d], [%d %d]", current, versions, v2.ID, v1.ID, v2.ID)
			}
		})
	}
}

func testHoldOrder(t *testing.T, s Stores) {
	ctx := t.Context()
	ppt, xls := assign(t, s, "ppt", 100), assign(t, s, "xls", 100)
	s1 := submit(t, s, ppt, 1, 3)
	s2 := submit(t, s, xls, 2, 1) // the oldest of all
	s3 := submit(t, s, ppt, 3, 2) // the oldest of ppt
	s4 := submit(t, s, ppt, 4, 2) // as old, a higher id
	review(t, s, submit(t, s, ppt, 5, 0), 100, assignments.GradeGood, 80, 1)
	submit(t, s, ppt, 6, 0) // superseded by the next
	s6 := submit(t, s, ppt, 6, 5)

	steps := []struct {
		reviewer      int64
		courses       []string
		now, until    int
		want          assignments.Submission // zero: ErrNotFound
		wantHeldUntil int
	}{
		{100, []string{"ppt"}, 10, 20, s3, 20},
		{101, []string{"ppt"}, 10, 20, s4, 20},        // skips the one 100 holds
		{100, []string{"ppt"}, 11, 25, s3, 25},        // the same again, held longer
		{102, []string{"ppt", "xls"}, 11, 20, s2, 20}, // older than s1, though its id is higher
		{103, nil, 11, 20, s1, 20},
		{104, []string{"xls", "ppt"}, 11, 20, s6, 20},
		{105, nil, 12, 20, assignments.Submission{}, 0},
		{106, []string{"art"}, 12, 20, assignments.Submission{}, 0},
		{107, []string{}, 12, 20, assignments.Submission{}, 0},
		{109, nil, 20, 22, s2, 22},             // 102's hold ends at 20: free at 20
		{105, []string{"ppt"}, 25, 30, s3, 30}, // 100's hold ended at 25
		{100, []string{"ppt"}, 26, 35, s4, 35}, // 101's ended at 20
		{100, []string{"xls"}, 26, 35, s2, 35}, // what 100 holds is not of xls
	}
	for i, st := range steps {
		got, err := s.Hold(ctx, st.reviewer, st.courses, at(st.now), at(st.until))
		if st.want.ID == 0 {
			isErr(t, fmt.Sprintf("step %d: hold for %d", i, st.reviewer), err, shequn.ErrNotFound)
			continue
		}
		if err != nil {
			t.Fatalf("step %d: hold for %d: %v", i, st.reviewer, err)
		}
		if got.ID != st.want.ID || got.HeldBy != st.reviewer || got.State != assignments.StatePending {
			t.Errorf("step %d: %d holds %d (held by %d, %s), want %d", i, st.reviewer, got.ID, got.HeldBy, got.State, st.want.ID)
		}
		sameTime(t, fmt.Sprintf("step %d: HeldUntil", i), got.HeldUntil, at(st.wantHeldUntil))
		if got.Content.Text != st.want.Content.Text {
			t.Errorf("step %d: content %+v, want %+v", i, got.Content, st.want.Content)
		}
	}

	// Release: only the holder's counts.
	ok(t, s.Release(ctx, s4.ID, 999))
	if got := must(s.Submission(ctx, s4.ID))(t); got.HeldBy != 100 {
		t.Errorf("released by a stranger: held by %d", got.HeldBy)
	}
	ok(t, s.Release(ctx, s4.ID, 100))
	if got := must(s.Submission(ctx, s4.ID))(t); got.HeldBy != 0 || !got.HeldUntil.IsZero() {
		t.Errorf("released submission held by %d until %v", got.HeldBy, got.HeldUntil)
	}
	if got := must(s.Hold(ctx, 108, []string{"ppt"}, at(27), at(40)))(t); got.ID != s4.ID {
		t.Errorf("after release, 108 holds %d, want %d", got.ID, s4.ID)
	}
}

func testHoldSubmission(t *testing.T, s Stores) {
	ctx := t.Context()
	a := assign(t, s, "ppt", 100)
	sub := submit(t, s, a, 1, 1)
	old := submit(t, s, a, 2, 1)
	newer := submit(t, s, a, 2, 2)
	graded := review(t, s, submit(t, s, a, 3, 1), 100, assignments.GradeGood, 80, 2)

	got := hold(t, s, sub, 100, 10, 20)
	if got.ID != sub.ID || got.HeldBy != 100 {
		t.Errorf("held %+v", got)
	}
	_, err := s.HoldSubmission(ctx, sub.ID, 200, at(19), at(30))
	isErr(t, "hold held by another", err, shequn.ErrConflict)
	if got := hold(t, s, sub, 100, 19, 40); got.HeldBy != 100 {
		t.Errorf("held again by its holder: %+v", got)
	} else {
		sameTime(t, "HeldUntil", got.HeldUntil, at(40))
	}
	if got := hold(t, s, sub, 200, 40, 50); got.HeldBy != 200 {
		t.Errorf("held after the hold ended: %+v", got)
	}
	// Hold skips it while 200 holds it.
	if got := must(s.Hold(ctx, 300, nil, at(41), at(50)))(t); got.ID != newer.ID {
		t.Errorf("queue gave %d, want %d", got.ID, newer.ID)
	}

	_, err = s.HoldSubmission(ctx, old.ID, 100, at(10), at(20))
	isErr(t, "hold superseded", err, shequn.ErrConflict)
	if got := hold(t, s, graded, 100, 10, 20); got.HeldBy != 100 || got.State != assignments.StateReviewed {
		t.Errorf("held for a correction: %+v", got)
	}
	_, err = s.HoldSubmission(ctx, graded.ID+1000, 100, at(10), at(20))
	isErr(t, "hold unknown", err, shequn.ErrNotFound)
}

// testHoldConcurrent races reviewers for fewer submissions than they are:
// each submission goes to one reviewer only.
func testHoldConcurrent(t *testing.T, s Stores) {
	ctx := t.Context()
	a, b := assign(t, s, "ppt", 100), assign(t, s, "xls", 100)
	const pending, reviewers = 8, 20
	for i := range pending {
		submit(t, s, []assignments.Assignment{a, b}[i%2], int64(i+1), i)
	}
	got := make([]assignments.Submission, reviewers)
	errs := make([]error, reviewers)
	var wg sync.WaitGroup
	for r := range reviewers {
		courses := []string{"ppt", "xls"}
		if r%2 == 1 {
			courses = nil
		}
		wg.Go(func() { got[r], errs[r] = s.Hold(ctx, int64(1000+r), courses, at(30), at(40)) })
	}
	wg.Wait()
	holder := map[int64]int64{}
	for r := range reviewers {
		if errs[r] != nil {
			if !errors.Is(errs[r], shequn.ErrNotFound) {
				t.Errorf("reviewer %d: %v", 1000+r, errs[r])
			}
			continue
		}
		if other, dup := holder[got[r].ID]; dup {
			t.Errorf("submission %d given to %d and %d", got[r].ID, other, 1000+r)
		}
		holder[got[r].ID] = int64(1000 + r)
	}
	if len(holder) != pending {
		t.Errorf("%d submissions held, want all %d", len(holder), pending)
	}
	for id, reviewer := range holder {
		if got := must(s.Submission(ctx, id))(t); got.HeldBy != reviewer {
			t.Errorf("submission %d stored as held by %d, want %d", id, got.HeldBy, reviewer)
		}
	}
}

// Every due date the rules accept is kept exactly, and so is any up to
// 2200; a date a store cannot keep is refused (CodeInvalid), never kept as
// another: a due date in 2300 was once stored as one in 1715.
func testDueDates(t *testing.T, s Stores) {
	ctx := t.Context()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	create := func(due time.Time) (assignments.Assignment, error) {
		return s.CreateAssignment(ctx, assignments.Assignment{Course: "far", Title: "t", MaxScore: 1, Due: due, CreatedAt: now})
	}
	kept := []time.Time{
		now.Add(time.Minute),
		assignments.LatestDue(now),
		assignments.LatestDue(time.Date(2099, 12, 31, 23, 59, 0, 0, time.UTC)),
		time.Date(2200, 12, 31, 15, 59, 0, 0, time.UTC),
	}
	var ids []int64
	for _, due := range kept {
		a := must(create(due))(t)
		sameTime(t, "Due "+due.Format(time.DateOnly), must(s.Assignment(ctx, a.ID))(t).Due, due)
		ids = append(ids, a.ID)
	}
	if got := assignmentIDs(must(s.Assignments(ctx, []string{"far"}, now))(t)); !slices.Equal(got, ids) {
		t.Errorf("far due dates listed %v, want %v (earliest first)", got, ids)
	}
	for _, due := range []time.Time{
		time.Date(2300, 1, 1, 15, 59, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 15, 59, 0, 0, time.UTC),
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		a, err := create(due)
		if err != nil {
			if shequn.ErrorCode(err) != shequn.CodeInvalid {
				t.Errorf("due %v refused with %v, want CodeInvalid", due, err)
			}
			continue
		}
		sameTime(t, "Due "+due.Format(time.DateOnly), must(s.Assignment(ctx, a.ID))(t).Due, due)
	}
}
