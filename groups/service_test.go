package groups_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

var errDown = errors.New("telegram is down")

// Every member is given the group's shared link, so members of one group
// will ask to join another: only the group the seat points to lets them in.
func TestJoinRequests(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	g1, g2 := e.group(t, "ppt", -1, 1), e.group(t, "ppt", -2, 5)
	gx := e.group(t, "xls", -3, 5)
	e.seat(t, "ppt", 10, 1) // in g1, which is full then
	e.seat(t, "ppt", 11, 2) // in g2
	e.seat(t, "xls", 20, 1) // in gx
	e.seat(t, "ppt", 12, 3) // in g2, then refunded
	if err := e.svc.Release(ctx, membership.Enrollment{Course: "ppt", UserID: 12}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name              string
		chat, user        int64
		approved, handled bool
	}{
		{"another group of the course", g2.ChatID, 10, false, true},
		{"another course's group", g1.ChatID, 20, false, true},
		{"no seat", g1.ChatID, 99, false, true},
		{"refunded", g2.ChatID, 12, false, true},
		{"the seat's group", g1.ChatID, 10, true, true},
		{"another seat's group", gx.ChatID, 20, true, true},
		{"a chat the community does not run", -9, 10, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := must(e.db.Groups(ctx))(t)
			seatBefore, seatErr := e.db.Seat(ctx, "ppt", c.user)
			e.chat.ask(c.chat, c.user)
			approved, handled, err := e.svc.JoinRequest(ctx, c.chat, c.user)
			if err != nil || approved != c.approved || handled != c.handled {
				t.Fatalf("JoinRequest = %v, %v, %v; want %v, %v", approved, handled, err, c.approved, c.handled)
			}
			declines, approves := e.chat.count("decline", c.chat, c.user), e.chat.count("approve", c.chat, c.user)
			switch {
			case !c.handled && declines+approves != 0:
				t.Errorf("a foreign chat's request was answered")
			case c.handled && c.approved && (approves != 1 || declines != 0):
				t.Errorf("approved %d, declined %d times; want approved once", approves, declines)
			case c.handled && !c.approved && (approves != 0 || declines != 1):
				t.Errorf("approved %d, declined %d times; want declined once", approves, declines)
			}
			if after := must(e.db.Groups(ctx))(t); !slices.EqualFunc(before, after, func(a, b groups.Group) bool {
				return a.ID == b.ID && a.SeatsUsed == b.SeatsUsed
			}) {
				t.Errorf("seats changed: %+v, then %+v", before, after)
			}
			if seatErr == nil {
				if s := must(e.db.Seat(ctx, "ppt", c.user))(t); s.GroupID != seatBefore.GroupID || s.State != seatBefore.State {
					t.Errorf("seat moved from %+v to %+v", seatBefore, s)
				}
			}
		})
	}
	// The approved member is recorded as arrived, and greeted once.
	if s := must(e.db.Seat(ctx, "ppt", 10))(t); s.JoinedAt.IsZero() || s.GroupID != g1.ID {
		t.Errorf("approved member's seat %+v", s)
	}
	e.reconcile(t)
	e.reconcile(t)
	if got := e.notes.to(g1.ChatID); len(got) != 2 { // the rules, then one greeting
		t.Errorf("g1 got %d notices, want the rules and one greeting", len(got))
	} else if a, ok := got[1].notice.(groups.ArrivalNotice); !ok || len(a.Arrivals) != 1 || a.Arrivals[0].Number != 1 || got[1].pin {
		t.Errorf("greeting %+v", got[1])
	}
	// A request withdrawn before approval is not an error.
	e.seat(t, "ppt", 13, 4)
	approved, handled, err := e.svc.JoinRequest(ctx, g2.ChatID, 13)
	if err != nil || approved || !handled {
		t.Errorf("withdrawn request: %v, %v, %v", approved, handled, err)
	}
	// A platform failure is reported.
	e.chat.failOn("decline", errDown)
	e.chat.ask(g1.ChatID, 99)
	if _, _, err := e.svc.JoinRequest(ctx, g1.ChatID, 99); !errors.Is(err, errDown) {
		t.Errorf("decline failing: %v", err)
	}
	e.chat.failOn("approve", errDown)
	e.chat.ask(g2.ChatID, 11)
	if approved, _, err := e.svc.JoinRequest(ctx, g2.ChatID, 11); !errors.Is(err, errDown) || approved {
		t.Errorf("approve failing: %v, %v", approved, err)
	}
}

