package mongo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// taskDoc is a task with its parts in one document, keyed "u<user id>",
// so that marking a part and counting what is left is one atomic update.
type taskDoc struct {
	ID         int64              `bson:"_id"`
	Scope      string             `bson:"scope"`
	Title      string             `bson:"title"`
	By         int64              `bson:"by"`
	Due        time.Time          `bson:"due_at"`
	Points     int                `bson:"points"`
	CreatedAt  time.Time          `bson:"created_at"`
	Left       int                `bson:"left"`
	FinishedAt *time.Time         `bson:"finished_at,omitempty"`
	CreditedAt *time.Time         `bson:"credited_at,omitempty"`
	Parts      map[string]partDoc `bson:"parts"`
}

type partDoc struct {
	UserID int64      `bson:"user_id"`
	Done   bool       `bson:"done"`
	DoneAt *time.Time `bson:"done_at,omitempty"`
}

func partKey(userID int64) string { return "u" + strconv.FormatInt(userID, 10) }

func (d taskDoc) task() groups.Task {
	t := groups.Task{ID: d.ID, Scope: d.Scope, Title: d.Title, By: d.By, Due: d.Due.UTC(), Points: d.Points,
		CreatedAt: d.CreatedAt.UTC(), FinishedAt: val(d.FinishedAt), CreditedAt: val(d.CreditedAt)}
	for _, p := range d.Parts {
		t.Parts = append(t.Parts, groups.TaskPart{UserID: p.UserID, DoneAt: val(p.DoneAt)})
	}
	slices.SortFunc(t.Parts, func(a, b groups.TaskPart) int { return cmp.Compare(a.UserID, b.UserID) })
	return t
}

// AddTask stores a task with the next id.
func (db *DB) AddTask(ctx context.Context, t groups.Task) (groups.Task, error) {
	id, err := db.next(ctx, "core_task")
	if err != nil {
		return t, err
	}
	t.ID = id
	d := taskDoc{ID: id, Scope: t.Scope, Title: t.Title, By: t.By, Due: ms(t.Due), Points: t.Points,
		CreatedAt: ms(t.CreatedAt), Left: len(t.Parts), Parts: map[string]partDoc{}}
	for _, p := range t.Parts {
		d.Parts[partKey(p.UserID)] = partDoc{UserID: p.UserID}
	}
	if err := db.insert(ctx, db.coreTasks, d); err != nil {
		return t, fmt.Errorf("add task %q: %w", t.Title, err)
	}
	return t, nil
}

// Task returns a task with its parts.
func (db *DB) Task(ctx context.Context, id int64) (groups.Task, error) {
	var d taskDoc
	if err := findOne(ctx, db.coreTasks, bson.M{"_id": id}, &d); err != nil {
		return groups.Task{}, fmt.Errorf("task %d: %w", id, notFound(err))
	}
	return d.task(), nil
}

// Tasks returns the scope's unfinished tasks.
func (db *DB) Tasks(ctx context.Context, scope string) ([]groups.Task, error) {
	docs, err := findAll[taskDoc](ctx, db.coreTasks, bson.M{"scope": scope, "left": bson.M{"$gt": 0}},
		options.Find().SetSort(order("due_at", "_id")))
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	return tasksOf(docs), nil
}

func tasksOf(docs []taskDoc) []groups.Task {
	out := make([]groups.Task, len(docs))
	for i, d := range docs {
		out[i] = d.task()
	}
	return out
}

// MarkTaskPart records an assignee's part and counts it off in one update;
// the task is finished by a second, conditional one, which any later call
// (or UncreditedTasks) repeats if the process died between the two.
func (db *DB) MarkTaskPart(ctx context.Context, id, userID int64, at time.Time) (groups.Task, error) {
	k := "parts." + partKey(userID)
	_, err := db.update(ctx, db.coreTasks, bson.M{"_id": id, k + ".done": false},
		bson.M{"$set": bson.M{k + ".done": true, k + ".done_at": ms(at)}, "$inc": bson.M{"left": -1}})
	if err != nil {
		return groups.Task{}, fmt.Errorf("part of %d in task %d: %w", userID, id, err)
	}
	if err := db.finishTask(ctx, id, at); err != nil {
		return groups.Task{}, err
	}
	var d taskDoc
	err = findOne(ctx, db.coreTasks, bson.M{"_id": id, k: bson.M{"$exists": true}}, &d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return groups.Task{}, fmt.Errorf("part of %d in task %d: %w", userID, id, shequn.ErrNotFound)
	}
	if err != nil {
		return groups.Task{}, fmt.Errorf("task %d: %w", id, err)
	}
	return d.task(), nil
}

func (db *DB) finishTask(ctx context.Context, id int64, at time.Time) error {
	_, err := db.update(ctx, db.coreTasks, bson.M{"_id": id, "left": 0, "finished_at": nil},
		bson.M{"$set": bson.M{"finished_at": ms(at)}})
	if err != nil {
		return fmt.Errorf("finish task %d: %w", id, err)
	}
	return nil
}

// UncreditedTasks returns finished tasks whose points were not added.
func (db *DB) UncreditedTasks(ctx context.Context, limit int) ([]groups.Task, error) {
	docs, err := findAll[taskDoc](ctx, db.coreTasks, bson.M{"left": 0, "credited_at": nil},
		options.Find().SetSort(order("_id")).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("uncredited tasks: %w", err)
	}
	for i := range docs {
		if docs[i].FinishedAt == nil { // the process died before finishing it: at its last part
			var last time.Time
			for _, p := range docs[i].Parts {
				if t := val(p.DoneAt); t.After(last) {
					last = t
				}
			}
			if err := db.finishTask(ctx, docs[i].ID, last); err != nil {
				return nil, err
			}
			if err := findOne(ctx, db.coreTasks, bson.M{"_id": docs[i].ID}, &docs[i]); err != nil {
				return nil, fmt.Errorf("task %d: %w", docs[i].ID, err)
			}
		}
	}
	return tasksOf(docs), nil
}

// MarkTaskCredited records that the task's points were added.
func (db *DB) MarkTaskCredited(ctx context.Context, id int64, at time.Time) error {
	_, err := db.update(ctx, db.coreTasks, bson.M{"_id": id, "credited_at": nil}, bson.M{"$set": bson.M{"credited_at": ms(at)}})
	if err != nil {
		return fmt.Errorf("credit task %d: %w", id, err)
	}
	return nil
}

var _ groups.TaskStore = (*DB)(nil)
