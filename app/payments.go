package app

import (
	"context"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/jobs"
)

// ownerNotifier lets the membership service tell owners through the bot,
// which renders membership's notices like every other.
type ownerNotifier struct{ b *bot.Bot }

func (n ownerNotifier) Tell(ctx context.Context, userID int64, nt shequn.Notice) error {
	return n.b.Tell(ctx, userID, nt)
}

// stripeReconcileAt is when the daily Stripe reconciliation runs, in the
// configured time zone (cron fields: minute hour).
const stripeReconcileAt = "30 4"

// RunStripeReconcile applies, on one instance, the Checkout Sessions
// completed in the last 72 hours whose webhook never arrived. It does
// nothing while payments are not configured.
func (a *App) RunStripeReconcile(ctx context.Context, now time.Time) error {
	if a.stripe == nil {
		return nil
	}
	_, err := a.daily.RunOnce(ctx, jobs.Job{ID: "stripe-reconcile", Run: func(ctx context.Context, now time.Time) error {
		n, err := a.Members.ReconcilePayments(ctx, a.stripe, now)
		if n > 0 {
			a.Wake()
		}
		return err
	}}, now)
	return err
}

// runStripeReconcile is RunStripeReconcile at the injected clock's time,
// for the schedule.
func (a *App) runStripeReconcile(ctx context.Context) {
	if err := a.RunStripeReconcile(ctx, a.now()); err != nil {
		a.log.ErrorContext(ctx, "stripe reconciliation failed", "err", err)
	}
}
