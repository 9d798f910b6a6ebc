package groups_test

import (
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
)

// PostPinned records each step it did: a post pinned once is recorded as
// pinned, so that it is never pinned, nor posted, again; a failed pin is
// retried without a second post.
func TestPostPinnedRecordsEachStep(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const chat = -5
	e.notes.failFor(chat, nil)
	if err := groups.PostPinned(ctx, e.db, e.notes, "news", chat, homework{1}, e.now); err != nil {
		t.Fatal(err)
	}
	p := must(e.db.PostOf(ctx, "news", chat))(t)
	if !p.PostedAt.Equal(e.now) || !p.PinnedAt.Equal(e.now) || p.MessageID == 0 {
		t.Errorf("post log %+v, want posted and pinned at %v", p, e.now)
	}
	later := e.now.Add(time.Hour)
	if err := groups.PostPinned(ctx, e.db, e.notes, "news", chat, homework{1}, later); err != nil {
		t.Fatal(err)
	}
	if got := must(e.db.PostOf(ctx, "news", chat))(t); got != p || len(e.notes.to(chat)) != 1 {
		t.Errorf("a second call changed the log to %+v or posted again (%d posts)", got, len(e.notes.to(chat)))
	}
}

// A set-up that cannot finish at registration is logged as postponed; one
// that finishes logs nothing of the kind.
func TestSetUpPostponedIsLogged(t *testing.T) {
	e := newEnv(t)
	e.logs.count("")
	e.group(t, "ppt", -1, 5)
	if n := e.logs.count("group set-up postponed"); n != 0 {
		t.Errorf("a finished set-up logged %d postponements", n)
	}
	e.chat.failOn("mute", errDown)
	g := e.group(t, "ppt", -2, 5)
	if n := e.logs.count("group set-up postponed"); n != 1 {
		t.Errorf("a failed set-up logged %d postponements, want 1", n)
	}
	if got := must(e.db.Group(t.Context(), g.ID))(t); !got.SetUpAt.IsZero() {
		t.Errorf("set up at %v though the mute failed", got.SetUpAt)
	}
}
