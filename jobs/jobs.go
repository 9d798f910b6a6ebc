// Package jobs runs scheduled work (reconciler passes, cron jobs) on exactly
// one of several bot instances at a time, through a lease in the database.
// The instance holding a lease renews it in the background (Keep), so a
// lease can be short and an instance that died is replaced within seconds;
// every effect of a pass first checks the lease (see fence.go), so a pass
// that outlived its lease stops before it acts next to another instance's.
//
// The clock is the caller's: RunOnce is told the time it runs for and the
// lease is checked against Now, so tests drive it tick by tick and never
// sleep.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Leases grant one instance at a time the right to run scheduled work. Both
// storage adapters implement it.
type Leases interface {
	// AcquireLease takes the named lease for holder until now+ttl when it
	// is free, expired or already held by holder (renewal), and reports
	// whether holder holds it now.
	AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseLease gives the lease up if holder holds it.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Job is scheduled work: a function of the time it runs for.
type Job struct {
	ID  string
	Run func(ctx context.Context, now time.Time) error
}

// Runner runs jobs on the one instance that holds the lease.
//
// An instance keeps a lease by renewing it before TTL has passed: Keep
// does so in the background every RenewEvery, and every run renews it
// when less than half of it is left. When the instance stops, another
// takes the job over at its first run after the lease expired, within TTL;
// Release hands it over at once.
type Runner struct {
	Leases Leases
	Holder string        // this instance, unique among instances (e.g. host name and process id)
	TTL    time.Duration // how long a lease lasts without renewal
	// Now is the clock leases are taken and checked on; time.Now when nil.
	Now func() time.Time
	// RenewEvery is how often Keep renews the leases held; TTL/3 when zero.
	RenewEvery time.Duration
	Log        *slog.Logger // may be nil

	mu       sync.Mutex
	held     map[string]time.Time // job id -> until when this instance holds its lease
	stopping bool
}

// LeaseName is the name of the lease that guards a job.
func LeaseName(jobID string) string { return "job:" + jobID }

// RunOnce runs job at now if this instance holds (or can take) the lease
// "job:"+job.ID, and reports whether it ran. A job that fails has run: its
// error is returned, and the lease is kept so that the next run is this
// instance's again. The job's context carries the lease's fence: once the
// lease is lost or the runner stopping, Check fails and the job stops
// before its next effect (that is no error: it ran as far as it could).
func (r *Runner) RunOnce(ctx context.Context, job Job, now time.Time) (bool, error) {
	if r.isStopping() {
		return false, nil
	}
	if !r.stillHeld(job.ID, now) {
		held, err := r.Leases.AcquireLease(ctx, LeaseName(job.ID), r.Holder, now, r.TTL)
		if err != nil {
			return false, fmt.Errorf("job %s: %w", job.ID, err)
		}
		r.remember(job.ID, held, now)
		if !held {
			return false, nil
		}
	}
	r.debug(ctx, "running job", "job", job.ID, "holder", r.Holder, "at", now)
	err := job.Run(WithFence(ctx, func() error { return r.check(job.ID) }), now)
	if errors.Is(err, ErrLeaseLost) || errors.Is(err, ErrStopping) {
		r.debug(ctx, "job stopped at its fence", "job", job.ID, "holder", r.Holder, "err", err)
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("job %s: %w", job.ID, err)
	}
	return true, nil
}

// Keep renews, every RenewEvery until ctx ends, the leases this instance
// holds, so that they outlast a long pass and the time between passes.
// A lease found taken by another instance is given up: the fence of the
// pass still running under it fails.
func (r *Runner) Keep(ctx context.Context) {
	every := r.RenewEvery
	if every <= 0 {
		every = r.TTL / 3
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.renew(ctx)
	}
}

// renew renews every lease this instance holds now.
func (r *Runner) renew(ctx context.Context) {
	now := r.now()
	for _, id := range r.heldJobs(now) {
		held, err := r.Leases.AcquireLease(ctx, LeaseName(id), r.Holder, now, r.TTL)
		if err != nil {
			if r.Log != nil {
				r.Log.WarnContext(ctx, "lease not renewed", "job", id, "err", err)
			}
			continue // the lease runs out unless the next renewal works
		}
		r.remember(id, held, now)
	}
}

// Stop makes every fence fail and RunOnce refuse to run: the effect in
// flight finishes, no other starts. Call Release afterwards.
func (r *Runner) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopping = true
}

// Release gives up this instance's lease of a job, so that another instance
// takes it over at its next run instead of after TTL; call it on shutdown.
func (r *Runner) Release(ctx context.Context, jobID string) error {
	r.remember(jobID, false, time.Time{})
	if err := r.Leases.ReleaseLease(ctx, LeaseName(jobID), r.Holder); err != nil {
		return fmt.Errorf("job %s: %w", jobID, err)
	}
	return nil
}

// check is the fence of a job's pass.
func (r *Runner) check(jobID string) error {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping {
		return ErrStopping
	}
	if until, ok := r.held[jobID]; !ok || !now.Before(until) {
		return ErrLeaseLost
	}
	return nil
}

func (r *Runner) isStopping() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopping
}

// stillHeld reports whether this instance's lease of the job has more than
// half its TTL left, so that a job run often (a pass on every stored
// payment) renews its lease in the store only now and then. Nobody else can
// take a lease before it expires, so skipping the renewal is safe.
func (r *Runner) stillHeld(jobID string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	until, ok := r.held[jobID]
	return ok && now.Add(r.TTL/2).Before(until)
}

// heldJobs lists the jobs whose lease this instance holds at now.
func (r *Runner) heldJobs(now time.Time) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for id, until := range r.held {
		if now.Before(until) {
			ids = append(ids, id)
		}
	}
	return ids
}

func (r *Runner) remember(jobID string, held bool, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held == nil {
		r.held = map[string]time.Time{}
	}
	if held {
		r.held[jobID] = now.Add(r.TTL)
	} else {
		delete(r.held, jobID)
	}
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) debug(ctx context.Context, msg string, args ...any) {
	if r.Log != nil {
		r.Log.DebugContext(ctx, msg, args...)
	}
}
