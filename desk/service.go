package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// Rules are the desk's times, from the configuration.
type Rules struct {
	// ReassignAfter hands a ticket its assistant has not answered to
	// another assistant.
	ReassignAfter time.Duration
	// EscalateAfter hands a ticket nobody answered since it was asked to
	// the teachers.
	EscalateAfter time.Duration
}

// DefaultRules are the desk's times when the configuration names none.
var DefaultRules = Rules{ReassignAfter: 2 * time.Hour, EscalateAfter: 8 * time.Hour}

// Place is the student group a student sits in: its id and its number
// within the course (学员3群); zero when not seated.
type Place struct {
	GroupID int64
	Ordinal int
}

// GroupOf returns where a student of a course is seated (groups.Store
// knows; the app adapts it, so the desk does not depend on the groups
// package).
type GroupOf func(ctx context.Context, course string, userID int64) (Place, error)

// indexFor is how long a built FAQ index serves before it is read again,
// so that entries added on another instance reach this one.
const indexFor = time.Minute

// Service applies the desk's rules.
type Service struct {
	Store    Store
	Members  membership.Store
	Roles    membership.RoleStore
	Profiles membership.ProfileStore // names in the figures; may be nil
	GroupOf  GroupOf                 // nil: tickets name no group
	Staff    Staff
	Notifier shequn.Teller
	Owners   []int64
	Rules    Rules
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger

	mu      sync.Mutex
	index   *Index
	indexAt time.Time
}

// Answered is what Ask did with a question: the FAQ entry that answered it
// (FAQ.ID 0 when none did) and the ticket it is kept as.
type Answered struct {
	FAQ    FAQ
	Ticket Ticket
}

// Ask takes a student's question: the FAQ of their courses answers it at
// once when a keyword matches; otherwise it becomes a ticket handed to an
// assistant. Only members of a course may ask.
func (s *Service) Ask(ctx context.Context, student int64, text string) (Answered, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Answered{}, ErrEmpty
	}
	if len(utf16.Encode([]rune(text))) > MaxText {
		return Answered{}, shequn.Errorf(shequn.CodeInvalid, "a question holds at most %d characters", MaxText)
	}
	courses, err := s.coursesOf(ctx, student)
	if err != nil {
		return Answered{}, err
	}
	now := s.Now().UTC()
	idx, err := s.faqIndex(ctx, now)
	if err != nil {
		return Answered{}, err
	}
	t := Ticket{Course: courses[0], Student: student, Text: text, State: StateOpen, CreatedAt: now, AssignedAt: now}
	f, hit := idx.Match(courses, text)
	if hit {
		t.Course, t.State, t.FAQID = f.Course, StateAnswered, f.ID
	}
	if s.GroupOf != nil {
		p, err := s.GroupOf(ctx, t.Course, student)
		if err != nil {
			return Answered{}, fmt.Errorf("the asker's group: %w", err)
		}
		t.GroupID = p.GroupID
	}
	if t, err = s.Store.OpenTicket(ctx, t); err != nil {
		return Answered{}, err
	}
	if hit {
		return Answered{FAQ: f, Ticket: t}, nil
	}
	t, err = s.assign(ctx, t, LevelAssistant, now)
	return Answered{Ticket: t}, err
}

// coursesOf returns the courses a student is active in, or ErrNotMember.
func (s *Service) coursesOf(ctx context.Context, student int64) ([]string, error) {
	ens, err := s.Members.Enrollments(ctx, student)
	if err != nil {
		return nil, fmt.Errorf("enrollments of %d: %w", student, err)
	}
	var courses []string
	for _, en := range ens {
		if en.Active() {
			courses = append(courses, en.Course)
		}
	}
	if len(courses) == 0 {
		return nil, ErrNotMember
	}
	slices.Sort(courses)
	return courses, nil
}

// NotHelpful takes "this didn't help" on an FAQ answer: the question goes
// to a person.
func (s *Service) NotHelpful(ctx context.Context, student, id int64) (Ticket, error) {
	t, err := s.Store.Ticket(ctx, id)
	if err != nil {
		return t, err
	}
	if t.Student != student {
		return t, ErrNotYours
	}
	now := s.Now().UTC()
	if t, err = s.Store.ReopenTicket(ctx, id, now); err != nil {
		return t, err
	}
	t.AssignedAt = now
	return s.assign(ctx, t, LevelAssistant, now)
}

