package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/sessions"
)

// buildSessions builds the Friday sessions and the broadcasts over the
// store, the groups and the bot.
func (a *App) buildSessions(b *bot.Bot) {
	a.Sessions = &sessions.Service{
		Store: a.store, Posts: a.store, Groups: a.Groups, Platform: &bot.SessionPlatform{Sender: a.sender, Client: a.httpClient()},
		Notifier: b, Members: memberNumbers{a.store}, Reminders: a.cfg.Sessions.Remind,
		Now: a.now, Log: a.log, Wake: a.wakeBoth, CheckedIn: a.creditCheckIn,
	}
	b.Sessions = a.Sessions
}

// memberNumbers reads a member's number from their enrollment.
type memberNumbers struct{ store membership.Store }

func (m memberNumbers) MemberNumber(ctx context.Context, course string, userID int64) (int, error) {
	e, err := m.store.Enrollment(ctx, course, userID)
	return e.Number, err
}

// creditCheckIn feeds a check-in into the core group's contribution (in
// the core group of the course of the group the member checked in from).
func (a *App) creditCheckIn(ctx context.Context, s sessions.Session, c sessions.CheckIn) error {
	course := s.Course
	if g, err := a.Groups.GroupByChat(ctx, c.ChatID); err == nil {
		course = g.Course
	}
	return a.Groups.CreditSession(ctx, course, c.UserID, s.ID, c.At)
}

// wakeBoth wakes the reconciler (sessions) and the broadcast worker.
func (a *App) wakeBoth() {
	a.Wake()
	select {
	case a.wakeBroadcasts <- struct{}{}:
	default:
	}
}

// RunBroadcasts sends the broadcasts in progress, on the one instance
// holding their lease. A broadcast to thousands of members takes minutes
// at Telegram's limits, so it has a worker of its own (broadcastLoop) and
// never holds up the reconciler's pass.
func (a *App) RunBroadcasts(ctx context.Context, now time.Time) error {
	_, err := a.passes.RunOnce(ctx, jobs.Job{ID: "broadcast", Run: a.Sessions.Broadcast}, now)
	return err
}

// broadcastLoop runs RunBroadcasts whenever woken, and every minute to
// resume one another instance left.
func (a *App) broadcastLoop(ctx context.Context, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(a.every())
	defer tick.Stop()
	for {
		if err := safely(func() error { return a.RunBroadcasts(ctx, a.now()) }); err != nil && ctx.Err() == nil {
			a.log.ErrorContext(ctx, "broadcast pass failed", "err", err)
		}
		select {
		case <-stop:
			return
		case <-a.wakeBroadcasts:
		case <-tick.C:
		}
	}
}

// ScheduleWeekly schedules, at now, the session of the week after: the
// weekly default's next occurrence after now. It does nothing without a
// configured speaker, or when that session exists.
func (a *App) ScheduleWeekly(ctx context.Context, now time.Time) error {
	cfg := a.cfg.Sessions
	if cfg.Speaker == 0 {
		return nil
	}
	spec, err := cron.ParseStandard(cfg.Weekly)
	if err != nil {
		return fmt.Errorf("sessions.weekly: %w", err)
	}
	start := spec.Next(now.In(a.cfg.Location()).Add(time.Minute))
	_, err = a.Sessions.New(ctx, sessions.Session{Course: cfg.Course, StartAt: start, Topic: cfg.Topic, Speaker: cfg.Speaker,
		SpeakerName: a.speakerName(ctx, cfg.Speaker)})
	if err != nil && !errors.Is(err, shequn.ErrConflict) {
		return fmt.Errorf("schedule the weekly session: %w", err)
	}
	return nil
}

// speakerName names the speaker as their profile does.
func (a *App) speakerName(ctx context.Context, userID int64) string {
	p, err := a.store.Profile(ctx, userID)
	switch {
	case err == nil && p.Username != "":
		return "@" + p.Username
	case err == nil && p.FirstName != "":
		return p.FirstName
	}
	return fmt.Sprint(userID)
}

// scheduleSessions adds the weekly default to the schedule: at each
// occurrence the following week's session is scheduled (once, on one
// instance: a second instance finds it stored).
func (a *App) scheduleSessions(ctx context.Context) error {
	_, err := a.cron.AddFunc(a.cfg.Sessions.Weekly, func() {
		if err := safely(func() error { return a.ScheduleWeekly(ctx, a.now()) }); err != nil {
			a.log.ErrorContext(ctx, "weekly session not scheduled", "err", err)
		}
	})
	if err != nil {
		return fmt.Errorf("schedule the weekly session: %w", err)
	}
	return nil
}

// httpClient is the client the sessions download a QQ picture or file
// with, to send it into Telegram again.
func (a *App) httpClient() *http.Client {
	if a.opts.HTTPClient != nil {
		return a.opts.HTTPClient
	}
	return bot.NewHTTPClient(0)
}
