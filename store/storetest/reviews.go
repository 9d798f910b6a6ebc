package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// review grades sub by reviewer at(minute); the score counts in the period
// keys of the submission's time, in UTC.
func review(t *testing.T, s Stores, sub assignments.Submission, reviewer int64, g assignments.Grade, score, minute int) assignments.Submission {
	t.Helper()
	return must(s.ApplyReview(t.Context(), grade(sub, reviewer, g, score, minute)))(t)
}

func grade(sub assignments.Submission, reviewer int64, g assignments.Grade, score, minute int) assignments.Review {
	return assignments.Review{SubmissionID: sub.ID, Reviewer: reviewer, Grade: g, Score: score,
		Comment: fmt.Sprintf("%s by %d", g, reviewer), At: at(minute), Keys: assignments.KeysAt(sub.SubmittedAt, time.UTC)}
}

// row is a ledger row as a test expects it.
type row struct {
	points, firstAt int // firstAt in minutes
}

// ledgerRows are the rows testReviewLedger looks at: the weeks of minute 0
// (Sunday 1 March 2026) and 1440 (the Monday after), their month, all time.
var ledgerRows = []struct {
	period assignments.Period
	key    string
}{
	{assignments.PeriodWeek, "2026-W09"}, {assignments.PeriodWeek, "2026-W10"},
	{assignments.PeriodMonth, "2026-03"}, {assignments.PeriodMonth, "2026-02"}, {assignments.PeriodAll, "all"},
}

// checkLedger compares the user's ledger rows in ppt with want, keyed by
// period key; a row not in want must not exist.
func checkLedger(t *testing.T, s Stores, userID int64, want map[string]row) {
	t.Helper()
	for _, r := range ledgerRows {
		got, err := s.Standing(t.Context(), "ppt", userID, r.period, r.key)
		w, exists := want[r.key]
		if !exists {
			isErr(t, fmt.Sprintf("row %s without points", r.key), err, shequn.ErrNotFound)
			continue
		}
		if err != nil {
			t.Errorf("row %s: %v", r.key, err)
			continue
		}
		if got.Points != w.points || got.Rank != 1 || got.UserID != userID || got.Course != "ppt" ||
			got.Period != r.period || got.Key != r.key {
			t.Errorf("row %s = %+v, want %d points, rank 1", r.key, got, w.points)
		}
		sameTime(t, "FirstAt of "+r.key, got.FirstAt, at(w.firstAt))
	}
}

