package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
)

func candidate(scope string, user int64, score float64, minute int) groups.CoreSeat {
	return groups.CoreSeat{Scope: scope, UserID: user, State: groups.CoreCandidate, Score: score, QualifiedAt: at(minute),
		Reason: groups.Reason{Kind: groups.ReasonExcellent, Excellent: int(score), Days: 60}}
}

func coreUsers(cs []groups.CoreSeat) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.UserID)
	}
	return out
}

func wantUsers(t *testing.T, what string, got []groups.CoreSeat, want ...int64) {
	t.Helper()
	if g := coreUsers(got); !slices.Equal(g, want) {
		t.Fatalf("%s = %v, want %v", what, g, want)
	}
}

// testCoreQueue: candidates are ordered by score, ties by who qualified
// first; free seats go to the best; nobody is a candidate twice; an
// invitation that expires passes to the next, and the expired may qualify
// again.
func testCoreQueue(t *testing.T, s Stores) {
	ctx := t.Context()
	for _, c := range []groups.CoreSeat{
		candidate("", 1, 3, 5), candidate("", 2, 5, 9), candidate("", 3, 3, 2), candidate("", 4, 1, 1), candidate("ppt", 5, 9, 1),
	} {
		if !must(s.AddCandidate(ctx, c))(t) {
			t.Fatalf("AddCandidate(%d) = false", c.UserID)
		}
	}
	if must(s.AddCandidate(ctx, candidate("", 1, 7, 6)))(t) {
		t.Fatal("a candidate added twice")
	}
	wantUsers(t, "queue", must(s.CoreSeats(ctx, "", groups.CoreCandidate, 0))(t), 2, 3, 1, 4)
	c := must(s.CoreSeat(ctx, "", 1))(t)
	if c.Reason.Kind != groups.ReasonExcellent || c.Reason.Excellent != 3 || c.Score != 3 {
		t.Fatalf("candidate 1 = %+v", c)
	}
	if _, err := s.CoreSeat(ctx, "", 99); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("CoreSeat(unknown) = %v, want ErrNotFound", err)
	}
	invited := must(s.InviteNext(ctx, "", 2, at(10), at(100)))(t)
	wantUsers(t, "invited", invited, 2, 3)
	wantUsers(t, "invited again", must(s.InviteNext(ctx, "", 2, at(11), at(101)))(t))
	c = must(s.CoreSeat(ctx, "", 2))(t)
	if c.State != groups.CoreInvited {
		t.Fatalf("state = %s, want invited", c.State)
	}
	sameTime(t, "ExpiresAt", c.ExpiresAt, at(100))
	// 2 joins, 3 lets the invitation expire: the seat passes to 1.
	if !must(s.SetCoreState(ctx, "", 2, groups.CoreInvited, groups.CoreMember, at(20)))(t) {
		t.Fatal("invited → member = false")
	}
	wantUsers(t, "expired before the time", must(s.ExpireInvites(ctx, "", at(99)))(t))
	expired := must(s.ExpireInvites(ctx, "", at(100)))(t)
	wantUsers(t, "expired", expired, 3)
	if expired[0].State != groups.CoreExpired {
		t.Fatalf("expired record = %+v", expired[0])
	}
	sameTime(t, "expired InvitedAt", expired[0].InvitedAt, at(10))
	wantUsers(t, "invited after expiry", must(s.InviteNext(ctx, "", 2, at(101), at(200)))(t), 1)
	if !must(s.AddCandidate(ctx, candidate("", 3, 4, 120)))(t) {
		t.Fatal("an expired invitation cannot qualify again")
	}
	wantUsers(t, "queue at the end", must(s.CoreSeats(ctx, "", groups.CoreCandidate, 0))(t), 3, 4)
	wantUsers(t, "other scope", must(s.CoreSeats(ctx, "ppt", groups.CoreCandidate, 1))(t), 5)
	// A smaller capacity invites nobody and takes no seat back.
	wantUsers(t, "over capacity", must(s.InviteNext(ctx, "", 1, at(130), at(230)))(t))
}

