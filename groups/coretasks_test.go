package groups_test

import (
	"testing"
	"time"
)

// A finished task adds its points to each assignee once: at once when the
// last part is marked, or by the reconciler when the process died first.
func TestTaskCreditsOnce(t *testing.T) {
	w := newCoreWorld(t, 3, 3)
	ctx := t.Context()
	w.s.Tasks = w.db
	w.mustReconcile()
	w.joinAll()
	due := w.now.Add(48 * time.Hour)
	for _, bad := range []struct {
		title  string
		users  []int64
		due    time.Time
		points int
	}{
		{"", []int64{100}, due, 5}, {"x", nil, due, 5}, {"x", []int64{100}, w.now, 5}, {"x", []int64{100}, due, 101},
	} {
		if _, err := w.s.NewTask(ctx, 9, "", bad.title, bad.users, bad.due, bad.points); err == nil {
			t.Errorf("task %+v accepted", bad)
		}
	}
	task, err := w.s.NewTask(ctx, 9, "", " chapter 3 ", []int64{100, 101, 100}, due, 5)
	if err != nil || task.Title != "chapter 3" || len(task.Parts) != 2 {
		t.Fatalf("NewTask = %+v, %v", task, err)
	}
	if _, err := w.s.PartDone(ctx, task.ID, 102); err == nil {
		t.Error("a non-assignee marked a part")
	}
	for range 2 {
		if _, err := w.s.PartDone(ctx, task.ID, 100); err != nil {
			t.Fatal(err)
		}
	}
	got, err := w.s.PartDone(ctx, task.ID, 101)
	if err != nil || got.FinishedAt.IsZero() {
		t.Fatalf("last part: %+v, %v", got, err)
	}
	// Crashed: a second task finished in the store, never credited.
	lost, err := w.s.NewTask(ctx, 9, "", "slides", []int64{100}, due, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.MarkTaskPart(ctx, lost.ID, 100, w.now); err != nil {
		t.Fatal(err)
	}
	w.mustReconcile()
	w.mustReconcile()
	if _, err := w.s.PartDone(ctx, task.ID, 101); err != nil { // marked again: no second credit
		t.Fatal(err)
	}
	for u, want := range map[int64]int{100: 7, 101: 5, 102: 0} {
		st, err := w.s.Contribution(ctx, "", u)
		if err != nil || st.Standing.Points != want {
			t.Errorf("standing of %d = %+v, %v; want %d task points", u, st.Standing, err, want)
		}
	}
}

// Core members sign a chain once each, in order; nobody else can.
func TestChain(t *testing.T) {
	w := newCoreWorld(t, 2, 3)
	ctx := t.Context()
	w.s.Chains = w.db
	w.mustReconcile()
	w.joinAll()
	if _, err := w.s.NewChain(ctx, 9, "", "  "); err == nil {
		t.Error("a chain without a title was made")
	}
	c, err := w.s.NewChain(ctx, 9, "", "relay the launch post")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range []struct {
		user  int64
		added bool
		ok    bool
	}{{101, true, true}, {100, true, true}, {101, false, true}, {102, false, false}} {
		w.now = w.now.Add(time.Minute)
		got, added, err := w.s.JoinChain(ctx, c.ID, j.user)
		if (err == nil) != j.ok || added != j.added {
			t.Fatalf("JoinChain(%d) = %v, %v; want added %v, ok %v", j.user, added, err, j.added, j.ok)
		}
		if j.ok && got.Members[0].UserID != 101 {
			t.Fatalf("chain = %+v, want 101 first", got)
		}
	}
}