// testReviewLedger follows one student's two submissions through grades,
// corrections and redos; after each step the week, month and all-time rows
// hold the sum of the counted scores and the earliest counted submission.
func testReviewLedger(t *testing.T, s Stores) {
	ctx := t.Context()
	a, b := assign(t, s, "ppt", 5000), assign(t, s, "ppt", 5000)
	sa := submit(t, s, a, 1, 0)    // week 9, March
	sb := submit(t, s, b, 1, 1440) // week 10, March
	var sa2 assignments.Submission
	steps := []struct {
		name   string
		review func() assignments.Review
		state  assignments.State
		score  int // stored
		want   map[string]row
	}{
		{"first grade", func() assignments.Review { return grade(sa, 100, assignments.GradeGood, 80, 10) },
			assignments.StateReviewed, 80,
			map[string]row{"2026-W09": {80, 0}, "2026-03": {80, 0}, "all": {80, 0}}},
		{"second submission", func() assignments.Review { return grade(sb, 100, assignments.GradeExcellent, 90, 1500) },
			assignments.StateReviewed, 90,
			map[string]row{"2026-W09": {80, 0}, "2026-W10": {90, 1440}, "2026-03": {170, 0}, "all": {170, 0}}},
		{"correction up", func() assignments.Review { return grade(sa, 101, assignments.GradeExcellent, 95, 1501) },
			assignments.StateReviewed, 95,
			map[string]row{"2026-W09": {95, 0}, "2026-W10": {90, 1440}, "2026-03": {185, 0}, "all": {185, 0}}},
		{"correction down", func() assignments.Review { return grade(sa, 101, assignments.GradePass, 60, 1502) },
			assignments.StateReviewed, 60,
			map[string]row{"2026-W09": {60, 0}, "2026-W10": {90, 1440}, "2026-03": {150, 0}, "all": {150, 0}}},
		{"same grade again", func() assignments.Review { return grade(sa, 101, assignments.GradePass, 60, 1503) },
			assignments.StateReviewed, 60,
			map[string]row{"2026-W09": {60, 0}, "2026-W10": {90, 1440}, "2026-03": {150, 0}, "all": {150, 0}}},
		{"redo takes the points out", func() assignments.Review { return grade(sa, 100, assignments.GradeRedo, 0, 1504) },
			assignments.StateRedo, 0,
			map[string]row{"2026-W10": {90, 1440}, "2026-03": {90, 1440}, "all": {90, 1440}}},
		{"resubmission graded", func() assignments.Review {
			sa2 = submit(t, s, a, 1, 2000)
			return grade(sa2, 100, assignments.GradeGood, 70, 2010)
		}, assignments.StateReviewed, 70,
			map[string]row{"2026-W10": {160, 1440}, "2026-03": {160, 1440}, "all": {160, 1440}}},
		{"redo after review", func() assignments.Review { return grade(sb, 100, assignments.GradeRedo, 0, 2011) },
			assignments.StateRedo, 0,
			map[string]row{"2026-W10": {70, 2000}, "2026-03": {70, 2000}, "all": {70, 2000}}},
		{"redo of the last", func() assignments.Review { return grade(sa2, 100, assignments.GradeRedo, 0, 2012) },
			assignments.StateRedo, 0, map[string]row{}},
	}
	for _, st := range steps {
		r := st.review()
		got, err := s.ApplyReview(ctx, r)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got.ID != r.SubmissionID || got.State != st.state || got.Grade != r.Grade || got.Score != st.score ||
			got.Comment != r.Comment || got.ReviewedBy != r.Reviewer || got.HeldBy != 0 {
			t.Errorf("%s: reviewed %+v, want %s, grade %s, score %d", st.name, got, st.state, r.Grade, st.score)
		}
		sameTime(t, st.name+": ReviewedAt", got.ReviewedAt, r.At)
		if stored := must(s.Submission(ctx, r.SubmissionID))(t); stored.State != st.state || stored.Score != st.score {
			t.Errorf("%s: stored %+v", st.name, stored)
		}
		t.Run(st.name, func(t *testing.T) { checkLedger(t, s, 1, st.want) })
	}
}

func testReviewConflicts(t *testing.T, s Stores) {
	ctx := t.Context()
	a := assign(t, s, "ppt", 100)
	held := submit(t, s, a, 1, 0)
	hold(t, s, held, 100, 1, 10)
	_, err := s.ApplyReview(ctx, grade(held, 200, assignments.GradeGood, 80, 5))
	isErr(t, "review held by another", err, shequn.ErrConflict)
	if got := must(s.Submission(ctx, held.ID))(t); got.State != assignments.StatePending || got.HeldBy != 100 {
		t.Errorf("after a refused review: %+v", got)
	}
	_, err = s.Standing(ctx, "ppt", 1, assignments.PeriodAll, "all")
	isErr(t, "points of a refused review", err, shequn.ErrNotFound)
	if got := review(t, s, held, 200, assignments.GradeGood, 80, 10); got.State != assignments.StateReviewed {
		t.Errorf("review once the hold ended: %+v", got)
	}

	mine := submit(t, s, a, 2, 0)
	hold(t, s, mine, 100, 1, 10)
	if got := review(t, s, mine, 100, assignments.GradeGood, 80, 5); got.HeldBy != 0 || !got.HeldUntil.IsZero() {
		t.Errorf("the holder's review left the hold: %+v", got)
	}

	old := submit(t, s, a, 3, 0)
	submit(t, s, a, 3, 1)
	_, err = s.ApplyReview(ctx, grade(old, 100, assignments.GradeGood, 80, 5))
	isErr(t, "review superseded", err, shequn.ErrConflict)

	redone := submit(t, s, a, 4, 0)
	review(t, s, redone, 100, assignments.GradeRedo, 0, 1)
	submit(t, s, a, 4, 2)
	_, err = s.ApplyReview(ctx, grade(redone, 100, assignments.GradeGood, 80, 5))
	isErr(t, "review a redo replaced by a newer version", err, shequn.ErrConflict)

	_, err = s.ApplyReview(ctx, grade(assignments.Submission{ID: redone.ID + 1000}, 100, assignments.GradeGood, 80, 5))
	isErr(t, "review unknown", err, shequn.ErrNotFound)
}

