package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/jobs"
)

// memLeases is jobs.Leases in memory. The storage adapters' leases run the
// same scenarios in store/storetest.
type memLeases struct {
	mu     sync.Mutex
	leases map[string]lease
	err    error
}

type lease struct {
	holder  string
	expires time.Time
}

func (m *memLeases) AcquireLease(_ context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	if l, ok := m.leases[name]; ok && l.holder != holder && now.Before(l.expires) {
		return false, nil
	}
	if m.leases == nil {
		m.leases = map[string]lease{}
	}
	m.leases[name] = lease{holder, now.Add(ttl)}
	return true, nil
}

func (m *memLeases) ReleaseLease(_ context.Context, name, holder string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.leases[name].holder == holder {
		delete(m.leases, name)
	}
	return nil
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestRunOnce(t *testing.T) {
	ctx := t.Context()
	store := &memLeases{}
	a := &jobs.Runner{Leases: store, Holder: "a", TTL: 3 * time.Minute}
	b := &jobs.Runner{Leases: store, Holder: "b", TTL: 3 * time.Minute}
	var ran []string
	job := func(id string) jobs.Job {
		return jobs.Job{ID: id, Run: func(_ context.Context, now time.Time) error {
			ran = append(ran, id+"@"+now.Format("04"))
			return nil
		}}
	}
	runOnce := func(r *jobs.Runner, j jobs.Job, minute int, want bool) {
		t.Helper()
		did, err := r.RunOnce(ctx, j, t0.Add(time.Duration(minute)*time.Minute))
		if err != nil || did != want {
			t.Errorf("%s runs %s at minute %d: %v, %v; want %v", r.Holder, j.ID, minute, did, err, want)
		}
	}
	runOnce(a, job("sweep"), 0, true)
	runOnce(b, job("sweep"), 0, false)
	runOnce(b, job("digest"), 0, true) // each job has its own lease
	runOnce(a, job("sweep"), 1, true)  // more than half the lease left: not renewed
	if l := store.leases[jobs.LeaseName("sweep")]; !l.expires.Equal(t0.Add(3 * time.Minute)) {
		t.Errorf("lease renewed at minute 1: expires %v", l.expires)
	}
	runOnce(a, job("sweep"), 2, true) // renewed: until minute 5
	runOnce(b, job("sweep"), 3, false)
	if err := a.Release(ctx, "sweep"); err != nil {
		t.Fatal(err)
	}
	runOnce(b, job("sweep"), 3, true) // released: taken at once
	if _, ok := store.leases[jobs.LeaseName("sweep")]; !ok || jobs.LeaseName("sweep") != "job:sweep" {
		t.Errorf("leases %v, want job:sweep", store.leases)
	}
	want := []string{"sweep@00", "digest@00", "sweep@01", "sweep@02", "sweep@03"}
	if len(ran) != len(want) {
		t.Fatalf("ran %v, want %v", ran, want)
	}
	for i := range want {
		if ran[i] != want[i] {
			t.Errorf("ran %v, want %v", ran, want)
		}
	}
}

func TestRunOnceErrors(t *testing.T) {
	ctx := t.Context()
	boom := errors.New("boom")
	store := &memLeases{}
	r := &jobs.Runner{Leases: store, Holder: "a", TTL: time.Minute}
	did, err := r.RunOnce(ctx, jobs.Job{ID: "j", Run: func(context.Context, time.Time) error { return boom }}, t0)
	if !did || !errors.Is(err, boom) {
		t.Errorf("failing job: ran %v, err %v; want ran and %v", did, err, boom)
	}
	if l := store.leases["job:j"]; l.holder != "a" {
		t.Errorf("lease after a failed run = %+v, want kept by a", l)
	}
	// The store fails when the lease is due for renewal.
	store.err = errors.New("store down")
	called := false
	did, err = r.RunOnce(ctx, jobs.Job{ID: "j", Run: func(context.Context, time.Time) error { called = true; return nil }}, t0.Add(40*time.Second))
	if did || called || !errors.Is(err, store.err) {
		t.Errorf("lease error: ran %v, called %v, err %v", did, called, err)
	}
}

// notifyLeases signals every lease call, so a test can wait for the
// keeper's progress instead of sleeping.
type notifyLeases struct {
	*memLeases
	calls chan struct{}
}

func (n notifyLeases) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	ok, err := n.memLeases.AcquireLease(ctx, name, holder, now, ttl)
	select {
	case n.calls <- struct{}{}:
	default:
	}
	return ok, err
}

// A pass longer than its lease keeps it while the keeper renews it; when
// another instance has taken it meanwhile, the keeper gives it up and the
// pass's fence fails.
func TestKeepRenewsTheLeaseInTheBackground(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	mem := &memLeases{}
	leases := notifyLeases{mem, make(chan struct{})}
	a := &jobs.Runner{Leases: leases, Holder: "a", TTL: 10 * time.Second, Now: clock, RenewEvery: time.Millisecond}
	b := &jobs.Runner{Leases: mem, Holder: "b", TTL: 10 * time.Second, Now: clock}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	renewed := func() { <-leases.calls; <-leases.calls } // one whole renewal after now
	job := jobs.Job{ID: "reconcile", Run: func(pass context.Context, _ time.Time) error {
		go a.Keep(ctx)
		for range 3 { // 24 s in all, more than twice the lease
			advance(8 * time.Second)
			renewed()
			if err := jobs.Check(pass); err != nil {
				t.Errorf("the fence failed while the keeper renews the lease: %v", err)
			}
		}
		if ran, _ := b.RunOnce(t.Context(), jobs.Job{ID: "reconcile", Run: func(context.Context, time.Time) error { return nil }}, clock()); ran {
			t.Error("another instance took a lease that is being renewed")
		}
		// Another instance holds it now (say the store lost a renewal).
		mem.mu.Lock()
		mem.leases[jobs.LeaseName("reconcile")] = lease{"b", clock().Add(time.Minute)}
		mem.mu.Unlock()
		for jobs.Check(pass) == nil {
			<-leases.calls // the keeper finds the lease taken at its next renewal
		}
		if err := jobs.Check(pass); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Errorf("the fence after the lease was taken: %v, want ErrLeaseLost", err)
		}
		return nil
	}}
	if ran, err := a.RunOnce(t.Context(), job, clock()); !ran || err != nil {
		t.Fatalf("RunOnce = %v, %v", ran, err)
	}
}
