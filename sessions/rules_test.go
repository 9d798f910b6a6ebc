package sessions_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/sessions"
)

// One pass sends every broadcast in progress, oldest first, not only the
// first of them.
func TestBroadcastPassSendsEveryBroadcast(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	w.group(t, "ppt", -1)
	w.seat(t, "ppt", 10, 10)
	var ids []int64
	for _, m := range []int{5, 6} {
		b, err := w.svc.Announce(ctx, admin, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{m}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.ID)
	}
	w.broadcast(t)
	wantEffects(t, w.chat, -1, "copy 5", "copy 6")
	wantEffects(t, w.chat, 10, "copy 5", "copy 6")
	for _, id := range ids {
		if got, _ := w.db.Broadcast(ctx, id); got.State != sessions.Done || got.Sent != 1 {
			t.Errorf("broadcast %+v, want done with 1 sent", got)
		}
	}
}

// A service configured without a number of workers sends the DMs with
// its default.
func TestBroadcastDefaultWorkers(t *testing.T) {
	w := newWorld(t)
	w.svc.Workers = 0
	w.group(t, "ppt", -1)
	for u := int64(10); u < 13; u++ {
		w.seat(t, "ppt", u, int(u))
	}
	b, err := w.svc.Announce(t.Context(), admin, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}})
	if err != nil {
		t.Fatal(err)
	}
	w.broadcast(t)
	for u := int64(10); u < 13; u++ {
		wantEffects(t, w.chat, u, "copy 5")
	}
	if got, _ := w.db.Broadcast(t.Context(), b.ID); got.State != sessions.Done || got.Sent != 3 {
		t.Errorf("broadcast %+v, want done with 3 sent", got)
	}
}

// The sender is told when the broadcast is done; a sender who cannot be
// told is logged as a warning, and one told is not.
func TestBroadcastSenderToldOrLogged(t *testing.T) {
	for _, c := range []struct {
		name        string
		unreachable bool
	}{{"told", false}, {"not told", true}} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			var log bytes.Buffer
			w.svc.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
			w.group(t, "ppt", -1)
			if c.unreachable {
				w.chat.failOn("tell 1", shequn.ErrUnreachable)
			}
			if _, err := w.svc.Announce(t.Context(), admin, "ppt", false, sessions.MessageRef{ChatID: admin, MessageIDs: []int{5}}); err != nil {
				t.Fatal(err)
			}
			w.broadcast(t)
			if logged := strings.Contains(log.String(), "broadcast's sender not told"); logged != c.unreachable {
				t.Errorf("logged %q, want the warning %v", log.String(), c.unreachable)
			}
			if !c.unreachable {
				wantEffects(t, w.chat, admin, "tell broadcast_done")
			}
		})
	}
}
