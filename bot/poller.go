package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Poller takes updates by long polling. Unlike the client library's
// GetUpdatesChan it confirms an update to Telegram only after handling it,
// honours retry_after, and survives Telegram's restart of update ids after a
// week of silence:
//
//   - a batch is handled (chats in parallel, each chat in order) before the
//     next getUpdates call confirms it with offset = last id + 1;
//   - once everything is confirmed, the next call goes without an offset,
//     so an update with a new, lower id is still delivered;
//   - the UpdateLog skips updates handled before a crash that Telegram
//     delivers again because their confirmation never reached it.
type Poller struct {
	API     *tgbotapi.BotAPI // its own client, so a long poll never waits behind sends
	Handle  func(ctx context.Context, u tgbotapi.Update) error
	Log     *slog.Logger
	Timeout time.Duration // long-poll timeout; zero means 30 s
	// AllowedUpdates lists the update types asked for.
	AllowedUpdates []string
	// Sleep waits between failed polls; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error

	drained int // Drain's next offset
}

// DefaultAllowedUpdates are the update types shequn handles.
var DefaultAllowedUpdates = []string{"message", "callback_query", "chat_join_request", "chat_member", "my_chat_member"}

// Run polls until ctx ends. The batch in hand is finished first (handlers
// get a context that outlives ctx by their own timeout) and confirmed
// before Run returns.
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
		if !p.handleBatch(context.WithoutCancel(ctx), updates) {
			// Not confirmed: the batch comes again and the update log
			// skips what was finished.
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

// handleBatch handles updates of different chats in parallel and those of
// one chat in order, and returns when all are done. It reports false when
// an update could not be handled for a reason worth retrying (the store is
// down); a handler's own failures are answered to the user and count as
// handled.
func (p *Poller) handleBatch(ctx context.Context, updates []tgbotapi.Update) bool {
	byChat := make(map[int64][]tgbotapi.Update)
	var order []int64
	for _, u := range updates {
		k := chatKey(u)
		if _, ok := byChat[k]; !ok {
			order = append(order, k)
		}
		byChat[k] = append(byChat[k], u)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed bool
	)
	for _, k := range order {
		wg.Add(1)
		go func(us []tgbotapi.Update) {
			defer wg.Done()
			for _, u := range us {
				if err := p.Handle(ctx, u); err != nil {
					p.Log.ErrorContext(ctx, "update not handled", "update", u.UpdateID, "err", err)
					mu.Lock()
					failed = true
					mu.Unlock()
					return // keep this chat's order: the rest come again
				}
			}
		}(byChat[k])
	}
	wg.Wait()
	return !failed
}

// chatKey groups updates that must be handled in order.
func chatKey(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.ChatJoinRequest != nil:
		return u.ChatJoinRequest.Chat.ID
	case u.ChatMember != nil:
		return u.ChatMember.Chat.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// Drain handles every update waiting now, without a long poll, confirms
// them, and returns how many it handled. The demo and end-to-end tests use
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
			return total, nil
		}
		if !p.handleBatch(ctx, updates) {
			return total, errors.New("an update could not be handled")
		}
		for _, u := range updates {
			p.drained = max(p.drained, u.UpdateID+1)
		}
		total += len(updates)
	}
}
