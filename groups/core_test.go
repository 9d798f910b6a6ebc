package groups_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/store/sqlite"
)

// corePlatform is a core group's chat: who is in it, what was done, and a
// removal that starts failing after a number of successes.
type corePlatform struct {
	platform
	mu          sync.Mutex
	members     map[int64]bool
	removed     map[int64]int
	removeLimit int // removals that succeed; -1: all
}

func (p *corePlatform) IsMember(_ context.Context, _, user int64) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.members[user], nil
}

func (p *corePlatform) ApproveJoin(_ context.Context, _, user int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.members[user] = true
	return nil
}

func (p *corePlatform) RemoveMember(_ context.Context, _, user int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.removeLimit == 0 {
		return errors.New("Too Many Requests: retry after 5")
	}
	p.removeLimit--
	p.removed[user]++
	delete(p.members, user)
	return nil
}

// coreNotifier counts the notices by name and reader.
type coreNotifier struct {
	mu   sync.Mutex
	down bool // every Tell fails, as when Telegram is unreachable
	told map[string]map[int64]int
	post map[string]int
	last map[string]shequn.Notice
	// lastTold is the last notice told to each user.
	lastTold map[int64]shequn.Notice
	posted   []shequn.Notice // in order
}

func newCoreNotifier() *coreNotifier {
	return &coreNotifier{told: map[string]map[int64]int{}, post: map[string]int{}, last: map[string]shequn.Notice{},
		lastTold: map[int64]shequn.Notice{}}
}

func (n *coreNotifier) Tell(_ context.Context, user int64, no shequn.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.down {
		return errors.New("Bad Gateway")
	}
	if n.told[no.NoticeName()] == nil {
		n.told[no.NoticeName()] = map[int64]int{}
	}
	n.told[no.NoticeName()][user]++
	n.lastTold[user] = no
	return nil
}

func (n *coreNotifier) Post(_ context.Context, _ int64, no shequn.Notice) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.post[no.NoticeName()]++
	n.last[no.NoticeName()] = no
	n.posted = append(n.posted, no)
	return 1, nil
}

func (n *coreNotifier) Pin(context.Context, int64, int) error { return nil }

// failingMarks is a store that dies after k step records: the process was
// killed between a step on the platform and its record.
type failingMarks struct {
	groups.CoreStore
	left int
}

func (f *failingMarks) MarkCore(ctx context.Context, scope string, user int64, step groups.CoreStep, at time.Time) (bool, error) {
	if f.left == 0 {
		return false, errors.New("killed")
	}
	f.left--
	return f.CoreStore.MarkCore(ctx, scope, user, step, at)
}

type coreWorld struct {
	db   *sqlite.DB
	s    *groups.Service
	p    *corePlatform
	n    *coreNotifier
	g    groups.Group
	now  time.Time
	t    *testing.T
	pass func()
}

func newCoreWorld(t *testing.T, capacity, candidates int) *coreWorld {
	return newCoreWorldIn(t, -500, capacity, candidates)
}