func TestRegister(t *testing.T) {
	all := groups.RequiredRights(groups.KindStudent)
	cases := []struct {
		name   string
		r      groups.RegisterRequest
		rights []groups.Right // nil: not an admin
		code   shequn.Code
		right  groups.Right // named as missing
	}{
		{"student group", groups.RegisterRequest{Kind: groups.KindStudent, Course: "ppt", Capacity: 2000}, all, "", ""},
		{"largest", groups.RegisterRequest{Kind: groups.KindStudent, Course: "ppt", Capacity: 200000}, all, "", ""},
		{"smallest", groups.RegisterRequest{Kind: groups.KindStudent, Course: "ppt", Capacity: 1}, all, "", ""},
		{"core group", groups.RegisterRequest{Kind: groups.KindCore, Course: "ppt", Capacity: 69}, groups.RequiredRights(groups.KindCore), "", ""},
		{"capacity 0", groups.RegisterRequest{Kind: groups.KindStudent, Course: "ppt"}, all, shequn.CodeInvalid, ""},
		{"capacity too big", groups.RegisterRequest{Kind: groups.KindStudent, Course: "ppt", Capacity: 200001}, all, shequn.CodeInvalid, ""},
		{"unknown course", groups.RegisterRequest{Kind: groups.KindStudent, Course: "art", Capacity: 5}, all, shequn.CodeNotFound, ""},
		{"unknown kind", groups.RegisterRequest{Kind: "forum", Course: "ppt", Capacity: 5}, all, shequn.CodeInvalid, ""},
		{"not admin", groups.RegisterRequest{Kind: groups.KindStudent, Course: "ppt", Capacity: 5}, nil, shequn.CodeInternal, ""},
		{"no pin right", groups.RegisterRequest{Kind: groups.KindStudent, Course: "ppt", Capacity: 5},
			[]groups.Right{groups.RightInvite, groups.RightRestrict, groups.RightDelete}, shequn.CodeInternal, groups.RightPin},
		{"core without delete right", groups.RegisterRequest{Kind: groups.KindCore, Capacity: 5},
			[]groups.Right{groups.RightInvite, groups.RightRestrict, groups.RightPin}, "", ""},
		{"student without delete right", groups.RegisterRequest{Kind: groups.KindStudent, Course: "ppt", Capacity: 5},
			[]groups.Right{groups.RightInvite, groups.RightRestrict, groups.RightPin}, shequn.CodeInternal, groups.RightDelete},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := t.Context()
			c.r.ChatID, c.r.Title, c.r.By = -100, "学员群", owner
			if c.rights != nil {
				e.chat.admin(-100, c.rights...)
			}
			g, err := e.svc.Register(ctx, c.r)
			if code := shequn.ErrorCode(err); code != c.code {
				t.Fatalf("code %q (%v), want %q", code, err, c.code)
			}
			var missing *groups.MissingRightsError
			if c.code == shequn.CodeInternal {
				if !errors.As(err, &missing) || missing.NotAdmin != (c.rights == nil) || c.right != "" && !slices.Equal(missing.Missing, []groups.Right{c.right}) {
					t.Errorf("error %#v, want the missing right %q named", err, c.right)
				}
			}
			if c.code != "" {
				if gs := must(e.db.Groups(ctx))(t); len(gs) != 0 {
					t.Errorf("a refused registration stored %+v", gs)
				}
				return
			}
			stored := must(e.db.GroupByChat(ctx, -100))(t)
			course := c.r.Course
			if c.r.Kind == groups.KindCore {
				course = ""
			}
			if stored.ID != g.ID || stored.Kind != c.r.Kind || stored.Course != course || stored.Capacity != c.r.Capacity ||
				stored.Ordinal != 1 || stored.RegisteredBy != owner || stored.Title != "学员群" || !stored.SetUpAt.Equal(t0) {
				t.Errorf("stored %+v", stored)
			}
			if mutes, want := e.chat.count("mute", -100), map[groups.Kind]int{groups.KindStudent: 1, groups.KindCore: 0}[c.r.Kind]; mutes != want {
				t.Errorf("muted %d times, want %d", mutes, want)
			}
			posts := e.notes.to(-100)
			if len(posts) != 1 || !posts[0].pin {
				t.Fatalf("posts %+v, want the pinned rules", posts)
			}
			if r, ok := posts[0].notice.(groups.RulesNotice); !ok || r.Group.ID != g.ID {
				t.Errorf("posted %+v", posts[0].notice)
			}
			if e.wakes.Load() == 0 {
				t.Error("the reconciler was not woken")
			}
			if _, err := e.svc.Register(ctx, c.r); shequn.ErrorCode(err) != shequn.CodeConflict {
				t.Errorf("registering again: %v, want a conflict", err)
			}
		})
	}
}

