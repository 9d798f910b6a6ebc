package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/sessions"
)

const sessionCols = `id, course, start_at, topic, speaker, speaker_name, state, qa_round, qa_until, created_by, created_at, started_at, ended_at`

var (
	qAddSession = stmt(`INSERT INTO sessions (course, start_at, topic, speaker, speaker_name, state, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qSession      = stmt(`SELECT ` + sessionCols + ` FROM sessions WHERE id = ?`)
	qOpenSessions = stmt(`SELECT ` + sessionCols + ` FROM sessions WHERE state <> 'closed' ORDER BY start_at, id`)
	qMoveSession  = stmt(`UPDATE sessions SET state = ?, qa_round = ?, qa_until = ?,
		started_at = CASE WHEN ?4 = 'live' AND started_at IS NULL THEN ?5 ELSE started_at END,
		ended_at = CASE WHEN ?4 = 'ended' AND ended_at IS NULL THEN ?5 ELSE ended_at END
		WHERE id = ?6 AND state = ?7`)
	qAddRelay = stmt(`INSERT INTO session_relays (session_id, seq, from_chat, message_ids, album, at, items)
		SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6 FROM session_relays WHERE session_id = ?1 RETURNING seq`)
	qRelays      = stmt(`SELECT seq, from_chat, message_ids, album, at, items FROM session_relays WHERE session_id = ? ORDER BY seq`)
	qAddQuestion = stmt(`INSERT INTO session_questions (session_id, seq, chat_id, user_id, course, number, text, at)
		SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7 FROM session_questions WHERE session_id = ?1 RETURNING seq`)
	qQuestions  = stmt(`SELECT seq, chat_id, user_id, course, number, text, at FROM session_questions WHERE session_id = ? ORDER BY seq`)
	qAddCheckIn = stmt(`INSERT INTO session_checkins (session_id, user_id, chat_id, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qCheckIns   = stmt(`SELECT user_id, chat_id, at FROM session_checkins WHERE session_id = ? ORDER BY at, user_id`)
)

func scanSession(r scanner) (sessions.Session, error) {
	var x sessions.Session
	err := r.Scan(&x.ID, &x.Course, tcol(&x.StartAt), &x.Topic, &x.Speaker, &x.SpeakerName, &x.State,
		&x.QARound, tcol(&x.QAUntil), &x.CreatedBy, tcol(&x.CreatedAt), tcol(&x.StartedAt), tcol(&x.EndedAt))
	return x, err
}

// AddSession stores a session with the next id.
func (db *DB) AddSession(ctx context.Context, x sessions.Session) (sessions.Session, error) {
	err := db.write(ctx, func(t *tx) error {
		return t.queryRow(qAddSession, x.Course, mark(x.StartAt), x.Topic, x.Speaker, x.SpeakerName, x.State,
			x.CreatedBy, mark(x.CreatedAt)).Scan(&x.ID)
	})
	if isUnique(err) {
		err = shequn.ErrConflict
	}
	if err != nil {
		return x, fmt.Errorf("add session: %w", err)
	}
	return x, nil
}

// Session returns a session by id.
func (db *DB) Session(ctx context.Context, id int64) (sessions.Session, error) {
	x, err := scanSession(db.queryRow(ctx, qSession, id))
	if err != nil {
		return x, fmt.Errorf("session %d: %w", id, notFound(err))
	}
	return x, nil
}

// OpenSessions returns the sessions not closed, by start.
func (db *DB) OpenSessions(ctx context.Context) ([]sessions.Session, error) {
	rows, err := db.query(ctx, qOpenSessions)
	out, err := collect(rows, err, scanSession)
	if err != nil {
		return nil, fmt.Errorf("open sessions: %w", err)
	}
	return out, nil
}

// MoveSession moves the session from one state to another.
func (db *DB) MoveSession(ctx context.Context, id int64, from sessions.State, to sessions.Session, at time.Time) (bool, error) {
	var moved bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qMoveSession, to.State, to.QARound, ts(to.QAUntil), to.State, mark(at), id, from)
		moved = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("move session %d: %w", id, err)
	}
	return moved, nil
}

