package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// addGroup registers a student group of the course.
func addGroup(t *testing.T, s Stores, course string, chatID int64, capacity int) groups.Group {
	t.Helper()
	return must(s.AddGroup(t.Context(), groups.Group{
		ChatID: chatID, Kind: groups.KindStudent, Course: course, Capacity: capacity, CreatedAt: at(0),
	}))(t)
}

// take asks for a seat for the user, whose number is the user id.
func take(t *testing.T, s Stores, course string, userID int64, minute int) groups.Seat {
	t.Helper()
	return must(s.TakeSeat(t.Context(), groups.SeatRequest{Course: course, UserID: userID, Number: int(userID), At: at(minute)}))(t)
}

// users lists the user ids of seats.
func users(seats []groups.Seat) []int64 {
	ids := make([]int64, len(seats))
	for i, s := range seats {
		ids[i] = s.UserID
	}
	return ids
}

// sameSeat compares seats, their times as instants.
func sameSeat(a, b groups.Seat) bool {
	times := func(s *groups.Seat) []*time.Time {
		return []*time.Time{&s.WaitingSince, &s.SeatedAt, &s.ReleasedAt, &s.InviteSentAt, &s.WaitNotedAt,
			&s.JoinAskedAt, &s.JoinedAt, &s.WelcomedAt, &s.LeftAt, &s.RemovedAt}
	}
	ta, tb := times(&a), times(&b)
	for i := range ta {
		if !ta[i].Equal(*tb[i]) {
			return false
		}
		*ta[i], *tb[i] = time.Time{}, time.Time{}
	}
	return a == b
}

func testSeatsFillGroupsInOrder(t *testing.T, s Stores) {
	ctx := t.Context()
	must(s.AddGroup(ctx, groups.Group{ChatID: -9, Kind: groups.KindCore, Capacity: 69}))(t)
	addGroup(t, s, "xls", -8, 10)
	g1 := addGroup(t, s, "ppt", -1, 2)
	g2 := addGroup(t, s, "ppt", -2, 1)
	steps := []struct {
		user  int64
		state groups.SeatState
		group int64
	}{
		{1, groups.SeatSeated, g1.ID},
		{2, groups.SeatSeated, g1.ID},
		{3, groups.SeatSeated, g2.ID},
		{4, groups.SeatWaiting, 0},
	}
	for i, st := range steps {
		seat := take(t, s, "ppt", st.user, i+1)
		if seat.State != st.state || seat.GroupID != st.group || seat.Number != int(st.user) ||
			seat.Course != "ppt" || seat.UserID != st.user {
			t.Errorf("seat of %d = %+v, want %s in group %d", st.user, seat, st.state, st.group)
		}
		if st.state == groups.SeatSeated {
			sameTime(t, "SeatedAt", seat.SeatedAt, at(i+1))
			sameTime(t, "WaitingSince", seat.WaitingSince, time.Time{})
		} else {
			sameTime(t, "SeatedAt", seat.SeatedAt, time.Time{})
			sameTime(t, "WaitingSince", seat.WaitingSince, at(i+1))
		}
		if again := take(t, s, "ppt", st.user, 50); !sameSeat(again, seat) {
			t.Errorf("seat of %d taken again = %+v, want unchanged %+v", st.user, again, seat)
		}
	}
	for _, id := range []int64{g1.ID, g2.ID} {
		if g := must(s.Group(ctx, id))(t); g.SeatsUsed != g.Capacity {
			t.Errorf("group %d: %d seats used, want %d", g.Ordinal, g.SeatsUsed, g.Capacity)
		}
	}
	if got := must(s.Seats(ctx, 1))(t); len(got) != 1 || got[0].GroupID != g1.ID {
		t.Errorf("seats of user 1 = %+v", got)
	}
	_, err := s.Seat(ctx, "ppt", 99)
	isErr(t, "seat of a stranger", err, shequn.ErrNotFound)
}

