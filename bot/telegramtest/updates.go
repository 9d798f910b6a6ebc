package telegramtest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// updateRetention is how long Telegram keeps undelivered updates.
const updateRetention = 24 * time.Hour

// queuedUpdate is an update waiting to be fetched or delivered.
type queuedUpdate struct {
	id      int
	seq     uint64 // unique, unlike id after ResetUpdateIDs
	kind    string
	payload any
	created time.Time
}

// MarshalJSON encodes the Update object.
func (u queuedUpdate) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"update_id": u.id, u.kind: u.payload})
}

// defaultExcluded are the update types not delivered unless explicitly
// allowed.
var defaultExcluded = map[string]bool{"chat_member": true, "message_reaction": true, "message_reaction_count": true}

func allowedSet(types []string) map[string]bool {
	if len(types) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, t := range types {
		m[t] = true
	}
	return m
}

func (s *Server) isAllowed(kind string) bool {
	if s.allowed == nil {
		return !defaultExcluded[kind]
	}
	return s.allowed[kind]
}

// setAllowedParam applies an allowed_updates parameter as documented: absent
// keeps the previous setting, an empty list restores the default.
func (s *Server) setAllowedParam(p params) *apiError {
	raw := strings.TrimSpace(p["allowed_updates"])
	if raw == "" || raw == "null" {
		return nil
	}
	var types []string
	if err := json.Unmarshal([]byte(raw), &types); err != nil {
		return badRequest("can't parse allowed updates JSON object")
	}
	s.allowed = allowedSet(types)
	return nil
}

// allowedList returns the current allowed_updates setting for getWebhookInfo.
func (s *Server) allowedList() []string {
	var out []string
	for _, k := range []string{"message", "edited_message", "channel_post", "edited_channel_post",
		"message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
		"callback_query", "shipping_query", "pre_checkout_query", "poll", "poll_answer",
		"my_chat_member", "chat_member", "chat_join_request"} {
		if s.isAllowed(k) {
			out = append(out, k)
		}
	}
	return out
}

// enqueue queues an update of the given type, unless allowed_updates filters
// it out. The caller holds s.mu.
func (s *Server) enqueue(kind string, payload any) {
	if !s.isAllowed(kind) {
		return
	}
	s.updateSeq++
	s.updates = append(s.updates, queuedUpdate{id: s.nextUpdateID, seq: s.updateSeq, kind: kind, payload: payload, created: s.now()})
	s.nextUpdateID++
	s.notifyLocked()
}

// notifyLocked wakes everything waiting for updates. The caller holds s.mu.
func (s *Server) notifyLocked() {
	close(s.signal)
	s.signal = make(chan struct{})
}

// pruneLocked forgets updates older than 24 hours.
func (s *Server) pruneLocked() {
	cut := s.now().Add(-updateRetention)
	i := 0
	for i < len(s.updates) && s.updates[i].created.Before(cut) {
		i++
	}
	s.updates = s.updates[i:]
}

// ResetUpdateIDs makes the next update get the id next, as Telegram does when
// it picks a new random starting id after a week without updates. Queued
// updates keep their ids.
func (s *Server) ResetUpdateIDs(next int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdateID = next
}

// NextUpdateID returns the id the next update will get.
func (s *Server) NextUpdateID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextUpdateID
}

// PendingUpdates returns the number of queued, unconfirmed updates.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// getUpdates implements the getUpdates method, long polling included. It
// runs without s.mu held.
func (s *Server) getUpdates(ctx context.Context, p params) (any, *apiError) {
	offset, aerr := p.int64("offset")
	if aerr != nil {
		return nil, aerr
	}
	limit, aerr := p.int("limit")
	if aerr != nil {
		return nil, aerr
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, err := strconv.ParseFloat(strings.TrimSpace(p["timeout"]), 64)
	if err != nil || timeout < 0 {
		timeout = 0
	}
	deadline := time.Now().Add(time.Duration(timeout * float64(s.pollUnit)))

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook != nil {
		return nil, conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	}
	if aerr := s.setAllowedParam(p); aerr != nil {
		return nil, aerr
	}
	s.pollGen++
	gen := s.pollGen
	s.notifyLocked() // terminates an older long poll
	s.confirmLocked(offset)
	for {
		switch {
		case gen != s.pollGen:
			return nil, conflict("terminated by other getUpdates request; make sure that only one bot instance is running")
		case s.webhook != nil:
			return nil, conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
		}
		s.pruneLocked()
		if len(s.updates) > 0 || s.closed {
			n := min(limit, len(s.updates))
			return append([]queuedUpdate{}, s.updates[:n]...), nil
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return []queuedUpdate{}, nil
		}
		s.polling = true
		s.notifyLocked() // for WaitPolling
		ch := s.signal
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ch:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		s.mu.Lock()
		s.polling = false
		if ctx.Err() != nil {
			return []queuedUpdate{}, nil
		}
	}
}

// WaitPolling blocks until a getUpdates long poll waits for updates, so a
// test can act on a waiting poll without guessing how long it takes to
// arrive. It returns ctx's error when ctx ends first.
func (s *Server) WaitPolling(ctx context.Context) error {
	return s.waitUntil(ctx, func() bool { return s.polling })
}

// WaitUpdatesTaken blocks until no update is queued: each was confirmed by
// getUpdates or delivered to the webhook. It returns ctx's error when ctx
// ends first.
func (s *Server) WaitUpdatesTaken(ctx context.Context) error {
	return s.waitUntil(ctx, func() bool { return len(s.updates) == 0 })
}

// waitUntil blocks until cond, called with s.mu held, holds; every change
// it waits for is announced by notifyLocked.
func (s *Server) waitUntil(ctx context.Context, cond func() bool) error {
	s.mu.Lock()
	for !cond() {
		ch := s.signal
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.mu.Lock()
	}
	s.mu.Unlock()
	return nil
}

// confirmLocked applies the offset of getUpdates: updates with a smaller id
// are confirmed and forgotten; a negative offset keeps only the last -offset
// updates.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		out := s.updates[:0]
		for _, u := range s.updates {
			if int64(u.id) >= offset {
				out = append(out, u)
			}
		}
		s.updates = out
	case offset < 0:
		if keep := int(-offset); keep < len(s.updates) {
			s.updates = s.updates[len(s.updates)-keep:]
		}
	}
}
