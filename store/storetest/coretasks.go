package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// testCoreTasks: a task keeps each assignee's part; a part done stays done;
// only assignees have parts; the last part finishes the task; a finished
// task is uncredited until marked.
func testCoreTasks(t *testing.T, s Stores) {
	ctx := t.Context()
	task := must(s.AddTask(ctx, groups.Task{Title: "chapter 3", By: 9, Due: at(100), Points: 5, CreatedAt: at(1),
		Parts: []groups.TaskPart{{UserID: 2}, {UserID: 1}}}))(t)
	other := must(s.AddTask(ctx, groups.Task{Title: "slides", By: 9, Due: at(50), Points: 3, CreatedAt: at(1),
		Parts: []groups.TaskPart{{UserID: 3}}}))(t)
	if task.ID == 0 || other.ID == task.ID {
		t.Fatalf("ids %d, %d", task.ID, other.ID)
	}
	got := must(s.Task(ctx, task.ID))(t)
	if got.Title != "chapter 3" || got.By != 9 || got.Points != 5 || len(got.Parts) != 2 || got.Parts[0].UserID != 1 ||
		!got.FinishedAt.IsZero() || got.Done() != 0 {
		t.Fatalf("task = %+v", got)
	}
	sameTime(t, "Due", got.Due, at(100))
	if _, err := s.Task(ctx, 999); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("Task(unknown) = %v, want ErrNotFound", err)
	}
	open := must(s.Tasks(ctx, ""))(t)
	if len(open) != 2 || open[0].ID != other.ID || len(open[1].Parts) != 2 {
		t.Fatalf("open tasks = %+v, want slides (due first), chapter 3", open)
	}
	if _, err := s.MarkTaskPart(ctx, task.ID, 3, at(2)); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("part of a non-assignee = %v, want ErrNotFound", err)
	}
	got = must(s.MarkTaskPart(ctx, task.ID, 1, at(3)))(t)
	got = must(s.MarkTaskPart(ctx, task.ID, 1, at(4)))(t) // again: stays done, counts once
	if got.Done() != 1 || !got.FinishedAt.IsZero() {
		t.Fatalf("after one part twice: %+v", got)
	}
	sameTime(t, "DoneAt", got.Parts[0].DoneAt, at(3))
	if len(must(s.UncreditedTasks(ctx, 10))(t)) != 0 {
		t.Fatal("an unfinished task is uncredited")
	}
	got = must(s.MarkTaskPart(ctx, task.ID, 2, at(5)))(t)
	if got.Done() != 2 {
		t.Fatalf("after both parts: %+v", got)
	}
	sameTime(t, "FinishedAt", got.FinishedAt, at(5))
	if open := must(s.Tasks(ctx, ""))(t); len(open) != 1 || open[0].ID != other.ID {
		t.Fatalf("open tasks after finishing = %+v", open)
	}
	un := must(s.UncreditedTasks(ctx, 10))(t)
	if len(un) != 1 || un[0].ID != task.ID || !slices.EqualFunc(un[0].Parts, got.Parts, func(a, b groups.TaskPart) bool { return a.UserID == b.UserID }) {
		t.Fatalf("uncredited = %+v", un)
	}
	ok(t, s.MarkTaskCredited(ctx, task.ID, at(6)))
	ok(t, s.MarkTaskCredited(ctx, task.ID, at(7)))
	if len(must(s.UncreditedTasks(ctx, 10))(t)) != 0 {
		t.Fatal("a credited task is uncredited")
	}
	sameTime(t, "CreditedAt", must(s.Task(ctx, task.ID))(t).CreditedAt, at(6))
}

// testCoreChains: members join a chain once each, listed in the order they
// joined; a chain's message is recorded; an unknown chain is not found.
func testCoreChains(t *testing.T, s Stores) {
	ctx := t.Context()
	c := must(s.AddChain(ctx, groups.Chain{Title: "relay the launch post", By: 9, CreatedAt: at(1)}))(t)
	other := must(s.AddChain(ctx, groups.Chain{Scope: "ppt", Title: "other", By: 9, CreatedAt: at(1)}))(t)
	if c.ID == 0 || other.ID == c.ID {
		t.Fatalf("ids %d, %d", c.ID, other.ID)
	}
	for _, j := range []struct {
		user   int64
		minute int
		added  bool
	}{{5, 3, true}, {2, 4, true}, {5, 5, false}, {7, 4, true}} {
		got, added := must2(s.JoinChain(ctx, c.ID, j.user, at(j.minute)))(t)
		if added != j.added || got.ID != c.ID {
			t.Fatalf("JoinChain(%d) = %v, want %v", j.user, added, j.added)
		}
	}
	got := must(s.Chain(ctx, c.ID))(t)
	var order []int64
	for _, m := range got.Members {
		order = append(order, m.UserID)
	}
	if !slices.Equal(order, []int64{5, 2, 7}) || got.Title != "relay the launch post" || got.By != 9 {
		t.Fatalf("chain = %+v, want members 5, 2, 7", got)
	}
	sameTime(t, "joined", got.Members[0].At, at(3))
	// Names given in the same millisecond keep the order they came in.
	for _, u := range []int64{30, 10, 20} {
		must2(s.JoinChain(ctx, other.ID, u, at(6)))(t)
	}
	order = order[:0]
	for _, m := range must(s.Chain(ctx, other.ID))(t).Members {
		order = append(order, m.UserID)
	}
	if !slices.Equal(order, []int64{30, 10, 20}) {
		t.Fatalf("chain of one millisecond = %v, want 30, 10, 20 as they came", order)
	}
	if len(got.Members) != 3 {
		t.Fatal("joined the other chain")
	}
	ok(t, s.SetChainMessage(ctx, c.ID, -500, 42))
	if got := must(s.Chain(ctx, c.ID))(t); got.ChatID != -500 || got.MessageID != 42 {
		t.Fatalf("chain message = %d/%d", got.ChatID, got.MessageID)
	}
	if _, err := s.Chain(ctx, 999); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("Chain(unknown) = %v, want ErrNotFound", err)
	}
	if _, _, err := s.JoinChain(ctx, 999, 1, at(9)); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("JoinChain(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.SetChainMessage(ctx, 999, 1, 1); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("SetChainMessage(unknown) = %v, want ErrNotFound", err)
	}
}

func must2[A, B any](a A, b B, err error) func(t *testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}