// newCoreWorldIn is a core world whose core group is the chat.
func newCoreWorldIn(t *testing.T, chatID int64, capacity, candidates int) *coreWorld {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &coreWorld{db: db, t: t, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		p: &corePlatform{members: map[int64]bool{}, removed: map[int64]int{}, removeLimit: -1}, n: newCoreNotifier()}
	w.g, err = db.AddGroup(ctx, groups.Group{ChatID: chatID, Kind: groups.KindCore, Capacity: capacity, SetUpAt: w.now})
	if err != nil {
		t.Fatal(err)
	}
	rules := groups.DefaultCoreRules()
	rules.Capacity, rules.BottomN = capacity, 2
	w.s = &groups.Service{
		Store: db, Posts: db, Platform: w.p, Notifier: w.n, Profiles: db, Core: db, CoreRules: rules,
		Now: func() time.Time { return w.now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for u := range int64(candidates) {
		c := groups.CoreSeat{UserID: 100 + u, Score: float64(candidates) - float64(u), QualifiedAt: w.now,
			Reason: groups.Reason{Kind: groups.ReasonExcellent, Excellent: 3, Days: 60}}
		if _, err := db.AddCandidate(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *coreWorld) reconcile() error { return w.s.Reconcile(w.t.Context(), w.now) }

func (w *coreWorld) mustReconcile() {
	w.t.Helper()
	if err := w.reconcile(); err != nil {
		w.t.Fatal(err)
	}
}

// joinAll lets every invited person join.
func (w *coreWorld) joinAll() {
	w.t.Helper()
	invited, err := w.db.CoreSeats(w.t.Context(), "", groups.CoreInvited, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, c := range invited {
		if ok, _, err := w.s.JoinRequest(w.t.Context(), w.g.ChatID, c.UserID); err != nil || !ok {
			w.t.Fatalf("join request of invited %d: %v %v", c.UserID, ok, err)
		}
	}
}

func (w *coreWorld) taken() int {
	n := 0
	for _, st := range []groups.CoreState{groups.CoreInvited, groups.CoreMember} {
		cs, err := w.db.CoreSeats(w.t.Context(), "", st, 0)
		if err != nil {
			w.t.Fatal(err)
		}
		n += len(cs)
	}
	return n
}

// The best candidates are invited into the free seats, told once with the
// way in, approved only for themselves, welcomed once.
func TestCoreInvitesAndJoins(t *testing.T) {
	w := newCoreWorld(t, 3, 5)
	w.mustReconcile()
	w.mustReconcile()
	if got := w.n.told["core_invite"]; len(got) != 3 || got[100] != 1 || got[101] != 1 || got[102] != 1 {
		t.Fatalf("invited %v, want 100, 101, 102 once each", got)
	}
	if ok, _, err := w.s.JoinRequest(t.Context(), w.g.ChatID, 103); err != nil || ok {
		t.Fatalf("join request of a waiting candidate approved: %v %v", ok, err)
	}
	w.joinAll()
	w.mustReconcile()
	w.mustReconcile()
	if w.n.post["core_welcome"] != 3 {
		t.Fatalf("welcomed %d times, want 3", w.n.post["core_welcome"])
	}
	if err := w.s.Protect(t.Context(), 9, "", 100, true); err != nil {
		t.Fatal(err)
	}
	if c, _ := w.db.CoreSeat(t.Context(), "", 100); !c.Protected {
		t.Fatal("protection not stored")
	}
	if h, _ := w.s.History(t.Context(), "", 100); len(h) != 3 || h[2].Kind != groups.EventProtected || h[2].By != 9 {
		t.Fatalf("history of 100 = %+v, want invited, joined, protected by 9", h)
	}
	// One leaves by himself: his seat goes to the next candidate.
	if err := w.s.MemberLeft(t.Context(), w.g.ChatID, 101); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	if ok, _, err := w.s.JoinRequest(t.Context(), w.g.ChatID, 101); err != nil || ok {
		t.Fatalf("a member who left came back without an invitation: %v %v", ok, err)
	}
	if w.n.told["core_invite"][103] != 1 || w.taken() != 3 {
		t.Fatalf("after a leave: invited %v, %d seats taken", w.n.told["core_invite"], w.taken())
	}
}

// An invitation not used within the timeout passes to the next candidate,
// and the expired invitation no longer opens the door.
func TestCoreInvitationExpires(t *testing.T) {
	w := newCoreWorld(t, 1, 2)
	w.mustReconcile()
	w.now = w.now.Add(w.s.CoreRules.InviteTimeout)
	w.mustReconcile()
	if w.n.told["core_invite"][101] != 1 {
		t.Fatalf("invited %v, want the next candidate 101", w.n.told["core_invite"])
	}
	if ok, _, err := w.s.JoinRequest(t.Context(), w.g.ChatID, 100); err != nil || ok {
		t.Fatalf("an expired invitation was approved: %v %v", ok, err)
	}
	h, err := w.s.History(t.Context(), "", 100)
	if err != nil || len(h) != 2 || h[0].Kind != groups.EventInvited || h[1].Kind != groups.EventExpired {
		t.Fatalf("history of 100 = %+v, %v; want invited, expired", h, err)
	}
}

// An elimination killed half-way (the platform failing after one removal,
// the process dying between a removal and its record) is finished by the
// next passes: each leaving member is removed and told once, nobody is
// skipped, and the freed seats are filled once from the queue.
func TestCoreEliminationCrashSafe(t *testing.T) {
	w := newCoreWorld(t, 5, 9)
	ctx := t.Context()
	w.mustReconcile()
	w.joinAll()
	w.mustReconcile()
	w.now = w.now.AddDate(0, 1, 0) // past the grace period
	period := w.s.CorePeriod(w.now)
	for u, p := range map[int64]int{100: 9, 101: 1, 102: 7, 103: 2, 104: 5} {
		if _, err := w.db.AddContribution(ctx, groups.Contribution{UserID: u, Period: period, Source: groups.SourceHomework, Points: p, Key: "hw", At: w.now}); err != nil {
			t.Fatal(err)
		}
	}
	preview, err := w.s.PreviewElimination(ctx, "")
	if err != nil || len(preview) != 2 || preview[0].UserID != 101 || preview[0].Gap != 5 {
		t.Fatalf("preview = %+v, %v; want 101 first, 5 points from safety", preview, err)
	}
	st, err := w.s.Contribution(ctx, "", 104)
	if err != nil || st.Rank != 3 || st.Standing.Points != 5 || st.AtRisk || st.Members != 5 {
		t.Fatalf("standing of 104 = %+v, %v; want third with 5 points, safe", st, err)
	}
	if st, err := w.s.Contribution(ctx, "", 103); err != nil || !st.AtRisk || st.Gap != 4 || st.Rank != 4 {
		t.Fatalf("standing of 103 = %+v, %v; want fourth, at risk, 4 points from safety", st, err)
	}
	if _, err := w.s.Contribution(ctx, "", 999); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("standing of a non-member = %v, want ErrNotFound", err)
	}
	for range 2 {
		if err := w.s.WarnAtRisk(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.n.told["core_warning"]; len(got) != 2 || got[101] != 1 || got[103] != 1 {
		t.Fatalf("warned %v, want 101 and 103 once", got)
	}
	run, err := w.s.Eliminate(ctx, "", period)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Out) != 2 || run.Out[0].UserID != 101 || run.Out[1].UserID != 103 {
		t.Fatalf("run = %+v, want 101 and 103 out", run.Out)
	}
	if _, err := w.s.Eliminate(ctx, "", period); !errors.Is(err, shequn.ErrConflict) {
		t.Fatalf("second elimination of a period = %v, want a conflict", err)
	}
	// Pass 1: Telegram lets one removal through, then answers 429.
	w.p.removeLimit = 1
	w.mustReconcile()
	// Pass 2: the process dies right after the next removal, before its record.
	w.p.removeLimit = -1
	w.now = w.now.Add(time.Hour) // past the back-off
	real := w.s.Core
	w.s.Core = &failingMarks{CoreStore: real, left: 0}
	if err := w.reconcile(); err == nil {
		t.Fatal("a pass whose store died reported no error")
	}
	// Pass 3 and 4: restarted.
	w.s.Core = real
	w.mustReconcile()
	w.mustReconcile()
	for _, u := range []int64{101, 103} {
		if w.p.removed[u] != 1 {
			t.Errorf("member %d removed %d times, want once", u, w.p.removed[u])
		}
		if w.n.told["core_eliminated"][u] != 1 {
			t.Errorf("member %d told %d times, want once", u, w.n.told["core_eliminated"][u])
		}
		c, err := w.db.CoreSeat(ctx, "", u)
		if err != nil || c.State != groups.CoreOut {
			t.Errorf("member %d = %+v, %v; want out", u, c, err)
		}
	}
	if len(w.p.removed) != 2 {
		t.Errorf("removed %v, want only 101 and 103", w.p.removed)
	}
	if got := w.n.told["core_invite"]; got[105] != 1 || got[106] != 1 || got[107] != 0 || w.taken() != 5 {
		t.Errorf("refill invited %v with %d seats taken, want 105 and 106 once and 5 seats", got, w.taken())
	}
	if w.n.post["core_summary"] != 1 {
		t.Errorf("summary posted %d times, want once", w.n.post["core_summary"])
	}
	h, err := w.s.History(ctx, "", 103)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []groups.CoreEventKind
	for _, e := range h {
		kinds = append(kinds, e.Kind)
	}
	if !slices.Equal(kinds, []groups.CoreEventKind{groups.EventInvited, groups.EventJoined, groups.EventEliminated}) ||
		h[2].RunID != run.ID || h[2].Decision.Rank != 4 || h[2].Decision.Points != 2 {
		t.Errorf("history of 103 = %+v", h)
	}
	bye := w.n.lastTold[103].(groups.CoreEliminatedNotice)
	if bye.Decision.Rank != 4 || bye.Decision.Points != 2 || bye.Decision.Gap != 4 || bye.Period != period || bye.Back.IsZero() {
		t.Errorf("elimination notice of 103 = %+v, want rank 4, 2 points, 4 from safety", bye)
	}
	sum := w.n.last["core_summary"].(groups.CoreSummaryNotice)
	if sum.Left != 2 || len(sum.Invited) != 2 || len(sum.Top) != 3 || sum.Top[0] != 100 {
		t.Errorf("summary = %+v", sum)
	}
}

// With an empty queue the freed seats stay free until someone qualifies;
// the run still ends with its summary, posted once.
func TestCoreEliminationEmptyQueue(t *testing.T) {
	w := newCoreWorld(t, 3, 3)
	ctx := t.Context()
	w.mustReconcile()
	w.joinAll()
	w.now = w.now.AddDate(0, 2, 0)
	if q, err := w.s.Candidates(ctx, "", 10); err != nil || len(q) != 0 {
		t.Fatalf("queue = %v, %v; want empty", q, err)
	}
	run, err := w.s.Eliminate(ctx, "", w.s.CorePeriod(w.now))
	if err != nil || len(run.Out) != 2 {
		t.Fatalf("run = %+v, %v", run, err)
	}
	// The process dies after posting the summary, before closing the run.
	w.s.Core = &failingSummary{CoreStore: w.db}
	if err := w.reconcile(); err == nil {
		t.Fatal("a pass whose store died reported no error")
	}
	w.s.Core = w.db
	w.mustReconcile()
	w.mustReconcile()
	if w.taken() != 1 || len(w.p.removed) != 2 || w.n.post["core_summary"] != 1 {
		t.Fatalf("%d seats taken, removed %v, %d summaries; want 1, two, one", w.taken(), w.p.removed, w.n.post["core_summary"])
	}
	if sum := w.n.last["core_summary"].(groups.CoreSummaryNotice); sum.Left != 2 || len(sum.Invited) != 0 {
		t.Fatalf("summary = %+v", sum)
	}
	if err := w.s.Promote(ctx, 9, "", 500); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	if w.n.told["core_invite"][500] != 1 || w.taken() != 2 {
		t.Fatalf("a new candidate was not invited into a free seat: %v", w.n.told["core_invite"])
	}
}

// failingSummary is a store that dies when a run's summary is recorded.
type failingSummary struct{ groups.CoreStore }

func (failingSummary) MarkRunSummary(context.Context, int64, time.Time) error {
	return errors.New("killed")
}

// While the core group refuses the bot's effects nobody is invited: the
// invitation's time would run out while nobody can come in.
func TestCoreGroupWithProblemInvitesNobody(t *testing.T) {
	w := newCoreWorld(t, 2, 2)
	if _, err := w.db.SetGroupProblem(t.Context(), w.g.ID, groups.ProblemRemoved); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	if w.taken() != 0 {
		t.Fatalf("%d invited into a group with a problem", w.taken())
	}
	if _, err := w.db.SetGroupProblem(t.Context(), w.g.ID, ""); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	if w.taken() != 2 || len(w.n.told["core_invite"]) != 2 {
		t.Fatalf("after the problem: %d invited, told %v", w.taken(), w.n.told["core_invite"])
	}
}

// With one core group per course, each course's students fill their own
// course's core group and never the other's.
func TestCoreGroupPerCourse(t *testing.T) {
	w := newCoreWorld(t, 1, 0)
	ctx := t.Context()
	w.s.CoreRules.PerCourse = true
	xls, err := w.db.AddGroup(ctx, groups.Group{ChatID: -600, Kind: groups.KindCore, Course: "xls", Capacity: 1, SetUpAt: w.now})
	if err != nil {
		t.Fatal(err)
	}
	for u, course := range map[int64]string{1: "xls", 2: "xls", 3: "ppt"} {
		if err := w.s.Promote(ctx, 9, w.s.CoreRules.Scope(course), u); err != nil {
			t.Fatal(err)
		}
	}
	w.mustReconcile()
	// The community's core group (scope "") has no candidates; xls's takes one.
	if got := w.n.told["core_invite"]; len(got) != 1 || got[1] != 1 {
		t.Fatalf("invited %v, want only 1 into the xls core group", got)
	}
	if ok, _, err := w.s.JoinRequest(ctx, w.g.ChatID, 1); err != nil || ok {
		t.Fatalf("invited to xls's core group, approved in the other: %v %v", ok, err)
	}
	if ok, _, err := w.s.JoinRequest(ctx, xls.ChatID, 1); err != nil || !ok {
		t.Fatalf("join of the invited: %v %v", ok, err)
	}
}

// An invitation delivered late holds for the whole timeout from its
// delivery.
func TestCoreInvitationCountsFromDelivery(t *testing.T) {
	w := newCoreWorld(t, 1, 2)
	w.n.down = true
	w.mustReconcile()
	w.n.down = false
	w.now = w.now.Add(time.Hour)
	w.mustReconcile()
	got := w.n.told["core_invite"]
	if got[100] != 1 {
		t.Fatalf("invited %v", got)
	}
	w.now = w.now.Add(w.s.CoreRules.InviteTimeout - time.Minute)
	w.mustReconcile()
	if ok, _, err := w.s.JoinRequest(t.Context(), w.g.ChatID, 100); err != nil || !ok {
		t.Fatalf("join within the timeout from delivery: %v %v", ok, err)
	}
}
