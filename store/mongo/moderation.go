package mongo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn/moderation"
)

// apptDoc is one group role; its _id "chat/user/role" makes it once.
type apptDoc struct {
	ID     string    `bson:"_id"`
	ChatID int64     `bson:"chat_id"`
	UserID int64     `bson:"user_id"`
	Role   string    `bson:"role"`
	By     int64     `bson:"by"`
	At     time.Time `bson:"at"`
}

// auditDoc is one audit entry. Its _id is the entry's key when it has one
// (so it is recorded once), else generated.
type auditDoc struct {
	ID     any       `bson:"_id,omitempty"`
	Key    string    `bson:"key,omitempty"`
	At     time.Time `bson:"at"`
	Actor  int64     `bson:"actor"`
	Target int64     `bson:"target"`
	Action string    `bson:"action"`
	ChatID int64     `bson:"chat_id"`
	Detail string    `bson:"detail"`
	Reason string    `bson:"reason"`
}

func (d auditDoc) entry() moderation.Entry {
	return moderation.Entry{Key: d.Key, At: d.At.UTC(), Actor: d.Actor, Target: d.Target, Action: moderation.Action(d.Action),
		ChatID: d.ChatID, Detail: d.Detail, Reason: d.Reason}
}

// Appoint stores a group role; false when the user holds it there already.
func (db *DB) Appoint(ctx context.Context, a moderation.Appointment) (bool, error) {
	id := strconv.FormatInt(a.ChatID, 10) + "/" + strconv.FormatInt(a.UserID, 10) + "/" + string(a.Role)
	err := db.insert(ctx, db.groupRoles, apptDoc{ID: id, ChatID: a.ChatID, UserID: a.UserID, Role: string(a.Role), By: a.By, At: ms(a.At)})
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("appoint %d %s in %d: %w", a.UserID, a.Role, a.ChatID, err)
	}
	return true, nil
}

// Dismiss removes a group role and reports whether there was one.
func (db *DB) Dismiss(ctx context.Context, chatID, userID int64, role moderation.Role) (bool, error) {
	had, err := db.removeOne(ctx, db.groupRoles, bson.M{"chat_id": chatID, "user_id": userID, "role": string(role)})
	if err != nil {
		return false, fmt.Errorf("dismiss %d %s in %d: %w", userID, role, chatID, err)
	}
	return had, nil
}

// GroupStaff returns the appointments of a chat, by role, then in the
// order they were made.
func (db *DB) GroupStaff(ctx context.Context, chatID int64) ([]moderation.Appointment, error) {
	out, err := db.appointments(ctx, bson.M{"chat_id": chatID}, order("chat_id", "role", "at", "user_id"))
	if err != nil {
		return nil, fmt.Errorf("staff of chat %d: %w", chatID, err)
	}
	return out, nil
}

// Appointments returns a user's group roles.
func (db *DB) Appointments(ctx context.Context, userID int64) ([]moderation.Appointment, error) {
	out, err := db.appointments(ctx, bson.M{"user_id": userID}, order("user_id", "chat_id", "role"))
	if err != nil {
		return nil, fmt.Errorf("appointments of %d: %w", userID, err)
	}
	return out, nil
}

func (db *DB) appointments(ctx context.Context, filter bson.M, sort bson.D) ([]moderation.Appointment, error) {
	docs, err := findAll[apptDoc](ctx, db.groupRoles, filter, options.Find().SetSort(sort))
	if err != nil {
		return nil, err
	}
	out := make([]moderation.Appointment, len(docs))
	for i, d := range docs {
		out[i] = moderation.Appointment{ChatID: d.ChatID, UserID: d.UserID, Role: moderation.Role(d.Role), By: d.By, At: d.At.UTC()}
	}
	return out, nil
}

// Record appends an audit entry; one with a key is added once (the key is
// its _id).
func (db *DB) Record(ctx context.Context, e moderation.Entry) (bool, error) {
	doc := auditDoc{Key: e.Key, At: ms(e.At), Actor: e.Actor, Target: e.Target, Action: string(e.Action),
		ChatID: e.ChatID, Detail: e.Detail, Reason: e.Reason}
	doc.ID = primitive.NewObjectID()
	if e.Key != "" {
		doc.ID = "key/" + e.Key
	}
	err := db.insert(ctx, db.audit, doc)
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("record %s of %d: %w", e.Action, e.Target, err)
	}
	return true, nil
}

// EntriesOn returns the entries on a user since a time, oldest first.
func (db *DB) EntriesOn(ctx context.Context, target int64, since time.Time) ([]moderation.Entry, error) {
	docs, err := findAll[auditDoc](ctx, db.audit, bson.M{"target": target, "at": bson.M{"$gte": ms(since)}},
		options.Find().SetSort(order("target", "at")))
	if err != nil {
		return nil, fmt.Errorf("entries on %d: %w", target, err)
	}
	out := make([]moderation.Entry, len(docs))
	for i, d := range docs {
		out[i] = d.entry()
	}
	return out, nil
}

// Audit returns up to limit entries the user did or underwent, newest
// first: the newest of each kind, merged.
func (db *DB) Audit(ctx context.Context, userID int64, limit int) ([]moderation.Entry, error) {
	var docs []auditDoc
	seen := map[any]bool{}
	for _, field := range []string{"target", "actor"} {
		ds, err := findAll[auditDoc](ctx, db.audit, bson.M{field: userID},
			options.Find().SetSort(order("-"+field, "-at")).SetLimit(int64(limit)))
		if err != nil {
			return nil, fmt.Errorf("audit of %d: %w", userID, err)
		}
		for _, d := range ds {
			if k := fmt.Sprint(d.ID); !seen[k] {
				seen[k] = true
				docs = append(docs, d)
			}
		}
	}
	slices.SortStableFunc(docs, func(a, b auditDoc) int { return -cmp.Compare(a.At.UnixMilli(), b.At.UnixMilli()) })
	out := make([]moderation.Entry, 0, min(len(docs), limit))
	for _, d := range docs[:min(len(docs), limit)] {
		out = append(out, d.entry())
	}
	return out, nil
}

// UserByNumber finds the holder of a member number of a course, through
// the unique (course, number) index of enrollments.
func (db *DB) UserByNumber(ctx context.Context, course string, number int) (int64, error) {
	var d enrollmentDoc
	if err := findOne(ctx, db.enrollments, bson.M{"course": course, "number": number}, &d); err != nil {
		return 0, fmt.Errorf("holder of %s number %d: %w", course, number, notFound(err))
	}
	return d.UserID, nil
}
