package onebot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

// newQQ is a QQ side over the transport whose accepted updates go to got.
func newQQ(tr *onebot.Transport, got chan tgbotapi.Update) *onebot.QQ {
	return &onebot.QQ{API: tr, Self: tr.SelfID, Now: time.Now, Log: quiet(),
		Out: &onebot.Sender{API: tr, Now: time.Now},
		Accept: func(_ context.Context, us []tgbotapi.Update) error {
			for _, u := range us {
				got <- u
			}
			return nil
		}}
}

// A join request stored before a restart is answered after it: its flag
// rides in the stored update.
func TestJoinRequestsSurviveARestart(t *testing.T) {
	fake := onebottest.New(10001)
	fake.AddGroup(777, "g", "admin")
	tr, stop := connect(t, fake)
	defer stop()
	got := make(chan tgbotapi.Update, 4)
	tr.Events = newQQ(tr, got).Take
	flag, err := fake.AskToJoin(t.Context(), 777, 42, "小明", "PPT-00042")
	if err != nil {
		t.Fatal(err)
	}
	u := <-got
	jr := u.ChatJoinRequest
	if jr == nil || jr.Chat.ID != shequn.QQGroup(777) || jr.From.ID != shequn.QQUser(42) || jr.Bio != "PPT-00042" {
		t.Fatalf("the request as an update: %+v", u)
	}
	// A process that never saw the event cannot answer it …
	fresh := newQQ(tr, got)
	if err := (onebot.Platform{QQ: fresh}).ApproveJoin(t.Context(), jr.Chat.ID, jr.From.ID); !errors.Is(err, groups.ErrJoinRequestGone) {
		t.Fatalf("without the flag: %v", err)
	}
	// … until it reads the stored update back.
	handle := fresh.Handling(func(ctx context.Context, u tgbotapi.Update) error {
		return onebot.Platform{QQ: fresh}.ApproveJoin(ctx, u.ChatJoinRequest.Chat.ID, u.ChatJoinRequest.From.ID)
	})
	if err := handle(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if r := fake.Request(flag); !r.Approved {
		t.Errorf("after the restart the request was not approved: %+v", r)
	}
}

// What QQ sends becomes the update the router reads.
func TestEventsBecomeUpdates(t *testing.T) {
	fake := onebottest.New(10001)
	fake.AddGroup(777, "g", "admin")
	fake.AddMember(777, 42, "小明", "member")
	tr, stop := connect(t, fake)
	defer stop()
	got := make(chan tgbotapi.Update, 8)
	q := newQQ(tr, got)
	tr.Events = q.Take
	ctx := t.Context()
	next := func() tgbotapi.Update {
		t.Helper()
		select {
		case u := <-got:
			return u
		case <-time.After(5 * time.Second):
			t.Fatal("no update")
			return tgbotapi.Update{}
		}
	}
	// A group command addressed with an @ of the bot.
	must(t, fake.GroupMessage(ctx, 777, 42, onebot.Segment{Type: "at", Data: map[string]any{"qq": "10001"}}, onebot.Text(" /me ")))
	u := next()
	if m := u.Message; m == nil || m.Text != "/me" || m.Chat.ID != shequn.QQGroup(777) || m.Chat.Type != "group" ||
		m.From.ID != shequn.QQUser(42) || m.From.FirstName != "小明" || m.ReplyToMessage != nil || u.UpdateID < 1<<53 {
		t.Fatalf("group command: %+v", u.Message)
	}
	// A picture with words, and a file, privately.
	must(t, fake.PrivateMessage(ctx, 42, "小明", onebot.Segment{Type: "image", Data: map[string]any{"file": "abc.jpg", "url": "https://q.example/abc.jpg"}}, onebot.Text("封面")))
	if m := next().Message; len(m.Photo) != 1 || m.Photo[0].FileID != "https://q.example/abc.jpg" || m.Caption != "封面" || m.Text != "" || !m.Chat.IsPrivate() {
		t.Fatalf("a picture: %+v", m)
	}
	must(t, fake.PrivateMessage(ctx, 42, "小明", onebot.Segment{Type: "file", Data: map[string]any{"file": "f1", "name": "作业.pptx"}}))
	if m := next().Message; m.Document == nil || m.Document.FileID != "f1" || m.Document.FileName != "作业.pptx" {
		t.Fatalf("a file: %+v", m)
	}
	// A number answers the choices shown last in that chat, not elsewhere.
	must(t, q.Chat(shequn.QQUser(42)).Reply(ctx, "选一个", [][]bot.Choice{{{Label: "中文", Data: "lang:zh-CN"}, {Label: "English", Data: "lang:en"}}}))
	must(t, fake.PrivateMessage(ctx, 42, "小明", onebot.Text(" 2 ")))
	if cq := next().CallbackQuery; cq == nil || cq.Data != "lang:en" || cq.From.ID != shequn.QQUser(42) || cq.Message.Chat.ID != shequn.QQUser(42) {
		t.Fatalf("the answer 2: %+v", cq)
	}
	must(t, fake.PrivateMessage(ctx, 42, "小明", onebot.Text("3")))
	if m := next().Message; m == nil || m.Text != "3" {
		t.Fatalf("a number past the choices: %+v", m)
	}
	must(t, fake.GroupMessage(ctx, 777, 42, onebot.Text("1")))
	if m := next().Message; m == nil || m.Text != "1" {
		t.Fatalf("a number in a chat without choices: %+v", m)
	}
	// Heartbeats and the account's own doings are no updates; members
	// coming and going are.
	must(t, fake.Emit(ctx, onebot.Event{PostType: "meta_event", MetaEventType: "heartbeat"}))
	must(t, fake.Emit(ctx, onebot.Event{PostType: "message", MessageType: "private", UserID: 10001, Message: onebot.Message{onebot.Text("me")}}))
	must(t, fake.Leave(ctx, 777, 42))
	if m := next().Message; m == nil || m.LeftChatMember == nil || m.LeftChatMember.ID != shequn.QQUser(42) {
		t.Fatalf("a member leaving: %+v", m)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Refusals are told apart by the account's standing, whatever their words.
func TestRefusalsAreDiagnosedByTheAccountsStanding(t *testing.T) {
	for _, opaque := range []bool{false, true} {
		fake := onebottest.New(10001)
		fake.Opaque = opaque
		fake.AddGroup(1, "admin here", "admin")
		fake.AddGroup(2, "member here", "member")
		fake.AddMember(1, 42, "小明", "member")
		tr, stop := connect(t, fake)
		q := newQQ(tr, make(chan tgbotapi.Update, 8))
		p := onebot.Platform{QQ: q}
		ctx := t.Context()
		var ge *groups.GroupError
		if err := p.MuteAll(ctx, shequn.QQGroup(2)); !errors.As(err, &ge) || ge.Problem != groups.MissingRight(groups.RightRestrict) {
			t.Errorf("opaque %v: muting where the account is no admin: %v", opaque, err)
		}
		if err := p.MuteAll(ctx, shequn.QQGroup(3)); !errors.As(err, &ge) || ge.Problem != groups.ProblemRemoved {
			t.Errorf("opaque %v: muting a group the account is not in: %v", opaque, err)
		}
		if rights, err := p.BotRights(ctx, shequn.QQGroup(3)); err != nil || rights != nil {
			t.Errorf("opaque %v: rights in a group the account is not in: %v, %v", opaque, rights, err)
		}
		if in, err := p.IsMember(ctx, shequn.QQGroup(1), shequn.QQUser(43)); err != nil || in {
			t.Errorf("opaque %v: a stranger is a member: %v, %v", opaque, in, err)
		}
		if err := p.RemoveMember(ctx, shequn.QQGroup(1), shequn.QQUser(43)); err != nil {
			t.Errorf("opaque %v: removing someone gone already: %v", opaque, err)
		}
		must(t, p.RemoveMember(ctx, shequn.QQGroup(1), shequn.QQUser(42)))
		if _, in := fake.Member(1, 42); in {
			t.Errorf("opaque %v: the member was not kicked", opaque)
		}
		// A request answered elsewhere (its flag unknown to QQ now) is gone.
		stale := tgbotapi.Update{ChatJoinRequest: &tgbotapi.ChatJoinRequest{Chat: tgbotapi.Chat{ID: shequn.QQGroup(1)},
			From: tgbotapi.User{ID: shequn.QQUser(44)}, InviteLink: &tgbotapi.ChatInviteLink{InviteLink: "qq-flag:answered"}}}
		err := q.Handling(func(ctx context.Context, u tgbotapi.Update) error {
			return p.ApproveJoin(ctx, shequn.QQGroup(1), shequn.QQUser(44))
		})(ctx, stale)
		if !errors.Is(err, groups.ErrJoinRequestGone) {
			t.Errorf("opaque %v: a request answered elsewhere: %v", opaque, err)
		}
		stop()
	}
}
