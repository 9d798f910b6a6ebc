package onebot_test

import (
	"context"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

// A reply segment names the message replied to; the handler sees its
// author and text, read from QQ (get_msg) once the update is taken, even
// when the client dropped the @ it usually adds. A reply to a message QQ
// no longer has names the person it @s, else nobody.
func TestReplySegmentNamesTheAuthor(t *testing.T) {
	fake := onebottest.New(10001)
	fake.AddGroup(777, "g", "admin")
	fake.AddMember(777, 42, "小明", "member")
	fake.AddMember(777, 43, "周老师", "member")
	tr, stop := connect(t, fake)
	defer stop()
	got := make(chan tgbotapi.Update, 4)
	q := newQQ(tr, got)
	tr.Events = q.Take
	ctx := t.Context()
	handled := make(chan *tgbotapi.Message, 4)
	handle := q.Handling(func(_ context.Context, u tgbotapi.Update) error { handled <- u.Message; return nil })
	take := func() *tgbotapi.Message {
		t.Helper()
		select {
		case u := <-got:
			must(t, handle(ctx, u))
			return <-handled
		case <-time.After(5 * time.Second):
			t.Fatal("no update")
			return nil
		}
	}
	said, err := fake.Speak(ctx, 777, 42, onebot.Text("加我好友"))
	must(t, err)
	take()
	_, err = fake.Speak(ctx, 777, 43, onebottest.ReplyTo(said), onebot.Text(" /warn 广告"))
	must(t, err)
	m := take()
	if m.Text != "/warn 广告" || m.ReplyToMessage == nil || m.ReplyToMessage.From == nil ||
		m.ReplyToMessage.From.ID != shequn.QQUser(42) || m.ReplyToMessage.From.FirstName != "小明" || m.ReplyToMessage.Text != "加我好友" {
		t.Fatalf("the reply: %+v, to %+v", m, m.ReplyToMessage)
	}
	_, err = fake.Speak(ctx, 777, 43, onebottest.ReplyTo(99999), onebot.Text("/warn"))
	must(t, err)
	if m := take(); m.ReplyToMessage != nil && m.ReplyToMessage.From != nil {
		t.Fatalf("a reply to a message QQ lost names %+v", m.ReplyToMessage.From)
	}
	// … unless it @s its author, as QQ's client does.
	_, err = fake.Speak(ctx, 777, 43, onebottest.ReplyTo(99999), onebot.Segment{Type: "at", Data: map[string]any{"qq": "42"}}, onebot.Text(" /warn"))
	must(t, err)
	if m := take(); m.ReplyToMessage == nil || m.ReplyToMessage.From == nil || m.ReplyToMessage.From.ID != shequn.QQUser(42) {
		t.Fatalf("a reply to a lost message with an @: %+v", m.ReplyToMessage)
	}
}