func testWaitlistOrder(t *testing.T, s Stores) {
	ctx := t.Context()
	addGroup(t, s, "ppt", -1, 1)
	take(t, s, "ppt", 100, 0)
	// Waiting since: 9 at 1, 3 and 7 at 2, 5 at 3. Ties go by user id.
	for _, w := range []struct {
		user   int64
		minute int
	}{{5, 3}, {9, 1}, {7, 2}, {3, 2}} {
		if seat := take(t, s, "ppt", w.user, w.minute); seat.State != groups.SeatWaiting {
			t.Fatalf("seat of %d = %+v, want waiting", w.user, seat)
		}
	}
	g2 := addGroup(t, s, "ppt", -2, 2)
	if g2.Ordinal != 2 {
		t.Errorf("second group has ordinal %d", g2.Ordinal)
	}
	// A group has room now, but others wait: the newcomer queues behind them.
	if seat := take(t, s, "ppt", 1, 4); seat.State != groups.SeatWaiting {
		t.Errorf("newcomer = %+v, want waiting behind the waitlist", seat)
	}
	if n := must(s.WaitlistLen(ctx, "ppt"))(t); n != 5 {
		t.Errorf("waitlist length %d, want 5", n)
	}
	seated := must(s.FillWaitlist(ctx, "ppt", at(5)))(t)
	if got := users(seated); !slices.Equal(got, []int64{9, 3}) {
		t.Fatalf("first fill seated %v, want [9 3]", got)
	}
	for _, seat := range seated {
		if seat.State != groups.SeatSeated || seat.GroupID != g2.ID {
			t.Errorf("filled seat %+v, want seated in group %d", seat, g2.ID)
		}
		sameTime(t, "filled SeatedAt", seat.SeatedAt, at(5))
		if got := must(s.Seat(ctx, "ppt", seat.UserID))(t); !sameSeat(got, seat) {
			t.Errorf("stored seat %+v, want %+v", got, seat)
		}
	}
	if g := must(s.Group(ctx, g2.ID))(t); g.SeatsUsed != 2 {
		t.Errorf("group 2 has %d seats used, want 2", g.SeatsUsed)
	}
	if n := must(s.WaitlistLen(ctx, "ppt"))(t); n != 3 {
		t.Errorf("waitlist length %d, want 3", n)
	}
	if seated := must(s.FillWaitlist(ctx, "ppt", at(6)))(t); len(seated) != 0 {
		t.Errorf("fill with every group full seated %v", users(seated))
	}
	g3 := addGroup(t, s, "ppt", -3, 10)
	seated = must(s.FillWaitlist(ctx, "ppt", at(7)))(t)
	if got := users(seated); !slices.Equal(got, []int64{7, 5, 1}) {
		t.Errorf("second fill seated %v, want [7 5 1]", got)
	}
	if g := must(s.Group(ctx, g3.ID))(t); g.SeatsUsed != 3 {
		t.Errorf("group 3 has %d seats used, want 3", g.SeatsUsed)
	}
	if n := must(s.WaitlistLen(ctx, "ppt"))(t); n != 0 {
		t.Errorf("waitlist length %d, want 0", n)
	}
}