// Members fill the groups of their course in order; when all are full they
// wait, and a new group or a freed seat takes the longest waiting first.
func TestSeatsAndWaitlist(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	g1 := e.group(t, "ppt", -1, 2)
	gx := e.group(t, "xls", -3, 5)
	for u := int64(1); u <= 5; u++ {
		e.seat(t, "ppt", 10+u, int(u))
	}
	want := map[int64]int64{11: g1.ID, 12: g1.ID, 13: 0, 14: 0, 15: 0}
	check := func(when string) {
		t.Helper()
		for u, g := range want {
			s := must(e.db.Seat(ctx, "ppt", u))(t)
			if g == 0 && s.State == groups.SeatSeated || g != 0 && (s.GroupID != g || s.State != groups.SeatSeated) {
				t.Errorf("%s: seat of %d = %s in %d, want group %d", when, u, s.State, s.GroupID, g)
			}
		}
	}
	check("g1 full")
	if n := must(e.db.WaitlistLen(ctx, "ppt"))(t); n != 3 {
		t.Errorf("waitlist %d, want 3", n)
	}
	if s := e.seat(t, "ppt", 11, 1); s.GroupID != g1.ID {
		t.Errorf("seating again moved the member: %+v", s)
	}
	if n := must(e.db.Group(ctx, gx.ID))(t).SeatsUsed; n != 0 {
		t.Errorf("another course's group holds %d", n)
	}
	wakes := e.wakes.Load()
	if err := e.svc.Release(ctx, membership.Enrollment{Course: "ppt", UserID: 12}); err != nil {
		t.Fatal(err)
	}
	want[12], want[13] = 0, g1.ID
	check("after a refund")
	if s := must(e.db.Seat(ctx, "ppt", 12))(t); s.State != groups.SeatReleased {
		t.Errorf("refunded seat %+v", s)
	}
	if e.wakes.Load() == wakes {
		t.Error("a release did not wake the reconciler")
	}
	g2 := e.group(t, "ppt", -2, 1)
	want[14] = g2.ID
	check("after a new group")
	if err := e.svc.Release(ctx, membership.Enrollment{Course: "ppt", UserID: 99}); err != nil {
		t.Errorf("release of someone without a seat: %v", err)
	}
}

