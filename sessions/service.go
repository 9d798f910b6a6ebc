package sessions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// ErrSourceGone is returned by Platform.Copy when the message to copy was
// deleted: nothing will ever copy it, so the step is given up.
var ErrSourceGone = errors.New("message to copy not found")

// Store is every store sessions needs.
type Store interface {
	SessionStore
	TalkStore
	BroadcastStore
}

// Service applies the rules of sessions and broadcasts. Commands change
// the stored state and wake the reconciler; the passes (Pass, Broadcast)
// make the chats match.
type Service struct {
	Store    Store
	Posts    groups.PostLog
	Groups   Groups
	Platform Platform
	Notifier shequn.Notifier
	Members  Enrollments
	// Reminders are how long before the start the reminder is posted and
	// pinned; DefaultReminders when empty.
	Reminders []time.Duration
	Now       func() time.Time
	Log       *slog.Logger
	// Wake asks for a pass soon; nil when nobody listens.
	Wake func()
	// CheckedIn is told of every new check-in, to feed the core group's
	// contribution; nil when nobody keeps one.
	CheckedIn func(ctx context.Context, s Session, c CheckIn) error
	// Workers is how many DMs of a broadcast are in flight at once (the
	// sender paces them); 16 when zero, enough for 3,000 a second.
	Workers int
}

// DefaultReminders are the reminders of a session: a day and an hour ahead.
var DefaultReminders = []time.Duration{24 * time.Hour, time.Hour}

// The rules of a question window.
const (
	MinQA = time.Minute
	MaxQA = 3 * time.Hour
)

// MaxTopic is the longest topic: it heads the reminder, the header and the
// recap, which must stay one message each.
const MaxTopic = 200

// New schedules a session.
func (s *Service) New(ctx context.Context, x Session) (Session, error) {
	x.Topic = strings.TrimSpace(x.Topic)
	switch {
	case x.Topic == "":
		return x, shequn.Errorf(shequn.CodeInvalid, "a session needs a topic")
	case utf8.RuneCountInString(x.Topic) > MaxTopic:
		return x, shequn.Errorf(shequn.CodeInvalid, "a topic holds at most %d characters", MaxTopic)
	case x.Speaker == 0:
		return x, shequn.Errorf(shequn.CodeInvalid, "a session needs a speaker")
	case !x.StartAt.After(s.Now()):
		return x, shequn.Errorf(shequn.CodeInvalid, "a session starts in the future")
	}
	x.State, x.CreatedAt = Scheduled, s.Now()
	x.StartAt, x.CreatedAt = x.StartAt.UTC().Truncate(time.Millisecond), x.CreatedAt.UTC().Truncate(time.Millisecond)
	out, err := s.Store.AddSession(ctx, x)
	if err != nil {
		return out, fmt.Errorf("schedule session: %w", err)
	}
	s.wake()
	return out, nil
}

// Open returns the sessions not closed, earliest first.
func (s *Service) Open(ctx context.Context) ([]Session, error) {
	return s.Store.OpenSessions(ctx)
}

// Current returns the live session (live or in a question window); false
// when none is.
func (s *Service) Current(ctx context.Context) (Session, bool, error) {
	all, err := s.Store.OpenSessions(ctx)
	if err != nil {
		return Session{}, false, err
	}
	for _, x := range all {
		if x.State == Live || x.State == QA {
			return x, true, nil
		}
	}
	return Session{}, false, nil
}

// Next returns the next session to start, or the live one; ErrNotFound
// when there is none.
func (s *Service) Next(ctx context.Context) (Session, error) {
	all, err := s.Store.OpenSessions(ctx)
	if err != nil {
		return Session{}, err
	}
	for _, x := range all {
		if x.State != Ended {
			return x, nil
		}
	}
	return Session{}, shequn.Errorf(shequn.CodeNotFound, "no session is scheduled")
}

// Start makes a scheduled session live now (before its start time too).
// One session is live at a time: the speaker's messages go to it.
func (s *Service) Start(ctx context.Context, id int64) (Session, error) {
	cur, live, err := s.Current(ctx)
	if err != nil {
		return cur, err
	}
	if live && cur.ID != id {
		return cur, shequn.Errorf(shequn.CodeConflict, "session %d is live: end it first", cur.ID)
	}
	return s.move(ctx, id, func(x *Session) error {
		if x.State != Scheduled {
			return shequn.Errorf(shequn.CodeConflict, "the session has started already")
		}
		x.State = Live
		return nil
	})
}