func testReleaseSeat(t *testing.T, s Stores) {
	ctx := t.Context()
	g := addGroup(t, s, "ppt", -1, 1)
	take(t, s, "ppt", 1, 1)
	take(t, s, "ppt", 2, 1)
	for _, m := range []groups.Mark{groups.MarkInviteSent, groups.MarkJoined, groups.MarkWelcomed} {
		must(s.MarkSeat(ctx, "ppt", 1, m, at(1)))(t)
	}

	seat := must(s.ReleaseSeat(ctx, "ppt", 1, at(2)))(t)
	if seat.State != groups.SeatReleased || seat.GroupID != g.ID {
		t.Errorf("released seat %+v, want released, group %d kept", seat, g.ID)
	}
	sameTime(t, "ReleasedAt", seat.ReleasedAt, at(2))
	if again := must(s.ReleaseSeat(ctx, "ppt", 1, at(3)))(t); !sameSeat(again, seat) {
		t.Errorf("released again = %+v, want unchanged %+v", again, seat)
	}
	if got := must(s.Group(ctx, g.ID))(t); got.SeatsUsed != 0 {
		t.Errorf("group has %d seats used after release, want 0", got.SeatsUsed)
	}
	_, err := s.ReleaseSeat(ctx, "ppt", 99, at(3))
	isErr(t, "release without seat", err, shequn.ErrNotFound)
	_, err = s.SeatInGroup(ctx, g.ID, 1)
	isErr(t, "released seat in group", err, shequn.ErrNotFound)

	if got := users(must(s.FillWaitlist(ctx, "ppt", at(4)))(t)); !slices.Equal(got, []int64{2}) {
		t.Fatalf("fill after release seated %v, want [2]", got)
	}
	if got := must(s.SeatInGroup(ctx, g.ID, 2))(t); got.UserID != 2 || got.State != groups.SeatSeated {
		t.Errorf("seat in group = %+v", got)
	}
	if got := must(s.Group(ctx, g.ID))(t); got.SeatsUsed != 1 {
		t.Errorf("group has %d seats used, want 1", got.SeatsUsed)
	}

	// Releasing a waiting seat frees nothing.
	take(t, s, "ppt", 3, 5)
	if got := must(s.ReleaseSeat(ctx, "ppt", 3, at(5)))(t); got.State != groups.SeatReleased || got.GroupID != 0 {
		t.Errorf("released waiting seat = %+v", got)
	}
	_, err = s.SeatInGroup(ctx, g.ID, 3)
	isErr(t, "waiting seat in group", err, shequn.ErrNotFound)
	if got := must(s.Group(ctx, g.ID))(t); got.SeatsUsed != 1 {
		t.Errorf("group has %d seats used, want 1", got.SeatsUsed)
	}

	// Buying again starts afresh: no link, no progress.
	seat = take(t, s, "ppt", 1, 6)
	want := groups.Seat{Course: "ppt", UserID: 1, Number: 1, State: groups.SeatWaiting, WaitingSince: at(6)}
	if !sameSeat(seat, want) {
		t.Errorf("seat taken after release = %+v, want %+v", seat, want)
	}
	must(s.ReleaseSeat(ctx, "ppt", 2, at(7)))(t)
	if got := users(must(s.FillWaitlist(ctx, "ppt", at(7)))(t)); !slices.Equal(got, []int64{1}) {
		t.Errorf("fill seated %v, want [1]: a released member does not wait", got)
	}
}

func testMarkSeat(t *testing.T, s Stores) {
	ctx := t.Context()
	addGroup(t, s, "ppt", -1, 1)
	take(t, s, "ppt", 1, 0)
	take(t, s, "ppt", 2, 0)
	steps := []struct {
		user   int64
		mark   groups.Mark
		minute int
		want   bool
		check  func(groups.Seat) bool
	}{
		{1, groups.MarkInviteSent, 1, true, func(s groups.Seat) bool { return s.InviteSentAt.Equal(at(1)) }},
		{1, groups.MarkInviteSent, 2, false, func(s groups.Seat) bool { return s.InviteSentAt.Equal(at(1)) }},
		{1, groups.MarkJoinAsked, 3, true, func(s groups.Seat) bool { return s.JoinAskedAt.Equal(at(3)) }},
		{1, groups.MarkJoinAsked, 4, false, func(s groups.Seat) bool { return s.JoinAskedAt.Equal(at(3)) }},
		{1, groups.MarkJoined, 5, true, func(s groups.Seat) bool { return s.JoinedAt.Equal(at(5)) && s.JoinAskedAt.IsZero() }},
		{1, groups.MarkJoined, 6, false, func(s groups.Seat) bool { return s.JoinedAt.Equal(at(5)) }},
		{1, groups.MarkWelcomed, 7, true, func(s groups.Seat) bool { return s.WelcomedAt.Equal(at(7)) }},
		{1, groups.MarkWelcomed, 8, false, func(s groups.Seat) bool { return s.WelcomedAt.Equal(at(7)) }},
		{1, groups.MarkLeft, 9, true, func(s groups.Seat) bool {
			return s.LeftAt.Equal(at(9)) && s.JoinedAt.IsZero() && s.WelcomedAt.IsZero() && s.JoinAskedAt.IsZero()
		}},
		{1, groups.MarkLeft, 10, false, func(s groups.Seat) bool { return s.LeftAt.Equal(at(9)) }},
		{1, groups.MarkJoinAsked, 11, true, func(s groups.Seat) bool { return s.JoinAskedAt.Equal(at(11)) }},
		{1, groups.MarkJoined, 12, true, func(s groups.Seat) bool {
			return s.JoinedAt.Equal(at(12)) && s.LeftAt.IsZero() && s.JoinAskedAt.IsZero()
		}},
		{1, groups.MarkWelcomed, 13, true, func(s groups.Seat) bool { return s.WelcomedAt.Equal(at(13)) }},
		{1, groups.MarkInviteSent, 14, false, func(s groups.Seat) bool { return s.InviteSentAt.Equal(at(1)) }},
		{2, groups.MarkWaitNoted, 1, true, func(s groups.Seat) bool { return s.WaitNotedAt.Equal(at(1)) }},
		{2, groups.MarkWaitNoted, 2, false, func(s groups.Seat) bool { return s.WaitNotedAt.Equal(at(1)) }},
	}
	for i, st := range steps {
		changed := must(s.MarkSeat(ctx, "ppt", st.user, st.mark, at(st.minute)))(t)
		seat := must(s.Seat(ctx, "ppt", st.user))(t)
		if changed != st.want || !st.check(seat) {
			t.Errorf("step %d: mark %s of %d at %d: changed %v (want %v), seat %+v", i, st.mark, st.user, st.minute, changed, st.want, seat)
		}
	}
	must(s.ReleaseSeat(ctx, "ppt", 1, at(20)))(t)
	for i, want := range []bool{true, false} {
		if changed := must(s.MarkSeat(ctx, "ppt", 1, groups.MarkRemoved, at(21+i)))(t); changed != want {
			t.Errorf("removed #%d: changed %v, want %v", i+1, changed, want)
		}
	}
	if seat := must(s.Seat(ctx, "ppt", 1))(t); !seat.RemovedAt.Equal(at(21)) {
		t.Errorf("RemovedAt = %v, want %v", seat.RemovedAt, at(21))
	}
}