// testRankTies ranks students by points, then the earlier first counted
// submission, then the lower user id.
func testRankTies(t *testing.T, s Stores) {
	ctx := t.Context()
	a, other := assign(t, s, "ppt", 100), assign(t, s, "xls", 100)
	subs := map[int64]assignments.Submission{}
	for _, w := range []struct {
		user          int64
		minute, score int
	}{{1, 5, 90}, {2, 3, 90}, {3, 3, 90}, {4, 9, 100}, {5, 1, 50}, {6, 1, 0}} {
		subs[w.user] = submit(t, s, a, w.user, w.minute)
		review(t, s, subs[w.user], 100, assignments.GradeGood, w.score, 20)
	}
	review(t, s, submit(t, s, other, 3, 0), 100, assignments.GradeExcellent, 100, 20)

	check := func(when string, order []int64) {
		t.Helper()
		for _, p := range []struct {
			period assignments.Period
			key    string
		}{{assignments.PeriodAll, "all"}, {assignments.PeriodWeek, "2026-W09"}, {assignments.PeriodMonth, "2026-03"}} {
			top := must(s.Top(ctx, "ppt", p.period, p.key, 10))(t)
			var got []int64
			for i, st := range top {
				got = append(got, st.UserID)
				if st.Rank != i+1 || st.Course != "ppt" || st.Period != p.period || st.Key != p.key {
					t.Errorf("%s: top %s %s #%d = %+v", when, p.period, p.key, i+1, st)
				}
				standing := must(s.Standing(ctx, "ppt", st.UserID, p.period, p.key))(t)
				if standing.Rank != st.Rank || standing.Points != st.Points || !standing.FirstAt.Equal(st.FirstAt) {
					t.Errorf("%s: standing %+v, in top %+v", when, standing, st)
				}
			}
			if !slices.Equal(got, order) {
				t.Errorf("%s: top %s %s = %v, want %v", when, p.period, p.key, got, order)
			}
			if top2 := must(s.Top(ctx, "ppt", p.period, p.key, 2))(t); len(top2) != 2 || top2[1].UserID != order[1] {
				t.Errorf("%s: top 2 = %+v", when, top2)
			}
		}
	}
	check("graded", []int64{4, 2, 3, 1, 5})
	if top := must(s.Top(ctx, "ppt", assignments.PeriodAll, "all", 1))(t); len(top) != 1 || top[0].Points != 100 {
		t.Errorf("top 1 = %+v", top)
	} else {
		sameTime(t, "FirstAt of the first", top[0].FirstAt, at(9))
	}
	_, err := s.Standing(ctx, "ppt", 6, assignments.PeriodAll, "all")
	isErr(t, "standing with a score of 0", err, shequn.ErrNotFound)
	if st := must(s.Standing(ctx, "xls", 3, assignments.PeriodAll, "all"))(t); st.Rank != 1 || st.Points != 100 {
		t.Errorf("standing in another course = %+v", st)
	}
	if top := must(s.Top(ctx, "ppt", assignments.PeriodWeek, "2026-W10", 10))(t); len(top) != 0 {
		t.Errorf("top of an empty week = %+v", top)
	}

	review(t, s, subs[5], 101, assignments.GradeExcellent, 100, 30) // ties 4 on points, submitted earlier
	check("after a correction up", []int64{5, 4, 2, 3, 1})
	review(t, s, subs[4], 101, assignments.GradeRedo, 0, 31)
	review(t, s, subs[2], 101, assignments.GradePass, 60, 31)
	check("after a redo and a correction down", []int64{5, 3, 1, 2})
}