// testCoreSteps: each step is marked once; joining stamps the promotion;
// protection needs a record.
func testCoreSteps(t *testing.T, s Stores) {
	ctx := t.Context()
	must(s.AddCandidate(ctx, candidate("", 1, 3, 1)))(t)
	must(s.InviteNext(ctx, "", 5, at(2), at(50)))(t)
	wantUsers(t, "pending invite", must(s.PendingCore(ctx, groups.CoreStepInvite, 10))(t), 1)
	if !must(s.MarkCore(ctx, "", 1, groups.CoreStepInvite, at(3)))(t) || must(s.MarkCore(ctx, "", 1, groups.CoreStepInvite, at(4)))(t) {
		t.Fatal("invite marked other than once")
	}
	wantUsers(t, "pending invite after mark", must(s.PendingCore(ctx, groups.CoreStepInvite, 10))(t))
	if must(s.SetCoreState(ctx, "", 1, groups.CoreCandidate, groups.CoreMember, at(5)))(t) {
		t.Fatal("moved from a state the record is not in")
	}
	must(s.SetCoreState(ctx, "", 1, groups.CoreInvited, groups.CoreMember, at(6)))(t)
	c := must(s.CoreSeat(ctx, "", 1))(t)
	sameTime(t, "JoinedAt", c.JoinedAt, at(6))
	sameTime(t, "InviteSent", c.InviteSent, at(3))
	sameTime(t, "ExpiresAt after a late delivery", c.ExpiresAt, at(51))
	wantUsers(t, "pending welcome", must(s.PendingCore(ctx, groups.CoreStepWelcome, 10))(t), 1)
	must(s.MarkCore(ctx, "", 1, groups.CoreStepWelcome, at(7)))(t)
	wantUsers(t, "pending welcome after mark", must(s.PendingCore(ctx, groups.CoreStepWelcome, 10))(t))
	ok(t, s.ProtectCore(ctx, "", 1, true))
	if !must(s.CoreSeat(ctx, "", 1))(t).Protected {
		t.Fatal("protection not stored")
	}
	if err := s.ProtectCore(ctx, "", 9, true); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("ProtectCore(unknown) = %v, want ErrNotFound", err)
	}
	// A member who leaves by himself frees the seat and may come back.
	must(s.SetCoreState(ctx, "", 1, groups.CoreMember, groups.CoreLeft, at(8)))(t)
	if !must(s.AddCandidate(ctx, candidate("", 1, 4, 9)))(t) {
		t.Fatal("a member who left cannot qualify again")
	}
	if c := must(s.CoreSeat(ctx, "", 1))(t); c.Protected || !c.JoinedAt.IsZero() {
		t.Fatalf("requalified record kept its past: %+v", c)
	}
}

