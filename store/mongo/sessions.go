package mongo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/sessions"
)

// sessionDoc is one session; what happened in it (relays, questions,
// check-ins) is in documents of its own, one per item, so that adding one
// is one insert.
type sessionDoc struct {
	ID          int64      `bson:"_id"`
	Course      string     `bson:"course"`
	StartAt     time.Time  `bson:"start_at"`
	Topic       string     `bson:"topic"`
	Speaker     int64      `bson:"speaker"`
	SpeakerName string     `bson:"speaker_name"`
	State       string     `bson:"state"`
	QARound     int        `bson:"qa_round"`
	QAUntil     *time.Time `bson:"qa_until,omitempty"`
	CreatedBy   int64      `bson:"created_by"`
	CreatedAt   time.Time  `bson:"created_at"`
	StartedAt   *time.Time `bson:"started_at,omitempty"`
	EndedAt     *time.Time `bson:"ended_at,omitempty"`
}

func (d sessionDoc) session() sessions.Session {
	return sessions.Session{ID: d.ID, Course: d.Course, StartAt: d.StartAt.UTC(), Topic: d.Topic, Speaker: d.Speaker,
		SpeakerName: d.SpeakerName, State: sessions.State(d.State), QARound: d.QARound, QAUntil: val(d.QAUntil),
		CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC(), StartedAt: val(d.StartedAt), EndedAt: val(d.EndedAt)}
}

type relayDoc struct {
	ID         string    `bson:"_id"` // "session/seq"
	SessionID  int64     `bson:"session_id"`
	Seq        int       `bson:"seq"`
	FromChat   int64     `bson:"from_chat"`
	MessageIDs []int     `bson:"message_ids"`
	Album      string    `bson:"album,omitempty"`
	At         time.Time `bson:"at"`
	Items      []string  `bson:"items,omitempty"`
}

type questionDoc struct {
	ID        string    `bson:"_id"` // "session/seq"
	SessionID int64     `bson:"session_id"`
	Seq       int       `bson:"seq"`
	ChatID    int64     `bson:"chat_id"`
	UserID    int64     `bson:"user_id"`
	Course    string    `bson:"course"`
	Number    int       `bson:"number"`
	Text      string    `bson:"text"`
	At        time.Time `bson:"at"`
}

type checkInDoc struct {
	ID        string    `bson:"_id"` // "session/user": counted once
	SessionID int64     `bson:"session_id"`
	UserID    int64     `bson:"user_id"`
	ChatID    int64     `bson:"chat_id"`
	At        time.Time `bson:"at"`
}

func itemID(sessionID, n int64) string {
	return strconv.FormatInt(sessionID, 10) + "/" + strconv.FormatInt(n, 10)
}

// AddSession stores a session with the next id.
func (db *DB) AddSession(ctx context.Context, x sessions.Session) (sessions.Session, error) {
	id, err := db.next(ctx, "session")
	if err != nil {
		return x, err
	}
	x.ID = id
	d := sessionDoc{ID: id, Course: x.Course, StartAt: ms(x.StartAt), Topic: x.Topic, Speaker: x.Speaker,
		SpeakerName: x.SpeakerName, State: string(x.State), CreatedBy: x.CreatedBy, CreatedAt: ms(x.CreatedAt)}
	err = db.insert(ctx, db.sessions, d)
	if isDup(err) {
		err = shequn.ErrConflict
	}
	if err != nil {
		return x, fmt.Errorf("add session: %w", err)
	}
	return x, nil
}

// Session returns a session by id.
func (db *DB) Session(ctx context.Context, id int64) (sessions.Session, error) {
	var d sessionDoc
	if err := findOne(ctx, db.sessions, bson.M{"_id": id}, &d); err != nil {
		return sessions.Session{}, fmt.Errorf("session %d: %w", id, notFound(err))
	}
	return d.session(), nil
}

// OpenSessions returns the sessions not closed, by start.
func (db *DB) OpenSessions(ctx context.Context) ([]sessions.Session, error) {
	docs, err := findAll[sessionDoc](ctx, db.sessions,
		bson.M{"state": bson.M{"$in": []string{string(sessions.Scheduled), string(sessions.Live), string(sessions.QA), string(sessions.Ended)}}},
		options.Find().SetSort(order("start_at", "_id")))
	if err != nil {
		return nil, fmt.Errorf("open sessions: %w", err)
	}
	out := make([]sessions.Session, len(docs))
	for i, d := range docs {
		out[i] = d.session()
	}
	return out, nil
}

// MoveSession moves the session from one state to another. StartedAt is
// set by the move from scheduled to live, EndedAt by the move to ended:
// each happens once.
func (db *DB) MoveSession(ctx context.Context, id int64, from sessions.State, to sessions.Session, at time.Time) (bool, error) {
	set := bson.M{"state": string(to.State), "qa_round": to.QARound}
	upd := bson.M{"$set": set}
	if u := opt(to.QAUntil); u != nil {
		set["qa_until"] = u
	} else {
		upd["$unset"] = bson.M{"qa_until": ""}
	}
	if from == sessions.Scheduled && to.State == sessions.Live {
		set["started_at"] = ms(at)
	}
	if to.State == sessions.Ended {
		set["ended_at"] = ms(at)
	}
	moved, err := db.update(ctx, db.sessions, bson.M{"_id": id, "state": string(from)}, upd)
	if err != nil {
		return false, fmt.Errorf("move session %d: %w", id, err)
	}
	return moved, nil
}

