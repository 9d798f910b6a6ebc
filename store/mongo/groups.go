package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// groupDoc is a chat group. Its seats are counted by Holders, the tickets
// of the seats it holds (see seats.go): every write that adds or removes a
// ticket moves SeatsUsed and Free with it in the same update, so the
// counters always agree with the list and Free never goes below zero.
type groupDoc struct {
	ID           int64                `bson:"_id"`
	ChatID       int64                `bson:"chat_id"`
	Kind         string               `bson:"kind"`
	Course       string               `bson:"course"`
	Ordinal      int                  `bson:"ordinal"`
	Title        string               `bson:"title"`
	Capacity     int                  `bson:"capacity"`
	SeatsUsed    int                  `bson:"seats_used"`
	Free         int                  `bson:"free"`
	RegisteredBy int64                `bson:"registered_by"`
	CreatedAt    *time.Time           `bson:"created_at,omitempty"`
	SetUpAt      *time.Time           `bson:"set_up_at,omitempty"`
	JoinLink     string               `bson:"join_link"`
	Problem      string               `bson:"problem,omitempty"`
	Holders      []primitive.ObjectID `bson:"holders"`
}

func (g groupDoc) group() groups.Group {
	return groups.Group{ID: g.ID, ChatID: g.ChatID, Kind: groups.Kind(g.Kind), Course: g.Course, Ordinal: g.Ordinal,
		Title: g.Title, Capacity: g.Capacity, SeatsUsed: g.SeatsUsed, RegisteredBy: g.RegisteredBy,
		CreatedAt: val(g.CreatedAt), SetUpAt: val(g.SetUpAt), JoinLink: g.JoinLink,
		Problem: groups.Problem(g.Problem)}
}

// withoutHolders leaves the list of tickets out of a group read.
var withoutHolders = bson.M{"holders": 0}

// AddGroup stores g with the next ordinal of its course and kind and no seat
// used, and returns it. ErrConflict when the chat is registered already.
//
// The ordinal is one more than the highest stored; two groups added at once
// race for it on the unique (kind, course, ordinal) index, and the loser
// takes the next. Ids come from a counter; a failed add may skip one.
func (db *DB) AddGroup(ctx context.Context, g groups.Group) (groups.Group, error) {
	out, err := db.addGroup(ctx, g)
	if err != nil {
		return groups.Group{}, fmt.Errorf("add group for chat %d: %w", g.ChatID, err)
	}
	return out, nil
}

func (db *DB) addGroup(ctx context.Context, g groups.Group) (groups.Group, error) {
	if _, err := db.groupBy(ctx, bson.M{"chat_id": g.ChatID}); err == nil {
		return groups.Group{}, shequn.ErrConflict
	} else if !errors.Is(err, mongo.ErrNoDocuments) {
		return groups.Group{}, err
	}
	id, err := db.next(ctx, "group")
	if err != nil {
		return groups.Group{}, err
	}
	for range retries {
		var last groupDoc
		err := findOne(ctx, db.groups, bson.M{"kind": g.Kind, "course": g.Course}, &last,
			options.FindOne().SetSort(order("kind", "course", "-ordinal")).SetProjection(withoutHolders))
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return groups.Group{}, err
		}
		doc := groupDoc{ID: id, ChatID: g.ChatID, Kind: string(g.Kind), Course: g.Course, Ordinal: last.Ordinal + 1,
			Title: g.Title, Capacity: g.Capacity, Free: max(g.Capacity, 0), RegisteredBy: g.RegisteredBy,
			CreatedAt: opt(g.CreatedAt), SetUpAt: opt(g.SetUpAt), JoinLink: g.JoinLink, Holders: []primitive.ObjectID{}}
		err = db.insert(ctx, db.groups, doc)
		if !isDup(err) {
			return doc.group(), err
		}
		if _, err := db.groupBy(ctx, bson.M{"chat_id": g.ChatID}); err == nil {
			return groups.Group{}, shequn.ErrConflict
		}
		// Another group took the ordinal: try the next.
	}
	return groups.Group{}, errRace
}