// AddRelay appends a message to the session's relay.
func (db *DB) AddRelay(ctx context.Context, sessionID int64, ref sessions.MessageRef, at time.Time) (sessions.Relay, error) {
	r := sessions.Relay{SessionID: sessionID, Ref: ref, At: at}
	err := db.write(ctx, func(t *tx) error {
		items, err := joinItems(ref.Items)
		if err != nil {
			return err
		}
		return t.queryRow(qAddRelay, sessionID, ref.ChatID, joinIDs(ref.MessageIDs), ref.Album, mark(at), items).Scan(&r.Seq)
	})
	if err != nil {
		return r, fmt.Errorf("relay into session %d: %w", sessionID, err)
	}
	return r, nil
}

// Relays returns the session's relay in order.
func (db *DB) Relays(ctx context.Context, sessionID int64) ([]sessions.Relay, error) {
	rows, err := db.query(ctx, qRelays, sessionID)
	out, err := collect(rows, err, func(r scanner) (sessions.Relay, error) {
		x := sessions.Relay{SessionID: sessionID}
		var ids, items string
		if err := r.Scan(&x.Seq, &x.Ref.ChatID, &ids, &x.Ref.Album, tcol(&x.At), &items); err != nil {
			return x, err
		}
		var err error
		if x.Ref.MessageIDs, err = splitIDs(ids); err != nil {
			return x, err
		}
		x.Ref.Items, err = splitItems(items)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("relays of session %d: %w", sessionID, err)
	}
	return out, nil
}

// AddQuestion appends a question.
func (db *DB) AddQuestion(ctx context.Context, q sessions.Question) (sessions.Question, error) {
	err := db.write(ctx, func(t *tx) error {
		return t.queryRow(qAddQuestion, q.SessionID, q.ChatID, q.UserID, q.Course, q.Number, q.Text, mark(q.At)).Scan(&q.Seq)
	})
	if err != nil {
		return q, fmt.Errorf("question in session %d: %w", q.SessionID, err)
	}
	return q, nil
}

// Questions returns the session's questions in order.
func (db *DB) Questions(ctx context.Context, sessionID int64) ([]sessions.Question, error) {
	rows, err := db.query(ctx, qQuestions, sessionID)
	out, err := collect(rows, err, func(r scanner) (sessions.Question, error) {
		q := sessions.Question{SessionID: sessionID}
		return q, r.Scan(&q.Seq, &q.ChatID, &q.UserID, &q.Course, &q.Number, &q.Text, tcol(&q.At))
	})
	if err != nil {
		return nil, fmt.Errorf("questions of session %d: %w", sessionID, err)
	}
	return out, nil
}

// AddCheckIn counts a member once per session.
func (db *DB) AddCheckIn(ctx context.Context, c sessions.CheckIn) (bool, error) {
	var added bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(qAddCheckIn, c.SessionID, c.UserID, c.ChatID, mark(c.At))
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("check in to session %d: %w", c.SessionID, err)
	}
	return added, nil
}

// CheckIns returns the session's check-ins, earliest first.
func (db *DB) CheckIns(ctx context.Context, sessionID int64) ([]sessions.CheckIn, error) {
	rows, err := db.query(ctx, qCheckIns, sessionID)
	out, err := collect(rows, err, func(r scanner) (sessions.CheckIn, error) {
		c := sessions.CheckIn{SessionID: sessionID}
		return c, r.Scan(&c.UserID, &c.ChatID, tcol(&c.At))
	})
	if err != nil {
		return nil, fmt.Errorf("check-ins of session %d: %w", sessionID, err)
	}
	return out, nil
}

func joinIDs(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ",")
}

func splitIDs(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	ids := make([]int, len(parts))
	for i, p := range parts {
		id, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("message ids %q: %w", s, err)
		}
		ids[i] = id
	}
	return ids, nil
}

var (
	_ sessions.SessionStore = (*DB)(nil)
	_ sessions.TalkStore    = (*DB)(nil)
)

// joinItems stores a message's items as a JSON array ("" for none).
func joinItems(items []string) (string, error) {
	if len(items) == 0 {
		return "", nil
	}
	b, err := json.Marshal(items)
	if err != nil {
		return "", fmt.Errorf("encode items: %w", err)
	}
	return string(b), nil
}

func splitItems(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var items []string
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		return nil, fmt.Errorf("items %q: %w", s, err)
	}
	return items, nil
}
