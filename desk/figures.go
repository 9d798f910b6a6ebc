package desk

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// staleBatch bounds the tickets one escalation pass moves per level.
const staleBatch = 100

// Escalate hands on the tickets waiting too long: a ticket its assistant
// left unanswered for ReassignAfter goes to another assistant; one still
// unanswered EscalateAfter after it was asked goes to a teacher. The
// schedule calls it; it reads only now.
func (s *Service) Escalate(ctx context.Context, now time.Time) error {
	now = now.UTC()
	r := s.rules()
	steps := []struct {
		from, to int
		after    time.Duration
	}{
		{LevelAssistant, LevelReassigned, r.ReassignAfter},
		{LevelReassigned, LevelTeachers, max(r.EscalateAfter-r.ReassignAfter, 0)},
	}
	for _, st := range steps {
		ts, err := s.Store.StaleTickets(ctx, st.from, now.Add(-st.after), staleBatch)
		if err != nil {
			return fmt.Errorf("stale tickets: %w", err)
		}
		for _, t := range ts {
			if _, err := s.assign(ctx, t, st.to, now); err != nil {
				s.Log.WarnContext(ctx, "ticket not handed on", "ticket", t.ID, "err", err)
			}
		}
	}
	return nil
}

func (s *Service) rules() Rules {
	r := s.Rules
	r.ReassignAfter = cmp.Or(r.ReassignAfter, DefaultRules.ReassignAfter)
	r.EscalateAfter = cmp.Or(r.EscalateAfter, DefaultRules.EscalateAfter)
	return r
}

// Figures are what /desk and the weekly summary show.
type Figures struct {
	Since   time.Time
	Open    int
	Asked   int
	FAQPct  int           // of the questions asked, the share the FAQ answered, in percent
	Median  time.Duration // to the first answer by a person
	P90     time.Duration
	Answers []Count // per person, most first
}

// Count is how many tickets one person answered; Name is how staff know
// them (@username or first name), when their profile is known.
type Count struct {
	UserID int64
	N      int
	Name   string
}

// FiguresOf computes the figures from the raw stats.
func FiguresOf(st Stats, since time.Time) Figures {
	f := Figures{Since: since, Open: st.Open, Asked: st.Asked}
	if st.Asked > 0 {
		f.FAQPct = st.ByFAQ * 100 / st.Asked
	}
	waits := slices.Clone(st.Waits)
	slices.Sort(waits)
	f.Median, f.P90 = quantile(waits, 50), quantile(waits, 90)
	for id, n := range st.AnsweredBy {
		f.Answers = append(f.Answers, Count{UserID: id, N: n})
	}
	slices.SortFunc(f.Answers, func(a, b Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.UserID, b.UserID)) })
	return f
}

// quantile is the nearest-rank q-th percentile of sorted durations.
func quantile(sorted []time.Duration, q int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (q*len(sorted) + 99) / 100
	return sorted[max(i-1, 0)]
}

// weekStart is the Monday 00:00 of now's week in loc.
func weekStart(now time.Time, loc *time.Location) time.Time {
	t := now.In(loc)
	day := (int(t.Weekday()) + 6) % 7
	y, m, d := t.Date()
	return time.Date(y, m, d-day, 0, 0, 0, 0, loc).UTC()
}

// Figures returns the figures of this week for the courses a staff member
// answers for.
func (s *Service) Figures(ctx context.Context, by int64) (Figures, error) {
	courses, all, ok, err := s.staffScope(ctx, by)
	if err != nil || !ok {
		return Figures{}, cmpErr(err, ErrNotStaff)
	}
	if all {
		courses = nil
	} else if len(courses) == 0 {
		return Figures{}, ErrNotStaff
	}
	since := weekStart(s.Now(), s.Location)
	st, err := s.Store.DeskStats(ctx, courses, since)
	if err != nil {
		return Figures{}, err
	}
	return s.named(ctx, FiguresOf(st, since)), nil
}

// named fills in the names of the people who answered.
func (s *Service) named(ctx context.Context, f Figures) Figures {
	if s.Profiles == nil {
		return f
	}
	for i, c := range f.Answers {
		p, err := s.Profiles.Profile(ctx, c.UserID)
		switch {
		case err != nil:
		case p.Username != "":
			f.Answers[i].Name = "@" + p.Username
		default:
			f.Answers[i].Name = p.FirstName
		}
	}
	return f
}

// Summary sends the owners the figures of the seven days before now. The
// schedule calls it once a week.
func (s *Service) Summary(ctx context.Context, now time.Time) error {
	since := now.UTC().AddDate(0, 0, -7)
	st, err := s.Store.DeskStats(ctx, nil, since)
	if err != nil {
		return fmt.Errorf("desk stats: %w", err)
	}
	n := SummaryNotice{Figures: s.named(ctx, FiguresOf(st, since))}
	for _, o := range s.Owners {
		if err := s.Notifier.Tell(ctx, o, n); err != nil {
			s.Log.WarnContext(ctx, "desk summary not delivered", "owner", o, "err", err)
		}
	}
	return nil
}
