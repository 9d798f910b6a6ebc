package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shequn/shequn/jobs"
)

func testLeases(t *testing.T, s Stores) {
	ctx := t.Context()
	const ttl = 3 * time.Minute
	acquire := func(name, holder string, minute int, want bool) {
		t.Helper()
		if got := must(s.AcquireLease(ctx, name, holder, at(minute), ttl))(t); got != want {
			t.Errorf("%s acquires %s at minute %d: %v, want %v", holder, name, minute, got, want)
		}
	}
	// Two holders: the first takes the lease, the second is refused.
	acquire("reconcile", "a", 0, true)
	acquire("reconcile", "b", 0, false)
	acquire("reconcile", "b", 2, false)
	acquire("other", "b", 0, true) // leases are independent
	// Renewal: the holder extends its lease before it expires.
	acquire("reconcile", "a", 2, true) // now until minute 5
	acquire("reconcile", "b", 4, false)
	// Expiry: at the expiry instant the lease is free for another.
	acquire("reconcile", "b", 5, true)
	acquire("reconcile", "a", 6, false)
	// Release: only the holder's release counts.
	ok(t, s.ReleaseLease(ctx, "reconcile", "a"))
	acquire("reconcile", "a", 6, false)
	ok(t, s.ReleaseLease(ctx, "reconcile", "b"))
	acquire("reconcile", "a", 6, true)
	ok(t, s.ReleaseLease(ctx, "never-taken", "a"))

	// Many instances at once: exactly one gets a free lease.
	var wg sync.WaitGroup
	var winners atomic.Int32
	for i := range 20 {
		wg.Go(func() {
			held, err := s.AcquireLease(ctx, "race", fmt.Sprintf("i%d", i), at(0), ttl)
			if err != nil {
				t.Errorf("instance %d: %v", i, err)
			}
			if held {
				winners.Add(1)
			}
		})
	}
	wg.Wait()
	if n := winners.Load(); n != 1 {
		t.Errorf("%d instances hold the lease, want 1", n)
	}
}

// testJobsRunOncePerTick runs one job on two instances over the store: on
// every tick both try, and the job runs once; when instance A stops, B
// takes over within one lease period.
func testJobsRunOncePerTick(t *testing.T, s Stores) {
	ctx := t.Context()
	const ttl = 3 * time.Minute
	a := &jobs.Runner{Leases: s, Holder: "instance-a", TTL: ttl}
	b := &jobs.Runner{Leases: s, Holder: "instance-b", TTL: ttl}
	var mu sync.Mutex
	runs := map[time.Time]int{}
	job := jobs.Job{ID: "reconcile", Run: func(_ context.Context, now time.Time) error {
		mu.Lock()
		defer mu.Unlock()
		runs[now]++
		return nil
	}}
	tick := func(minute int, runners ...*jobs.Runner) (ran []string) {
		t.Helper()
		now := at(minute)
		var wg sync.WaitGroup
		var rmu sync.Mutex
		for _, r := range runners {
			wg.Go(func() {
				did, err := r.RunOnce(ctx, job, now)
				if err != nil {
					t.Errorf("minute %d, %s: %v", minute, r.Holder, err)
				}
				if did {
					rmu.Lock()
					ran = append(ran, r.Holder)
					rmu.Unlock()
				}
			})
		}
		wg.Wait()
		if got := runs[now]; got != 1 && len(runners) == 2 {
			t.Errorf("minute %d: the job ran %d times, want once", minute, got)
		}
		return ran
	}
	var first string
	for minute := range 10 {
		ran := tick(minute, a, b)
		if len(ran) != 1 {
			t.Fatalf("minute %d: ran on %v, want one instance", minute, ran)
		}
		if first == "" {
			first = ran[0]
		} else if ran[0] != first {
			t.Errorf("minute %d: ran on %s, want %s, which holds the lease", minute, ran[0], first)
		}
	}
	// The instance that ran stops. Its lease was renewed at minute 8 or 9
	// (a holder renews once half the lease has passed), so it lasts past
	// minute 10; the other takes over when it expires, within one lease
	// period (three minutes) of the stop.
	other := b
	if first == b.Holder {
		other = a
	}
	if ran := tick(10, other); len(ran) != 0 {
		t.Errorf("minute 10: %v ran while the stopped instance's lease lasts", ran)
	}
	took := 0
	for minute := 11; minute <= 12 && took == 0; minute++ {
		if ran := tick(minute, other); len(ran) == 1 {
			took = minute
		}
	}
	if took == 0 {
		t.Errorf("%s did not take over within one lease period", other.Holder)
	}
	for minute := 13; minute < 15; minute++ {
		tick(minute, a, b) // the first comes back: the job still runs once
	}
	for minute, n := range runs {
		if n != 1 {
			t.Errorf("at %v the job ran %d times", minute, n)
		}
	}
}

// testPassFenced: a pass that outlasts its lease while another instance
// takes the job over is stopped at its next effect, so no effect runs on
// two instances at once; a stopping runner starts no effect and no run.
func testPassFenced(t *testing.T, s Stores) {
	ctx := t.Context()
	const ttl = 10 * time.Second
	var clock atomic.Int64
	clock.Store(at(0).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	a := &jobs.Runner{Leases: s, Holder: "instance-a", TTL: ttl, Now: now}
	b := &jobs.Runner{Leases: s, Holder: "instance-b", TTL: ttl, Now: now}
	var effects []string
	effect := func(ctx context.Context, who string) error {
		if err := jobs.Check(ctx); err != nil {
			return err
		}
		effects = append(effects, who)
		return nil
	}
	jobB := jobs.Job{ID: "reconcile", Run: func(ctx context.Context, _ time.Time) error {
		return effect(ctx, "b")
	}}
	var fenceErr error
	jobA := jobs.Job{ID: "reconcile", Run: func(ctx context.Context, _ time.Time) error {
		if err := effect(ctx, "a1"); err != nil {
			return err
		}
		// A's pass outlasts its lease: B takes the job over...
		clock.Add(int64(ttl))
		if ran, err := b.RunOnce(t.Context(), jobB, now()); err != nil || !ran {
			t.Errorf("B did not take the expired lease over: %v %v", ran, err)
		}
		// ...and A's next effect is fenced off.
		fenceErr = effect(ctx, "a2")
		return fenceErr
	}}
	if ran, err := a.RunOnce(ctx, jobA, now()); err != nil || !ran {
		t.Fatalf("A's pass: ran %v, err %v; want ran, and no error for a fenced stop", ran, err)
	}
	if !errors.Is(fenceErr, jobs.ErrLeaseLost) {
		t.Errorf("A's effect after losing the lease: %v, want ErrLeaseLost", fenceErr)
	}
	if want := []string{"a1", "b"}; !slices.Equal(effects, want) {
		t.Errorf("effects %v, want %v", effects, want)
	}
	// A stopping instance starts nothing; its released lease is free.
	b.Stop()
	if ran, err := b.RunOnce(ctx, jobB, now()); ran || err != nil {
		t.Errorf("a stopping runner ran: %v %v", ran, err)
	}
	ok(t, b.Release(ctx, "reconcile"))
	if ran, err := a.RunOnce(ctx, jobB, now()); !ran || err != nil {
		t.Errorf("the released lease was not taken: %v %v", ran, err)
	}
	if want := []string{"a1", "b", "b"}; !slices.Equal(effects, want) {
		t.Errorf("effects %v, want %v", effects, want)
	}
}
