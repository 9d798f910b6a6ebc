package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// coreID is the _id of a core record: one per scope and user.
func coreID(scope string, userID int64) string { return scope + "/" + strconv.FormatInt(userID, 10) }

// coreDoc is one person's core record; a step not done yet is left out.
type coreDoc struct {
	Scope       string        `bson:"scope"`
	UserID      int64         `bson:"user_id"`
	State       string        `bson:"state"`
	Reason      groups.Reason `bson:"reason"`
	Score       float64       `bson:"score"`
	QualifiedAt time.Time     `bson:"qualified_at"`
	InvitedAt   *time.Time    `bson:"invited_at,omitempty"`
	ExpiresAt   *time.Time    `bson:"expires_at,omitempty"`
	InviteSent  *time.Time    `bson:"invite_sent_at,omitempty"`
	JoinedAt    *time.Time    `bson:"joined_at,omitempty"`
	WelcomedAt  *time.Time    `bson:"welcomed_at,omitempty"`
	Protected   bool          `bson:"protected"`
	RunID       int64         `bson:"run_id"`
	RemovedAt   *time.Time    `bson:"removed_at,omitempty"`
	ToldAt      *time.Time    `bson:"told_at,omitempty"`
}

func (d coreDoc) seat() groups.CoreSeat {
	return groups.CoreSeat{
		Scope: d.Scope, UserID: d.UserID, State: groups.CoreState(d.State), Reason: d.Reason, Score: d.Score,
		QualifiedAt: d.QualifiedAt.UTC(), InvitedAt: val(d.InvitedAt), ExpiresAt: val(d.ExpiresAt),
		InviteSent: val(d.InviteSent), JoinedAt: val(d.JoinedAt), WelcomedAt: val(d.WelcomedAt),
		Protected: d.Protected, RunID: d.RunID, RemovedAt: val(d.RemovedAt), ToldAt: val(d.ToldAt),
	}
}

func coreSeatsOf(docs []coreDoc) []groups.CoreSeat {
	out := make([]groups.CoreSeat, len(docs))
	for i, d := range docs {
		out[i] = d.seat()
	}
	return out
}

// queueOrder is the candidate queue's order: score down, who qualified
// first, then the user id.
var queueOrder = order("-score", "qualified_at", "user_id")

// AddCandidate makes the user a candidate unless they are one, invited or
// a member already: inserted, or a finished record (expired, left, out)
// started afresh.
func (db *DB) AddCandidate(ctx context.Context, c groups.CoreSeat) (bool, error) {
	d := coreDoc{Scope: c.Scope, UserID: c.UserID, State: string(groups.CoreCandidate), Reason: c.Reason, Score: c.Score,
		QualifiedAt: ms(c.QualifiedAt)}
	raw, err := bson.Marshal(d)
	if err != nil {
		return false, fmt.Errorf("encode candidate: %w", err)
	}
	var doc bson.M
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return false, fmt.Errorf("encode candidate: %w", err)
	}
	doc["_id"] = coreID(c.Scope, c.UserID)
	err = db.insert(ctx, db.coreSeats, doc)
	if err == nil {
		return true, nil
	}
	if !isDup(err) {
		return false, fmt.Errorf("add candidate %d: %w", c.UserID, err)
	}
	delete(doc, "_id")
	unset := bson.M{}
	for _, f := range []string{"invited_at", "expires_at", "invite_sent_at", "joined_at", "welcomed_at", "removed_at", "told_at"} {
		unset[f] = ""
	}
	again, err := db.update(ctx, db.coreSeats, bson.M{"_id": coreID(c.Scope, c.UserID), "state": bson.M{"$in": bson.A{"expired", "left", "out"}}},
		bson.M{"$set": doc, "$unset": unset})
	if err != nil {
		return false, fmt.Errorf("add candidate %d: %w", c.UserID, err)
	}
	return again, nil
}

// CoreSeat returns the user's record in the scope.
func (db *DB) CoreSeat(ctx context.Context, scope string, userID int64) (groups.CoreSeat, error) {
	var d coreDoc
	if err := findOne(ctx, db.coreSeats, bson.M{"_id": coreID(scope, userID)}, &d); err != nil {
		return groups.CoreSeat{}, fmt.Errorf("core record %d: %w", userID, notFound(err))
	}
	return d.seat(), nil
}

// CoreSeats returns the records of the scope in the state.
func (db *DB) CoreSeats(ctx context.Context, scope string, state groups.CoreState, limit int) ([]groups.CoreSeat, error) {
	opts := options.Find().SetSort(order("user_id"))
	if state == groups.CoreCandidate {
		opts.SetSort(queueOrder)
	}
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	docs, err := findAll[coreDoc](ctx, db.coreSeats, bson.M{"scope": scope, "state": string(state)}, opts)
	if err != nil {
		return nil, fmt.Errorf("core records %s: %w", state, err)
	}
	return coreSeatsOf(docs), nil
}

