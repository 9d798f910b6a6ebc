package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Poller takes updates by long polling. Unlike the client library's
// GetUpdatesChan it confirms an update to Telegram only after storing it,
// honours retry_after, and survives Telegram's restart of update ids after a
// week of silence:
//
//   - a batch is stored by the Intake before the next getUpdates call
//     confirms it with offset = last id + 1; the Intake handles it in the
//     background, each chat in order, so a slow chat never holds up the
//     next poll or another chat;
//   - once everything is confirmed, the next call goes without an offset,
//     so an update with a new, lower id is still delivered;
//   - the update log skips updates stored before a crash that Telegram
//     delivers again because their confirmation never reached it, and
//     keeps those confirmed but not yet handled for Intake.Recover.
type Poller struct {
	API     *tgbotapi.BotAPI // its own client, so a long poll never waits behind sends
	Intake  *Intake
	Log     *slog.Logger
	Timeout time.Duration // long-poll timeout; zero means 30 s
	// AllowedUpdates lists the update types asked for.
	AllowedUpdates []string
	// Health records every poll's outcome; may be nil.
	Health *Health
	// Sleep waits between failed polls; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error

	drained int // Drain's next offset
}

// DefaultAllowedUpdates are the update types shequn handles.
var DefaultAllowedUpdates = []string{"message", "callback_query", "chat_join_request", "chat_member", "my_chat_member"}

// Run polls until ctx ends, and confirms what it stored before it returns.
// Updates still being handled then are the Intake's: see Intake.Wait.
func (p *Poller) Run(ctx context.Context) error {
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	allowed := p.AllowedUpdates
	if allowed == nil {
		allowed = DefaultAllowedUpdates
	}
	confirm := 0 // next offset to send; 0 means none
	failures := 0
	for {
		if ctx.Err() != nil {
			p.confirm(confirm)
			return nil
		}
		cfg := tgbotapi.UpdateConfig{Offset: confirm, Timeout: int(timeout / time.Second), Limit: 100, AllowedUpdates: allowed}
		updates, err := p.getUpdates(ctx, cfg)
		if ctx.Err() == nil && p.Health != nil {
			p.Health.record(err)
		}
		if err != nil {
			if ctx.Err() != nil {
				p.confirm(confirm)
				return nil
			}
			failures++
			wait := min(time.Duration(failures)*time.Second, 30*time.Second)
			if e, ok := apiError(err); ok && e.RetryAfter > 0 {
				wait = time.Duration(e.RetryAfter) * time.Second
			}
			p.Log.WarnContext(ctx, "getUpdates failed", "err", redact(err, p.API.Token), "retry_in", wait)
			if sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		failures = 0
		if len(updates) == 0 {
			confirm = 0 // all confirmed: ask without an offset from now on
			continue
		}
		if err := p.Intake.Accept(context.WithoutCancel(ctx), updates); err != nil {
			// Not confirmed: the batch comes again and the update log
			// skips what was stored.
			p.Log.ErrorContext(ctx, "updates not stored", "err", err)
			failures++
			if sleep(ctx, min(time.Duration(failures)*time.Second, 30*time.Second)) != nil {
				return nil
			}
			continue
		}
		last := 0
		for _, u := range updates {
			last = max(last, u.UpdateID)
		}
		confirm = last + 1
	}
}

// getUpdates runs one long poll; a shutdown abandons it rather than
// waiting for Telegram's timeout. Updates an abandoned poll received are
// not confirmed and come again on the next start.
func (p *Poller) getUpdates(ctx context.Context, cfg tgbotapi.UpdateConfig) ([]tgbotapi.Update, error) {
	type result struct {
		updates []tgbotapi.Update
		err     error
	}
	ch := make(chan result, 1)
	go func() {
		u, err := p.API.GetUpdates(cfg)
		ch <- result{u, err}
	}()
	select {
	case r := <-ch:
		return r.updates, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// confirm tells Telegram the handled batch is done, so a restart does not
// fetch it again. The update log would skip it anyway.
func (p *Poller) confirm(offset int) {
	if offset == 0 {
		return
	}
	if _, err := p.API.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 1, Timeout: 0}); err != nil {
		p.Log.Warn("confirming the last updates failed", "err", redact(err, p.API.Token))
	}
}

// Drain takes every update waiting now, without a long poll, confirms
// them, waits until they are handled, and returns how many it took. The demo and end-to-end tests use
// it to step the bot deterministically.
func (p *Poller) Drain(ctx context.Context) (int, error) {
	allowed := p.AllowedUpdates
	if allowed == nil {
		allowed = DefaultAllowedUpdates
	}
	total := 0
	for {
		updates, err := p.API.GetUpdates(tgbotapi.UpdateConfig{Offset: p.drained, Limit: 100, AllowedUpdates: allowed})
		if err != nil {
			return total, fmt.Errorf("getUpdates: %w", redact(err, p.API.Token))
		}
		if len(updates) == 0 {
			return total, p.Intake.Wait(ctx) // recovered updates too
		}
		if err := p.Intake.Accept(ctx, updates); err != nil {
			return total, err
		}
		if err := p.Intake.Wait(ctx); err != nil {
			return total, err
		}
		for _, u := range updates {
			p.drained = max(p.drained, u.UpdateID+1)
		}
		total += len(updates)
	}
}
