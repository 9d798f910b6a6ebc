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

// How seats are taken without a transaction
//
// A seat lives in two documents: the member's seat document says which
// group they belong in, and the group document counts its seats. The
// group's count is a list of tickets, Holders, with SeatsUsed and Free
// moved in the same update as the list. A ticket is an ObjectID that the
// seat document gets each time the member takes a seat afresh (a new seat,
// or one released before), and keeps until the next time.
//
//   - claim: one findOneAndUpdate on the lowest-ordinal student group of
//     the course with free > 0 that does not hold the ticket yet: push the
//     ticket, free -1. Capacity is never exceeded, whatever happens after.
//   - commit: one conditional update of the seat, from claiming or waiting
//     under the ticket to seated in that group.
//   - give back: one conditional update of a group holding the ticket:
//     pull it, free +1. It happens once per ticket and group.
//
// A ticket is in flight while its seat is claiming or waiting under it: a
// hold of it may still be committed. Once the seat is seated or released,
// any hold of its ticket other than the seated group's is a stray, and
// giving strays back (dropHolds) is always safe; so is giving back every
// hold of a ticket the seat no longer carries. That finishes every
// interrupted call:
//
//   - TakeSeat interrupted after the claim leaves the seat claiming and a
//     group holding its ticket; TakeSeat again finds that hold and commits
//     it. Two calls that raced may each have claimed a group: one commits,
//     and the other, finding the seat seated elsewhere, gives its hold back
//     (or TakeSeat on the seated seat does, later). When one racing call
//     puts the seat on the waitlist while the other claims, the claim is
//     committed from the waitlist.
//   - FillWaitlist commits a hold that a waiting seat's ticket has before
//     claiming another, so a fill interrupted after its claim is finished by
//     the next one (as is a TakeSeat interrupted after claiming while a
//     racing call put the seat on the waitlist, once the member's turn
//     comes).
//   - ReleaseSeat marks the seat released, then gives back its holds;
//     interrupted in between, ReleaseSeat again gives them back.
//
// Until finished, an interrupted call can only leave a group counting a seat
// too many, never one too few. One case stays unfinished: a call that
// stalls across the member's release and fresh start, then claims under
// the old ticket and dies before committing, leaves a stray that no later
// call looks for.
//
// "Others wait already" is a query before the claim, not part of it: a
// newcomer who races with a release that frees a seat may take that seat
// ahead of someone waiting. FillWaitlist, which the domain runs after every
// release, still seats the waiting in order.

// stateClaiming is the stored state of a seat between asking for a group
// and being seated or put on the waitlist. It reads as waiting.
const stateClaiming = "claiming"

// Stored seat states.
const (
	stateWaiting  = string(groups.SeatWaiting)
	stateSeated   = string(groups.SeatSeated)
	stateReleased = string(groups.SeatReleased)
)

type seatDoc struct {
	ID      string             `bson:"_id"`
	Course  string             `bson:"course"`
	UserID  int64              `bson:"user_id"`
	Number  int                `bson:"number"`
	State   string             `bson:"state"`
	GroupID int64              `bson:"group_id,omitempty"`
	Ticket  primitive.ObjectID `bson:"ticket"`

	WaitingSince *time.Time `bson:"waiting_since,omitempty"`
	SeatedAt     *time.Time `bson:"seated_at,omitempty"`
	ReleasedAt   *time.Time `bson:"released_at,omitempty"`

	InviteSentAt *time.Time `bson:"invite_sent_at,omitempty"`
	WaitNotedAt  *time.Time `bson:"wait_noted_at,omitempty"`
	JoinAskedAt  *time.Time `bson:"join_asked_at,omitempty"`
	JoinedAt     *time.Time `bson:"joined_at,omitempty"`
	WelcomedAt   *time.Time `bson:"welcomed_at,omitempty"`
	LeftAt       *time.Time `bson:"left_at,omitempty"`
	RemovedAt    *time.Time `bson:"removed_at,omitempty"`
}

func (s seatDoc) seat() groups.Seat {
	state := groups.SeatState(s.State)
	if s.State == stateClaiming {
		state = groups.SeatWaiting
	}
	return groups.Seat{Course: s.Course, UserID: s.UserID, Number: s.Number, State: state, GroupID: s.GroupID,
		WaitingSince: val(s.WaitingSince), SeatedAt: val(s.SeatedAt), ReleasedAt: val(s.ReleasedAt),
		InviteSentAt: val(s.InviteSentAt), WaitNotedAt: val(s.WaitNotedAt),
		JoinAskedAt: val(s.JoinAskedAt), JoinedAt: val(s.JoinedAt), WelcomedAt: val(s.WelcomedAt),
		LeftAt: val(s.LeftAt), RemovedAt: val(s.RemovedAt)}
}

