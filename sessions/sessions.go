// Package sessions runs the Friday sharing sessions and the broadcasts:
// what is stored (a session's schedule and state, what the speaker said,
// the questions, the check-ins; a broadcast's message and progress) and
// the reconciler passes that make every student group match it, each
// effect recorded as a step of its own so that a restart repeats nothing
// and skips nothing.
//
// It imports no chat platform, payment provider or database: the chat is
// reached through Platform and shequn.Notifier, the data through Store,
// the groups through the groups domain (which also owns what happens to a
// group that refuses the bot: its owners are told once and it is paused).
package sessions

import (
	"context"
	"time"

	"github.com/shequn/shequn/groups"
)

// State is where a session stands.
type State string

// Session states, in order. A session is scheduled until it starts (by
// command or at its start time), live while the speaker talks, in QA while
// the groups are open for questions, ended once closed; it is closed when
// the recap reached every group and the reminders are unpinned.
const (
	Scheduled State = "scheduled"
	Live      State = "live"
	QA        State = "qa"
	Ended     State = "ended"
	Closed    State = "closed"
)

// Session is one sharing session, for one course's student groups or for
// every student group (Course empty).
type Session struct {
	ID          int64
	Course      string
	StartAt     time.Time
	Topic       string
	Speaker     int64
	SpeakerName string
	State       State
	// QARound counts the question windows opened; QAUntil is when the
	// current one closes. Both are stored so that a restart during the
	// window still mutes the groups again at its end.
	QARound   int
	QAUntil   time.Time
	CreatedBy int64
	CreatedAt time.Time
	StartedAt time.Time
	EndedAt   time.Time
}

// MessageRef names a message the bot can copy: a chat and one message, or
// several for an album (sent together, in order).
type MessageRef struct {
	ChatID     int64
	MessageIDs []int
	// Album is the album (Telegram's media_group_id) a relayed message is
	// one item of; items arrive one by one and are copied together.
	Album string
	// Items are what a platform that cannot copy needs to send each
	// message again (QQ has no copyMessage), one per message id, in the
	// transport's own encoding: sessions keeps them and never reads them.
	// Empty when the bot kept nothing.
	Items []string
}

// Relay is one message the speaker or an admin sent during the session,
// numbered in the order it reached the bot.
type Relay struct {
	SessionID int64
	Seq       int
	Ref       MessageRef
	At        time.Time
}

// Question is a student's question in a group during a question window.
type Question struct {
	SessionID int64
	Seq       int
	ChatID    int64 // the group it was asked in
	UserID    int64
	Course    string
	Number    int // the asker's member number in Course; 0 when not enrolled
	Text      string
	At        time.Time
}

// CheckIn is one member's attendance, counted once per session.
type CheckIn struct {
	SessionID int64
	UserID    int64
	ChatID    int64
	At        time.Time
}

// SessionStore keeps sessions and what happened in them. Methods return
// shequn.ErrNotFound as documented and wrap any other failure.
type SessionStore interface {
	// AddSession stores a session with the next id and returns it.
	// shequn.ErrConflict when the course has a session at that start time.
	AddSession(ctx context.Context, s Session) (Session, error)
	// Session returns a session by id, or ErrNotFound.
	Session(ctx context.Context, id int64) (Session, error)
	// OpenSessions returns the sessions not closed, by start time and id.
	OpenSessions(ctx context.Context) ([]Session, error)
	// MoveSession sets the session's state to to (with its QARound and
	// QAUntil, and StartedAt or EndedAt when moving to Live or Ended for
	// the first time) when it is in from, and reports whether it was.
	MoveSession(ctx context.Context, id int64, from State, to Session, at time.Time) (bool, error)
}

// TalkStore keeps what happened in a session: the messages relayed, the
// questions, the check-ins, each appended once and read back in order.
type TalkStore interface {
	// AddRelay appends a message to the session's relay with the next seq.
	AddRelay(ctx context.Context, sessionID int64, ref MessageRef, at time.Time) (Relay, error)
	// Relays returns the session's relayed messages in order.
	Relays(ctx context.Context, sessionID int64) ([]Relay, error)
	// AddQuestion appends a question with the next seq.
	AddQuestion(ctx context.Context, q Question) (Question, error)
	// Questions returns the session's questions in order.
	Questions(ctx context.Context, sessionID int64) ([]Question, error)
	// AddCheckIn counts a member once per session; false when counted.
	AddCheckIn(ctx context.Context, c CheckIn) (bool, error)
	// CheckIns returns the session's check-ins, earliest first.
	CheckIns(ctx context.Context, sessionID int64) ([]CheckIn, error)
}

// Groups is what sessions needs of the groups domain: the groups, and
// the settling of an effect in one (a problem recorded, its owners told
// once, a passing failure backed off) so that one group never holds up
// the others.
type Groups interface {
	Groups(ctx context.Context) ([]groups.Group, error)
	GroupByChat(ctx context.Context, chatID int64) (groups.Group, error)
	// EffectReady reports whether the effect may be tried now (no backoff).
	EffectReady(effect string, now time.Time) bool
	// SettleEffect records the outcome of an effect in the group and
	// reports whether it succeeded.
	SettleEffect(ctx context.Context, g groups.Group, effect string, err error, now time.Time) bool
}

// Platform is what sessions needs of the chat platform. Failures only a
// person can fix in a group are *groups.GroupError; a user who cannot be
// written to is shequn.ErrUnreachable; ErrSourceGone when the message to
// copy was deleted.
type Platform interface {
	// Copy copies the message (an album: all of them, in order) into the
	// chat; relay asks for the live relay's priority rather than bulk.
	Copy(ctx context.Context, chatID int64, ref MessageRef, relay bool) error
	// OpenChat lets the group's members speak (open) or mutes them.
	OpenChat(ctx context.Context, chatID int64, open bool) error
	// Unpin unpins a message the bot pinned.
	Unpin(ctx context.Context, chatID int64, messageID int) error
}

// Enrollments finds a member's number for a question.
type Enrollments interface {
	MemberNumber(ctx context.Context, course string, userID int64) (int, error)
}

// inCourse reports whether the student group takes what is sent to the
// course ("" is every course).
func inCourse(g groups.Group, course string) bool {
	return g.Kind == groups.KindStudent && (course == "" || g.Course == course)
}