// The reconciler tells every seated member the way in (one join link per
// group), tells waiting buyers, removes the refunded and greets arrivals in
// one line; nothing is done twice and a failure is retried next pass.
func TestReconcile(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	g1 := e.group(t, "ppt", -1, 3)
	for u := int64(1); u <= 4; u++ {
		e.seat(t, "ppt", 10+u, int(u))
	}
	if err := e.db.SaveProfile(ctx, membership.Profile{UserID: 11, FirstName: "小明"}); err != nil {
		t.Fatal(err)
	}
	e.notes.failFor(12, errDown)
	e.notes.failFor(13, shequn.ErrUnreachable)
	e.reconcile(t)
	e.reconcile(t)
	link := must(e.db.Group(ctx, g1.ID))(t).JoinLink
	if link == "" || e.chat.count("link", g1.ChatID) != 1 {
		t.Errorf("join link %q made %d times, want once", link, e.chat.count("link", g1.ChatID))
	}
	inv := e.notes.to(11)
	if len(inv) != 1 {
		t.Fatalf("11 got %d notices", len(inv))
	}
	if n, ok := inv[0].notice.(groups.InviteNotice); !ok || n.Link != link || n.Number != 1 || n.Group.ID != g1.ID || n.Course != "ppt" {
		t.Errorf("invite %+v", inv[0].notice)
	}
	if w := e.notes.to(14); len(w) != 1 {
		t.Errorf("the waiting buyer got %d notices", len(w))
	} else if n, ok := w[0].notice.(groups.WaitlistNotice); !ok || n.Number != 4 || n.Course != "ppt" {
		t.Errorf("waitlist notice %+v", w[0].notice)
	}
	if s := must(e.db.Seat(ctx, "ppt", 13))(t); s.InviteSentAt.IsZero() {
		t.Error("an unreachable member is retried forever")
	}
	if s := must(e.db.Seat(ctx, "ppt", 12))(t); !s.InviteSentAt.IsZero() {
		t.Error("a failed invite is marked sent")
	}
	e.notes.failFor(12, nil)
	e.now = e.now.Add(time.Minute) // past the failed step's backoff
	e.reconcile(t)
	if n := len(e.notes.to(12)); n != 1 {
		t.Errorf("after recovery 12 got %d invites, want 1", n)
	}

	// Arrivals are greeted in one line, with the first names known.
	for _, u := range []int64{11, 12, 13} {
		e.chat.setMember(g1.ChatID, u, true)
		if err := e.svc.MemberJoined(ctx, g1.ChatID, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.MemberJoined(ctx, g1.ChatID, 11); err != nil { // seen twice
		t.Fatal(err)
	}
	if err := e.svc.MemberJoined(ctx, g1.ChatID, 99); err != nil { // staff, no seat
		t.Fatal(err)
	}
	e.reconcile(t)
	e.reconcile(t)
	posts := e.notes.to(g1.ChatID)
	if len(posts) != 2 {
		t.Fatalf("g1 got %d posts, want the rules and one greeting", len(posts))
	}
	a := posts[1].notice.(groups.ArrivalNotice)
	if len(a.Arrivals) != 3 || a.Course != "ppt" || a.Arrivals[0] != (groups.Arrival{Number: 1, FirstName: "小明"}) {
		t.Errorf("greeting %+v", a)
	}

	// A refund takes the seat back: out of the group, told, once; the
	// waiting buyer gets the seat and the way in.
	if err := e.svc.Release(ctx, membership.Enrollment{Course: "ppt", UserID: 11}); err != nil {
		t.Fatal(err)
	}
	e.chat.failOn("remove", errDown)
	e.reconcile(t)
	if s := must(e.db.Seat(ctx, "ppt", 11))(t); !s.RemovedAt.IsZero() {
		t.Error("a failed removal is marked done")
	}
	e.chat.failOn("remove", nil)
	e.now = e.now.Add(time.Minute) // past the failed step's backoff
	e.reconcile(t)
	e.reconcile(t)
	if n := e.chat.count("remove", g1.ChatID, 11); n != 2 { // the failed try and the good one
		t.Errorf("removed %d times", n)
	}
	if got := e.notes.to(11); len(got) != 2 {
		t.Errorf("11 got %d notices, want the invite and the removal", len(got))
	} else if n, ok := got[1].notice.(groups.RemovedNotice); !ok || n.Group.ID != g1.ID || n.Number != 1 {
		t.Errorf("removal notice %+v", got[1].notice)
	}
	if got := e.notes.to(14); len(got) != 2 {
		t.Errorf("the waiting buyer got %d notices, want the waitlist and the invite", len(got))
	} else if n, ok := got[1].notice.(groups.InviteNotice); !ok || n.Link != link {
		t.Errorf("invite after waiting %+v", got[1].notice)
	}
}

// A group whose set-up failed at registration is set up by the reconciler,
// once.
func TestSetUpRetried(t *testing.T) {
	e := newEnv(t)
	e.chat.failOn("mute", errDown)
	g := e.group(t, "ppt", -1, 3)
	if s := must(e.db.Group(t.Context(), g.ID))(t); !s.SetUpAt.IsZero() {
		t.Fatal("set up though the mute failed")
	}
	e.reconcile(t)
	e.chat.failOn("mute", nil)
	e.notes.failFor(g.ChatID, errDown)
	e.reconcile(t)
	e.notes.failFor(g.ChatID, nil)
	e.now = e.now.Add(time.Minute)
	e.reconcile(t)
	e.reconcile(t)
	if s := must(e.db.Group(t.Context(), g.ID))(t); !s.SetUpAt.Equal(e.now) {
		t.Errorf("set up at %v, want %v", s.SetUpAt, e.now)
	}
	if posts := e.notes.to(g.ChatID); len(posts) != 1 || !posts[0].pin {
		t.Errorf("rules posted %+v, want once, pinned", posts)
	}
}

// An approval recorded but never seen arriving (the process died after
// approving) is finished by the reconciler; a request gone meanwhile
// leaves the member to ask again.
func TestReconcileFinishesJoins(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	g := e.group(t, "ppt", -1, 5)
	e.seat(t, "ppt", 11, 1)
	e.seat(t, "ppt", 12, 2)
	e.seat(t, "ppt", 13, 3)
	for _, u := range []int64{11, 12, 13} {
		if _, err := e.db.MarkSeat(ctx, "ppt", u, groups.MarkJoinAsked, e.now); err != nil {
			t.Fatal(err)
		}
	}
	e.chat.ask(g.ChatID, 11)             // still pending
	e.chat.setMember(g.ChatID, 12, true) // approved and in
	e.reconcile(t)
	for u, joined := range map[int64]bool{11: true, 12: true, 13: false} {
		s := must(e.db.Seat(ctx, "ppt", u))(t)
		if s.JoinedAt.IsZero() == joined {
			t.Errorf("member %d: %+v, joined %v", u, s, joined)
		}
	}
	if e.chat.count("approve", g.ChatID, 12) != 0 {
		t.Error("a member already in was approved again")
	}
	if pending := must(e.db.PendingSeats(ctx, groups.StageJoin, 10))(t); len(pending) != 0 {
		t.Errorf("joins still pending: %+v", pending)
	}
}

// /me gives a member the way back: the link while they are not in their
// group, nothing more while waiting or in.
func TestWayBack(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	g := e.group(t, "ppt", -1, 1)
	e.seat(t, "ppt", 11, 1)
	e.seat(t, "ppt", 12, 2) // waits
	w := must(e.svc.WayBack(ctx, "ppt", 11))(t)
	if w.Link == "" || w.Group.ID != g.ID || w.Seat.UserID != 11 {
		t.Errorf("way in before joining %+v", w)
	}
	if w := must(e.svc.WayBack(ctx, "ppt", 12))(t); w.Link != "" || w.Group.ID != 0 || w.Seat.State != groups.SeatWaiting {
		t.Errorf("way in while waiting %+v", w)
	}
	if _, err := e.svc.WayBack(ctx, "ppt", 99); !errors.Is(err, shequn.ErrNotFound) {
		t.Errorf("way in without a seat: %v", err)
	}
	e.chat.setMember(g.ChatID, 11, true)
	if err := e.svc.MemberJoined(ctx, g.ChatID, 11); err != nil {
		t.Fatal(err)
	}
	if w := must(e.svc.WayBack(ctx, "ppt", 11))(t); w.Link != "" {
		t.Errorf("a member in the group got a link %+v", w)
	}
	// Left without the bot seeing it: the link, and a greeting on return.
	e.chat.setMember(g.ChatID, 11, false)
	if w := must(e.svc.WayBack(ctx, "ppt", 11))(t); w.Link != must(e.db.Group(ctx, g.ID))(t).JoinLink {
		t.Errorf("way back %+v", w)
	}
	if s := must(e.db.Seat(ctx, "ppt", 11))(t); s.JoinedAt.IsZero() == false {
		t.Errorf("a member who left unseen is still marked in: %+v", s)
	}
	if e.chat.count("link") != 1 {
		t.Errorf("%d links made, want one for the group", e.chat.count("link"))
	}
	// Left, seen.
	e.chat.setMember(g.ChatID, 11, true)
	if err := e.svc.MemberJoined(ctx, g.ChatID, 11); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.MemberLeft(ctx, g.ChatID, 11); err != nil {
		t.Fatal(err)
	}
	if s := must(e.db.Seat(ctx, "ppt", 11))(t); s.LeftAt.IsZero() || !s.JoinedAt.IsZero() {
		t.Errorf("after leaving: %+v", s)
	}
	if err := e.svc.MemberLeft(ctx, -9, 11); err != nil {
		t.Errorf("leaving a foreign chat: %v", err)
	}
}

// A refunded member who buys again before the reconciler removed them is
// taken out of their old group first.
func TestRebuyAfterRefund(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	g := e.group(t, "ppt", -1, 1)
	e.seat(t, "ppt", 11, 1)
	if err := e.svc.Release(ctx, membership.Enrollment{Course: "ppt", UserID: 11}); err != nil {
		t.Fatal(err)
	}
	e.chat.failOn("remove", errDown)
	if err := e.svc.Seat(ctx, membership.Enrollment{Course: "ppt", UserID: 11, Number: 1}); !errors.Is(err, errDown) {
		t.Fatalf("seat with the removal failing: %v", err)
	}
	e.chat.failOn("remove", nil)
	s := e.seat(t, "ppt", 11, 1)
	if s.State != groups.SeatSeated || s.GroupID != g.ID {
		t.Errorf("seat after buying again %+v", s)
	}
	if n := e.chat.count("remove", g.ChatID, 11); n != 2 {
		t.Errorf("removed %d times, want the failed try and one", n)
	}
	e.seat(t, "ppt", 11, 1)
	if n := e.chat.count("remove", g.ChatID, 11); n != 2 {
		t.Errorf("seating again removed again (%d)", n)
	}
}
