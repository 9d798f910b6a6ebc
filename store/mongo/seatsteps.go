package mongo

// Seat lookups, the steps the reconciler records, and its work lists.

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// WaitlistLen counts the members waiting for a seat in the course.
func (db *DB) WaitlistLen(ctx context.Context, course string) (int, error) {
	n, err := db.seats.CountDocuments(ctx, bson.M{"course": course, "state": stateWaiting})
	if err != nil {
		return 0, fmt.Errorf("waitlist length of %s: %w", course, err)
	}
	return int(n), nil
}

// Seat returns a member's seat in a course, or ErrNotFound.
func (db *DB) Seat(ctx context.Context, course string, userID int64) (groups.Seat, error) {
	s, found, err := db.seatDoc(ctx, key(course, userID))
	if err == nil && !found {
		err = shequn.ErrNotFound
	}
	if err != nil {
		return groups.Seat{}, fmt.Errorf("seat %s/%d: %w", course, userID, err)
	}
	return s.seat(), nil
}

// Seats returns every seat of a user, by course.
func (db *DB) Seats(ctx context.Context, userID int64) ([]groups.Seat, error) {
	docs, err := findAll[seatDoc](ctx, db.seats, bson.M{"user_id": userID},
		options.Find().SetSort(order("user_id", "course")))
	if err != nil {
		return nil, fmt.Errorf("seats of %d: %w", userID, err)
	}
	return seatsOf(docs), nil
}

func seatsOf(docs []seatDoc) []groups.Seat {
	seats := make([]groups.Seat, len(docs))
	for i, d := range docs {
		seats[i] = d.seat()
	}
	return seats
}

// SeatInGroup returns the seated (not waiting, not released) seat of a user
// in a group, or ErrNotFound.
func (db *DB) SeatInGroup(ctx context.Context, groupID, userID int64) (groups.Seat, error) {
	var s seatDoc
	err := findOne(ctx, db.seats, bson.M{"group_id": groupID, "user_id": userID, "state": stateSeated}, &s)
	if err != nil {
		return groups.Seat{}, fmt.Errorf("seat of %d in group %d: %w", userID, groupID, notFound(err))
	}
	return s.seat(), nil
}

// seatMark is how a mark is recorded: the time field it sets, when unset,
// and the fields it clears.
type seatMark struct {
	field string
	clear []string
}

var seatMarks = map[groups.Mark]seatMark{
	groups.MarkInviteSent: {field: "invite_sent_at"},
	groups.MarkWaitNoted:  {field: "wait_noted_at"},
	groups.MarkJoinAsked:  {field: "join_asked_at"},
	groups.MarkJoined:     {field: "joined_at", clear: []string{"left_at", "join_asked_at"}},
	groups.MarkWelcomed:   {field: "welcomed_at"},
	groups.MarkLeft:       {field: "left_at", clear: []string{"joined_at", "welcomed_at", "join_asked_at"}},
	groups.MarkRemoved:    {field: "removed_at"},
}

// MarkSeat records a step. It reports false, changing nothing, when the
// step was recorded already (joined twice, welcomed twice). MarkJoined
// clears LeftAt and JoinAskedAt; MarkLeft clears JoinedAt, WelcomedAt and
// JoinAskedAt, so a member can leave, ask again and come back. ErrNotFound
// when the member has no seat.
func (db *DB) MarkSeat(ctx context.Context, course string, userID int64, m groups.Mark, at time.Time) (bool, error) {
	sm, ok := seatMarks[m]
	if !ok {
		return false, shequn.Errorf(shequn.CodeInvalid, "unknown seat mark %q", m)
	}
	update := bson.M{"$set": bson.M{sm.field: ms(at)}}
	if len(sm.clear) > 0 {
		unset := bson.M{}
		for _, f := range sm.clear {
			unset[f] = ""
		}
		update["$unset"] = unset
	}
	id := key(course, userID)
	changed, err := db.update(ctx, db.seats, bson.M{"_id": id, sm.field: nil}, update)
	if err == nil && !changed {
		var found bool
		if _, found, err = db.seatDoc(ctx, id); err == nil && !found {
			err = shequn.ErrNotFound
		}
	}
	if err != nil {
		return false, fmt.Errorf("mark seat %s/%d %s: %w", course, userID, m, err)
	}
	return changed, nil
}

// pendingStage is the query of the seats with a stage unfinished, and its
// order, which matches an index of indexes.go field for field.
type pendingStage struct {
	filter bson.M
	sort   []string
}

var pendingStages = map[groups.Stage]pendingStage{
	groups.StageInvite: {bson.M{"state": stateSeated, "invite_sent_at": nil},
		[]string{"state", "invite_sent_at", "seated_at", "_id"}},
	groups.StageWaitNote: {bson.M{"state": stateWaiting, "wait_noted_at": nil},
		[]string{"state", "wait_noted_at", "waiting_since", "_id"}},
	groups.StageJoin: {bson.M{"state": stateSeated, "joined_at": nil, "join_asked_at": bson.M{"$ne": nil}},
		[]string{"state", "joined_at", "join_asked_at", "_id"}},
	groups.StageWelcome: {bson.M{"state": stateSeated, "welcomed_at": nil, "joined_at": bson.M{"$ne": nil}},
		[]string{"state", "welcomed_at", "joined_at", "_id"}},
	groups.StageRemove: {bson.M{"state": stateReleased, "removed_at": nil},
		[]string{"state", "removed_at", "released_at", "_id"}},
}

// PendingSeats returns up to limit seats with the stage unfinished, oldest
// first by when the stage began: seated for invite, waiting since for
// waitnote, join asked for join, joined for welcome, released for remove.
func (db *DB) PendingSeats(ctx context.Context, stage groups.Stage, limit int) ([]groups.Seat, error) {
	p, ok := pendingStages[stage]
	if !ok {
		return nil, shequn.Errorf(shequn.CodeInvalid, "unknown seat stage %q", stage)
	}
	if limit <= 0 {
		return nil, nil
	}
	docs, err := findAll[seatDoc](ctx, db.seats, p.filter,
		options.Find().SetSort(order(p.sort...)).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("pending seats of stage %s: %w", stage, err)
	}
	return seatsOf(docs), nil
}
