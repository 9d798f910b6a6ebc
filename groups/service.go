package groups

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/membership"
)

// Service applies the rules of groups and seats. Every method changes the
// stored, desired state first and then tries to make the chat match; what
// fails half-way is finished by Reconcile.
type Service struct {
	Store    Store
	Posts    PostLog
	Platform Platform
	Notifier shequn.Notifier
	Profiles membership.ProfileStore
	Owners   []int64
	Courses  map[string]membership.Course
	Now      func() time.Time
	Log      *slog.Logger
	// Wake asks the reconciler for a pass soon; nil when nobody listens.
	Wake func()
	// Core keeps the core group's cycle; nil leaves the core group to its
	// members (no promotion, no elimination).
	Core      CoreStore
	CoreRules CoreRules
	// Homework is read by the promotion rule (Qualify).
	Homework Homework
	// Tasks keeps the core group's tasks; nil when they are not used.
	Tasks TaskStore
	// Chains keeps the core group's sign-up chains.
	Chains ChainStore
	// Location is the community's time zone, where periods begin.
	Location *time.Location

	backoff jobs.Backoff // the effects failing for a passing reason

	linkMu       sync.Mutex
	linksChecked map[int64]time.Time // group id -> when its join link was last seen working
}

// MissingRightsError says which administrator rights the bot lacks.
type MissingRightsError struct {
	NotAdmin bool
	Missing  []Right
}

func (e *MissingRightsError) Error() string {
	if e.NotAdmin {
		return "the bot is not an administrator of the group"
	}
	return fmt.Sprintf("the bot lacks administrator rights %v", e.Missing)
}

// RegisterRequest asks to run a chat as one of the community's groups.
type RegisterRequest struct {
	ChatID   int64
	Title    string
	Kind     Kind
	Course   string // student groups, and core groups when every course has its own
	Capacity int
	By       int64
}

// Register makes a chat one of the community's groups: student groups get
// the next number of their course, are muted and get the pinned rules, and
// the course's waitlist is seated into them. The returned group's SetUpAt
// is zero when the set-up could not be finished at once: the reconciler
// finishes it and tells the owner then. Registering a group again that has
// a problem or is not set up resumes it.
func (s *Service) Register(ctx context.Context, r RegisterRequest) (Group, error) {
	if err := s.checkRequest(ctx, &r); err != nil {
		return Group{}, err
	}
	if err := s.checkRights(ctx, r.ChatID, r.Kind); err != nil {
		return Group{}, err
	}
	g, err := s.Store.AddGroup(ctx, Group{
		ChatID: r.ChatID, Kind: r.Kind, Course: r.Course, Title: r.Title,
		Capacity: r.Capacity, RegisteredBy: r.By, CreatedAt: s.Now(),
	})
	if errors.Is(err, shequn.ErrConflict) {
		return s.resume(ctx, r.ChatID)
	}
	if err != nil {
		return Group{}, fmt.Errorf("add group: %w", err)
	}
	s.trySetUp(ctx, &g)
	if g.Kind == KindStudent {
		if _, err := s.Store.FillWaitlist(ctx, g.Course, s.Now()); err != nil {
			return g, fmt.Errorf("seat the waitlist: %w", err)
		}
	}
	s.wake()
	return g, nil
}

func (s *Service) checkRequest(ctx context.Context, r *RegisterRequest) error {
	if r.Kind == KindCore && r.Capacity == 0 {
		r.Capacity = s.CoreRules.Capacity
	}
	if !ValidCapacity(r.Capacity) {
		return shequn.Errorf(shequn.CodeInvalid, "capacity must be between %d and %d", MinCapacity, MaxCapacity)
	}
	switch r.Kind {
	case KindStudent:
		if _, ok := s.Courses[r.Course]; !ok {
			return shequn.Errorf(shequn.CodeNotFound, "unknown course %q", r.Course)
		}
		return s.checkPlatform(ctx, r)
	case KindCore:
		// One core group for the community, or one per course (its scope).
		r.Course = s.CoreRules.Scope(r.Course)
		if _, ok := s.Courses[r.Course]; r.Course != "" && !ok {
			return shequn.Errorf(shequn.CodeNotFound, "unknown course %q", r.Course)
		}
		if s.CoreRules.PerCourse && r.Course == "" {
			return shequn.Errorf(shequn.CodeInvalid, "each course has its own core group: name the course")
		}
		gs, err := s.Store.Groups(ctx)
		if err != nil {
			return fmt.Errorf("list groups: %w", err)
		}
		if slices.ContainsFunc(gs, func(g Group) bool { return g.Kind == KindCore && g.Course == r.Course && g.ChatID != r.ChatID }) {
			return shequn.Errorf(shequn.CodeConflict, "a core group is registered already")
		}
	default:
		return shequn.Errorf(shequn.CodeInvalid, "unknown group kind %q", r.Kind)
	}
	return nil
}