// testCoreLedger: every entry has its source, author and reason; a key
// counts once; standings sum the period's entries by source.
func testCoreLedger(t *testing.T, s Stores) {
	ctx := t.Context()
	entries := []groups.Contribution{
		{UserID: 1, Period: "2026-03", Source: groups.SourceHomework, Points: 5, Key: "hw:1", At: at(1)},
		{UserID: 1, Period: "2026-03", Source: groups.SourceAward, Points: 3, By: 7, Reason: "wrote chapter 3", Key: "award:1", At: at(2)},
		{UserID: 1, Period: "2026-03", Source: groups.SourceHomework, Points: 2, Key: "hw:2", At: at(3)},
		{UserID: 1, Period: "2026-02", Source: groups.SourceHomework, Points: 50, Key: "hw:0", At: at(0)},
		{UserID: 2, Period: "2026-03", Source: groups.SourceTask, Points: 4, Key: "task:1", At: at(4)},
		{Scope: "ppt", UserID: 2, Period: "2026-03", Source: groups.SourceTask, Points: 40, Key: "task:1", At: at(4)},
	}
	for _, e := range entries {
		if !must(s.AddContribution(ctx, e))(t) {
			t.Fatalf("AddContribution(%s) = false", e.Key)
		}
	}
	if must(s.AddContribution(ctx, groups.Contribution{UserID: 2, Period: "2026-03", Source: groups.SourceTask, Points: 4, Key: "task:1", At: at(5)}))(t) {
		t.Fatal("a finished task added its points twice")
	}
	got := must(s.Standings(ctx, "", "2026-03", []int64{2, 1, 3}))(t)
	want := []groups.Standing{
		{UserID: 2, Points: 4, Parts: []groups.Part{{Source: groups.SourceTask, Points: 4}}},
		{UserID: 1, Points: 10, Parts: []groups.Part{{Source: groups.SourceAward, Points: 3}, {Source: groups.SourceHomework, Points: 7}}},
		{UserID: 3},
	}
	if len(got) != len(want) {
		t.Fatalf("standings = %+v", got)
	}
	for i := range want {
		if got[i].UserID != want[i].UserID || got[i].Points != want[i].Points || !slices.Equal(got[i].Parts, want[i].Parts) {
			t.Fatalf("standing %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	cs := must(s.Contributions(ctx, "", 1, "2026-03"))(t)
	if len(cs) != 3 || cs[1].By != 7 || cs[1].Reason != "wrote chapter 3" || cs[1].Source != groups.SourceAward {
		t.Fatalf("contributions = %+v", cs)
	}
	sameTime(t, "At", cs[2].At, at(3))
}

// testCoreRuns: a run is recorded with its decisions before anything is
// done, once per period; its members are leaving until removed and told;
// it stays open until its summary is posted.
func testCoreRuns(t *testing.T, s Stores) {
	ctx := t.Context()
	for u := int64(1); u <= 4; u++ {
		must(s.AddCandidate(ctx, candidate("", u, 1, int(u))))(t)
	}
	must(s.InviteNext(ctx, "", 4, at(10), at(100)))(t)
	for u := int64(1); u <= 3; u++ {
		must(s.SetCoreState(ctx, "", u, groups.CoreInvited, groups.CoreMember, at(11)))(t)
	}
	// 4 never joined: a decision about him changes nothing.
	run := must(s.RecordRun(ctx, groups.EliminationRun{Scope: "", Period: "2026-03", At: at(20),
		Out: []groups.Decision{{UserID: 1, Rank: 3, Points: 0, Gap: 2}, {UserID: 4}}, TopUsers: []int64{2, 3}}))(t)
	if run.ID == 0 {
		t.Fatal("run without an id")
	}
	if _, err := s.RecordRun(ctx, groups.EliminationRun{Period: "2026-03", At: at(21)}); !errors.Is(err, shequn.ErrConflict) {
		t.Fatalf("second run of a period = %v, want ErrConflict", err)
	}
	c := must(s.CoreSeat(ctx, "", 1))(t)
	if c.State != groups.CoreLeaving || c.RunID != run.ID {
		t.Fatalf("eliminated member = %+v, want leaving in run %d", c, run.ID)
	}
	if c := must(s.CoreSeat(ctx, "", 4))(t); c.State != groups.CoreInvited {
		t.Fatalf("invited non-member = %s, want still invited", c.State)
	}
	ok(t, s.ApplyRun(ctx, run.ID)) // applying again changes nothing
	open := must(s.OpenRuns(ctx))(t)
	if len(open) != 1 || open[0].ID != run.ID || !open[0].Applied || len(open[0].Out) != 2 || open[0].Out[0].Gap != 2 ||
		!slices.Equal(open[0].TopUsers, []int64{2, 3}) {
		t.Fatalf("open runs = %+v", open)
	}
	sameTime(t, "run At", open[0].At, at(20))
	wantUsers(t, "pending tell before remove", must(s.PendingCore(ctx, groups.CoreStepTell, 10))(t))
	wantUsers(t, "pending remove", must(s.PendingCore(ctx, groups.CoreStepRemove, 10))(t), 1)
	if must(s.MarkCore(ctx, "", 1, groups.CoreStepTell, at(22)))(t) {
		t.Fatal("told before removed")
	}
	must(s.MarkCore(ctx, "", 1, groups.CoreStepRemove, at(22)))(t)
	wantUsers(t, "pending tell", must(s.PendingCore(ctx, groups.CoreStepTell, 10))(t), 1)
	if !must(s.MarkCore(ctx, "", 1, groups.CoreStepTell, at(23)))(t) || must(s.MarkCore(ctx, "", 1, groups.CoreStepTell, at(24)))(t) {
		t.Fatal("tell marked other than once")
	}
	if c := must(s.CoreSeat(ctx, "", 1))(t); c.State != groups.CoreOut {
		t.Fatalf("told member = %s, want out", c.State)
	}
	// The seat is free again: invited 4 and members 2, 3 leave one of four.
	must(s.AddCandidate(ctx, candidate("", 5, 1, 30)))(t)
	wantUsers(t, "refill", must(s.InviteNext(ctx, "", 4, at(31), at(131)))(t), 5)
	ok(t, s.MarkRunSummary(ctx, run.ID, at(32)))
	if open := must(s.OpenRuns(ctx))(t); len(open) != 0 {
		t.Fatalf("open runs after the summary = %+v", open)
	}
}

// testCoreHomework: the promotion rule reads excellent submissions reviewed
// in the window, each once, by their grade now, per course; and the
// month's top.
func testCoreHomework(t *testing.T, s Stores) {
	ctx := t.Context()
	a, b, x := assign(t, s, "ppt", 5000), assign(t, s, "ppt", 5000), assign(t, s, "xls", 5000)
	excellent := assignments.GradeExcellent
	review(t, s, submit(t, s, a, 1, 0), 100, excellent, 90, 100)
	s1b := submit(t, s, b, 1, 0)
	review(t, s, s1b, 100, excellent, 95, 101)
	review(t, s, s1b, 101, excellent, 96, 102) // reviewed twice: one submission
	review(t, s, submit(t, s, a, 2, 0), 100, excellent, 80, 100)
	s2b := submit(t, s, b, 2, 0)
	review(t, s, s2b, 100, excellent, 80, 100)
	review(t, s, s2b, 100, assignments.GradeGood, 70, 103)      // corrected away
	review(t, s, submit(t, s, a, 3, 0), 100, excellent, 99, 10) // before the window
	review(t, s, submit(t, s, b, 3, 0), 100, excellent, 99, 100)
	review(t, s, submit(t, s, x, 4, 0), 100, excellent, 99, 100) // another course
	review(t, s, submit(t, s, a, 4, 0), 100, assignments.GradePass, 10, 100)
	got := must(s.ExcellentSince(ctx, "ppt", at(50), 1))(t)
	want := []groups.UserCount{{UserID: 1, N: 2}, {UserID: 2, N: 1}, {UserID: 3, N: 1}}
	if !slices.Equal(got, want) {
		t.Fatalf("ExcellentSince(1) = %v, want %v", got, want)
	}
	if got := must(s.ExcellentSince(ctx, "ppt", at(50), 2))(t); !slices.Equal(got, want[:1]) {
		t.Fatalf("ExcellentSince(2) = %v, want %v", got, want[:1])
	}
	if top := must(s.MonthTop(ctx, "ppt", "2026-03", 2))(t); !slices.Equal(top, []int64{3, 1}) {
		t.Fatalf("MonthTop = %v, want [3 1]", top)
	}
	points := must(s.HomeworkPoints(ctx, "ppt", "2026-03", []int64{1, 2, 3, 9}))(t)
	if len(points) != 3 || points[1] != 186 || points[2] != 150 || points[3] != 198 {
		t.Fatalf("HomeworkPoints = %v, want 1: 186, 2: 150, 3: 198", points)
	}
	if points := must(s.HomeworkPoints(ctx, "ppt", "2026-04", []int64{1}))(t); len(points) != 0 {
		t.Fatalf("HomeworkPoints of another month = %v", points)
	}
}

// testCoreHistory: a person's history keeps each event once per key, with
// its reason, decision and author, oldest first, per scope.
func testCoreHistory(t *testing.T, s Stores) {
	ctx := t.Context()
	events := []groups.CoreEvent{
		{UserID: 1, At: at(1), Kind: groups.EventQualified, Reason: groups.Reason{Kind: groups.ReasonTop, Rank: 2, Month: "2026-03"}, Key: "q:1"},
		{UserID: 1, At: at(3), Kind: groups.EventEliminated, RunID: 4, Decision: groups.Decision{UserID: 1, Rank: 69, Points: 3, Gap: 2}, Key: "run:4"},
		{UserID: 1, At: at(2), Kind: groups.EventProtected, By: 9, Key: "p:2"},
		{Scope: "ppt", UserID: 1, At: at(2), Kind: groups.EventJoined, Key: "j"},
		{UserID: 2, At: at(2), Kind: groups.EventJoined, Key: "j"},
	}
	for _, e := range events {
		if !must(s.AddCoreEvent(ctx, e))(t) {
			t.Fatalf("AddCoreEvent(%s) = false", e.Key)
		}
	}
	if must(s.AddCoreEvent(ctx, groups.CoreEvent{UserID: 1, At: at(5), Kind: groups.EventEliminated, RunID: 4, Key: "run:4"}))(t) {
		t.Fatal("an event written twice")
	}
	h := must(s.CoreHistory(ctx, "", 1))(t)
	if len(h) != 3 || h[0].Key != "q:1" || h[1].Key != "p:2" || h[2].Key != "run:4" {
		t.Fatalf("history = %+v", h)
	}
	if h[0].Reason.Kind != groups.ReasonTop || h[0].Reason.Rank != 2 || h[1].By != 9 || h[2].RunID != 4 ||
		h[2].Decision != (groups.Decision{UserID: 1, Rank: 69, Points: 3, Gap: 2}) || h[2].Kind != groups.EventEliminated {
		t.Fatalf("history = %+v", h)
	}
	sameTime(t, "event At", h[2].At, at(3))
}