// MarkGroupSetUp records that the group was muted and announced.
// ErrNotFound when there is no such group.
func (db *DB) MarkGroupSetUp(ctx context.Context, groupID int64, at time.Time) error {
	if err := db.setGroup(ctx, groupID, "set_up_at", opt(at)); err != nil {
		return fmt.Errorf("mark group %d set up: %w", groupID, err)
	}
	return nil
}

// SetJoinLink stores the group's join link. ErrNotFound when there is no
// such group.
func (db *DB) SetJoinLink(ctx context.Context, groupID int64, link string) error {
	if err := db.setGroup(ctx, groupID, "join_link", link); err != nil {
		return fmt.Errorf("set join link of group %d: %w", groupID, err)
	}
	return nil
}

// SetGroupCapacity changes the group's capacity.
func (db *DB) SetGroupCapacity(ctx context.Context, groupID int64, capacity int) error {
	if err := db.setGroup(ctx, groupID, "capacity", capacity); err != nil {
		return fmt.Errorf("set capacity of group %d: %w", groupID, err)
	}
	return nil
}

// SetGroupProblem records the group's problem ("" clears it) and reports
// whether it changed. ErrNotFound when there is no such group.
func (db *DB) SetGroupProblem(ctx context.Context, groupID int64, p groups.Problem) (bool, error) {
	filter := bson.M{"_id": groupID, "problem": bson.M{"$ne": string(p)}}
	set := bson.M{"$set": bson.M{"problem": string(p)}}
	if p == "" {
		filter["problem"] = bson.M{"$exists": true}
		set = bson.M{"$unset": bson.M{"problem": ""}}
	}
	changed, err := db.update(ctx, db.groups, filter, set)
	if err == nil && !changed {
		if _, err = db.groupBy(ctx, bson.M{"_id": groupID}); err != nil {
			err = notFound(err)
		}
	}
	if err != nil {
		return false, fmt.Errorf("set problem of group %d: %w", groupID, err)
	}
	return changed, nil
}

// setGroup sets one field of a group, or returns ErrNotFound.
func (db *DB) setGroup(ctx context.Context, groupID int64, field string, v any) error {
	matched, err := db.update(ctx, db.groups, bson.M{"_id": groupID}, bson.M{"$set": bson.M{field: v}})
	if err == nil && !matched {
		return shequn.ErrNotFound
	}
	return err
}

// groupBy returns the group matching filter, without its tickets.
func (db *DB) groupBy(ctx context.Context, filter bson.M) (groupDoc, error) {
	var g groupDoc
	err := findOne(ctx, db.groups, filter, &g, options.FindOne().SetProjection(withoutHolders))
	return g, err
}

// Group returns a group by id, or ErrNotFound.
func (db *DB) Group(ctx context.Context, id int64) (groups.Group, error) {
	g, err := db.groupBy(ctx, bson.M{"_id": id})
	if err != nil {
		return groups.Group{}, fmt.Errorf("group %d: %w", id, notFound(err))
	}
	return g.group(), nil
}

// GroupByChat returns a group by the platform's chat id, or ErrNotFound.
func (db *DB) GroupByChat(ctx context.Context, chatID int64) (groups.Group, error) {
	g, err := db.groupBy(ctx, bson.M{"chat_id": chatID})
	if err != nil {
		return groups.Group{}, fmt.Errorf("group of chat %d: %w", chatID, notFound(err))
	}
	return g.group(), nil
}

// Groups returns every group ordered by kind, course and ordinal.
func (db *DB) Groups(ctx context.Context) ([]groups.Group, error) {
	docs, err := findAll[groupDoc](ctx, db.groups, bson.M{},
		options.Find().SetSort(order("kind", "course", "ordinal")).SetProjection(withoutHolders))
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	gs := make([]groups.Group, len(docs))
	for i, d := range docs {
		gs[i] = d.group()
	}
	return gs, nil
}
