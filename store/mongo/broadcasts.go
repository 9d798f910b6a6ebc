package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn/sessions"
)

// broadcastDoc is one broadcast with its counts ($inc).
type broadcastDoc struct {
	ID         int64      `bson:"_id"`
	Course     string     `bson:"course"`
	DM         bool       `bson:"dm"`
	FromChat   int64      `bson:"from_chat"`
	MessageIDs []int      `bson:"message_ids"`
	By         int64      `bson:"by"`
	State      string     `bson:"state"`
	CreatedAt  time.Time  `bson:"created_at"`
	FinishedAt *time.Time `bson:"finished_at,omitempty"`
	Sent       int        `bson:"sent"`
	Blocked    int        `bson:"blocked"`
	Items      []string   `bson:"items,omitempty"`
}

func (d broadcastDoc) broadcast() sessions.Broadcast {
	return sessions.Broadcast{ID: d.ID, Course: d.Course, DM: d.DM, Ref: sessions.MessageRef{ChatID: d.FromChat, MessageIDs: d.MessageIDs, Items: d.Items},
		By: d.By, State: sessions.BroadcastState(d.State), CreatedAt: d.CreatedAt.UTC(), FinishedAt: val(d.FinishedAt),
		Sent: d.Sent, Blocked: d.Blocked}
}

// AddBroadcast stores a broadcast with the next id.
func (db *DB) AddBroadcast(ctx context.Context, b sessions.Broadcast) (sessions.Broadcast, error) {
	id, err := db.next(ctx, "broadcast")
	if err != nil {
		return b, err
	}
	b.ID = id
	err = db.insert(ctx, db.broadcasts, broadcastDoc{ID: id, Course: b.Course, DM: b.DM, FromChat: b.Ref.ChatID,
		MessageIDs: b.Ref.MessageIDs, Items: b.Ref.Items, By: b.By, State: string(b.State), CreatedAt: ms(b.CreatedAt)})
	if err != nil {
		return b, fmt.Errorf("add broadcast: %w", err)
	}
	return b, nil
}

// Broadcast returns a broadcast by id.
func (db *DB) Broadcast(ctx context.Context, id int64) (sessions.Broadcast, error) {
	var d broadcastDoc
	if err := findOne(ctx, db.broadcasts, bson.M{"_id": id}, &d); err != nil {
		return sessions.Broadcast{}, fmt.Errorf("broadcast %d: %w", id, notFound(err))
	}
	return d.broadcast(), nil
}

// Broadcasts returns the last broadcasts, newest first.
func (db *DB) Broadcasts(ctx context.Context, limit int) ([]sessions.Broadcast, error) {
	docs, err := findAll[broadcastDoc](ctx, db.broadcasts, bson.M{}, options.Find().SetSort(order("-_id")).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("broadcasts: %w", err)
	}
	out := make([]sessions.Broadcast, len(docs))
	for i, d := range docs {
		out[i] = d.broadcast()
	}
	return out, nil
}

// FinishBroadcast moves a sending broadcast to state.
func (db *DB) FinishBroadcast(ctx context.Context, id int64, state sessions.BroadcastState, at time.Time) (bool, error) {
	moved, err := db.update(ctx, db.broadcasts, bson.M{"_id": id, "state": string(sessions.Sending)},
		bson.M{"$set": bson.M{"state": string(state), "finished_at": ms(at)}})
	if err != nil {
		return false, fmt.Errorf("finish broadcast %d: %w", id, err)
	}
	return moved, nil
}

// CountBroadcast adds to the broadcast's counts.
func (db *DB) CountBroadcast(ctx context.Context, id int64, sent, blocked int) error {
	if sent == 0 && blocked == 0 {
		return nil
	}
	if _, err := db.update(ctx, db.broadcasts, bson.M{"_id": id}, bson.M{"$inc": bson.M{"sent": sent, "blocked": blocked}}); err != nil {
		return fmt.Errorf("count broadcast %d: %w", id, err)
	}
	return nil
}

// Audience returns the seated members of a course (any when empty) after
// the given id, ascending, each once. Across courses a member seated in
// several shows up once per page; a page may then hold fewer than limit.
func (db *DB) Audience(ctx context.Context, course string, after int64, limit int) ([]int64, error) {
	filter := bson.M{"state": stateSeated, "user_id": bson.M{"$gt": after}}
	if course != "" {
		filter["course"] = course
	}
	docs, err := findAll[seatDoc](ctx, db.seats, filter, options.Find().SetSort(order("user_id", "course")).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("audience of %q: %w", course, err)
	}
	var out []int64
	for _, d := range docs {
		if len(out) == 0 || out[len(out)-1] != d.UserID {
			out = append(out, d.UserID)
		}
	}
	return out, nil
}

// AudienceSize counts the seated members of a course (any when empty).
func (db *DB) AudienceSize(ctx context.Context, course string) (int, error) {
	filter := bson.M{"state": stateSeated}
	if course != "" {
		filter["course"] = course
		n, err := db.seats.CountDocuments(ctx, filter)
		if err != nil {
			return 0, fmt.Errorf("audience size of %q: %w", course, err)
		}
		return int(n), nil
	}
	ids, err := db.seats.Distinct(ctx, "user_id", filter)
	if err != nil {
		return 0, fmt.Errorf("audience size: %w", err)
	}
	return len(ids), nil
}

// PostedTo returns the chats among chatIDs the post named key reached, by
// the posts' _id.
func (db *DB) PostedTo(ctx context.Context, key string, chatIDs []int64) ([]int64, error) {
	if len(chatIDs) == 0 {
		return nil, nil
	}
	ids := make([]string, len(chatIDs))
	for i, c := range chatIDs {
		ids[i] = postID(key, c)
	}
	docs, err := findAll[struct {
		ChatID int64 `bson:"chat_id"`
	}](ctx, db.posts, bson.M{"_id": bson.M{"$in": ids}})
	if err != nil {
		return nil, fmt.Errorf("chats with post %s: %w", key, err)
	}
	out := make([]int64, len(docs))
	for i, d := range docs {
		out[i] = d.ChatID
	}
	return out, nil
}

var _ sessions.BroadcastStore = (*DB)(nil)