// candidates lists who may take a ticket at a level: the assistants of
// its course and group, or (at the teachers' level, or when there are no
// assistants) the course's teachers, and the owners when there are none.
// The current assignee is left out when someone else can take it.
func (s *Service) candidates(ctx context.Context, t Ticket, level int) ([]int64, error) {
	var ids []int64
	var err error
	if level < LevelTeachers {
		if ids, err = s.Staff.Assistants(ctx, t.Course, t.GroupID); err != nil {
			return nil, err
		}
	}
	if len(ids) == 0 {
		if ids, err = s.Staff.Teachers(ctx, t.Course); err != nil {
			return nil, err
		}
	}
	if len(ids) == 0 {
		ids = slices.Clone(s.Owners)
	}
	if others := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == t.Assignee }); len(others) > 0 {
		ids = others
	}
	return ids, nil
}

// assign hands a ticket out at a level and tells the one who takes it.
// Nobody to take it leaves it waiting; the escalation job tries again.
func (s *Service) assign(ctx context.Context, t Ticket, level int, now time.Time) (Ticket, error) {
	ids, err := s.candidates(ctx, t, level)
	if err != nil || len(ids) == 0 {
		return t, err
	}
	if t, err = s.Store.AssignTicket(ctx, t.ID, ids, level, now); err != nil {
		return t, err
	}
	n, err := s.ticketNotice(ctx, t)
	if err != nil {
		return t, err
	}
	if err := s.Notifier.Tell(ctx, t.Assignee, n); err != nil {
		s.Log.WarnContext(ctx, "ticket not delivered", "ticket", t.ID, "to", t.Assignee, "err", err)
	}
	return t, nil
}

// ticketNotice names the student of a ticket by member number and group.
func (s *Service) ticketNotice(ctx context.Context, t Ticket) (TicketNotice, error) {
	n := TicketNotice{Ticket: t}
	if en, err := s.Members.Enrollment(ctx, t.Course, t.Student); err == nil {
		n.Number = en.Number
	} else if !errors.Is(err, shequn.ErrNotFound) {
		return n, fmt.Errorf("the asker's number: %w", err)
	}
	if s.GroupOf != nil {
		p, err := s.GroupOf(ctx, t.Course, t.Student)
		if err != nil {
			return n, fmt.Errorf("the asker's group: %w", err)
		}
		n.Group = p.Ordinal
	}
	return n, nil
}

// Answer records a staff member's answer and relays it to the student in
// the bot's name. Any staff member of the course may answer, not only the
// assignee.
func (s *Service) Answer(ctx context.Context, by, id int64, text string) (Ticket, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Ticket{}, ErrEmpty
	}
	if len(utf16.Encode([]rune(text))) > MaxText {
		return Ticket{}, shequn.Errorf(shequn.CodeInvalid, "an answer holds at most %d characters", MaxText)
	}
	t, err := s.Store.Ticket(ctx, id)
	if err != nil {
		return t, err
	}
	if err := s.checkStaff(ctx, by, t.Course); err != nil {
		return t, err
	}
	if t, err = s.Store.AnswerTicket(ctx, id, by, text, s.Now().UTC()); err != nil {
		return t, err
	}
	if err := s.Notifier.Tell(ctx, t.Student, AnswerNotice{Ticket: t}); err != nil {
		return t, fmt.Errorf("relay the answer of ticket %d: %w", id, err)
	}
	return t, nil
}

// Rate records the student's rating of the answer to their ticket.
func (s *Service) Rate(ctx context.Context, student, id int64, rating int) (Ticket, error) {
	if rating < 1 || rating > 5 {
		return Ticket{}, ErrBadRating
	}
	t, err := s.Store.Ticket(ctx, id)
	if err != nil {
		return t, err
	}
	if t.Student != student {
		return t, ErrNotYours
	}
	return s.Store.RateTicket(ctx, id, rating)
}

// Ticket returns a ticket for a staff member of its course.
func (s *Service) Ticket(ctx context.Context, by, id int64) (Ticket, error) {
	t, err := s.Store.Ticket(ctx, id)
	if err != nil {
		return t, err
	}
	return t, s.checkStaff(ctx, by, t.Course)
}

// checkStaff refuses anyone but the owners and the course's teachers and
// assistants.
func (s *Service) checkStaff(ctx context.Context, by int64, course string) error {
	courses, all, ok, err := s.staffScope(ctx, by)
	if err != nil {
		return err
	}
	if !ok || !all && !slices.Contains(courses, course) {
		return ErrNotStaff
	}
	return nil
}

// staffScope returns the courses a user answers for (all when all is
// true), and whether they answer at all.
func (s *Service) staffScope(ctx context.Context, by int64) (courses []string, all, ok bool, err error) {
	if slices.Contains(s.Owners, by) {
		return nil, true, true, nil
	}
	grants, err := s.Roles.Grants(ctx, by)
	if err != nil {
		return nil, false, false, fmt.Errorf("roles of %d: %w", by, err)
	}
	courses, all = membership.StaffCourses(grants)
	return courses, all, len(grants) > 0, nil
}