func testQueue(t *testing.T, s Stores) {
	ctx := t.Context()
	ppt, xls := assign(t, s, "ppt", 100), assign(t, s, "xls", 100)
	submit(t, s, ppt, 1, 3)
	hold(t, s, submit(t, s, ppt, 2, 5), 100, 6, 60) // held: still pending
	submit(t, s, xls, 3, 1)
	review(t, s, submit(t, s, ppt, 4, 0), 100, assignments.GradeGood, 80, 20)
	review(t, s, submit(t, s, ppt, 5, 0), 100, assignments.GradeRedo, 0, 21)
	review(t, s, submit(t, s, xls, 6, 0), 101, assignments.GradeGood, 80, 22)
	review(t, s, submit(t, s, ppt, 7, 0), 101, assignments.GradeGood, 80, 5)

	for _, c := range []struct {
		name    string
		courses []string
		since   int
		pending int
		oldest  time.Time
		by      map[int64]int
	}{
		{"one course", []string{"ppt"}, 10, 2, at(3), map[int64]int{100: 2}},
		{"every course", nil, 10, 3, at(1), map[int64]int{100: 2, 101: 1}},
		{"every course, earlier", nil, 0, 3, at(1), map[int64]int{100: 2, 101: 2}},
		{"since the last review", []string{"xls", "ppt"}, 22, 3, at(1), map[int64]int{101: 1}},
		{"another course", []string{"art"}, 0, 0, time.Time{}, map[int64]int{}},
	} {
		q := must(s.Queue(ctx, c.courses, at(c.since)))(t)
		if q.Pending != c.pending || !maps.Equal(q.ReviewsBy, c.by) {
			t.Errorf("%s: queue %+v, want %d pending, reviews %v", c.name, q, c.pending, c.by)
		}
		sameTime(t, c.name+": OldestPending", q.OldestPending, c.oldest)
	}
}

func testFeedback(t *testing.T, s Stores) {
	ctx := t.Context()
	a := assign(t, s, "ppt", 100)
	s1 := review(t, s, submit(t, s, a, 1, 0), 100, assignments.GradeGood, 80, 10)
	s2 := review(t, s, submit(t, s, a, 2, 0), 100, assignments.GradeRedo, 0, 5)
	s3 := review(t, s, submit(t, s, a, 3, 0), 100, assignments.GradeExcellent, 95, 7)
	submit(t, s, a, 4, 0)
	unsent := func(limit int, want ...assignments.Submission) {
		t.Helper()
		if got := submissionIDs(must(s.UnsentFeedback(ctx, limit))(t)); !slices.Equal(got, submissionIDs(want)) {
			t.Errorf("unsent feedback, limit %d = %v, want %v", limit, got, submissionIDs(want))
		}
	}
	unsent(10, s2, s3, s1)
	unsent(2, s2, s3)

	ok(t, s.MarkFeedbackSent(ctx, s2.ID, at(5), at(11)))
	sameTime(t, "FeedbackSentAt", must(s.Submission(ctx, s2.ID))(t).FeedbackSentAt, at(11))
	ok(t, s.MarkFeedbackSent(ctx, s3.ID, at(6), at(11))) // not the review made at 7
	unsent(10, s3, s1)
	sameTime(t, "FeedbackSentAt of a newer review", must(s.Submission(ctx, s3.ID))(t).FeedbackSentAt, time.Time{})

	ok(t, s.MarkFeedbackSent(ctx, s1.ID, at(10), at(11)))
	ok(t, s.MarkFeedbackSent(ctx, s3.ID, at(7), at(11)))
	unsent(10)
	// A corrected grade is sent again.
	s1 = review(t, s, s1, 101, assignments.GradeExcellent, 90, 12)
	sameTime(t, "FeedbackSentAt after a correction", s1.FeedbackSentAt, time.Time{})
	unsent(10, s1)
	ok(t, s.MarkFeedbackSent(ctx, s1.ID, at(10), at(13)))
	unsent(10, s1)
	ok(t, s.MarkFeedbackSent(ctx, s1.ID, at(12), at(13)))
	unsent(10)
	isErr(t, "mark unknown", s.MarkFeedbackSent(ctx, s1.ID+1000, at(12), at(13)), shequn.ErrNotFound)
}