// OpenQA opens a question window of d: the groups are unmuted now and
// muted again when it ends.
func (s *Service) OpenQA(ctx context.Context, id int64, d time.Duration) (Session, error) {
	if d < MinQA || d > MaxQA {
		return Session{}, shequn.Errorf(shequn.CodeInvalid, "a question window lasts %v to %v", MinQA, MaxQA)
	}
	return s.move(ctx, id, func(x *Session) error {
		if x.State != Live {
			return shequn.Errorf(shequn.CodeConflict, "questions open while the session is live")
		}
		x.State, x.QARound, x.QAUntil = QA, x.QARound+1, s.Now().Add(d).UTC().Truncate(time.Millisecond)
		return nil
	})
}

// End closes the session: the groups get the recap, the reminder is
// unpinned, a question window still open is closed.
func (s *Service) End(ctx context.Context, id int64) (Session, error) {
	return s.move(ctx, id, func(x *Session) error {
		if x.State != Live && x.State != QA {
			return shequn.Errorf(shequn.CodeConflict, "only a live session can end")
		}
		x.State = Ended
		return nil
	})
}

// move applies change to the stored session, once, if nobody moved it
// in between.
func (s *Service) move(ctx context.Context, id int64, change func(*Session) error) (Session, error) {
	x, err := s.Store.Session(ctx, id)
	if err != nil {
		return x, fmt.Errorf("session %d: %w", id, err)
	}
	from := x.State
	if err := change(&x); err != nil {
		return x, err
	}
	moved, err := s.Store.MoveSession(ctx, id, from, x, s.Now())
	if err != nil {
		return x, fmt.Errorf("move session %d: %w", id, err)
	}
	if !moved {
		return x, shequn.Errorf(shequn.CodeConflict, "the session changed meanwhile; try again")
	}
	s.wake()
	return s.Store.Session(ctx, id)
}

// Relay records a message the speaker or an admin sent to the bot while a
// session is live, to be copied into every group after the ones before it.
// It reports false when no session is live or the sender is not its
// speaker and not staff.
func (s *Service) Relay(ctx context.Context, from int64, staff bool, ref MessageRef) (bool, error) {
	x, live, err := s.Current(ctx)
	if err != nil || !live || (from != x.Speaker && !staff) {
		return false, err
	}
	if _, err := s.Store.AddRelay(ctx, x.ID, ref, s.Now()); err != nil {
		return false, fmt.Errorf("relay into session %d: %w", x.ID, err)
	}
	s.wake()
	if ref.Album != "" {
		// Another pass once the album has settled (the rule reads Now).
		time.AfterFunc(AlbumSettle+100*time.Millisecond, s.wake)
	}
	return true, nil
}

// Ask records a question a member asked in a student group during a
// question window; false when no window is open there.
func (s *Service) Ask(ctx context.Context, chatID, userID int64, text string) (bool, error) {
	x, live, err := s.Current(ctx)
	if err != nil || !live || x.State != QA || !s.Now().Before(x.QAUntil) || strings.TrimSpace(text) == "" {
		return false, err
	}
	g, err := s.Groups.GroupByChat(ctx, chatID)
	if errors.Is(err, shequn.ErrNotFound) || (err == nil && !inCourse(g, x.Course)) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("group of chat %d: %w", chatID, err)
	}
	q := Question{SessionID: x.ID, ChatID: chatID, UserID: userID, Course: g.Course, Text: text, At: s.Now()}
	if s.Members != nil {
		if q.Number, err = s.Members.MemberNumber(ctx, g.Course, userID); err != nil && !errors.Is(err, shequn.ErrNotFound) {
			return false, fmt.Errorf("member number: %w", err)
		}
	}
	if _, err := s.Store.AddQuestion(ctx, q); err != nil {
		return false, fmt.Errorf("question in session %d: %w", x.ID, err)
	}
	s.wake()
	return true, nil
}

// CheckIn counts a member at a session once; false when counted already.
func (s *Service) CheckIn(ctx context.Context, sessionID, chatID, userID int64) (bool, error) {
	x, err := s.Store.Session(ctx, sessionID)
	if err != nil {
		return false, fmt.Errorf("session %d: %w", sessionID, err)
	}
	if x.State == Ended || x.State == Closed {
		return false, shequn.Errorf(shequn.CodeConflict, "the session is over")
	}
	c := CheckIn{SessionID: sessionID, UserID: userID, ChatID: chatID, At: s.Now()}
	added, err := s.Store.AddCheckIn(ctx, c)
	if err != nil || !added {
		return false, err
	}
	if s.CheckedIn != nil {
		if err := s.CheckedIn(ctx, x, c); err != nil {
			s.Log.WarnContext(ctx, "check-in not credited", "session", sessionID, "user", userID, "err", err)
		}
	}
	return true, nil
}

func (s *Service) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

func (s *Service) reminders() []time.Duration {
	if len(s.Reminders) > 0 {
		return s.Reminders
	}
	return DefaultReminders
}

// CheckInCount counts the members checked in at a session.
func (s *Service) CheckInCount(ctx context.Context, id int64) (int, error) {
	cs, err := s.Store.CheckIns(ctx, id)
	return len(cs), err
}
