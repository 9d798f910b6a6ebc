package demo

import (
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/payments/stripetest"
)

// secondInstance starts another app on the harness's store and clock, as
// a restarted process or a second replica would be.
func secondInstance(t *testing.T, h *Harness) *app.App {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	second, err := app.New(t.Context(), h.Config, slog.New(slog.DiscardHandler), app.Options{
		Listener: ln, Manual: true, Limits: &bot.Limits{}, Checkout: h.Sales, Now: h.Clock.Now,
	})
	must(t, err)
	t.Cleanup(func() { second.Close() })
	return second
}

// payQuietly makes a user buy without stepping any instance.
func payQuietly(t *testing.T, h *Harness, user int64) {
	t.Helper()
	course, _ := h.Config.Course("ppt")
	h.TG.AddUser(telegramtest.User{ID: user, FirstName: "U", LanguageCode: "en"})
	h.TG.SendText(user, user, "/start") // opens the private chat
	_, id, _ := h.Sales.CreateSession(t.Context(), course, user)
	s, _ := h.Sales.Last(user)
	d := stripetest.CheckoutCompleted(WebhookSecret, "evt_"+id, id, s.PaymentIntent, "ppt", user, 19900, time.Now())
	if code, err := h.Deliver(t.Context(), d); err != nil || code != http.StatusOK {
		t.Fatalf("webhook: %d %v", code, err)
	}
}

// After the instance holding the reconciler's lease is killed (it never
// releases it), a restarted instance sends the backlog as soon as the
// lease runs out: within ten seconds, not minutes.
func TestRestartAfterKillTakesOverWithinSeconds(t *testing.T) {
	h := mustStart(t) // holds the lease from the set-up, then "dies"
	community(t, h, 50)
	restarted := secondInstance(t, h)
	invites := func(user int64) int { return count(botTexts(h, user), "你的学员编号") }
	payQuietly(t, h, 43)
	must(t, restarted.RunJobs(t.Context(), h.Clock.Now()))
	if n := invites(43); n != 0 {
		t.Fatalf("invited while the dead instance's lease lasts: %d", n)
	}
	h.Clock.Advance(10 * time.Second)
	must(t, restarted.RunJobs(t.Context(), h.Clock.Now()))
	if n := invites(43); n != 1 {
		t.Fatalf("invites 10 s after the kill = %d, want 1", n)
	}
}

// A graceful shutdown releases the lease: the other instance takes over
// at once.
func TestGracefulShutdownHandsTheLeaseOver(t *testing.T) {
	h := mustStart(t)
	community(t, h, 50)
	other := secondInstance(t, h)
	payQuietly(t, h, 43) // stored, not applied yet
	h.cancel()           // SIGTERM to the first instance
	err := <-h.done
	h.done <- err // for the harness's Close
	must(t, err)
	must(t, other.RunJobs(t.Context(), h.Clock.Now()))
	if n := count(botTexts(h, 43), "你的学员编号"); n != 1 {
		t.Fatalf("invites after the graceful hand-over = %d, want 1", n)
	}
}

// A pass that outlasts its lease (the clock moves past it while a message
// is on its way) finishes and records that message, starts nothing more,
// and the instance that takes the lease over does the rest: every message
// once.
func TestPassOutlastingItsLeaseIsFenced(t *testing.T) {
	h := mustStart(t)
	community(t, h, 2)
	buyer(t, h, 42, "en")
	_, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	other := secondInstance(t, h)
	// One of them is seated (an invite to send), the other waits (the
	// owners' alert, then a notice).
	payQuietly(t, h, 43)
	payQuietly(t, h, 44)
	var armed atomic.Bool
	armed.Store(true)
	h.TG.OnEvent(func(ev telegramtest.Event) {
		if ev.Kind == "bot_message" && armed.CompareAndSwap(true, false) {
			h.Clock.Advance(11 * time.Second) // the pass outlasts its lease here
		}
	})
	alerts := func() int { return count(botTexts(h, h.Owner), "候补") }
	both := func(sub string) int { return count(botTexts(h, 43), sub) + count(botTexts(h, 44), sub) }
	invites := func() int { return both("你的学员编号：") }
	notes := func() int { return both("候补名单") }
	must(t, h.App.RunJobs(t.Context(), h.Clock.Now()))
	if a, i, n := alerts(), invites(), notes(); a != 1 || i != 0 || n != 0 {
		t.Fatalf("the fenced pass sent %d alerts, %d invites, %d notices; want 1, 0, 0", a, i, n)
	}
	must(t, other.RunJobs(t.Context(), h.Clock.Now()))
	must(t, h.App.RunJobs(t.Context(), h.Clock.Now()))
	if a, i, n := alerts(), invites(), notes(); a != 1 || i != 1 || n != 1 {
		t.Fatalf("after the take-over: %d alerts, %d invites, %d notices; want 1 each", a, i, n)
	}
}