// inFlight reports whether a claim under ticket t may still be committed to
// seat s.
func (s seatDoc) inFlight(t primitive.ObjectID) bool {
	return (s.State == stateClaiming || s.State == stateWaiting) && s.Ticket == t
}

// freshSeat lists the fields a released seat forgets when taken again.
var freshSeat = bson.M{"group_id": "", "seated_at": "", "released_at": "", "invite_sent_at": "", "wait_noted_at": "",
	"join_asked_at": "", "joined_at": "", "welcomed_at": "", "left_at": "", "removed_at": ""}

// seatDoc reads a seat; found is false when there is none.
func (db *DB) seatDoc(ctx context.Context, id string) (s seatDoc, found bool, err error) {
	err = findOne(ctx, db.seats, bson.M{"_id": id}, &s)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return seatDoc{}, false, nil
	}
	return s, err == nil, err
}

// TakeSeat gives the member a seat in the lowest-ordinal student group of
// the course with room, or puts them on the waitlist (WaitingSince = r.At)
// when every group is full or others of the course wait already. A seated
// or waiting member keeps their seat unchanged; a released seat starts
// afresh, without invite link or progress. A seat left claiming by an
// interrupted call is finished.
func (db *DB) TakeSeat(ctx context.Context, r groups.SeatRequest) (groups.Seat, error) {
	s, err := db.takeSeat(ctx, r)
	if err != nil {
		return groups.Seat{}, fmt.Errorf("take seat %s/%d: %w", r.Course, r.UserID, err)
	}
	return s.seat(), nil
}

func (db *DB) takeSeat(ctx context.Context, r groups.SeatRequest) (seatDoc, error) {
	id := key(r.Course, r.UserID)
	for range retries {
		cur, found, err := db.seatDoc(ctx, id)
		switch {
		case err != nil:
			return seatDoc{}, err
		case !found || cur.State == stateReleased:
			s, ok, err := db.startClaim(ctx, id, r, cur, found)
			if err != nil || !ok {
				if err != nil {
					return seatDoc{}, err
				}
				continue // taken by a concurrent call: look again
			}
			if found {
				if err := db.dropHolds(ctx, s, cur.Ticket); err != nil {
					return seatDoc{}, err
				}
			}
			return db.finishClaim(ctx, s, r.At, nil)
		case cur.State == stateClaiming:
			held, err := db.holdersOf(ctx, cur.Ticket)
			if err != nil {
				return seatDoc{}, err
			}
			return db.finishClaim(ctx, cur, r.At, held)
		case cur.State == stateSeated:
			return cur, db.dropHolds(ctx, cur, cur.Ticket)
		default:
			return cur, nil
		}
	}
	return seatDoc{}, errRace
}

// startClaim stores the seat as claiming under a new ticket: a new
// document, or the released one prev made fresh. ok is false when a
// concurrent call changed the seat first.
func (db *DB) startClaim(ctx context.Context, id string, r groups.SeatRequest, prev seatDoc, found bool) (seatDoc, bool, error) {
	s := seatDoc{ID: id, Course: r.Course, UserID: r.UserID, Number: r.Number, State: stateClaiming,
		Ticket: primitive.NewObjectID(), WaitingSince: opt(r.At)}
	if !found {
		err := db.insert(ctx, db.seats, s)
		if isDup(err) {
			return seatDoc{}, false, nil
		}
		return s, err == nil, err
	}
	ok, err := db.update(ctx, db.seats, bson.M{"_id": id, "state": stateReleased, "ticket": prev.Ticket}, bson.M{
		"$set":   bson.M{"number": s.Number, "state": s.State, "ticket": s.Ticket, "waiting_since": s.WaitingSince},
		"$unset": freshSeat,
	})
	return s, ok, err
}

