package storetest

import (
	"slices"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

func testEventInbox(t *testing.T, s Stores) {
	ctx := t.Context()
	events := []membership.PaymentEvent{
		{ID: "evt_d", Kind: membership.EventPaid, Created: at(2), Received: at(2)},
		{ID: "evt_b", Kind: membership.EventRefunded, PaymentIntent: "pi_1", Created: at(1), Received: at(5)},
		{ID: "evt_a", Kind: membership.EventPaid, OrderID: "cs_1", PaymentIntent: "pi_1", Course: "ppt", UserID: 7,
			Amount: 19900, Currency: "cny", Created: at(1), Received: at(5)},
		{ID: "evt_c", Kind: membership.EventDisputed, PaymentIntent: "pi_2", Created: at(1), Received: at(4)},
	}
	for _, e := range events {
		if added := must(s.AddEvent(ctx, e))(t); !added {
			t.Errorf("event %s not new", e.ID)
		}
	}
	dup := events[2]
	dup.Kind, dup.Created = membership.EventDisputed, at(0)
	if added := must(s.AddEvent(ctx, dup))(t); added {
		t.Errorf("duplicate event %s added", dup.ID)
	}

	pending := must(s.PendingEvents(ctx, 10))(t)
	if got, want := eventIDs(pending), []string{"evt_c", "evt_a", "evt_b", "evt_d"}; !slices.Equal(got, want) {
		t.Fatalf("pending %v, want %v (created, then received, then id)", got, want)
	}
	a, want := pending[1], events[2]
	if a.Kind != want.Kind || a.OrderID != want.OrderID || a.PaymentIntent != want.PaymentIntent ||
		a.Course != want.Course || a.UserID != want.UserID || a.Amount != want.Amount || a.Currency != want.Currency {
		t.Errorf("stored event %+v, want %+v", a, want)
	}
	sameTime(t, "Created", a.Created, want.Created)
	sameTime(t, "Received", a.Received, want.Received)
	if got := eventIDs(must(s.PendingEvents(ctx, 2))(t)); !slices.Equal(got, []string{"evt_c", "evt_a"}) {
		t.Errorf("pending, limit 2 = %v", got)
	}

	ok(t, s.FinishEvent(ctx, "evt_c", "enrolled", at(6)))
	ok(t, s.FinishEvent(ctx, "evt_b", "still_active", at(6)))
	if got := eventIDs(must(s.PendingEvents(ctx, 10))(t)); !slices.Equal(got, []string{"evt_a", "evt_d"}) {
		t.Errorf("pending after finishing = %v", got)
	}
	if added := must(s.AddEvent(ctx, events[3]))(t); added {
		t.Errorf("finished event %s added again", events[3].ID)
	}
}

func eventIDs(es []membership.PaymentEvent) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

func testProfiles(t *testing.T, s Stores) {
	ctx := t.Context()
	_, err := s.Profile(ctx, 1)
	isErr(t, "unknown profile", err, shequn.ErrNotFound)

	p := membership.Profile{UserID: 1, Username: "li", FirstName: "Li", LanguageCode: "zh-hans", UpdatedAt: at(1)}
	ok(t, s.SaveProfile(ctx, p))
	got := must(s.Profile(ctx, 1))(t)
	if got.UserID != 1 || got.Username != "li" || got.FirstName != "Li" || got.LanguageCode != "zh-hans" || got.Language != "" {
		t.Errorf("profile = %+v, want %+v", got, p)
	}
	sameTime(t, "UpdatedAt", got.UpdatedAt, at(1))

	ok(t, s.SetLanguage(ctx, 1, "en"))
	p.Username, p.LanguageCode, p.Language, p.UpdatedAt = "li2", "zh-hant", "zh", at(2)
	ok(t, s.SaveProfile(ctx, p))
	got = must(s.Profile(ctx, 1))(t)
	if got.Username != "li2" || got.LanguageCode != "zh-hant" || got.Language != "en" {
		t.Errorf("profile after save = %+v, want new username and code, language en kept", got)
	}
	sameTime(t, "UpdatedAt", got.UpdatedAt, at(2))

	ok(t, s.SetLanguage(ctx, 2, "zh"))
	if got := must(s.Profile(ctx, 2))(t); got.UserID != 2 || got.Language != "zh" {
		t.Errorf("profile made by SetLanguage = %+v", got)
	}
}