func testPendingSeats(t *testing.T, s Stores) {
	ctx := t.Context()
	addGroup(t, s, "ppt", -1, 3)
	addGroup(t, s, "xls", -2, 1)
	mark := func(course string, user int64, m groups.Mark, minute int) {
		t.Helper()
		must(s.MarkSeat(ctx, course, user, m, at(minute)))(t)
	}
	take(t, s, "ppt", 1, 1) // invite pending
	take(t, s, "ppt", 2, 2)
	mark("ppt", 2, groups.MarkInviteSent, 2)
	mark("ppt", 2, groups.MarkJoinAsked, 5) // join pending
	take(t, s, "ppt", 3, 3)
	mark("ppt", 3, groups.MarkInviteSent, 3)
	mark("ppt", 3, groups.MarkJoined, 4) // welcome pending
	take(t, s, "ppt", 4, 4)              // waitnote pending
	take(t, s, "ppt", 5, 5)
	mark("ppt", 5, groups.MarkWaitNoted, 5)
	take(t, s, "xls", 6, 1)
	must(s.ReleaseSeat(ctx, "xls", 6, at(6)))(t) // remove pending
	take(t, s, "xls", 7, 7)                      // invite pending
	take(t, s, "xls", 8, 8)                      // waitnote pending
	take(t, s, "ppt", 9, 9)
	must(s.ReleaseSeat(ctx, "ppt", 9, at(9)))(t) // remove pending

	want := map[groups.Stage][]int64{
		groups.StageInvite:   {1, 7},
		groups.StageWaitNote: {4, 8},
		groups.StageJoin:     {2},
		groups.StageWelcome:  {3},
		groups.StageRemove:   {6, 9},
	}
	for stage, ids := range want {
		if got := users(must(s.PendingSeats(ctx, stage, 10))(t)); !slices.Equal(got, ids) {
			t.Errorf("pending %s = %v, want %v", stage, got, ids)
		}
		if got := users(must(s.PendingSeats(ctx, stage, 1))(t)); !slices.Equal(got, ids[:1]) {
			t.Errorf("pending %s, limit 1 = %v, want %v", stage, got, ids[:1])
		}
	}

	mark("ppt", 1, groups.MarkInviteSent, 10)
	mark("xls", 8, groups.MarkWaitNoted, 10)
	mark("ppt", 2, groups.MarkJoined, 10)
	mark("ppt", 3, groups.MarkWelcomed, 10)
	mark("xls", 6, groups.MarkRemoved, 10)
	want = map[groups.Stage][]int64{
		groups.StageInvite:   {7},
		groups.StageWaitNote: {4},
		groups.StageJoin:     nil,
		groups.StageWelcome:  {2},
		groups.StageRemove:   {9},
	}
	for stage, ids := range want {
		if got := users(must(s.PendingSeats(ctx, stage, 10))(t)); !slices.Equal(got, ids) {
			t.Errorf("after marks, pending %s = %v, want %v", stage, got, ids)
		}
	}
}