// finishClaim seats the claiming seat s in the first group of held, which
// hold its ticket already, or else claims a group for it; with no group to
// be had, or others waiting, it puts s on the waitlist.
func (db *DB) finishClaim(ctx context.Context, s seatDoc, at time.Time, held []int64) (seatDoc, error) {
	if len(held) > 0 {
		out, _, err := db.commit(ctx, s, held[0], held[1:], at)
		return out, err
	}
	var g int64
	waiting, err := db.othersWait(ctx, s.Course)
	if err == nil && !waiting {
		g, err = db.claim(ctx, s.Course, s.Ticket)
	}
	if err != nil {
		return seatDoc{}, err
	}
	if g != 0 {
		out, _, err := db.commit(ctx, s, g, nil, at)
		return out, err
	}
	// To the waitlist. A concurrent call that claimed a group meanwhile
	// leaves its hold to the next FillWaitlist, which finds it by ticket.
	var out seatDoc
	err = db.modify(ctx, db.seats, bson.M{"_id": s.ID, "state": stateClaiming, "ticket": s.Ticket},
		bson.M{"$set": bson.M{"state": stateWaiting}}, &out, nil)
	if errors.Is(err, mongo.ErrNoDocuments) {
		out, _, err = db.seatDoc(ctx, s.ID)
	}
	return out, err
}

// commit seats s, claiming or waiting under its ticket, in group g, which
// holds the ticket, and gives back the seats that the groups in extra hold
// under it. ok is false when s changed meanwhile: then it gives back every
// hold the ticket no longer needs and returns the seat as it is.
func (db *DB) commit(ctx context.Context, s seatDoc, g int64, extra []int64, at time.Time) (out seatDoc, ok bool, err error) {
	update := bson.M{"$set": bson.M{"state": stateSeated, "group_id": g, "seated_at": opt(at)}}
	if s.State == stateClaiming {
		update["$unset"] = bson.M{"waiting_since": ""}
	}
	err = db.modify(ctx, db.seats, bson.M{"_id": s.ID, "state": s.State, "ticket": s.Ticket}, update, &out, nil)
	if errors.Is(err, mongo.ErrNoDocuments) {
		if out, _, err = db.seatDoc(ctx, s.ID); err != nil {
			return seatDoc{}, false, err
		}
		if s.State == stateClaiming && out.State == stateWaiting && out.Ticket == s.Ticket {
			// A concurrent call put the seat on the waitlist while this
			// one claimed g: the seat is held, so it is taken.
			return db.commit(ctx, out, g, extra, at)
		}
		return out, false, db.dropHolds(ctx, out, s.Ticket)
	}
	if err != nil {
		return seatDoc{}, false, err
	}
	for _, h := range extra {
		if err := db.unhold(ctx, h, s.Ticket); err != nil {
			return seatDoc{}, false, err
		}
	}
	return out, true, nil
}

// othersWait reports whether a member of the course is on the waitlist.
func (db *DB) othersWait(ctx context.Context, course string) (bool, error) {
	var s seatDoc
	err := findOne(ctx, db.seats, bson.M{"course": course, "state": stateWaiting}, &s,
		options.FindOne().SetProjection(bson.M{"_id": 1}))
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, err
}

// claim holds a seat for ticket t in the lowest-ordinal student group of
// the course with room, and returns the group's id, or 0 when every group
// is full.
func (db *DB) claim(ctx context.Context, course string, t primitive.ObjectID) (int64, error) {
	// No projection: the returned group includes its tickets, which
	// FerretDB gives no way to leave out of a findAndModify.
	var g groupDoc
	err := db.modify(ctx, db.groups,
		bson.M{"kind": groups.KindStudent, "course": course, "free": bson.M{"$gt": 0}, "holders": bson.M{"$ne": t}},
		bson.M{"$push": bson.M{"holders": t}, "$inc": bson.M{"free": -1, "seats_used": 1}},
		&g, options.FindOneAndUpdate().SetSort(order("kind", "course", "ordinal")))
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("claim a seat: %w", err)
	}
	return g.ID, nil
}

// unhold gives back the seat group g holds for ticket t, if it holds one.
func (db *DB) unhold(ctx context.Context, g int64, t primitive.ObjectID) error {
	_, err := db.update(ctx, db.groups, bson.M{"_id": g, "holders": t},
		bson.M{"$pull": bson.M{"holders": t}, "$inc": bson.M{"free": 1, "seats_used": -1}})
	if err != nil {
		return fmt.Errorf("give back the seat of group %d: %w", g, err)
	}
	return nil
}

