package groups_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// The edges of the core cycle's rules, each pinned where a test can see it.

// homework is a homework ledger of fixed answers that counts its reads.
type fixedHomework struct {
	excellent map[string][]groups.UserCount // by course
	top       map[string][]int64            // by course
	reads     map[string]int                // "excellent", "top"
}

func (h *fixedHomework) ExcellentSince(_ context.Context, course string, _ time.Time, min int) ([]groups.UserCount, error) {
	h.reads["excellent"]++
	var out []groups.UserCount
	for _, c := range h.excellent[course] {
		if c.N >= min {
			out = append(out, c)
		}
	}
	return out, nil
}

func (h *fixedHomework) MonthTop(_ context.Context, course, _ string, k int) ([]int64, error) {
	h.reads["top"]++
	top := h.top[course]
	return top[:min(k, len(top))], nil
}

func (h *fixedHomework) HomeworkPoints(context.Context, string, string, []int64) (map[int64]int, error) {
	return nil, nil
}

func qualifyWorld(t *testing.T, hw *fixedHomework) (*coreWorld, *atomic.Int64) {
	w := newCoreWorld(t, 5, 0)
	var wakes atomic.Int64
	w.s.Wake = func() { wakes.Add(1) }
	w.s.Homework = hw
	w.s.Courses = map[string]membership.Course{"ppt": {ID: "ppt"}, "xls": {ID: "xls"}}
	return w, &wakes
}

// A rule set to 0 is closed: its ledger is not even read. Both courses are
// read, the top of the month may hold more people than the excellent, and
// the queue wakes the reconciler only when it grew.
func TestQualifyReadsOnlyOpenRules(t *testing.T) {
	hw := &fixedHomework{reads: map[string]int{},
		excellent: map[string][]groups.UserCount{"ppt": {{UserID: 1, N: 9}}},
		top:       map[string][]int64{"ppt": {2, 3}, "xls": {4, 5, 6}}}
	w, wakes := qualifyWorld(t, hw)
	w.s.CoreRules.ExcellentMin, w.s.CoreRules.TopK = 0, 3
	n, err := w.s.Qualify(t.Context())
	if err != nil || n != 5 || hw.reads["excellent"] != 0 || wakes.Load() != 1 {
		t.Fatalf("Qualify = %d, %v with %v reads and %d wakes; want 5 from the tops of both courses, no excellent read, one wake",
			n, err, hw.reads, wakes.Load())
	}
	if c, _ := w.db.CoreSeat(t.Context(), "", 2); c.Score != 0.5 {
		t.Fatalf("score of the first place = %v, want 0.5 (no excellent reviews counted)", c.Score)
	}
	if n, _ := w.s.Qualify(t.Context()); n != 0 || wakes.Load() != 1 {
		t.Fatalf("a Qualify that queued nobody woke the reconciler (%d wakes)", wakes.Load())
	}
	hw.reads = map[string]int{}
	w.s.CoreRules.ExcellentMin, w.s.CoreRules.TopK = 3, 0
	if _, err := w.s.Qualify(t.Context()); err != nil || hw.reads["top"] != 0 || hw.reads["excellent"] != 2 {
		t.Fatalf("reads %v, %v; want the excellent of both courses and no top", hw.reads, err)
	}
}

// Someone who went out qualifies again once the rule's whole window has
// passed since, not a moment before.
func TestCoolingDownEndsWithTheWindow(t *testing.T) {
	hw := &fixedHomework{reads: map[string]int{}, top: map[string][]int64{"ppt": {1}}}
	w, _ := qualifyWorld(t, hw)
	ctx := t.Context()
	w.mustReconcile()
	if err := w.s.Promote(ctx, 9, "", 1); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	w.joinAll()
	if _, err := w.db.RecordRun(ctx, groups.EliminationRun{Period: "2026-03", At: w.now, Out: []groups.Decision{{UserID: 1}}}); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	out := w.now
	w.now = out.AddDate(0, 0, w.s.CoreRules.ExcellentDays).Add(-time.Second)
	if n, _ := w.s.Qualify(ctx); n != 0 {
		t.Fatal("qualified again a second before the window passed")
	}
	w.now = out.AddDate(0, 0, w.s.CoreRules.ExcellentDays)
	if n, _ := w.s.Qualify(ctx); n != 1 {
		t.Fatal("not qualified again once the window passed")
	}
}

// A place in the month counts only when there is one.
func TestQualifiesScore(t *testing.T) {
	r := groups.DefaultCoreRules()
	if _, score, _ := groups.Qualifies(r, 3, 0, ""); score != 3 {
		t.Fatalf("score of 3 excellent without a place = %v, want 3", score)
	}
	if _, score, _ := groups.Qualifies(r, 3, 1, ""); score != 3.5 {
		t.Fatalf("score of 3 excellent and the first place = %v, want 3.5", score)
	}
}

