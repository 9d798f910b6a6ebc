package groups_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// Steps of one pass share a time; the history shows them in the cycle's
// order whatever their keys: qualified, invited, joined.
func TestHistoryKeepsTheCycleOrder(t *testing.T) {
	w := newCoreWorld(t, 1, 0)
	ctx := t.Context()
	for _, e := range []struct {
		key  string
		kind groups.CoreEventKind
	}{{"a", groups.EventJoined}, {"b", groups.EventInvited}, {"c", groups.EventQualified}} {
		if _, err := w.db.AddCoreEvent(ctx, groups.CoreEvent{UserID: 7, At: w.now, Kind: e.kind, Key: e.key}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.db.AddCoreEvent(ctx, groups.CoreEvent{UserID: 7, At: w.now.Add(-time.Hour), Kind: groups.EventLeft, Key: "z"}); err != nil {
		t.Fatal(err)
	}
	h, err := w.s.History(ctx, "", 7)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []groups.CoreEventKind
	for _, e := range h {
		kinds = append(kinds, e.Kind)
	}
	want := []groups.CoreEventKind{groups.EventLeft, groups.EventQualified, groups.EventInvited, groups.EventJoined}
	if !slices.Equal(kinds, want) {
		t.Fatalf("history = %v, want %v", kinds, want)
	}
}

// banningPlatform bans and then fails to lift the ban once, as when the
// process dies between Telegram's ban and unban.
type banningPlatform struct {
	*corePlatform
	banned   map[int64]bool
	failOnce bool
}

func (p *banningPlatform) RemoveMember(ctx context.Context, chat, user int64) error {
	if err := p.corePlatform.RemoveMember(ctx, chat, user); err != nil {
		return err
	}
	p.banned[user] = true
	if p.failOnce {
		p.failOnce = false
		return errors.New("unbanChatMember: Bad Gateway")
	}
	delete(p.banned, user)
	return nil
}

func (p *banningPlatform) LiftBan(_ context.Context, _, user int64) error {
	delete(p.banned, user)
	return nil
}

// A removal that died between the ban and its lifting is finished by the
// next pass: the member is not removed again, and the ban is lifted, so
// that new work can bring them back.
func TestCoreRemovalLiftsABanLeftBehind(t *testing.T) {
	w := newCoreWorld(t, 3, 3)
	ctx := t.Context()
	bp := &banningPlatform{corePlatform: w.p, banned: map[int64]bool{}, failOnce: true}
	w.s.Platform = bp
	w.mustReconcile()
	w.joinAll()
	w.now = w.now.AddDate(0, 2, 0)
	if _, err := w.s.Eliminate(ctx, "", w.s.CorePeriod(w.now)); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	w.now = w.now.Add(time.Hour) // past the back-off
	w.mustReconcile()
	if len(bp.banned) != 0 {
		t.Fatalf("banned after the passes: %v, want nobody", bp.banned)
	}
	for u, n := range w.p.removed {
		if n != 1 {
			t.Errorf("member %d removed %d times, want once", u, n)
		}
	}
	if len(w.p.removed) != 2 || w.n.told["core_eliminated"] == nil || len(w.n.told["core_eliminated"]) != 2 {
		t.Fatalf("removed %v, told %v; want two members, each once", w.p.removed, w.n.told["core_eliminated"])
	}
}

// More seats go to the queue at the next pass; fewer take nobody out, and
// a member who leaves is not replaced until the circle fits its seats.
func TestCoreCapacityChange(t *testing.T) {
	w := newCoreWorld(t, 2, 6)
	ctx := t.Context()
	w.mustReconcile()
	if w.taken() != 2 {
		t.Fatalf("%d seats taken, want 2", w.taken())
	}
	if _, err := w.s.SetCoreCapacity(ctx, w.g.ChatID, 4); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	if got := w.n.told["core_invite"]; w.taken() != 4 || got[102] != 1 || got[103] != 1 || got[104] != 0 {
		t.Fatalf("after growing to 4: %d taken, invited %v; want 102 and 103 added", w.taken(), got)
	}
	w.joinAll()
	if _, err := w.s.SetCoreCapacity(ctx, w.g.ChatID, 2); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	if w.taken() != 4 || len(w.p.removed) != 0 {
		t.Fatalf("after shrinking to 2: %d taken, removed %v; want the 4 kept", w.taken(), w.p.removed)
	}
	for i, u := range []int64{100, 101, 102} {
		if err := w.s.MemberLeft(ctx, w.g.ChatID, u); err != nil {
			t.Fatal(err)
		}
		w.mustReconcile()
		if want := max(3-i, 2); w.taken() != want {
			t.Fatalf("after %d left: %d taken, want %d", u, w.taken(), want)
		}
	}
	if w.n.told["core_invite"][104] != 1 || w.n.told["core_invite"][105] != 0 {
		t.Fatalf("invited %v, want 104 only once the circle fits", w.n.told["core_invite"])
	}
	if _, err := w.s.SetCoreCapacity(ctx, w.g.ChatID, 0); shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Fatalf("capacity 0 = %v, want invalid", err)
	}
	if _, err := w.s.SetCoreCapacity(ctx, -1234, 5); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("capacity of an unknown chat = %v, want not found", err)
	}
}
