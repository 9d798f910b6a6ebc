package assignments_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
)

// A teacher who is also an enrolled student never reviews their own work:
// /review hands them the others', and a button or /grade naming their own
// is refused. The same holds for an owner who bought the course.
func TestNobodyGradesOwnWork(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.enroll(t, "ppt", pptTeacher)
	e.enroll(t, "ppt", owner)
	a := e.assignment(t, "ppt")
	own := e.submit(t, pptTeacher, a)
	ownerWork := e.submit(t, owner, a)
	theirs := e.submit(t, student, a)

	got, _, err := e.svc.Next(ctx, pptTeacher)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != ownerWork.ID {
		t.Errorf("the teacher's /review gives %d by %d, want the owner's %d", got.ID, got.UserID, ownerWork.ID)
	}
	if _, err := e.svc.Grade(ctx, pptTeacher, ownerWork.ID, assignments.GradeGood, -1, ""); err != nil {
		t.Fatal(err)
	}
	if got, _, err := e.svc.Next(ctx, pptTeacher); err != nil || got.ID != theirs.ID {
		t.Errorf("next for the teacher: %d, %v; want %d", got.ID, err, theirs.ID)
	}
	if _, err := e.svc.Grade(ctx, pptTeacher, theirs.ID, assignments.GradeGood, -1, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Next(ctx, pptTeacher); !errors.Is(err, assignments.ErrNoWork) {
		t.Errorf("next when only the teacher's own work waits: %v, want ErrNoWork", err)
	}
	for _, c := range []struct {
		name     string
		reviewer int64
		sub      assignments.Submission
	}{{"teacher", pptTeacher, own}, {"owner", owner, ownerWork}} {
		if _, _, err := e.svc.Take(ctx, c.reviewer, c.sub.ID); !errors.Is(err, assignments.ErrOwnWork) {
			t.Errorf("%s takes their own work: %v, want ErrOwnWork", c.name, err)
		}
		if _, err := e.svc.Grade(ctx, c.reviewer, c.sub.ID, assignments.GradeExcellent, 100, ""); !errors.Is(err, assignments.ErrOwnWork) {
			t.Errorf("%s grades their own work: %v, want ErrOwnWork", c.name, err)
		}
	}
	if got := must(e.db.Submission(ctx, own.ID))(t); got.State != assignments.StatePending || got.HeldBy != 0 {
		t.Errorf("the teacher's own work after refusals: %+v", got)
	}
	if _, err := e.svc.Rank(ctx, pptTeacher, "ppt", assignments.PeriodAll); !errors.Is(err, shequn.ErrNotFound) {
		t.Errorf("the teacher has a rank without a grade from someone else: %v", err)
	}
	// Someone else grades it.
	if got, _, err := e.svc.Next(ctx, allTeacher); err != nil || got.ID != own.ID {
		t.Fatalf("another teacher's next: %d, %v; want %d", got.ID, err, own.ID)
	}
	if _, err := e.svc.Grade(ctx, allTeacher, own.ID, assignments.GradeGood, 80, "ok"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Grade(ctx, pptTeacher, own.ID, assignments.GradeExcellent, 100, ""); !errors.Is(err, assignments.ErrOwnWork) {
		t.Errorf("the teacher corrects their own grade: %v, want ErrOwnWork", err)
	}
	if st, err := e.svc.Rank(ctx, pptTeacher, "ppt", assignments.PeriodAll); err != nil || st.Points != 80 {
		t.Errorf("the teacher's standing: %+v, %v; want 80 points", st, err)
	}
}

// Staff of one course can neither see, hold, grade, rank nor publish in
// another course.
func TestStaffOfOneCourseStayOut(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	xls := e.assignment(t, "xls")
	work := e.submit(t, student2, xls)

	if _, _, err := e.svc.Next(ctx, pptTeacher); !errors.Is(err, assignments.ErrNoWork) {
		t.Errorf("ppt teacher's next with only xls work waiting: %v, want ErrNoWork", err)
	}
	if q, err := e.svc.Queue(ctx, pptTeacher); err != nil || q.Pending != 0 {
		t.Errorf("ppt teacher's queue: %+v, %v; want nothing pending", q, err)
	}
	if _, _, err := e.svc.Take(ctx, pptTeacher, work.ID); !errors.Is(err, assignments.ErrNotReviewer) {
		t.Errorf("ppt teacher takes xls work: %v", err)
	}
	if _, err := e.svc.Grade(ctx, pptTeacher, work.ID, assignments.GradeExcellent, -1, ""); !errors.Is(err, assignments.ErrNotReviewer) {
		t.Errorf("ppt teacher grades xls work: %v", err)
	}
	if _, err := e.svc.Top(ctx, pptTeacher, "xls", assignments.PeriodAll, 10); !errors.Is(err, assignments.ErrNotReviewer) {
		t.Errorf("ppt teacher ranks xls: %v", err)
	}
	if _, err := e.svc.Create(ctx, pptTeacher, assignments.Assignment{Course: "xls", Title: "x", MaxScore: 10}); !errors.Is(err, assignments.ErrNotReviewer) {
		t.Errorf("ppt teacher publishes in xls: %v", err)
	}
	for _, who := range []int64{student, outsider} {
		if _, _, err := e.svc.Next(ctx, who); !errors.Is(err, assignments.ErrNotReviewer) {
			t.Errorf("student %d asks for review: %v", who, err)
		}
		if _, err := e.svc.Queue(ctx, who); !errors.Is(err, assignments.ErrNotReviewer) {
			t.Errorf("student %d asks for the queue: %v", who, err)
		}
	}
	if got := must(e.db.Submission(ctx, work.ID))(t); got.HeldBy != 0 || got.State != assignments.StatePending {
		t.Errorf("xls work after the ppt teacher's tries: %+v", got)
	}

	// The course's own assistant and the all-course teacher may.
	if q, err := e.svc.Queue(ctx, xlsTeacher); err != nil || q.Pending != 1 {
		t.Errorf("xls assistant's queue: %+v, %v", q, err)
	}
	if q, err := e.svc.Queue(ctx, allTeacher); err != nil || q.Pending != 1 {
		t.Errorf("all-course teacher's queue: %+v, %v", q, err)
	}
	if got, _, err := e.svc.Next(ctx, xlsTeacher); err != nil || got.ID != work.ID {
		t.Fatalf("xls assistant's next: %d, %v", got.ID, err)
	}
	if _, err := e.svc.Grade(ctx, xlsTeacher, work.ID, assignments.GradeGood, -1, ""); err != nil {
		t.Fatal(err)
	}
	if top, err := e.svc.Top(ctx, xlsTeacher, "xls", assignments.PeriodAll, 10); err != nil || len(top) != 1 || top[0].UserID != student2 {
		t.Errorf("xls top: %+v, %v", top, err)
	}
}

func TestCreate(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("长", assignments.MaxTitle+1)
	cases := []struct {
		name string
		by   int64
		a    assignments.Assignment
		code shequn.Code
	}{
		{"ok", pptTeacher, assignments.Assignment{Course: "ppt", Title: " 作业 ", Description: " d ", MaxScore: 100}, ""},
		{"longest title", pptTeacher, assignments.Assignment{Course: "ppt", Title: long[len("长"):], MaxScore: 1}, ""},
		{"top score", pptTeacher, assignments.Assignment{Course: "ppt", Title: "t", MaxScore: assignments.MaxScoreLimit}, ""},
		{"longest description", pptTeacher, assignments.Assignment{Course: "ppt", Title: "t", MaxScore: 1,
			Description: strings.Repeat("d", assignments.MaxDescription)}, ""},
		{"due tomorrow", owner, assignments.Assignment{Course: "ppt", Title: "t", MaxScore: 1, Due: t0.Add(24 * time.Hour)}, ""},
		{"unknown course", owner, assignments.Assignment{Course: "art", Title: "t", MaxScore: 1}, shequn.CodeNotFound},
		{"student", student, assignments.Assignment{Course: "ppt", Title: "t", MaxScore: 1}, shequn.CodeForbidden},
		{"blank title", owner, assignments.Assignment{Course: "ppt", Title: "  ", MaxScore: 1}, shequn.CodeInvalid},
		{"long title", owner, assignments.Assignment{Course: "ppt", Title: long, MaxScore: 1}, shequn.CodeInvalid},
		{"long description", owner, assignments.Assignment{Course: "ppt", Title: "t", MaxScore: 1,
			Description: strings.Repeat("d", assignments.MaxDescription+1)}, shequn.CodeInvalid},
		{"score 0", owner, assignments.Assignment{Course: "ppt", Title: "t"}, shequn.CodeInvalid},
		{"score too high", owner, assignments.Assignment{Course: "ppt", Title: "t", MaxScore: assignments.MaxScoreLimit + 1}, shequn.CodeInvalid},
		{"due now", owner, assignments.Assignment{Course: "ppt", Title: "t", MaxScore: 1, Due: t0}, shequn.CodeInvalid},
		{"due yesterday", owner, assignments.Assignment{Course: "ppt", Title: "t", MaxScore: 1, Due: t0.Add(-24 * time.Hour)}, shequn.CodeInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.a.AnnouncedAt = t0 // never kept
			got, err := e.svc.Create(t.Context(), c.by, c.a)
			if code := shequn.ErrorCode(err); code != c.code {
				t.Fatalf("code %q (%v), want %q", code, err, c.code)
			}
			if c.code != "" {
				return
			}
			stored := must(e.db.Assignment(t.Context(), got.ID))(t)
			if stored.Title != strings.TrimSpace(c.a.Title) || stored.Description != strings.TrimSpace(c.a.Description) ||
				stored.CreatedBy != c.by || !stored.CreatedAt.Equal(t0) || !stored.AnnouncedAt.IsZero() || stored.MaxScore != c.a.MaxScore {
				t.Errorf("stored %+v", stored)
			}
		})
	}
}

func TestSubmit(t *testing.T) {
	text := func(s string) assignments.Content { return assignments.Content{Kind: assignments.ContentText, Text: s} }
	files := func(n int) assignments.Content {
		return assignments.Content{Kind: assignments.ContentPhoto, FileIDs: make([]string, n)}
	}
	cases := []struct {
		name    string
		user    int64
		c       assignments.Content
		late    assignments.LatePolicy
		after   time.Duration // after the due date
		want    error         // matched with errors.Is, or nil
		code    shequn.Code
		isLate  bool
		penalty int
	}{
		{name: "text", user: student, c: text("done")},
		{name: "link", user: student, c: assignments.Content{Kind: assignments.ContentLink, Text: "https://x"}},
		{name: "document", user: student, c: assignments.Content{Kind: assignments.ContentDocument, FileIDs: []string{"f"}}},
		{name: "ten photos", user: student, c: files(assignments.MaxFiles)},
		{name: "longest text", user: student, c: text(strings.Repeat("字", assignments.MaxText))},
		{name: "not enrolled", user: outsider, c: text("x"), want: assignments.ErrNotEnrolled},
		{name: "refunded", user: dropped, c: text("x"), want: assignments.ErrNotEnrolled},
		{name: "blank", user: student, c: text(" \n"), code: shequn.CodeInvalid},
		{name: "no photo", user: student, c: files(0), code: shequn.CodeInvalid},
		{name: "eleven photos", user: student, c: files(assignments.MaxFiles + 1), code: shequn.CodeInvalid},
		{name: "unknown kind", user: student, c: assignments.Content{Kind: "video", Text: "x"}, code: shequn.CodeInvalid},
		{name: "text too long", user: student, c: text(strings.Repeat("字", assignments.MaxText+1)), code: shequn.CodeInvalid},
		{name: "caption too long", user: student, c: assignments.Content{Kind: assignments.ContentPhoto, FileIDs: []string{"f"},
			Text: strings.Repeat("字", assignments.MaxText+1)}, code: shequn.CodeInvalid},
		{name: "on the due date", user: student, c: text("x"), late: assignments.LateRefuse},
		{name: "late accepted", user: student, c: text("x"), late: assignments.LateAccept, after: time.Second, isLate: true},
		{name: "late default", user: student, c: text("x"), late: "", after: time.Second, isLate: true},
		{name: "late penalised", user: student, c: text("x"), late: assignments.LatePenalty, after: time.Hour, isLate: true, penalty: 20},
		{name: "late refused", user: student, c: text("x"), late: assignments.LateRefuse, after: time.Second, want: assignments.ErrTooLate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.assignment(t, "ppt")
			e.svc.Late = c.late
			e.now = a.Due.Add(c.after)
			if c.after == 0 && c.late == "" {
				e.now = t0
			}
			got, err := e.svc.Submit(t.Context(), c.user, a.ID, c.c)
			switch {
			case c.want != nil:
				if !errors.Is(err, c.want) {
					t.Fatalf("err %v, want %v", err, c.want)
				}
				return
			case c.code != "":
				if shequn.ErrorCode(err) != c.code {
					t.Fatalf("err %v, want code %s", err, c.code)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if got.Late != c.isLate || got.PenaltyPct != c.penalty || got.UserID != c.user || got.Course != "ppt" ||
				got.AssignmentID != a.ID || !got.SubmittedAt.Equal(e.now) || got.State != assignments.StatePending {
				t.Errorf("submission %+v, want late %v, penalty %d", got, c.isLate, c.penalty)
			}
		})
	}
	t.Run("unknown assignment", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.svc.Submit(t.Context(), student, 999, text("x"))
		if !errors.Is(err, shequn.ErrNotFound) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("after a grade", func(t *testing.T) {
		e := newEnv(t)
		a := e.assignment(t, "ppt")
		s := e.submit(t, student, a)
		if _, err := e.svc.Grade(t.Context(), owner, s.ID, assignments.GradeGood, -1, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(t.Context(), student, a.ID, text("again")); !errors.Is(err, assignments.ErrReviewed) {
			t.Errorf("resubmission after a grade: %v, want ErrReviewed", err)
		}
	})
}

func TestGrade(t *testing.T) {
	cases := []struct {
		name      string
		grade     assignments.Grade
		score     int
		penalty   bool
		comment   string
		code      shequn.Code
		wantScore int
		wantState assignments.State
	}{
		{name: "excellent by default", grade: assignments.GradeExcellent, score: -1, wantScore: 50, wantState: assignments.StateReviewed},
		{name: "good by default", grade: assignments.GradeGood, score: -1, wantScore: 40, wantState: assignments.StateReviewed},
		{name: "pass by default", grade: assignments.GradePass, score: -1, wantScore: 30, wantState: assignments.StateReviewed},
		{name: "named score", grade: assignments.GradeGood, score: 44, comment: "  nice  ", wantScore: 44, wantState: assignments.StateReviewed},
		{name: "full marks", grade: assignments.GradeExcellent, score: 50, wantScore: 50, wantState: assignments.StateReviewed},
		{name: "zero", grade: assignments.GradePass, score: 0, wantScore: 0, wantState: assignments.StateReviewed},
		{name: "redo scores nothing", grade: assignments.GradeRedo, score: 40, wantScore: 0, wantState: assignments.StateRedo},
		{name: "late penalty", grade: assignments.GradeExcellent, score: -1, penalty: true, wantScore: 40, wantState: assignments.StateReviewed},
		{name: "late penalty rounds down", grade: assignments.GradeGood, score: 33, penalty: true, wantScore: 26, wantState: assignments.StateReviewed},
		{name: "above the maximum", grade: assignments.GradeGood, score: 51, code: shequn.CodeInvalid},
		{name: "unknown grade", grade: "brilliant", score: 10, code: shequn.CodeInvalid},
		{name: "long comment", grade: assignments.GradeGood, score: 10, comment: strings.Repeat("好", assignments.MaxText+1), code: shequn.CodeInvalid},
		{name: "longest comment", grade: assignments.GradeGood, score: 10, comment: strings.Repeat("好", assignments.MaxText), wantScore: 10, wantState: assignments.StateReviewed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := t.Context()
			a, err := e.svc.Create(ctx, owner, assignments.Assignment{Course: "ppt", Title: "t", MaxScore: 50, Due: t0.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if c.penalty {
				e.svc.Late, e.now = assignments.LatePenalty, t0.Add(2*time.Hour)
			}
			sub := e.submit(t, student, a)
			got, err := e.svc.Grade(ctx, pptTeacher, sub.ID, c.grade, c.score, c.comment)
			if code := shequn.ErrorCode(err); code != c.code {
				t.Fatalf("code %q (%v), want %q", code, err, c.code)
			}
			if c.code != "" {
				if s := must(e.db.Submission(ctx, sub.ID))(t); s.State != assignments.StatePending || s.ReviewedBy != 0 || s.Grade != "" {
					t.Errorf("refused grade left %+v", s)
				}
				if n := len(e.notes.to(student)); n != 0 {
					t.Errorf("student told %d times of a refused grade", n)
				}
				return
			}
			if got.Score != c.wantScore || got.State != c.wantState || got.Grade != c.grade || got.ReviewedBy != pptTeacher ||
				got.Comment != strings.TrimSpace(c.comment) || !got.ReviewedAt.Equal(e.now) {
				t.Errorf("graded %+v, want score %d, %s", got, c.wantScore, c.wantState)
			}
			told := e.notes.to(student)
			if len(told) != 1 {
				t.Fatalf("student told %d times", len(told))
			}
			fb, ok := told[0].notice.(assignments.FeedbackNotice)
			if !ok || fb.Submission.ID != sub.ID || fb.Assignment.ID != a.ID || fb.Submission.Score != c.wantScore {
				t.Errorf("feedback %+v", told[0].notice)
			}
			if s := must(e.db.Submission(ctx, sub.ID))(t); !s.FeedbackSentAt.Equal(e.now) {
				t.Errorf("feedback sent at %v, want %v", s.FeedbackSentAt, e.now)
			}
			if n := e.logs.count("not delivered"); n != 0 {
				t.Errorf("%d warnings though the feedback was delivered", n)
			}
			st, err := e.svc.Rank(ctx, student, "ppt", assignments.PeriodAll)
			if c.wantScore == 0 {
				if !errors.Is(err, shequn.ErrNotFound) {
					t.Errorf("rank without points: %+v, %v", st, err)
				}
			} else if err != nil || st.Points != c.wantScore || st.Rank != 1 {
				t.Errorf("rank %+v, %v; want %d points", st, err, c.wantScore)
			}
		})
	}
}

// A feedback DM that fails is retried by Reconcile until delivered; a
// student who blocked the bot counts as told.
func TestFeedbackRetried(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	a := e.assignment(t, "ppt")
	s1, s2 := e.submit(t, student, a), e.submit(t, student2, a)
	e.notes.failFor(student, errDown)
	e.notes.failFor(student2, shequn.ErrUnreachable)
	for _, s := range []assignments.Submission{s1, s2} {
		if _, err := e.svc.Grade(ctx, pptTeacher, s.ID, assignments.GradeGood, -1, ""); err != nil {
			t.Fatalf("grade with the DM failing: %v", err)
		}
	}
	// A failed delivery is logged once; an unreachable student is not a failure.
	if n := e.logs.count("feedback not delivered yet"); n != 1 {
		t.Errorf("%d warnings for one failed feedback DM", n)
	}
	if got := must(e.db.Submission(ctx, s1.ID))(t); !got.FeedbackSentAt.IsZero() {
		t.Errorf("failed feedback marked sent")
	}
	if got := must(e.db.Submission(ctx, s2.ID))(t); got.FeedbackSentAt.IsZero() {
		t.Errorf("feedback to an unreachable student not marked done")
	}
	e.now = e.now.Add(time.Minute)
	if err := e.svc.Reconcile(ctx, e.now); err != nil {
		t.Fatal(err)
	}
	if n := len(e.notes.to(student)); n != 0 {
		t.Fatalf("told %d times while failing", n)
	}
	if n := e.logs.count("feedback not delivered yet"); n != 1 {
		t.Errorf("%d warnings for a pass that failed one feedback DM", n)
	}
	e.notes.failFor(student, nil)
	e.now = e.now.Add(time.Minute) // past the failed DM's backoff
	for range 2 {
		if err := e.svc.Reconcile(ctx, e.now); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.logs.count("not delivered"); n != 0 {
		t.Errorf("%d warnings after delivery", n)
	}
	if told := e.notes.to(student); len(told) != 1 || told[0].notice.(assignments.FeedbackNotice).Submission.ID != s1.ID {
		t.Errorf("after recovery the student was told %+v, want once", told)
	}
	if got := must(e.db.Submission(ctx, s1.ID))(t); !got.FeedbackSentAt.Equal(e.now) {
		t.Errorf("feedback sent at %v, want %v", got.FeedbackSentAt, e.now)
	}
}

// An assignment is posted and pinned once in every student group of its
// course, and nowhere else; a group that failed gets it on the next pass
// without the others getting it twice.
func TestReconcileAnnounces(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	for _, g := range []groups.Group{
		{ChatID: -1, Kind: groups.KindStudent, Course: "ppt", Capacity: 10},
		{ChatID: -2, Kind: groups.KindStudent, Course: "ppt", Capacity: 10},
		{ChatID: -3, Kind: groups.KindStudent, Course: "xls", Capacity: 10},
		{ChatID: -4, Kind: groups.KindCore, Capacity: 10},
	} {
		if _, err := e.db.AddGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	a := e.assignment(t, "ppt")
	e.notes.failFor(-2, errDown)
	if err := e.svc.Reconcile(ctx, e.now); err != nil {
		t.Fatal(err)
	}
	if got := must(e.db.Assignment(ctx, a.ID))(t); !got.AnnouncedAt.IsZero() {
		t.Errorf("announced with a group missing")
	}
	e.notes.failFor(-2, nil)
	e.now = e.now.Add(time.Minute)
	for range 2 {
		if err := e.svc.Reconcile(ctx, e.now); err != nil {
			t.Fatal(err)
		}
	}
	for chat, want := range map[int64]int{-1: 1, -2: 1, -3: 0, -4: 0} {
		posts := e.notes.to(chat)
		if len(posts) != want {
			t.Errorf("chat %d got %d posts, want %d", chat, len(posts), want)
			continue
		}
		for _, p := range posts {
			if n, ok := p.notice.(assignments.AssignmentNotice); !ok || n.Assignment.ID != a.ID || !p.pin || !p.post {
				t.Errorf("chat %d: %+v", chat, p)
			}
		}
	}
	if got := must(e.db.Assignment(ctx, a.ID))(t); !got.AnnouncedAt.Equal(e.now) {
		t.Errorf("announced at %v, want %v", got.AnnouncedAt, e.now)
	}
	// With nothing failing, one pass reaches every group and finishes.
	b := e.assignment(t, "ppt")
	if err := e.svc.Reconcile(ctx, e.now); err != nil {
		t.Fatal(err)
	}
	for _, chat := range []int64{-1, -2} {
		if posts := e.notes.to(chat); len(posts) != 2 || posts[1].notice.(assignments.AssignmentNotice).Assignment.ID != b.ID {
			t.Errorf("chat %d after one pass: %+v", chat, posts)
		}
	}
	if got := must(e.db.Assignment(ctx, b.ID))(t); got.AnnouncedAt.IsZero() {
		t.Error("not announced after one pass that reached every group")
	}
}

// The digest goes to each reviewer with pending work in their courses,
// counting only those.
func TestDigest(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	ppt, xls := e.assignment(t, "ppt"), e.assignment(t, "xls")
	first := e.now
	e.submit(t, student, ppt)
	e.submit(t, student2, ppt)
	e.now = e.now.Add(time.Hour)
	e.submit(t, student2, xls)
	if err := e.svc.Digest(ctx, e.now); err != nil {
		t.Fatal(err)
	}
	if n := e.logs.count("digest not delivered"); n != 0 {
		t.Errorf("%d warnings when every digest was delivered", n)
	}
	for who, want := range map[int64]assignments.DigestNotice{
		owner:      {Pending: 3, Oldest: first},
		allTeacher: {Pending: 3, Oldest: first},
		pptTeacher: {Pending: 2, Oldest: first},
		xlsTeacher: {Pending: 1, Oldest: first.Add(time.Hour + 2*time.Minute)},
	} {
		told := e.notes.to(who)
		if len(told) != 1 {
			t.Errorf("%d told %d times", who, len(told))
			continue
		}
		got := told[0].notice.(assignments.DigestNotice)
		if got.Pending != want.Pending || !got.Oldest.Equal(want.Oldest) {
			t.Errorf("%d: digest %+v, want %+v", who, got, want)
		}
	}
	for _, who := range []int64{student, student2} {
		if n := len(e.notes.to(who)); n != 0 {
			t.Errorf("student %d got a digest", who)
		}
	}
	// Nothing pending: no digest; one reviewer failing does not stop the others.
	e2 := newEnv(t)
	e2.submit(t, student, e2.assignment(t, "ppt"))
	e2.notes.failFor(owner, errDown)
	if err := e2.svc.Digest(ctx, e2.now); err != nil {
		t.Fatal(err)
	}
	if n := len(e2.notes.to(xlsTeacher)); n != 0 {
		t.Errorf("xls assistant without pending work got %d digests", n)
	}
	if n := len(e2.notes.to(pptTeacher)); n != 1 {
		t.Errorf("ppt teacher got %d digests after the owner's failed", n)
	}
	if n := e2.logs.count("digest not delivered"); n != 1 {
		t.Errorf("%d warnings for one failed digest", n)
	}
}

// Next holds the oldest submission for 30 minutes (or HoldFor); another
// reviewer does not get it meanwhile, and Release gives it back.
func TestHoldAndRelease(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	a := e.assignment(t, "ppt")
	s1, s2 := e.submit(t, student, a), e.submit(t, student2, a)
	got, ga, err := e.svc.Next(ctx, pptTeacher)
	if err != nil || got.ID != s1.ID || ga.ID != a.ID || !got.HeldUntil.Equal(e.now.Add(30*time.Minute)) {
		t.Fatalf("next: %+v, %+v, %v", got, ga, err)
	}
	if got, _, err := e.svc.Next(ctx, allTeacher); err != nil || got.ID != s2.ID {
		t.Errorf("a second reviewer gets %d, %v; want %d", got.ID, err, s2.ID)
	}
	if _, _, err := e.svc.Take(ctx, owner, s1.ID); !errors.Is(err, assignments.ErrHeld) {
		t.Errorf("take of a held one: %v, want ErrHeld", err)
	}
	if _, err := e.svc.Grade(ctx, owner, s1.ID, assignments.GradeGood, -1, ""); !errors.Is(err, assignments.ErrHeld) {
		t.Errorf("grade of a held one: %v, want ErrHeld", err)
	}
	if err := e.svc.Release(ctx, pptTeacher, s1.ID); err != nil {
		t.Fatal(err)
	}
	e.svc.HoldFor = time.Minute
	got, _, err = e.svc.Take(ctx, owner, s1.ID)
	if err != nil || got.HeldBy != owner || !got.HeldUntil.Equal(e.now.Add(time.Minute)) {
		t.Errorf("take after release: %+v, %v", got, err)
	}
	if _, _, err := e.svc.Take(ctx, owner, 999); !errors.Is(err, shequn.ErrNotFound) {
		t.Errorf("take of an unknown one: %v", err)
	}
	// A superseded version cannot be taken.
	old := e.submit(t, student, e.assignment(t, "ppt"))
	e.submit(t, student, must(e.db.Assignment(ctx, old.AssignmentID))(t))
	if _, _, err := e.svc.Take(ctx, owner, old.ID); shequn.ErrorCode(err) != shequn.CodeConflict || errors.Is(err, assignments.ErrHeld) {
		t.Errorf("take of a superseded version: %v, want a conflict", err)
	}
}

func TestRankAndTop(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	a := e.assignment(t, "ppt")
	s1, s2 := e.submit(t, student, a), e.submit(t, student2, a)
	if _, err := e.svc.Grade(ctx, owner, s1.ID, assignments.GradeGood, -1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Grade(ctx, owner, s2.ID, assignments.GradeExcellent, -1, ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []assignments.Period{assignments.PeriodWeek, assignments.PeriodMonth, assignments.PeriodAll} {
		st, err := e.svc.Rank(ctx, student, "ppt", p)
		if err != nil || st.Rank != 2 || st.Points != 80 || st.Period != p {
			t.Errorf("%s rank: %+v, %v", p, st, err)
		}
		top, err := e.svc.Top(ctx, pptTeacher, "ppt", p, 1)
		if err != nil || len(top) != 1 || top[0].UserID != student2 {
			t.Errorf("%s top: %+v, %v", p, top, err)
		}
	}
	// Next week the week is empty, the month and all time are not.
	e.now = e.now.Add(7 * 24 * time.Hour)
	if _, err := e.svc.Rank(ctx, student, "ppt", assignments.PeriodWeek); !errors.Is(err, shequn.ErrNotFound) {
		t.Errorf("rank of an empty week: %v", err)
	}
	if st, err := e.svc.Rank(ctx, student, "ppt", assignments.PeriodMonth); err != nil || st.Points != 80 {
		t.Errorf("month rank: %+v, %v", st, err)
	}
	if _, err := e.svc.Rank(ctx, student, "ppt", "year"); shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Errorf("rank of a bad period: %v", err)
	}
	if _, err := e.svc.Top(ctx, owner, "ppt", "year", 10); shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Errorf("top of a bad period: %v", err)
	}
}

func TestReviewScope(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		user     int64
		courses  []string
		all, ok  bool
		ppt, xls bool
	}{
		{owner, nil, true, true, true, true},
		{allTeacher, nil, true, true, true, true},
		{pptTeacher, []string{"ppt"}, false, true, true, false},
		{xlsTeacher, []string{"xls"}, false, true, false, true},
		{student, nil, false, false, false, false},
	} {
		courses, all, ok, err := e.svc.ReviewScope(t.Context(), c.user)
		if err != nil || all != c.all || ok != c.ok || strings.Join(courses, ",") != strings.Join(c.courses, ",") {
			t.Errorf("scope of %d: %v %v %v %v", c.user, courses, all, ok, err)
		}
		for course, want := range map[string]bool{"ppt": c.ppt, "xls": c.xls} {
			if got, err := e.svc.CanReview(t.Context(), c.user, course); got != want || err != nil {
				t.Errorf("%d reviews %s: %v, %v", c.user, course, got, err)
			}
		}
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
