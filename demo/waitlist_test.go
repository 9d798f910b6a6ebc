package demo

import (
	"testing"
	"time"

	"github.com/shequn/shequn/bot/telegramtest"
)

// The owners' "all groups full" alert follows the waitlist: one alert per
// episode however many buyers arrive at once, retried until delivered, a
// reminder every 24 hours while people wait, and a new alert for the next
// episode.
func TestWaitlistAlertFollowsTheWaitlist(t *testing.T) {
	h := mustStart(t)
	community(t, h, 1)
	buyer(t, h, 42, "en")
	_, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	alerts := func() int { return count(botTexts(h, h.Owner), "已全部满员") }
	// A burst of buyers into full groups.
	for _, u := range []int64{43, 44, 45} {
		payQuietly(t, h, u)
	}
	must(t, h.Step(t.Context()))
	must(t, h.Step(t.Context()))
	if n := alerts(); n != 1 {
		t.Fatalf("alerts after a burst of buyers = %d, want 1", n)
	}
	h.Clock.Advance(23 * time.Hour)
	must(t, h.Step(t.Context()))
	if n := alerts(); n != 1 {
		t.Fatalf("alerts within a day = %d, want 1", n)
	}
	h.Clock.Advance(time.Hour)
	must(t, h.Step(t.Context()))
	if n := alerts(); n != 2 {
		t.Fatalf("alerts after 24 hours of waiting = %d, want 2 (a reminder)", n)
	}
	// A reminder that cannot be delivered is retried until it is.
	must(t, h.TG.BlockBot(h.Owner))
	h.Clock.Advance(24 * time.Hour)
	must(t, h.Step(t.Context()))
	must(t, h.TG.UnblockBot(h.Owner))
	h.Clock.Advance(time.Minute)
	must(t, h.Step(t.Context()))
	if n := alerts(); n != 3 {
		t.Fatalf("alerts after the owner unblocked the bot = %d, want 3", n)
	}
	// A new group seats everyone: the episode ends; the next one alerts at
	// once.
	g2 := h.Group("学员群 2", telegramtest.FullAdminRights())
	must(t, h.Say(t.Context(), h.Owner, g2, "/register student ppt 3"))
	must(t, h.Step(t.Context()))
	payQuietly(t, h, 46)
	must(t, h.Step(t.Context()))
	if n := alerts(); n != 4 {
		t.Fatalf("alerts after a new episode began = %d, want 4", n)
	}
}
