package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/shequn/shequn"
)

// Intake takes updates from the poller or the webhook. It stores each
// update before it is confirmed to Telegram, then handles the updates of
// different chats independently: in order within a chat, at most QueueLen
// waiting per chat in memory. A chat that floods past its queue is not
// dropped: its further updates wait in the store and its worker reads them
// back when the queue has room, so one busy chat never holds up the others
// and never grows memory.
type Intake struct {
	Log    shequn.UpdateLog
	Handle func(ctx context.Context, u tgbotapi.Update) error // an error is a handler failure, already answered
	Now    func() time.Time
	Logger *slog.Logger
	// QueueLen bounds the updates one chat holds in memory; 100 when zero.
	QueueLen int
	// Handled is called after each update with the handler's error (nil
	// when it succeeded); the metrics count with it. May be nil.
	Handled func(err error)

	mu       sync.Mutex
	chats    map[int64]*chatQueue
	inMemory map[int]bool  // update ids queued or being handled here
	idle     chan struct{} // closed when the last worker ends
	stopped  bool          // Close gave up waiting: workers take nothing more
}

// chatQueue is one chat's waiting updates and the state of its worker.
type chatQueue struct {
	items  []tgbotapi.Update
	behind bool // updates of this chat wait in the store: the queue was full
	// late collects updates accepted while the worker reads the store.
	late      []tgbotapi.Update
	reloading bool
}

func (in *Intake) queueLen() int {
	if in.QueueLen > 0 {
		return in.QueueLen
	}
	return 100
}

