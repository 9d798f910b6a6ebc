// Package jobs runs scheduled work (reconciler passes, cron jobs) on exactly
// one of several bot instances at a time, through a lease in the database
// that the instance running the work renews on every run.
//
// The clock is the caller's: RunOnce is told the time it runs for, so tests
// drive it tick by tick and never sleep.
package jobs

import (
	"context"
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
// The instance that runs a job keeps its lease by running it again before
// TTL has passed, so TTL must be longer than the interval between runs plus
// the time a run takes; when the instance stops, another takes the job over
// at its first run after the lease expired, within TTL.
type Runner struct {
	Leases Leases
	Holder string        // this instance, unique among instances (e.g. host name and process id)
	TTL    time.Duration // how long a lease lasts without renewal
	Log    *slog.Logger  // may be nil

	mu   sync.Mutex
	held map[string]time.Time // job id -> until when this instance holds its lease
}

// LeaseName is the name of the lease that guards a job.
func LeaseName(jobID string) string { return "job:" + jobID }

// RunOnce runs job at now if this instance holds (or can take) the lease
// "job:"+job.ID, and reports whether it ran. A job that fails has run: its
// error is returned, and the lease is kept so that the next run is this
// instance's again.
func (r *Runner) RunOnce(ctx context.Context, job Job, now time.Time) (bool, error) {
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
	if r.Log != nil {
		r.Log.DebugContext(ctx, "running job", "job", job.ID, "holder", r.Holder, "at", now)
	}
	if err := job.Run(ctx, now); err != nil {
		return true, fmt.Errorf("job %s: %w", job.ID, err)
	}
	return true, nil
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
