package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

func testAddGroup(t *testing.T, s Stores) {
	ctx := t.Context()
	adds := []struct {
		chat    int64
		kind    groups.Kind
		course  string
		ordinal int
	}{
		{-1, groups.KindStudent, "ppt", 1},
		{-2, groups.KindStudent, "ppt", 2},
		{-3, groups.KindStudent, "xls", 1},
		{-4, groups.KindCore, "", 1},
		{-5, groups.KindStudent, "ppt", 3},
	}
	ids := map[int64]int64{}
	for _, a := range adds {
		in := groups.Group{ChatID: a.chat, Kind: a.kind, Course: a.course, Title: "学员群", Capacity: 2000,
			SeatsUsed: 5, RegisteredBy: 42, CreatedAt: at(1)}
		g := must(s.AddGroup(ctx, in))(t)
		if g.ID == 0 || g.Ordinal != a.ordinal || g.ChatID != a.chat || g.Kind != a.kind || g.Course != a.course ||
			g.Title != in.Title || g.Capacity != 2000 || g.SeatsUsed != 0 || g.RegisteredBy != 42 {
			t.Errorf("added group %+v, want ordinal %d of %s %q with no seat used", g, a.ordinal, a.kind, a.course)
		}
		sameTime(t, "CreatedAt", g.CreatedAt, at(1))
		sameTime(t, "SetUpAt", g.SetUpAt, time.Time{})
		ids[a.chat] = g.ID
	}
	_, err := s.AddGroup(ctx, groups.Group{ChatID: -2, Kind: groups.KindStudent, Course: "xls", Capacity: 10})
	isErr(t, "duplicate chat", err, shequn.ErrConflict)

	all := must(s.Groups(ctx))(t)
	var order []int64
	for _, g := range all {
		order = append(order, g.ChatID)
	}
	if want := []int64{-4, -1, -2, -5, -3}; !slices.Equal(order, want) {
		t.Errorf("groups by kind, course, ordinal: chats %v, want %v", order, want)
	}

	g := must(s.GroupByChat(ctx, -5))(t)
	if g.ID != ids[-5] || g.Ordinal != 3 {
		t.Errorf("group by chat -5 = %+v", g)
	}
	ok(t, s.MarkGroupSetUp(ctx, g.ID, at(2)))
	ok(t, s.SetJoinLink(ctx, g.ID, "https://t.me/+join"))
	g = must(s.Group(ctx, g.ID))(t)
	sameTime(t, "SetUpAt", g.SetUpAt, at(2))
	if g.JoinLink != "https://t.me/+join" || g.ChatID != -5 {
		t.Errorf("group = %+v, want join link stored", g)
	}
	ok(t, s.SetGroupCapacity(ctx, g.ID, 7))
	if g = must(s.Group(ctx, g.ID))(t); g.Capacity != 7 || g.JoinLink != "https://t.me/+join" {
		t.Errorf("group = %+v, want capacity 7, the rest unchanged", g)
	}
	isErr(t, "capacity of an unknown group", s.SetGroupCapacity(ctx, 1<<40, 7), shequn.ErrNotFound)
	_, err = s.Group(ctx, 1<<40)
	isErr(t, "unknown group", err, shequn.ErrNotFound)
	_, err = s.GroupByChat(ctx, 12345)
	isErr(t, "unknown chat", err, shequn.ErrNotFound)
}
