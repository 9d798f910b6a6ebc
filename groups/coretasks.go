package groups

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shequn/shequn"
)

// Task is a piece of the core group's work split among members (分工协作):
// each assignee marks their part done; when every part is done the task is
// finished and each assignee earns its points once.
type Task struct {
	ID         int64
	Scope      string
	Title      string
	By         int64 // the owner or teacher who made it
	Due        time.Time
	Points     int // earned by each assignee when the task is finished
	CreatedAt  time.Time
	FinishedAt time.Time // every part done
	CreditedAt time.Time // the points were added to the ledger
	Parts      []TaskPart
}

// TaskPart is one assignee's part of a task.
type TaskPart struct {
	UserID int64
	DoneAt time.Time
}

// Done counts the parts done.
func (t Task) Done() int {
	n := 0
	for _, p := range t.Parts {
		if !p.DoneAt.IsZero() {
			n++
		}
	}
	return n
}

// TaskStore keeps the core group's tasks. Methods return
// shequn.ErrNotFound as documented and wrap any other failure.
type TaskStore interface {
	// AddTask stores a task with the next id and returns it.
	AddTask(ctx context.Context, t Task) (Task, error)
	// Task returns a task, or ErrNotFound.
	Task(ctx context.Context, id int64) (Task, error)
	// Tasks returns the scope's unfinished tasks, due first.
	Tasks(ctx context.Context, scope string) ([]Task, error)
	// MarkTaskPart records that the assignee did their part (a part done
	// stays done) and returns the task; the part that completes the task
	// sets FinishedAt in the same write. ErrNotFound when the task does
	// not exist or the user is not one of its assignees.
	MarkTaskPart(ctx context.Context, id, userID int64, at time.Time) (Task, error)
	// UncreditedTasks returns up to limit finished tasks whose points were
	// not added yet; MarkTaskCredited records that they were.
	UncreditedTasks(ctx context.Context, limit int) ([]Task, error)
	MarkTaskCredited(ctx context.Context, id int64, at time.Time) error
}

// NewTask checks and creates a task: a title, at least one assignee (each
// once), a due date after now, points from 0 to 100.
func (s *Service) NewTask(ctx context.Context, by int64, scope, title string, assignees []int64, due time.Time, points int) (Task, error) {
	now := s.Now()
	title = strings.TrimSpace(title)
	switch {
	case title == "" || len([]rune(title)) > 200:
		return Task{}, shequn.Errorf(shequn.CodeInvalid, "a task needs a title of at most 200 characters")
	case len(assignees) == 0:
		return Task{}, shequn.Errorf(shequn.CodeInvalid, "a task needs an assignee")
	case !due.After(now):
		return Task{}, shequn.Errorf(shequn.CodeInvalid, "a task is due after now")
	case points < 0 || points > 100:
		return Task{}, shequn.Errorf(shequn.CodeInvalid, "a task is worth 0 to 100 points")
	}
	t := Task{Scope: scope, Title: title, By: by, Due: due, Points: points, CreatedAt: now}
	seen := map[int64]bool{}
	for _, u := range assignees {
		if !seen[u] {
			seen[u] = true
			t.Parts = append(t.Parts, TaskPart{UserID: u})
		}
	}
	t, err := s.Tasks.AddTask(ctx, t)
	if err != nil {
		return Task{}, fmt.Errorf("add task: %w", err)
	}
	return t, nil
}

// PartDone records an assignee's part; the part that finishes the task
// credits every assignee (at once, and again by the reconciler if the
// process dies before: the ledger takes a task's points once per member).
func (s *Service) PartDone(ctx context.Context, taskID, userID int64) (Task, error) {
	t, err := s.Tasks.MarkTaskPart(ctx, taskID, userID, s.Now())
	if err != nil {
		return Task{}, fmt.Errorf("mark part: %w", err)
	}
	if !t.FinishedAt.IsZero() && t.CreditedAt.IsZero() {
		if err := s.creditTask(ctx, t); err != nil {
			return t, err
		}
	}
	return t, nil
}

// creditTask adds the finished task's points to each assignee's ledger of
// the period it finished in, then records that it did.
func (s *Service) creditTask(ctx context.Context, t Task) error {
	for _, p := range t.Parts {
		_, err := s.Core.AddContribution(ctx, Contribution{
			Scope: t.Scope, UserID: p.UserID, Period: s.CorePeriod(t.FinishedAt), Source: SourceTask, Points: t.Points,
			By: t.By, Reason: t.Title, Key: "task:" + strconv.FormatInt(t.ID, 10), At: t.FinishedAt,
		})
		if err != nil {
			return fmt.Errorf("credit task %d: %w", t.ID, err)
		}
	}
	if err := s.Tasks.MarkTaskCredited(ctx, t.ID, s.Now()); err != nil {
		return fmt.Errorf("mark task %d credited: %w", t.ID, err)
	}
	return nil
}

// creditTasks credits the finished tasks a crash left uncredited.
func (s *Service) creditTasks(ctx context.Context) error {
	if s.Tasks == nil {
		return nil
	}
	ts, err := s.Tasks.UncreditedTasks(ctx, reconcileBatch)
	if err != nil {
		return fmt.Errorf("uncredited tasks: %w", err)
	}
	for _, t := range ts {
		if err := s.creditTask(ctx, t); err != nil {
			return err
		}
	}
	return nil
}
