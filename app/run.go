package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Run serves until ctx ends, then shuts down in order: stop intake (the
// poller and HTTP), let the workers finish their pass, let the sender
// deliver what is in flight. Close releases the store afterwards.
func (a *App) Run(ctx context.Context) error {
	ln := a.listener

	var wg sync.WaitGroup
	errc := make(chan error, 2)
	go func() {
		if err := a.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	go func() {
		if err := a.metricsServer.Serve(a.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics http: %w", err)
		}
	}()
	// Updates stored but never handled (a crash): with long polling this
	// process is the only consumer, so all of them are ours now.
	recoverBefore := a.now().Add(-staleUpdate)
	if a.poller != nil {
		recoverBefore = a.now().Add(time.Nanosecond)
	}
	if err := a.intake.Recover(ctx, recoverBefore); err != nil {
		a.log.ErrorContext(ctx, "recovering stored updates", "err", err)
	}
	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	if a.poller != nil && !a.opts.Manual {
		wg.Add(1)
		go func() { defer wg.Done(); a.poller.Run(pollCtx) }()
	}
	w, err := a.startWorkers(ctx)
	if err != nil {
		return err
	}
	defer w.cancel()
	close(a.running)
	a.log.InfoContext(ctx, "shequn running", "http", ln.Addr().String(), "metrics", a.metricsLn.Addr().String(), "bot", a.Bot.Username(), "polling", a.poller != nil)

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	a.log.Info("shutting down")
	// 1. Stop intake.
	stopPolling()
	wg.Wait()
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.server.Shutdown(shutCtx); err != nil {
		a.log.Warn("http shutdown", "err", err)
	}
	// Handle what was taken in; what is left is stored and recovered by
	// the next start.
	if err := a.intake.Close(shutCtx); err != nil {
		a.log.Warn("updates still being handled at shutdown", "err", err)
	}
	a.closeQQ() // after the intake: its updates may still act on QQ

	// 2. Stop the schedule and the workers, then hand the lease over.
	a.stopWorkers(shutCtx, w)
	// 3. Flush the sender.
	if err := a.sender.Close(shutCtx); err != nil {
		a.log.Warn("sender flush", "err", err)
	}
	if err := a.metricsServer.Shutdown(shutCtx); err != nil {
		a.log.Warn("metrics http shutdown", "err", err)
	}
	return runErr
}

// workers are the background goroutines of Run.
type workers struct {
	stop     chan struct{}      // closed to stop the work loop between passes
	done     chan struct{}      // closed when the work loop returned
	keepDone chan struct{}      // closed when the lease keeper returned
	stopKeep context.CancelFunc // stops the lease keeper
	cancel   context.CancelFunc // the last resort: cancels the pass itself
	// reconciled is closed when the Stripe reconciliation run at start ended.
	reconciled chan struct{}
	// broadcasts is closed when the broadcast worker returned.
	broadcasts chan struct{}
	ticked     chan struct{} // closed when the core cycle's run at start ended
}

// startWorkers starts the work loop, the lease keeper and the schedule
// (none of them in Manual mode). The workers' context ends only if a pass
// does not stop in time at shutdown; stopping goes through the lease's
// fence instead, so the effect in flight is finished and recorded.
func (a *App) startWorkers(ctx context.Context) (*workers, error) {
	workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	keepCtx, stopKeep := context.WithCancel(workCtx)
	w := &workers{stop: make(chan struct{}), done: make(chan struct{}), keepDone: make(chan struct{}), stopKeep: stopKeep, cancel: cancel,
		reconciled: make(chan struct{}), broadcasts: make(chan struct{}), ticked: make(chan struct{})}
	a.cron = cron.New(cron.WithLocation(a.cfg.Location()))
	if a.opts.Manual {
		close(w.done)
		close(w.keepDone)
		close(w.reconciled)
		close(w.broadcasts)
		close(w.ticked)
		return w, nil
	}
	go func() { defer close(w.done); a.work(workCtx, w.stop) }()
	go func() { defer close(w.keepDone); a.passes.Keep(keepCtx) }()
	go a.broadcastLoop(workCtx, w.stop, w.broadcasts)
	if err := a.scheduleSessions(workCtx); err != nil {
		cancel()
		return nil, err
	}
	if err := a.ScheduleWeekly(workCtx, a.now()); err != nil {
		a.log.ErrorContext(ctx, "weekly session not scheduled", "err", err)
	}
	a.cron.Schedule(cron.Every(a.every()), cron.FuncJob(a.Wake))
	hour, minute, _ := a.cfg.Homework.Digest()
	if _, err := a.cron.AddFunc(fmt.Sprintf("%d %d * * *", minute, hour), func() { a.runDigest(workCtx) }); err != nil {
		cancel()
		return nil, fmt.Errorf("schedule the digest: %w", err)
	}
	if _, err := a.cron.AddFunc(a.cfg.Desk.Summary, func() { a.runDeskSummary(workCtx) }); err != nil {
		cancel()
		return nil, fmt.Errorf("schedule the desk summary: %w", err)
	}
	if _, err := a.cron.AddFunc("17 4 * * *", func() { a.pruneUpdates(workCtx) }); err != nil {
		cancel()
		return nil, fmt.Errorf("schedule the update log's pruning: %w", err)
	}
	if _, err := a.cron.AddFunc("@hourly", func() { a.runCoreTick(workCtx) }); err != nil {
		cancel()
		return nil, fmt.Errorf("schedule the core group's cycle: %w", err)
	}
	go func() { defer close(w.ticked); a.runCoreTick(workCtx) }() // a period that ended while the service was down
	if a.stripe == nil {
		close(w.reconciled)
	} else {
		if _, err := a.cron.AddFunc(stripeReconcileAt+" * * *", func() { a.runStripeReconcile(workCtx) }); err != nil {
			cancel()
			return nil, fmt.Errorf("schedule the stripe reconciliation: %w", err)
		}
		// Also at start: a stopped instance missed webhooks. The daily
		// lease keeps restarts from asking Stripe again.
		go func() { defer close(w.reconciled); a.runStripeReconcile(workCtx) }()
	}
	a.cron.Start()
	a.Wake() // finish what a previous run left
	return w, nil
}

// stopWorkers stops the schedule; the pass in progress finishes the
// effect in flight and starts no other; then the lease is released, after
// the keeper's last renewal, so that another instance takes over at once.
func (a *App) stopWorkers(ctx context.Context, w *workers) {
	<-a.cron.Stop().Done()
	a.passes.Stop()
	close(w.stop)
	select {
	case <-w.done:
	case <-ctx.Done():
		a.log.Warn("the background pass did not stop in time")
		w.cancel()
		<-w.done
	}
	<-w.reconciled
	<-w.broadcasts
	<-w.ticked
	w.stopKeep()
	<-w.keepDone
	if err := a.passes.Release(ctx, "reconcile"); err != nil {
		a.log.Warn("release the reconciler lease", "err", err)
	}
	if err := a.passes.Release(ctx, "broadcast"); err != nil {
		a.log.Warn("release the broadcast lease", "err", err)
	}
}

// leaseRetry is how soon an instance that found the reconciler's lease
// held by another tries again: with passLease, an instance that died is
// replaced within passLease+leaseRetry.
const leaseRetry = 3 * time.Second

// work runs the background jobs whenever woken: by the schedule, by a
// stored payment, by a change of desired state; and, while another
// instance holds the reconciler's lease, every leaseRetry, to take over
// soon after that instance died.
func (a *App) work(ctx context.Context, stop <-chan struct{}) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	for {
		select {
		case <-stop:
			return
		case <-a.wake:
		case <-retry.C:
		}
		ran, err := safelyRan(func() (bool, error) { return a.runJobs(ctx, a.now()) })
		if err != nil && ctx.Err() == nil {
			a.log.ErrorContext(ctx, "background pass failed", "err", err)
		}
		if !ran && err == nil {
			retry.Reset(leaseRetry)
		}
	}
}

// safelyRan is safely for a pass that reports whether it ran.
func safelyRan(fn func() (bool, error)) (ran bool, err error) {
	err = safely(func() error {
		var err error
		ran, err = fn()
		return err
	})
	return ran, err
}

// safely runs fn and turns a panic into an error with the stack, so that a
// bug in one pass is logged and the worker goes on with the next.
func safely(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn()
}

// pruneUpdates prunes the update log; the schedule triggers it, and the
// time it reads is the injected clock's.
func (a *App) pruneUpdates(ctx context.Context) {
	if err := safely(func() error { return a.PruneUpdates(ctx, a.now()) }); err != nil {
		a.log.ErrorContext(ctx, "pruning the update log failed", "err", err)
	}
}

// runCoreTick runs the core group's cycle; the schedule triggers it, and
// the time it reads is the injected clock's.
func (a *App) runCoreTick(ctx context.Context) {
	if err := safely(func() error { return a.RunCoreTick(ctx, a.now()) }); err != nil {
		a.log.ErrorContext(ctx, "core group cycle failed", "err", err)
	}
}

// runDigest sends the daily digest; the schedule triggers it, and the time
// it reads is the injected clock's.
func (a *App) runDigest(ctx context.Context) {
	if err := safely(func() error { return a.RunDigest(ctx, a.now()) }); err != nil {
		a.log.ErrorContext(ctx, "daily digest failed", "err", err)
	}
}

// Close releases the listener (when Run never ran) and the store. Call it
// after Run returned.
func (a *App) Close() error {
	a.listener.Close() // already closed by a Run that ran
	a.metricsLn.Close()
	return a.store.Close()
}

// telegramGrace is how long Telegram may fail before /healthz reports it:
// the sender and the poller retry shorter outages on their own.
const telegramGrace = 2 * time.Minute

// healthz reports whether the store answers a ping and whether Telegram
// answered lately, from what the sender and the poller saw: a probe never
// calls Telegram, so probing often costs Telegram nothing.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	status := map[string]string{"store": "ok", "telegram": "ok"}
	code := http.StatusOK
	if err := a.store.Ping(ctx); err != nil {
		status["store"], code = "unreachable", http.StatusServiceUnavailable
		a.log.WarnContext(ctx, "health: store", "err", err)
	}
	ok, last := a.health.Telegram(a.now(), telegramGrace)
	if !a.cfg.TelegramEnabled() {
		status["telegram"] = "off" // a QQ-only community
	} else if !ok {
		status["telegram"], code = "unreachable", http.StatusServiceUnavailable
	}
	if !last.IsZero() {
		status["telegram_last_ok"] = last.Format(time.RFC3339)
	}
	if q, ok := a.qqHealth(); ok {
		status["qq"] = q // informational: QQ's side never fails the probe
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(status)
}
