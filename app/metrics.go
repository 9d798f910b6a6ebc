package app

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
)

// counters are the process's Prometheus counters. Gauges are read from the
// store when /metrics is scraped, so every instance reports the same truth.
type counters struct {
	updates        atomic.Int64
	updateFailures atomic.Int64
	passes         atomic.Int64
	passFailures   atomic.Int64
}

// UpdatesHandled is how many Telegram updates the app handled.
func (a *App) UpdatesHandled() int64 { return a.metrics.updates.Load() }

func (a *App) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	counter("shequn_updates_total", "Telegram updates handled.", a.metrics.updates.Load())
	counter("shequn_update_failures_total", "Telegram updates that could not be handled.", a.metrics.updateFailures.Load())
	counter("shequn_reconcile_passes_total", "Reconciler passes run.", a.metrics.passes.Load())
	counter("shequn_reconcile_failures_total", "Reconciler passes that failed.", a.metrics.passFailures.Load())
	if err := a.writeGauges(r.Context(), w); err != nil {
		a.log.WarnContext(r.Context(), "metrics gauges", "err", err)
	}
}

func (a *App) writeGauges(ctx context.Context, w http.ResponseWriter) error {
	gs, err := a.store.Groups(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# HELP shequn_group_seats_used Seats taken per group.\n# TYPE shequn_group_seats_used gauge\n")
	for _, g := range gs {
		fmt.Fprintf(w, "shequn_group_seats_used{kind=%q,course=%q,ordinal=\"%d\"} %d\n", g.Kind, g.Course, g.Ordinal, g.SeatsUsed)
	}
	fmt.Fprintf(w, "# HELP shequn_group_capacity Capacity per group.\n# TYPE shequn_group_capacity gauge\n")
	for _, g := range gs {
		fmt.Fprintf(w, "shequn_group_capacity{kind=%q,course=%q,ordinal=\"%d\"} %d\n", g.Kind, g.Course, g.Ordinal, g.Capacity)
	}
	fmt.Fprintf(w, "# HELP shequn_waitlist Buyers waiting for a seat per course.\n# TYPE shequn_waitlist gauge\n")
	for _, c := range a.cfg.Courses {
		n, err := a.store.WaitlistLen(ctx, c.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "shequn_waitlist{course=%q} %d\n", c.ID, n)
	}
	return nil
}