// resume answers /register in a group registered already: one with a
// problem (the rights are back, as checked) or an unfinished set-up gets
// going again; a healthy one is a conflict.
func (s *Service) resume(ctx context.Context, chatID int64) (Group, error) {
	g, err := s.Store.GroupByChat(ctx, chatID)
	if err != nil {
		return Group{}, fmt.Errorf("find group: %w", err)
	}
	if g.Problem == "" && !g.SetUpAt.IsZero() {
		return Group{}, shequn.Errorf(shequn.CodeConflict, "this chat is registered already")
	}
	if err := s.clearProblem(ctx, &g); err != nil {
		return Group{}, err
	}
	s.backoff.Done(fmt.Sprintf("setup:%d", g.ID))
	s.trySetUp(ctx, &g)
	s.wake()
	return g, nil
}

// trySetUp sets the group up at once if it can; what fails is left to the
// reconciler (a passing failure) or recorded as the group's problem.
func (s *Service) trySetUp(ctx context.Context, g *Group) {
	if !g.SetUpAt.IsZero() {
		return
	}
	key := fmt.Sprintf("setup:%d", g.ID)
	if err := s.setUp(ctx, g, s.Now()); err != nil {
		s.Log.WarnContext(ctx, "group set-up postponed", "group", g.ID, "err", err)
		s.settle(ctx, g, key, err, s.Now())
	}
}

func (s *Service) checkRights(ctx context.Context, chatID int64, k Kind) error {
	have, err := s.Platform.BotRights(ctx, chatID)
	if err != nil {
		return fmt.Errorf("read the bot's rights: %w", err)
	}
	if have == nil {
		return &MissingRightsError{NotAdmin: true}
	}
	var missing []Right
	for _, r := range RequiredRights(k) {
		if !slices.Contains(have, r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return &MissingRightsError{Missing: missing}
	}
	return nil
}

// Seat gives an enrolled member a seat, or a place on the waitlist. It is
// idempotent.
func (s *Service) Seat(ctx context.Context, e membership.Enrollment) error {
	if err := s.finishRemoval(ctx, e); err != nil {
		return err
	}
	if _, err := s.Store.TakeSeat(ctx, SeatRequest{Course: e.Course, UserID: e.UserID, Number: e.Number, At: s.Now()}); err != nil {
		return fmt.Errorf("take seat: %w", err)
	}
	// A waiting buyer is told, and the owners alerted, by the reconciler.
	s.wake()
	return nil
}

// Release frees the member's seat and gives it to the longest waiting. The
// member is taken out of the group by the reconciler.
func (s *Service) Release(ctx context.Context, e membership.Enrollment) error {
	_, err := s.Store.ReleaseSeat(ctx, e.Course, e.UserID, s.Now())
	if errors.Is(err, shequn.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("release seat: %w", err)
	}
	if _, err := s.Store.FillWaitlist(ctx, e.Course, s.Now()); err != nil {
		return fmt.Errorf("seat the waitlist: %w", err)
	}
	s.wake()
	return nil
}

// finishRemoval takes a refunded member out of their old group before
// they are seated again: taking a fresh seat forgets the pending removal,
// and the new seat may be in another group.
func (s *Service) finishRemoval(ctx context.Context, e membership.Enrollment) error {
	old, err := s.Store.Seat(ctx, e.Course, e.UserID)
	if errors.Is(err, shequn.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read seat: %w", err)
	}
	if old.State != SeatReleased || !old.RemovedAt.IsZero() {
		return nil
	}
	if old.GroupID != 0 {
		g, err := s.Store.Group(ctx, old.GroupID)
		if err != nil {
			return fmt.Errorf("find old group: %w", err)
		}
		if err := s.Platform.RemoveMember(ctx, g.ChatID, e.UserID); err != nil {
			return fmt.Errorf("remove from old group: %w", err)
		}
	}
	if _, err := s.Store.MarkSeat(ctx, e.Course, e.UserID, MarkRemoved, s.Now()); err != nil {
		return fmt.Errorf("mark removed: %w", err)
	}
	return nil
}

func (s *Service) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}