// The job reads the homework ledger only when there is one, eliminates the
// month that ended until a full day after its end, and works every scope
// (one core group per course) even when one of them was done already.
func TestCoreTickEdges(t *testing.T) {
	w := newCoreWorld(t, 2, 0)
	ctx := t.Context()
	w.s.CoreRules.PerCourse, w.s.CoreRules.Grace, w.s.CoreRules.BottomN = true, 0, 1
	w.s.Courses = map[string]membership.Course{"ppt": {ID: "ppt"}, "xls": {ID: "xls"}}
	if _, err := w.db.AddGroup(ctx, groups.Group{ChatID: -600, Kind: groups.KindCore, Course: "xls", Capacity: 2, SetUpAt: w.now}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddGroup(ctx, groups.Group{ChatID: -700, Kind: groups.KindCore, Course: "ppt", Capacity: 2, SetUpAt: w.now}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		scope string
		user  int64
	}{{"ppt", 1}, {"ppt", 2}, {"xls", 3}, {"xls", 4}} {
		if err := w.s.Promote(ctx, 9, m.scope, m.user); err != nil {
			t.Fatal(err)
		}
	}
	w.mustReconcile()
	for _, u := range []int64{1, 2} {
		mustJoin(t, w, -700, u)
	}
	for _, u := range []int64{3, 4} {
		mustJoin(t, w, -600, u)
	}
	end := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	// Exactly three days before the end both groups' members at risk are warned.
	if err := w.s.CoreTick(ctx, end.AddDate(0, 0, -3)); err != nil {
		t.Fatal(err)
	}
	if got := w.n.told["core_warning"]; len(got) != 2 {
		t.Fatalf("warned %v, want one member of each core group", got)
	}
	// The ppt run exists already: the xls one is still made.
	if _, err := w.db.RecordRun(ctx, groups.EliminationRun{Scope: "ppt", Period: "2026-03", At: end}); err != nil {
		t.Fatal(err)
	}
	if err := w.s.CoreTick(ctx, end.Add(24*time.Hour)); err != nil { // a full day late: too late
		t.Fatal(err)
	}
	if runs, _ := w.db.OpenRuns(ctx); len(runs) != 1 {
		t.Fatalf("runs a full day after the end = %+v, want only the one recorded", runs)
	}
	if err := w.s.CoreTick(ctx, end.Add(24*time.Hour-time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	runs, err := w.db.OpenRuns(ctx)
	var xls []groups.EliminationRun
	for _, r := range runs {
		if r.Scope == "xls" {
			xls = append(xls, r)
		}
	}
	if err != nil || len(runs) != 3 || len(xls) != 1 || xls[0].Period != "2026-03" || len(xls[0].Out) != 1 {
		t.Fatalf("runs = %+v, %v; want the xls run of 2026-03 beside ppt's and the world's", runs, err)
	}
}

func mustJoin(t *testing.T, w *coreWorld, chat, user int64) {
	t.Helper()
	if ok, _, err := w.s.JoinRequest(t.Context(), chat, user); err != nil || !ok {
		t.Fatalf("join of %d to %d: %v %v", user, chat, ok, err)
	}
}

// The welcome line and the summary name people by their first name.
func TestCoreNoticesNamePeople(t *testing.T) {
	w := newCoreWorld(t, 2, 2)
	ctx := t.Context()
	if err := w.db.SaveProfile(ctx, membership.Profile{UserID: 100, FirstName: "Ann", UpdatedAt: w.now}); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	w.joinAll()
	w.mustReconcile()
	var names []string
	w.n.mu.Lock()
	defer w.n.mu.Unlock()
	for _, no := range w.n.posted {
		if n, ok := no.(groups.CoreWelcomeNotice); ok {
			names = append(names, n.Name)
		}
	}
	if strings.Join(names, ",") != "Ann," {
		t.Fatalf("welcomed %q, want Ann then a member without a profile", names)
	}
}

// linkCounter counts the join links made.
type linkCounter struct {
	*corePlatform
	links atomic.Int64
}

func (p *linkCounter) CreateJoinLink(context.Context, int64, string) (string, error) {
	p.links.Add(1)
	return "https://t.me/+core", nil
}

// One pass inviting several makes the core group's link once.
func TestCoreInvitesShareOneLink(t *testing.T) {
	w := newCoreWorld(t, 3, 3)
	lc := &linkCounter{corePlatform: w.p}
	w.s.Platform = lc
	w.mustReconcile()
	if lc.links.Load() != 1 || len(w.n.told["core_invite"]) != 3 {
		t.Fatalf("%d links made for %d invitations, want one", lc.links.Load(), len(w.n.told["core_invite"]))
	}
}

// failingLedger is a store whose ledger fails.
type failingLedger struct{ groups.CoreStore }

func (failingLedger) AddContribution(context.Context, groups.Contribution) (bool, error) {
	return false, errors.New("disk full")
}

// A task's credit that fails is reported, and credited later; the pass
// credits every finished task, not only the first.
func TestTaskCreditFailsAndResumes(t *testing.T) {
	w := newCoreWorld(t, 2, 0)
	ctx := t.Context()
	w.s.Tasks = w.db
	due := w.now.Add(time.Hour)
	a, err := w.s.NewTask(ctx, 9, "", "a", []int64{1}, due, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.s.NewTask(ctx, 9, "", "b", []int64{2}, due, 4)
	if err != nil {
		t.Fatal(err)
	}
	w.s.Core = failingLedger{w.db}
	for _, p := range []struct{ task, user int64 }{{a.ID, 1}, {b.ID, 2}} {
		if _, err := w.s.PartDone(ctx, p.task, p.user); err == nil {
			t.Fatal("a credit that failed was not reported")
		}
	}
	w.s.Core = w.db
	w.mustReconcile()
	for _, u := range []int64{1, 2} {
		if st, err := w.db.Standings(ctx, "", w.s.CorePeriod(w.now), []int64{u}); err != nil || st[0].Points == 0 {
			t.Fatalf("standing of %d = %+v, %v; want the task's points", u, st, err)
		}
	}
}

// Registering: a student group never takes the core group's default
// capacity; the core group does; one core group for the community unless
// every course has its own, when the course must be named.
func TestRegisterCoreScopes(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.svc.CoreRules = groups.DefaultCoreRules()
	e.chat.admin(-10, groups.RequiredRights(groups.KindStudent)...)
	if _, err := e.svc.Register(ctx, groups.RegisterRequest{ChatID: -10, Kind: groups.KindStudent, Course: "ppt", By: owner}); shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Fatalf("a student group without a capacity = %v, want invalid", err)
	}
	for _, id := range []int64{-20, -30, -40} {
		e.chat.admin(id, groups.RequiredRights(groups.KindCore)...)
	}
	g, err := e.svc.Register(ctx, groups.RegisterRequest{ChatID: -20, Kind: groups.KindCore, Course: "ppt", By: owner})
	if err != nil || g.Capacity != 69 || g.Course != "" {
		t.Fatalf("core group = %+v, %v; want the community's, 69 seats", g, err)
	}
	e.svc.CoreRules.PerCourse = true
	if _, err := e.svc.Register(ctx, groups.RegisterRequest{ChatID: -30, Kind: groups.KindCore, Capacity: 9, By: owner}); shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Fatalf("a per-course core group without a course = %v, want invalid", err)
	}
	if g, err := e.svc.Register(ctx, groups.RegisterRequest{ChatID: -30, Kind: groups.KindCore, Course: "xls", Capacity: 9, By: owner}); err != nil || g.Course != "xls" {
		t.Fatalf("the xls core group = %+v, %v", g, err)
	}
	if _, err := e.svc.Register(ctx, groups.RegisterRequest{ChatID: -40, Kind: groups.KindCore, Course: "xls", Capacity: 9, By: owner}); shequn.ErrorCode(err) != shequn.CodeConflict {
		t.Fatalf("a second xls core group = %v, want a conflict", err)
	}
}

// A chain's title may be 200 characters, not more.
func TestChainTitleLength(t *testing.T) {
	w := newCoreWorld(t, 1, 0)
	w.s.Chains = w.db
	if _, err := w.s.NewChain(t.Context(), 9, "", strings.Repeat("接", 200)); err != nil {
		t.Fatalf("a title of 200 characters: %v", err)
	}
	if _, err := w.s.NewChain(t.Context(), 9, "", strings.Repeat("接", 201)); shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Fatalf("a title of 201 characters = %v, want invalid", err)
	}
}

// Someone invited who arrives without a join request (an administrator
// added them) becomes a member; a student's arrival in a student group is
// recorded as before.
func TestMemberJoinedCoreAndStudent(t *testing.T) {
	w := newCoreWorld(t, 1, 1)
	ctx := t.Context()
	w.mustReconcile()
	if err := w.s.MemberJoined(ctx, w.g.ChatID, 100); err != nil {
		t.Fatal(err)
	}
	if c, _ := w.db.CoreSeat(ctx, "", 100); c.State != groups.CoreMember {
		t.Fatalf("100 = %s, want member", c.State)
	}
	e := newEnv(t)
	e.svc.Core = e.db
	e.group(t, "ppt", -10, 5)
	e.seat(t, "ppt", 7, 1)
	if err := e.svc.MemberJoined(ctx, -10, 7); err != nil {
		t.Fatal(err)
	}
	if s := must(e.db.Seat(ctx, "ppt", 7))(t); s.JoinedAt.IsZero() {
		t.Fatal("a student's arrival was not recorded")
	}
}