// Accept stores the updates and queues the new ones for handling. When it
// returns nil every update is stored, so the caller may confirm them to
// Telegram. On an error the updates stored so far are queued all the same
// and the caller must not confirm: Telegram delivers the rest again.
func (in *Intake) Accept(ctx context.Context, updates []tgbotapi.Update) error {
	// Mark the updates as held here first, so that a worker reading its
	// chat back from the store meanwhile leaves them to this call.
	in.mu.Lock()
	mine := make([]bool, len(updates))
	for i, u := range updates {
		if !in.held(u.UpdateID) {
			in.inMemory[u.UpdateID], mine[i] = true, true
		}
	}
	in.mu.Unlock()
	fresh := make([]bool, len(updates))
	var err error
	for i, u := range updates {
		if !mine[i] {
			continue // being handled here: a redelivery
		}
		if fresh[i], err = in.save(ctx, u); err != nil {
			break
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, u := range updates {
		switch {
		case fresh[i]:
			in.enqueueLocked(u)
		case mine[i]:
			delete(in.inMemory, u.UpdateID)
		}
	}
	return err
}

// held reports whether the update is queued or handled here, and makes
// the maps. The caller holds in.mu.
func (in *Intake) held(id int) bool {
	if in.chats == nil {
		in.chats, in.inMemory = map[int64]*chatQueue{}, map[int]bool{}
	}
	return in.inMemory[id]
}

func (in *Intake) save(ctx context.Context, u tgbotapi.Update) (bool, error) {
	payload, err := json.Marshal(u)
	if err != nil {
		return false, fmt.Errorf("encode update %d: %w", u.UpdateID, err)
	}
	sum := sha256.Sum256(payload)
	isNew, err := in.Log.SaveUpdate(ctx, int64(u.UpdateID), chatKey(u), hex.EncodeToString(sum[:16]), payload, in.Now())
	if err != nil {
		return false, fmt.Errorf("store update %d: %w", u.UpdateID, err)
	}
	return isNew, nil
}

// HandleNow stores one update and handles it before returning, bypassing
// the queues; tests and tools use it.
func (in *Intake) HandleNow(ctx context.Context, u tgbotapi.Update) error {
	isNew, err := in.save(ctx, u)
	if err != nil || !isNew {
		return err
	}
	return in.handleOne(ctx, u)
}

// Recover queues stored updates that nobody finished and whose last claim
// is older than staleBefore: those confirmed to Telegram before a crash,
// or taken by an instance that stopped. Updates this intake holds already
// are left to it.
func (in *Intake) Recover(ctx context.Context, staleBefore time.Time) error {
	return in.reload(ctx, nil, staleBefore, func(us []tgbotapi.Update) {
		in.mu.Lock()
		defer in.mu.Unlock()
		for _, u := range us {
			if !in.held(u.UpdateID) {
				in.inMemory[u.UpdateID] = true
				in.enqueueLocked(u)
			}
		}
	})
}

// reload claims stored updates page by page and passes them on decoded.
func (in *Intake) reload(ctx context.Context, chat *int64, staleBefore time.Time, take func([]tgbotapi.Update)) error {
	limit := in.queueLen()
	for {
		// Claimed no earlier than staleBefore, so the next page does not
		// take them again.
		raw, err := in.Log.ClaimUpdates(ctx, chat, staleBefore, later(in.Now(), staleBefore), limit)
		if err != nil {
			return err
		}
		take(decodeUpdates(raw, in.Logger))
		if len(raw) < limit || chat != nil {
			return nil
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func decodeUpdates(raw [][]byte, log *slog.Logger) []tgbotapi.Update {
	out := make([]tgbotapi.Update, 0, len(raw))
	for _, p := range raw {
		var u tgbotapi.Update
		if err := json.Unmarshal(p, &u); err != nil {
			log.Error("a stored update does not decode", "err", err)
			continue
		}
		out = append(out, u)
	}
	return out
}

// enqueueLocked queues u, marked as held, on its chat, starting the
// chat's worker when it has none. A full queue leaves u in the store. The
// caller holds in.mu.
func (in *Intake) enqueueLocked(u tgbotapi.Update) {
	key := chatKey(u)
	q, running := in.chats[key]
	if !running {
		q = &chatQueue{}
		in.chats[key] = q
		if len(in.chats) == 1 {
			in.idle = make(chan struct{})
		}
		go in.work(key, q)
	}
	switch {
	case q.reloading:
		q.late = append(q.late, u)
	case !q.behind && len(q.items) >= in.queueLen():
		q.behind = true
		fallthrough
	case q.behind:
		delete(in.inMemory, u.UpdateID) // it waits in the store, after the ones before it
	default:
		q.items = append(q.items, u)
	}
}

// work handles one chat's updates in order until none is left.
func (in *Intake) work(key int64, q *chatQueue) {
	for {
		in.mu.Lock()
		if in.stopped {
			// Left unfinished in the store: the next start handles them.
			for _, u := range q.items {
				delete(in.inMemory, u.UpdateID)
			}
			q.items, q.behind = nil, false
		}
		if len(q.items) == 0 && q.behind {
			q.reloading = true
			in.mu.Unlock()
			in.refill(key, q)
			continue
		}
		if len(q.items) == 0 {
			delete(in.chats, key)
			if len(in.chats) == 0 {
				close(in.idle)
			}
			in.mu.Unlock()
			return
		}
		u := q.items[0]
		q.items = q.items[1:]
		in.mu.Unlock()
		in.handleOne(context.Background(), u)
		in.mu.Lock()
		delete(in.inMemory, u.UpdateID)
		in.mu.Unlock()
	}
}

// refill reads a full chat's updates back from the store, then takes
// those that arrived meanwhile unless the store still holds more.
func (in *Intake) refill(key int64, q *chatQueue) {
	var got []tgbotapi.Update
	err := in.reload(context.Background(), &key, in.Now().Add(time.Nanosecond), func(us []tgbotapi.Update) { got = us })
	in.mu.Lock()
	defer in.mu.Unlock()
	q.reloading = false
	if err != nil {
		// The store is down: what it holds is recovered on a later pass.
		in.Logger.Error("reading a chat's waiting updates back failed", "chat", key, "err", err)
		got = nil
	}
	for _, u := range got {
		if !in.held(u.UpdateID) {
			in.inMemory[u.UpdateID] = true
			q.items = append(q.items, u)
		}
	}
	q.behind = err == nil && len(got) == in.queueLen()
	for _, u := range q.late {
		if q.behind {
			delete(in.inMemory, u.UpdateID) // read back with the rest
		} else {
			q.items = append(q.items, u)
		}
	}
	q.late = nil
}

// handleOne handles an update, records it finished and reports the result.
// A panic is logged and counted; the update counts as handled, so a bad
// update is not retried for ever.
func (in *Intake) handleOne(ctx context.Context, u tgbotapi.Update) error {
	err := in.safely(ctx, u)
	if errors.Is(err, ErrSenderClosed) {
		return err // shutting down: the next start handles it again
	}
	if in.Handled != nil {
		in.Handled(err)
	}
	if ferr := in.Log.FinishUpdate(ctx, int64(u.UpdateID), in.Now()); ferr != nil {
		// Handled but not recorded: a later pass handles it again.
		in.Logger.Error("recording a handled update failed", "update", u.UpdateID, "err", ferr)
		return errors.Join(err, ferr)
	}
	return err
}

func (in *Intake) safely(ctx context.Context, u tgbotapi.Update) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic handling update %d: %v", u.UpdateID, p)
			in.Logger.Error("update handler panicked", "update", u.UpdateID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	return in.Handle(ctx, u)
}

// Wait returns when every accepted update was handled, or when ctx ends.
func (in *Intake) Wait(ctx context.Context) error {
	in.mu.Lock()
	if len(in.chats) == 0 {
		in.mu.Unlock()
		return nil
	}
	idle := in.idle
	in.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close waits, until ctx ends, for the updates accepted to be handled;
// then workers finish the update in hand and take no more. What is left
// stays in the store for Recover at the next start.
func (in *Intake) Close(ctx context.Context) error {
	err := in.Wait(ctx)
	if err != nil {
		in.mu.Lock()
		in.stopped = true
		in.mu.Unlock()
	}
	return err
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
