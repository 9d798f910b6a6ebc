package bot_test

import (
	"errors"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/sessions"
)

// Telegram's answers reach the sessions package as what they mean: a group
// only a person can fix, a member who cannot be written to, a message gone.
func TestSessionPlatformErrors(t *testing.T) {
	srv, s, _ := newSender(t, bot.Limits{})
	p := &bot.SessionPlatform{Sender: s}
	ctx := t.Context()
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "Speaker"})
	srv.AddUser(telegramtest.User{ID: 8, FirstName: "Student"})
	talk, err := srv.SendText(7, 7, "第一页")
	if err != nil {
		t.Fatal(err)
	}
	ref := sessions.MessageRef{ChatID: 7, MessageIDs: []int{talk}}
	g := srv.CreateSupergroup("学员1群", 7)
	if err := srv.AddBotAdmin(g, telegramtest.FullAdminRights()); err != nil {
		t.Fatal(err)
	}
	if err := p.Copy(ctx, g, ref, true); err != nil {
		t.Fatalf("copy into the group: %v", err)
	}
	if err := p.OpenChat(ctx, g, true); err != nil || !srv.Permissions(g).CanSendMessages {
		t.Fatalf("open: %v", err)
	}
	if err := p.OpenChat(ctx, g, false); err != nil || srv.Permissions(g).CanSendMessages {
		t.Fatalf("mute: %v", err)
	}

	if err := p.Copy(ctx, g, sessions.MessageRef{ChatID: 7, MessageIDs: []int{999}}, true); !errors.Is(err, sessions.ErrSourceGone) {
		t.Errorf("a deleted message: %v, want ErrSourceGone", err)
	}
	if err := p.Copy(ctx, 8, ref, false); !errors.Is(err, shequn.ErrUnreachable) {
		t.Errorf("a member who never started the bot: %v, want ErrUnreachable", err)
	}
	noRestrict := telegramtest.FullAdminRights()
	noRestrict.CanRestrictMembers = false
	if err := srv.SetBotRights(g, noRestrict); err != nil {
		t.Fatal(err)
	}
	var ge *groups.GroupError
	if err := p.OpenChat(ctx, g, true); !errors.As(err, &ge) || ge.Problem != groups.MissingRight(groups.RightRestrict) {
		t.Errorf("open without the right: %v, want the missing right", err)
	}
	if err := srv.RemoveBot(g, false); err != nil {
		t.Fatal(err)
	}
	if err := p.Copy(ctx, g, ref, true); !errors.As(err, &ge) || ge.Problem != groups.ProblemRemoved {
		t.Errorf("copy into a group the bot left: %v, want ProblemRemoved", err)
	}
}

// A member the bot cannot find (an account deleted) cannot be written to
// either: a broadcast skips them rather than retrying forever.
func TestSessionPlatformChatGoneIsUnreachable(t *testing.T) {
	srv, s, _ := newSender(t, bot.Limits{})
	p := &bot.SessionPlatform{Sender: s}
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "Admin"})
	msg, err := srv.SendText(7, 7, "announcement")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Copy(t.Context(), 424242, sessions.MessageRef{ChatID: 7, MessageIDs: []int{msg}}, false); !errors.Is(err, shequn.ErrUnreachable) {
		t.Errorf("copy to a chat that is gone: %v, want ErrUnreachable", err)
	}
}