// AddRelay appends a message to the session's relay: its seq comes from a
// per-session counter, so concurrent relays never share one.
func (db *DB) AddRelay(ctx context.Context, sessionID int64, ref sessions.MessageRef, at time.Time) (sessions.Relay, error) {
	seq, err := db.next(ctx, "relay/"+strconv.FormatInt(sessionID, 10))
	r := sessions.Relay{SessionID: sessionID, Seq: int(seq), Ref: ref, At: at}
	if err == nil {
		err = db.insert(ctx, db.sessionRelays, relayDoc{ID: itemID(sessionID, seq), SessionID: sessionID, Seq: int(seq),
			FromChat: ref.ChatID, MessageIDs: ref.MessageIDs, Album: ref.Album, At: ms(at), Items: ref.Items})
	}
	if err != nil {
		return r, fmt.Errorf("relay into session %d: %w", sessionID, err)
	}
	return r, nil
}

// Relays returns the session's relay in order.
func (db *DB) Relays(ctx context.Context, sessionID int64) ([]sessions.Relay, error) {
	docs, err := findAll[relayDoc](ctx, db.sessionRelays, bson.M{"session_id": sessionID}, options.Find().SetSort(order("session_id", "seq")))
	if err != nil {
		return nil, fmt.Errorf("relays of session %d: %w", sessionID, err)
	}
	out := make([]sessions.Relay, len(docs))
	for i, d := range docs {
		out[i] = sessions.Relay{SessionID: sessionID, Seq: d.Seq, Ref: sessions.MessageRef{ChatID: d.FromChat, MessageIDs: d.MessageIDs, Album: d.Album, Items: d.Items}, At: d.At.UTC()}
	}
	return out, nil
}

// AddQuestion appends a question, numbered like AddRelay.
func (db *DB) AddQuestion(ctx context.Context, q sessions.Question) (sessions.Question, error) {
	seq, err := db.next(ctx, "question/"+strconv.FormatInt(q.SessionID, 10))
	q.Seq = int(seq)
	if err == nil {
		err = db.insert(ctx, db.sessionQuestions, questionDoc{ID: itemID(q.SessionID, seq), SessionID: q.SessionID, Seq: q.Seq,
			ChatID: q.ChatID, UserID: q.UserID, Course: q.Course, Number: q.Number, Text: q.Text, At: ms(q.At)})
	}
	if err != nil {
		return q, fmt.Errorf("question in session %d: %w", q.SessionID, err)
	}
	return q, nil
}

// Questions returns the session's questions in order.
func (db *DB) Questions(ctx context.Context, sessionID int64) ([]sessions.Question, error) {
	docs, err := findAll[questionDoc](ctx, db.sessionQuestions, bson.M{"session_id": sessionID}, options.Find().SetSort(order("session_id", "seq")))
	if err != nil {
		return nil, fmt.Errorf("questions of session %d: %w", sessionID, err)
	}
	out := make([]sessions.Question, len(docs))
	for i, d := range docs {
		out[i] = sessions.Question{SessionID: sessionID, Seq: d.Seq, ChatID: d.ChatID, UserID: d.UserID, Course: d.Course,
			Number: d.Number, Text: d.Text, At: d.At.UTC()}
	}
	return out, nil
}

// AddCheckIn counts a member once per session (the _id).
func (db *DB) AddCheckIn(ctx context.Context, c sessions.CheckIn) (bool, error) {
	err := db.insert(ctx, db.sessionCheckIns, checkInDoc{ID: itemID(c.SessionID, c.UserID), SessionID: c.SessionID,
		UserID: c.UserID, ChatID: c.ChatID, At: ms(c.At)})
	switch {
	case isDup(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("check in to session %d: %w", c.SessionID, err)
	}
	return true, nil
}

// CheckIns returns the session's check-ins, earliest first.
func (db *DB) CheckIns(ctx context.Context, sessionID int64) ([]sessions.CheckIn, error) {
	docs, err := findAll[checkInDoc](ctx, db.sessionCheckIns, bson.M{"session_id": sessionID}, options.Find().SetSort(order("session_id", "at", "user_id")))
	if err != nil {
		return nil, fmt.Errorf("check-ins of session %d: %w", sessionID, err)
	}
	out := make([]sessions.CheckIn, len(docs))
	for i, d := range docs {
		out[i] = sessions.CheckIn{SessionID: sessionID, UserID: d.UserID, ChatID: d.ChatID, At: d.At.UTC()}
	}
	return out, nil
}

var (
	_ sessions.SessionStore = (*DB)(nil)
	_ sessions.TalkStore    = (*DB)(nil)
)
