package sessions

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/jobs"
)

// Pass makes every student group match the open sessions: reminders
// posted and pinned ahead, a session started at its start time, its header,
// the relayed messages in order, the question windows opened and closed,
// the questions handed to the speaker, the recap and the unpinning at the
// end. Every effect in a chat is a step recorded in the post log, so a
// step done is never done again; a group that fails waits alone (its
// problem is reported to its owners once by the groups domain), and the
// others go on. It runs under the lease.
func (s *Service) Pass(ctx context.Context, now time.Time) error {
	all, err := s.Store.OpenSessions(ctx)
	if err != nil {
		return fmt.Errorf("open sessions: %w", err)
	}
	if len(all) == 0 {
		return nil
	}
	gs, err := s.Groups.Groups(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	live := false
	for _, x := range all {
		if x.State == Scheduled && !now.Before(x.StartAt) && live {
			continue // starts when the live one has ended
		}
		if err := s.session(ctx, x, gs, now); err != nil {
			return err
		}
		live = live || x.State == Live || x.State == QA || x.State == Scheduled && !now.Before(x.StartAt)
	}
	return nil
}

// session does the due work of one session.
func (s *Service) session(ctx context.Context, x Session, gs []groups.Group, now time.Time) error {
	if x.State == Scheduled && now.Before(x.StartAt) {
		s.remind(ctx, x, gs, now)
		return nil
	}
	var err error
	if x.State == Scheduled {
		x, err = s.advance(ctx, x, Live, now)
	} else if x.State == QA && !now.Before(x.QAUntil) {
		x, err = s.advance(ctx, x, Live, now)
	}
	if err != nil {
		return err
	}
	w, err := s.load(ctx, x)
	if err != nil {
		return err
	}
	done, err := s.inGroups(ctx, w, gs, now)
	if err != nil {
		return err
	}
	if err := s.handQuestions(ctx, w, now); err != nil {
		return err
	}
	if x.State == Ended && done {
		if _, err := s.advance(ctx, x, Closed, now); err != nil {
			return err
		}
	}
	return nil
}

// advance moves the stored session on; a session moved by someone else
// meanwhile is read back.
func (s *Service) advance(ctx context.Context, x Session, to State, now time.Time) (Session, error) {
	from := x.State
	x.State = to
	if _, err := s.Store.MoveSession(ctx, x.ID, from, x, now); err != nil {
		return x, fmt.Errorf("move session %d to %s: %w", x.ID, to, err)
	}
	return s.Store.Session(ctx, x.ID)
}

// work is a session with what happened in it, read once per pass.
type work struct {
	Session
	relays    []Relay
	questions []Question
	checkIns  []CheckIn
}

func (s *Service) load(ctx context.Context, x Session) (work, error) {
	w := work{Session: x}
	var err error
	if w.relays, err = s.Store.Relays(ctx, x.ID); err != nil {
		return w, fmt.Errorf("relays of session %d: %w", x.ID, err)
	}
	if w.questions, err = s.Store.Questions(ctx, x.ID); err != nil {
		return w, fmt.Errorf("questions of session %d: %w", x.ID, err)
	}
	if w.checkIns, err = s.Store.CheckIns(ctx, x.ID); err != nil {
		return w, fmt.Errorf("check-ins of session %d: %w", x.ID, err)
	}
	return w, nil
}

// remind posts and pins the latest reminder due (an earlier one not posted
// by then is skipped: the latest says more).
func (s *Service) remind(ctx context.Context, x Session, gs []groups.Group, now time.Time) {
	due := time.Duration(-1)
	for _, r := range s.reminders() {
		if !now.Before(x.StartAt.Add(-r)) && (due < 0 || r < due) {
			due = r
		}
	}
	if due < 0 {
		return
	}
	key := reminderKey(x.ID, due)
	n := ReminderNotice{Session: x, Before: due}
	for _, g := range gs {
		if !inCourse(g, x.Course) || g.Problem != "" || !s.Groups.EffectReady(effect(key, g), now) {
			continue
		}
		err := groups.PostPinned(ctx, s.Posts, s.Notifier, key, g.ChatID, n, now)
		s.Groups.SettleEffect(ctx, g, effect(key, g), err, now)
	}
}

// groupWorkers bounds the groups worked on at once. Each group's steps
// are done in order by one worker; the groups go on side by side, so that
// one group waiting out its own limit (20 messages a minute) or failing
// never holds up the others.
const groupWorkers = 50

// inGroups does the session's steps in every group of its course and
// reports whether every group has them all.
func (s *Service) inGroups(ctx context.Context, w work, gs []groups.Group, now time.Time) (bool, error) {
	var (
		wg         sync.WaitGroup
		incomplete atomic.Bool
		slots      = make(chan struct{}, groupWorkers)
	)
	defer wg.Wait()
	for _, g := range gs {
		if !inCourse(g, w.Course) {
			continue
		}
		if g.Problem != "" {
			continue // skipped: its owners were told; it does not hold the session open
		}
		if err := jobs.Check(ctx); err != nil {
			return false, err
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if !s.inGroup(ctx, w, g, now) {
				incomplete.Store(true)
			}
		}()
	}
	wg.Wait()
	return !incomplete.Load(), jobs.Check(ctx)
}

// inGroup does the session's steps in one group, in order, and reports
// whether they are all done; it stops at the first that fails.
func (s *Service) inGroup(ctx context.Context, w work, g groups.Group, now time.Time) bool {
	for _, st := range s.steps(ctx, w, g, now) {
		key := effect(st.key, g)
		if !s.Groups.EffectReady(key, now) {
			return false
		}
		var err error
		if st.self {
			if err = jobs.Check(ctx); err == nil {
				_, err = st.do(ctx)
			}
		} else {
			err = s.once(ctx, st.key, g.ChatID, st.do, now)
		}
		if errors.Is(err, ErrSourceGone) {
			s.Log.WarnContext(ctx, "relayed message deleted before it was copied", "step", st.key, "chat", g.ChatID)
			err = s.mark(ctx, st.key, g.ChatID, 0, now)
		}
		if !s.Groups.SettleEffect(ctx, g, key, err, now) {
			return false
		}
	}
	return true
}

// step is one effect in a chat, named in the post log by key.
type step struct {
	key string
	do  func(ctx context.Context) (int, error) // returns the message id, if any
	// self is true for a step that records its own progress (an album,
	// item by item) rather than once under key.
	self bool
}

// steps lists the session's steps in one group, in the order they happen.
// An album the speaker is still sending ends the list: what follows waits
// for it.
func (s *Service) steps(ctx context.Context, w work, g groups.Group, now time.Time) []step {
	id, chat := w.ID, g.ChatID
	post := func(n shequn.Notice) func(ctx context.Context) (int, error) {
		return func(ctx context.Context) (int, error) { return s.Notifier.Post(ctx, chat, n) }
	}
	out := []step{{key: fmt.Sprintf("s%d:header", id), do: post(HeaderNotice{Session: w.Session})}}
	relays, settled := s.relaySteps(w, chat, now)
	out = append(out, relays...)
	if !settled {
		return out
	}
	if w.QARound > 0 {
		open := func(on bool) func(ctx context.Context) (int, error) {
			return func(ctx context.Context) (int, error) { return 0, s.Platform.OpenChat(ctx, chat, on) }
		}
		qa := fmt.Sprintf("s%d:qa%d", id, w.QARound)
		if w.State == QA {
			out = append(out, step{key: qa + ":open", do: open(true)}, step{key: qa + ":open-note", do: post(QAOpenNotice{Session: w.Session})})
		} else if s.posted(ctx, qa+":open", chat) {
			out = append(out, step{key: qa + ":close", do: open(false)}, step{key: qa + ":close-note", do: post(QAClosedNotice{Session: w.Session})})
		}
	}
	if w.State == Ended {
		out = append(out, step{key: fmt.Sprintf("s%d:recap", id), do: post(recap(w, chat))})
		for _, r := range s.reminders() {
			rk := reminderKey(id, r)
			out = append(out, step{key: rk + ":unpin", do: func(ctx context.Context) (int, error) {
				p, err := s.Posts.PostOf(ctx, rk, chat)
				if err != nil || p.PinnedAt.IsZero() {
					return 0, err
				}
				return 0, s.Platform.Unpin(ctx, chat, p.MessageID)
			}})
		}
	}
	return out
}

// posted reports whether the step was recorded in the chat; a store that
// fails to answer counts as recorded, so that the close is tried (muting
// an unmuted group is harmless).
func (s *Service) posted(ctx context.Context, key string, chatID int64) bool {
	p, err := s.Posts.PostOf(ctx, key, chatID)
	return err != nil || !p.PostedAt.IsZero()
}

// once does a step unless it was recorded, and records it.
func (s *Service) once(ctx context.Context, key string, chatID int64, do func(context.Context) (int, error), now time.Time) error {
	if err := jobs.Check(ctx); err != nil {
		return err
	}
	p, err := s.Posts.PostOf(ctx, key, chatID)
	if err != nil {
		return fmt.Errorf("read step %s: %w", key, err)
	}
	if !p.PostedAt.IsZero() {
		return nil
	}
	id, err := do(ctx)
	if err != nil {
		return err
	}
	return s.mark(ctx, key, chatID, id, now)
}

func (s *Service) mark(ctx context.Context, key string, chatID int64, id int, now time.Time) error {
	if _, err := s.Posts.MarkPosted(ctx, key, chatID, id, now); err != nil {
		return fmt.Errorf("record step %s: %w", key, err)
	}
	return nil
}

// handQuestions tells the speaker each question in order, once; it stops
// at the first that cannot be told, so none overtakes another.
func (s *Service) handQuestions(ctx context.Context, w work, now time.Time) error {
	for _, q := range w.questions {
		key := fmt.Sprintf("s%d:q%d", w.ID, q.Seq)
		err := s.once(ctx, key, w.Speaker, func(ctx context.Context) (int, error) {
			return 0, s.Notifier.Tell(ctx, w.Speaker, QuestionNotice{Session: w.Session, Question: q})
		}, now)
		if errors.Is(err, jobs.ErrLeaseLost) || errors.Is(err, jobs.ErrStopping) {
			return err
		}
		if err != nil {
			s.Log.WarnContext(ctx, "question not handed to the speaker", "session", w.ID, "question", q.Seq, "err", err)
			if errors.Is(err, shequn.ErrUnreachable) {
				s.speakerUnreachable(ctx, w.Session, now)
			}
			return nil
		}
	}
	return nil
}

// speakerUnreachable tells whoever scheduled the session, once, that the
// speaker cannot be written to: the questions wait until they open a
// private chat with the bot.
func (s *Service) speakerUnreachable(ctx context.Context, x Session, now time.Time) {
	if x.CreatedBy == 0 {
		return
	}
	err := s.once(ctx, fmt.Sprintf("s%d:speaker-unreachable", x.ID), x.CreatedBy, func(ctx context.Context) (int, error) {
		return 0, s.Notifier.Tell(ctx, x.CreatedBy, SpeakerUnreachableNotice{Session: x})
	}, now)
	if err != nil {
		s.Log.WarnContext(ctx, "nobody told that the speaker cannot be reached", "session", x.ID, "err", err)
	}
}

// recap sums up the session for one group.
func recap(w work, chatID int64) RecapNotice {
	n := RecapNotice{Session: w.Session, CheckIns: len(w.checkIns), Questions: len(w.questions), Relayed: len(w.relays)}
	for _, c := range w.checkIns {
		if c.ChatID == chatID {
			n.GroupCheckIns++
		}
	}
	return n
}

func reminderKey(id int64, before time.Duration) string {
	return fmt.Sprintf("s%d:remind:%dm", id, int(before/time.Minute))
}

// effect names an effect in a group for the groups' backoff.
func effect(key string, g groups.Group) string { return fmt.Sprintf("%s:%d", key, g.ID) }