// holdersOf returns the groups holding a seat for ticket t, lowest ordinal
// first.
func (db *DB) holdersOf(ctx context.Context, t primitive.ObjectID) ([]int64, error) {
	docs, err := findAll[struct {
		ID int64 `bson:"_id"`
	}](ctx, db.groups, bson.M{"holders": t},
		options.Find().SetSort(order("kind", "course", "ordinal")).SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return nil, fmt.Errorf("groups holding a ticket: %w", err)
	}
	ids := make([]int64, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids, nil
}

// dropHolds gives back every seat held for ticket t, except the one seat s
// occupies under it. s is the seat as stored after t stopped being in
// flight; while it is, nothing is given back.
func (db *DB) dropHolds(ctx context.Context, s seatDoc, t primitive.ObjectID) error {
	if s.inFlight(t) {
		return nil
	}
	held, err := db.holdersOf(ctx, t)
	if err != nil {
		return err
	}
	for _, g := range held {
		if s.State == stateSeated && s.Ticket == t && s.GroupID == g {
			continue
		}
		if err := db.unhold(ctx, g, t); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseSeat frees the member's seat (a no-op when it is released already)
// and returns it; the seat keeps its group, the chat to take the member out
// of. ErrNotFound when the member has no seat.
//
// Writes, in order: the seat, to released; then the group, giving its seat
// back. Releasing again after a crash in between gives it back.
func (db *DB) ReleaseSeat(ctx context.Context, course string, userID int64, at time.Time) (groups.Seat, error) {
	s, err := db.releaseSeat(ctx, course, userID, at)
	if err != nil {
		return groups.Seat{}, fmt.Errorf("release seat %s/%d: %w", course, userID, err)
	}
	return s.seat(), nil
}

func (db *DB) releaseSeat(ctx context.Context, course string, userID int64, at time.Time) (seatDoc, error) {
	id := key(course, userID)
	for range retries {
		cur, found, err := db.seatDoc(ctx, id)
		switch {
		case err != nil:
			return seatDoc{}, err
		case !found:
			return seatDoc{}, shequn.ErrNotFound
		case cur.State == stateReleased:
			return cur, db.dropHolds(ctx, cur, cur.Ticket)
		}
		var out seatDoc
		err = db.modify(ctx, db.seats, bson.M{"_id": id, "state": cur.State, "ticket": cur.Ticket},
			bson.M{"$set": bson.M{"state": stateReleased, "released_at": opt(at)}}, &out, nil)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // changed meanwhile: look again
		}
		if err != nil {
			return seatDoc{}, err
		}
		return out, db.dropHolds(ctx, out, out.Ticket)
	}
	return seatDoc{}, errRace
}

// FillWaitlist seats waiting members of the course, longest waiting first
// (then by user id), while a group has room, and returns those it seated.
// A waiting member whose ticket a group holds already (a fill interrupted
// after its claim) is seated there.
func (db *DB) FillWaitlist(ctx context.Context, course string, at time.Time) ([]groups.Seat, error) {
	seated, err := db.fillWaitlist(ctx, course, at)
	if err != nil {
		return nil, fmt.Errorf("fill waitlist of %s: %w", course, err)
	}
	return seated, nil
}

func (db *DB) fillWaitlist(ctx context.Context, course string, at time.Time) (seated []groups.Seat, err error) {
	rooms, err := findAll[groupDoc](ctx, db.groups,
		bson.M{"kind": groups.KindStudent, "course": course, "free": bson.M{"$gt": 0}},
		options.Find().SetProjection(withoutHolders))
	if err != nil {
		return nil, err
	}
	free := 0
	for _, r := range rooms {
		free += r.Free
	}
	// Read the waitlist in batches of the free seats and one more: the head
	// of the waitlist may have a seat held already, which an interrupted
	// fill left, and which counts as used.
	cur, err := db.seats.Find(ctx, bson.M{"course": course, "state": stateWaiting},
		options.Find().SetSort(order("course", "state", "waiting_since", "user_id")).SetBatchSize(int32(free+1)))
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := cur.Close(context.WithoutCancel(ctx)); err == nil {
			err = cerr
		}
	}()
	for cur.Next(ctx) {
		var w seatDoc
		if err := cur.Decode(&w); err != nil {
			return nil, err
		}
		held, err := db.holdersOf(ctx, w.Ticket)
		if err != nil {
			return nil, err
		}
		var g int64
		if len(held) > 0 {
			g, held = held[0], held[1:]
		} else if g, err = db.claim(ctx, course, w.Ticket); err != nil {
			return nil, err
		} else if g == 0 {
			return seated, nil // every group is full
		}
		s, ok, err := db.commit(ctx, w, g, held, at)
		if err != nil {
			return nil, err
		}
		if ok {
			seated = append(seated, s.seat())
		}
	}
	return seated, cur.Err()
}
