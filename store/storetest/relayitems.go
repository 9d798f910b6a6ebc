package storetest

import (
	"slices"
	"testing"

	"github.com/shequn/shequn/sessions"
)

// testRelayItems: what a relayed or broadcast message holds for a
// platform that sends it again (QQ) comes back as it was stored, item by
// item, and a message stored without any comes back without any.
func testRelayItems(t *testing.T, s Stores) {
	ctx := t.Context()
	x := must(s.AddSession(ctx, sessions.Session{Course: "ppt", StartAt: at(900), Topic: "items", Speaker: 1, State: sessions.Scheduled, CreatedAt: at(0)}))(t)
	items := []string{`{"text":"第一张 <b>&"}`, `{"photo":"https://multimedia.nt.qq.com/x.jpg"}`}
	must(s.AddRelay(ctx, x.ID, sessions.MessageRef{ChatID: 7, MessageIDs: []int{1, 2}, Album: "a", Items: items}, at(901)))(t)
	must(s.AddRelay(ctx, x.ID, sessions.MessageRef{ChatID: 7, MessageIDs: []int{3}}, at(902)))(t)
	rs := must(s.Relays(ctx, x.ID))(t)
	if len(rs) != 2 || !slices.Equal(rs[0].Ref.Items, items) || len(rs[1].Ref.Items) != 0 {
		t.Errorf("relays' items = %+v", rs)
	}
	b := must(s.AddBroadcast(ctx, sessions.Broadcast{Ref: sessions.MessageRef{ChatID: 7, MessageIDs: []int{1, 2}, Items: items}, By: 1, State: sessions.Sending, CreatedAt: at(0)}))(t)
	if got := must(s.Broadcast(ctx, b.ID))(t); !slices.Equal(got.Ref.Items, items) {
		t.Errorf("broadcast's items = %q, want %q", got.Ref.Items, items)
	}
	plain := must(s.AddBroadcast(ctx, sessions.Broadcast{Ref: sessions.MessageRef{ChatID: 7, MessageIDs: []int{4}}, By: 1, State: sessions.Sending, CreatedAt: at(0)}))(t)
	if got := must(s.Broadcast(ctx, plain.ID))(t); len(got.Ref.Items) != 0 {
		t.Errorf("a broadcast stored without items has %q", got.Ref.Items)
	}
}
