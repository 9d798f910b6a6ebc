package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

const taskCols = `id, scope, title, by_user, due_at, points, created_at, finished_at, credited_at`

var (
	qAddTask          = stmt(`INSERT INTO core_tasks (scope, title, by_user, due_at, points, created_at, parts_left) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qAddTaskPart      = stmt(`INSERT INTO core_task_parts (task_id, user_id) VALUES (?, ?)`)
	qTask             = stmt(`SELECT ` + taskCols + ` FROM core_tasks WHERE id = ?`)
	qTaskParts        = stmt(`SELECT user_id, done_at FROM core_task_parts WHERE task_id = ? ORDER BY user_id`)
	qOpenTasks        = stmt(`SELECT ` + taskCols + ` FROM core_tasks WHERE scope = ? AND finished_at IS NULL ORDER BY due_at, id`)
	qMarkTaskPart     = stmt(`UPDATE core_task_parts SET done_at = ? WHERE task_id = ? AND user_id = ? AND done_at IS NULL`)
	qIsTaskPart       = stmt(`SELECT COUNT(*) FROM core_task_parts WHERE task_id = ? AND user_id = ?`)
	qTaskPartDone     = stmt(`UPDATE core_tasks SET parts_left = parts_left - 1, finished_at = CASE WHEN parts_left = 1 THEN ?1 END WHERE id = ?2`)
	qUncreditedTasks  = stmt(`SELECT ` + taskCols + ` FROM core_tasks WHERE credited_at IS NULL AND finished_at IS NOT NULL ORDER BY finished_at, id LIMIT ?`)
	qMarkTaskCredited = stmt(`UPDATE core_tasks SET credited_at = ? WHERE id = ? AND credited_at IS NULL`)
)

func scanTask(r scanner) (groups.Task, error) {
	var t groups.Task
	err := r.Scan(&t.ID, &t.Scope, &t.Title, &t.By, tcol(&t.Due), &t.Points, tcol(&t.CreatedAt), tcol(&t.FinishedAt), tcol(&t.CreditedAt))
	return t, err
}

func scanPart(r scanner) (groups.TaskPart, error) {
	var p groups.TaskPart
	return p, r.Scan(&p.UserID, tcol(&p.DoneAt))
}

// AddTask stores a task with its parts.
func (db *DB) AddTask(ctx context.Context, t groups.Task) (groups.Task, error) {
	err := db.write(ctx, func(x *tx) error {
		if err := x.queryRow(qAddTask, t.Scope, t.Title, t.By, mark(t.Due), t.Points, mark(t.CreatedAt), len(t.Parts)).Scan(&t.ID); err != nil {
			return err
		}
		for _, p := range t.Parts {
			if _, err := x.exec(qAddTaskPart, t.ID, p.UserID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return t, fmt.Errorf("add task %q: %w", t.Title, err)
	}
	return t, nil
}

// Task returns a task with its parts.
func (db *DB) Task(ctx context.Context, id int64) (groups.Task, error) {
	t, err := scanTask(db.queryRow(ctx, qTask, id))
	if err != nil {
		return t, fmt.Errorf("task %d: %w", id, notFound(err))
	}
	rows, err := db.query(ctx, qTaskParts, id)
	if t.Parts, err = collect(rows, err, scanPart); err != nil {
		return t, fmt.Errorf("parts of task %d: %w", id, err)
	}
	return t, nil
}

// Tasks returns the scope's unfinished tasks with their parts.
func (db *DB) Tasks(ctx context.Context, scope string) ([]groups.Task, error) {
	rows, err := db.query(ctx, qOpenTasks, scope)
	ts, err := collect(rows, err, scanTask)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	return db.withParts(ctx, ts)
}

func (db *DB) withParts(ctx context.Context, ts []groups.Task) ([]groups.Task, error) {
	for i := range ts {
		rows, err := db.query(ctx, qTaskParts, ts[i].ID)
		if ts[i].Parts, err = collect(rows, err, scanPart); err != nil {
			return nil, fmt.Errorf("parts of task %d: %w", ts[i].ID, err)
		}
	}
	return ts, nil
}

// MarkTaskPart records an assignee's part; the last part finishes the task
// in the same transaction.
func (db *DB) MarkTaskPart(ctx context.Context, id, userID int64, at time.Time) (groups.Task, error) {
	err := db.write(ctx, func(x *tx) error {
		var n int
		if err := x.queryRow(qIsTaskPart, id, userID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return shequn.ErrNotFound
		}
		done, err := x.exec(qMarkTaskPart, mark(at), id, userID)
		if err != nil || done == 0 {
			return err
		}
		_, err = x.exec(qTaskPartDone, mark(at), id)
		return err
	})
	if err != nil {
		return groups.Task{}, fmt.Errorf("part of %d in task %d: %w", userID, id, err)
	}
	return db.Task(ctx, id)
}

// UncreditedTasks returns finished tasks whose points were not added.
func (db *DB) UncreditedTasks(ctx context.Context, limit int) ([]groups.Task, error) {
	rows, err := db.query(ctx, qUncreditedTasks, limit)
	ts, err := collect(rows, err, scanTask)
	if err != nil {
		return nil, fmt.Errorf("uncredited tasks: %w", err)
	}
	return db.withParts(ctx, ts)
}

// MarkTaskCredited records that the task's points were added.
func (db *DB) MarkTaskCredited(ctx context.Context, id int64, at time.Time) error {
	err := db.write(ctx, func(x *tx) error {
		_, err := x.exec(qMarkTaskCredited, mark(at), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("credit task %d: %w", id, err)
	}
	return nil
}

var _ groups.TaskStore = (*DB)(nil)
