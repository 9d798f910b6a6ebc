package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/desk"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/moderation"
)

// newDesk builds the Q&A desk over the store, telling people through the
// bot.
func (a *App) newDesk(b *bot.Bot) *desk.Service {
	return &desk.Service{
		Store: a.store, Members: a.store, Roles: a.store, Profiles: a.store, Staff: deskStaff{GrantedStaff: desk.GrantedStaff{Roles: a.store}, groups: a.store, appointed: a.store},
		GroupOf: a.placeOf, Notifier: b, Owners: a.cfg.Owners, Location: a.cfg.Location(), Now: a.now, Log: a.log,
		Rules: desk.Rules{ReassignAfter: a.cfg.Desk.ReassignAfter, EscalateAfter: a.cfg.Desk.EscalateAfter},
	}
}

// placeOf finds the student group a member is seated in.
func (a *App) placeOf(ctx context.Context, course string, userID int64) (desk.Place, error) {
	seat, err := a.store.Seat(ctx, course, userID)
	if errors.Is(err, shequn.ErrNotFound) || err == nil && seat.State != groups.SeatSeated {
		return desk.Place{}, nil
	}
	if err != nil {
		return desk.Place{}, fmt.Errorf("seat of %d in %s: %w", userID, course, err)
	}
	g, err := a.store.Group(ctx, seat.GroupID)
	if err != nil {
		return desk.Place{}, fmt.Errorf("group %d: %w", seat.GroupID, err)
	}
	return desk.Place{GroupID: g.ID, Ordinal: g.Ordinal}, nil
}

// RunDeskSummary sends the owners the desk's weekly figures, on one
// instance; the schedule runs it at desk.summary.
func (a *App) RunDeskSummary(ctx context.Context, now time.Time) error {
	_, err := a.daily.RunOnce(ctx, jobs.Job{ID: "desk-summary", Run: a.Desk.Summary}, now)
	return err
}

func (a *App) runDeskSummary(ctx context.Context) {
	if err := safely(func() error { return a.RunDeskSummary(ctx, a.now()) }); err != nil {
		a.log.ErrorContext(ctx, "desk summary failed", "err", err)
	}
}

// deskStaff is who answers a ticket: the course's assistants and teachers
// (granted roles), and the assistants appointed for the student's own group.
type deskStaff struct {
	desk.GrantedStaff
	groups interface {
		Group(ctx context.Context, id int64) (groups.Group, error)
	}
	appointed interface {
		GroupStaff(ctx context.Context, chatID int64) ([]moderation.Appointment, error)
	}
}

// Assistants implements desk.Staff: the group's own assistants join the
// course's, each once.
func (s deskStaff) Assistants(ctx context.Context, course string, groupID int64) ([]int64, error) {
	ids, err := s.GrantedStaff.Assistants(ctx, course, groupID)
	if err != nil || groupID == 0 {
		return ids, err
	}
	g, err := s.groups.Group(ctx, groupID)
	if err != nil {
		return nil, fmt.Errorf("group %d: %w", groupID, err)
	}
	staff, err := s.appointed.GroupStaff(ctx, g.ChatID)
	if err != nil {
		return nil, fmt.Errorf("assistants of group %d: %w", groupID, err)
	}
	for _, a := range staff {
		if a.Role == moderation.RoleAssistant {
			ids = append(ids, a.UserID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