// InviteNext invites the best candidates into the free seats, one
// findOneAndUpdate each. Seats are counted, not remembered, so a call that
// stops half-way is finished by the next; calls are made by the one
// instance holding the jobs' lease.
func (db *DB) InviteNext(ctx context.Context, scope string, capacity int, at, expires time.Time) ([]groups.CoreSeat, error) {
	taken, err := db.coreSeats.CountDocuments(ctx, bson.M{"scope": scope, "state": bson.M{"$in": bson.A{"invited", "member"}}})
	if err != nil {
		return nil, fmt.Errorf("count core seats: %w", err)
	}
	var out []groups.CoreSeat
	for range max(capacity-int(taken), 0) {
		var d coreDoc
		err := db.modify(ctx, db.coreSeats, bson.M{"scope": scope, "state": string(groups.CoreCandidate)},
			bson.M{"$set": bson.M{"state": string(groups.CoreInvited), "invited_at": ms(at), "expires_at": ms(expires)}},
			&d, options.FindOneAndUpdate().SetSort(queueOrder))
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("invite candidate: %w", err)
		}
		out = append(out, d.seat())
	}
	return out, nil
}

// ExpireInvites turns expired invitations into CoreExpired, one
// conditional update each, and returns those it turned.
func (db *DB) ExpireInvites(ctx context.Context, scope string, now time.Time) ([]groups.CoreSeat, error) {
	filter := bson.M{"scope": scope, "state": string(groups.CoreInvited), "expires_at": bson.M{"$lte": ms(now)}}
	docs, err := findAll[coreDoc](ctx, db.coreSeats, filter, options.Find().SetSort(order("user_id")))
	if err != nil {
		return nil, fmt.Errorf("expired invitations: %w", err)
	}
	var out []groups.CoreSeat
	for _, d := range docs {
		f := bson.M{"_id": coreID(scope, d.UserID)}
		for k, v := range filter {
			f[k] = v
		}
		done, err := db.update(ctx, db.coreSeats, f, bson.M{"$set": bson.M{"state": string(groups.CoreExpired)}})
		if err != nil {
			return out, fmt.Errorf("expire invitation of %d: %w", d.UserID, err)
		}
		if done {
			c := d.seat()
			c.State = groups.CoreExpired
			out = append(out, c)
		}
	}
	return out, nil
}

// SetCoreState moves the user from one state to another.
func (db *DB) SetCoreState(ctx context.Context, scope string, userID int64, from, to groups.CoreState, at time.Time) (bool, error) {
	set := bson.M{"state": string(to)}
	if to == groups.CoreMember {
		set["joined_at"] = ms(at)
	}
	moved, err := db.update(ctx, db.coreSeats, bson.M{"_id": coreID(scope, userID), "state": string(from)}, bson.M{"$set": set})
	if err != nil {
		return false, fmt.Errorf("core state %d: %w", userID, err)
	}
	return moved, nil
}

// ProtectCore sets or clears the owner's protection.
func (db *DB) ProtectCore(ctx context.Context, scope string, userID int64, on bool) error {
	found, err := db.update(ctx, db.coreSeats, bson.M{"_id": coreID(scope, userID)}, bson.M{"$set": bson.M{"protected": on}})
	if err == nil && !found {
		err = shequn.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("protect %d: %w", userID, err)
	}
	return nil
}

// coreSteps are, per step, the state a record must be in with the step
// not done (the field missing), and the field that records it.
var coreSteps = map[groups.CoreStep]struct {
	filter bson.M
	field  string
	sort   bson.D
}{
	groups.CoreStepInvite:  {bson.M{"state": "invited", "invite_sent_at": nil}, "invite_sent_at", order("invited_at", "user_id")},
	groups.CoreStepWelcome: {bson.M{"state": "member", "welcomed_at": nil}, "welcomed_at", order("joined_at", "user_id")},
	groups.CoreStepRemove:  {bson.M{"state": "leaving", "removed_at": nil}, "removed_at", order("run_id", "user_id")},
	groups.CoreStepTell:    {bson.M{"state": "leaving", "removed_at": bson.M{"$ne": nil}, "told_at": nil}, "told_at", order("run_id", "user_id")},
}

// MarkCore records that a step was done; telling the leaving ends it.
func (db *DB) MarkCore(ctx context.Context, scope string, userID int64, step groups.CoreStep, at time.Time) (bool, error) {
	st, ok := coreSteps[step]
	if !ok {
		return false, fmt.Errorf("unknown core step %q", step)
	}
	filter := bson.M{"_id": coreID(scope, userID)}
	for k, v := range st.filter {
		filter[k] = v
	}
	set := bson.M{st.field: ms(at)}
	switch step {
	case groups.CoreStepTell:
		set["state"] = string(groups.CoreOut)
	case groups.CoreStepInvite: // the invitation's time counts from its delivery
		var d coreDoc
		err := findOne(ctx, db.coreSeats, filter, &d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("mark core %s %d: %w", step, userID, err)
		}
		if late := ms(at).Sub(val(d.InvitedAt)); late > 0 {
			set["expires_at"] = val(d.ExpiresAt).Add(late)
		}
	}
	done, err := db.update(ctx, db.coreSeats, filter, bson.M{"$set": set})
	if err != nil {
		return false, fmt.Errorf("mark core %s %d: %w", step, userID, err)
	}
	return done, nil
}

// PendingCore returns records with the step unfinished.
func (db *DB) PendingCore(ctx context.Context, step groups.CoreStep, limit int) ([]groups.CoreSeat, error) {
	st, ok := coreSteps[step]
	if !ok {
		return nil, fmt.Errorf("unknown core step %q", step)
	}
	docs, err := findAll[coreDoc](ctx, db.coreSeats, st.filter, options.Find().SetSort(st.sort).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("core records pending %s: %w", step, err)
	}
	return coreSeatsOf(docs), nil
}
