package bot

import (
	"context"
	"sync"
	"time"
)

// commandsPerMinute is how many commands one user may send a minute when
// Bot.CommandsPerMinute is zero: plenty for a person, little for a script.
const commandsPerMinute = 20

// floodGuard counts each user's commands per minute. A user over the
// limit is told once to slow down and then ignored until the minute has
// passed, so a flood costs one reply, not one per command.
type floodGuard struct {
	mu    sync.Mutex
	users map[int64]*budget
}

type budget struct {
	since time.Time // the minute's start
	used  int
}

// take reports whether the user may send a command at now, and whether a
// refused user must be told (the first refusal of the minute).
func (g *floodGuard) take(userID int64, perMinute int, now time.Time) (ok, tell bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.users == nil {
		g.users = map[int64]*budget{}
	}
	u, found := g.users[userID]
	if !found || now.Sub(u.since) >= time.Minute || now.Before(u.since) {
		if len(g.users) > 10000 {
			g.forgetIdle(now)
		}
		u = &budget{since: now}
		g.users[userID] = u
	}
	u.used++
	return u.used <= perMinute, u.used == perMinute+1
}

// forgetIdle drops the budgets whose minute is over. Called with g.mu held.
func (g *floodGuard) forgetIdle(now time.Time) {
	for id, u := range g.users {
		if now.Sub(u.since) >= time.Minute {
			delete(g.users, id)
		}
	}
}

// admit decides whether a request is handled at all. In a group that is
// not one of the community's only the owners are answered, greeted when
// they add the bot included (anyone can add the bot to a group; nobody
// else may make it talk there), and every user has a budget of commands
// a minute.
func (b *Bot) admit(ctx context.Context, r *Request) bool {
	u := r.Update
	if u.Message == nil && u.CallbackQuery == nil && u.MyChatMember == nil {
		return true
	}
	if !r.Private && r.ChatID < 0 && !b.isOwner(r.From.ID) {
		known, err := b.Groups.Registered(ctx, r.ChatID)
		if err == nil && !known {
			return false
		}
		if err != nil {
			b.Log.WarnContext(ctx, "is the group registered?", "chat", r.ChatID, "err", err)
		}
	}
	if r.Command == "" {
		return true
	}
	perMinute := b.CommandsPerMinute
	if perMinute <= 0 {
		perMinute = commandsPerMinute
	}
	ok, tell := b.flood.take(r.From.ID, perMinute, b.Now())
	if tell {
		if err := b.core.reply(ctx, r, T(r.Lang, "slow_down")); err != nil {
			b.Log.WarnContext(ctx, "slow-down reply", "user", r.From.ID, "err", err)
		}
	}
	return ok
}
