package onebot_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
	"github.com/shequn/shequn/sessions"
)

// qqSessions is the QQ sessions platform on a fake group 777 where the
// account has the role; it has no Telegram file download.
func qqSessions(t *testing.T, role string) (onebot.SessionPlatform, *onebottest.Server) {
	t.Helper()
	fake := onebottest.New(10001)
	fake.AddGroup(777, "g", role)
	fake.AddMember(777, 42, "小明", "member")
	tr, stop := connect(t, fake)
	t.Cleanup(stop)
	q := newQQ(tr, make(chan tgbotapi.Update, 100))
	tr.Events = q.Take // a friend request is accepted
	return onebot.SessionPlatform{QQ: q, Parts: &onebot.PartLog{}}, fake
}

func item(m bot.RelayItem) sessions.MessageRef {
	raw := `{"text":"` + m.Text + `","photo":"` + m.Photo + `","document":"` + m.Document + `","name":"` + m.Name + `"`
	if m.QQ {
		raw += `,"qq":true`
	}
	return sessions.MessageRef{ChatID: 1, MessageIDs: []int{1}, Items: []string{raw + "}"}}
}

// What QQ cannot take as it came is sent as QQ takes it: a QQ file alone
// and its caption after; a Telegram picture the platform cannot fetch as
// a line naming it, then its caption; a message kept before QQ could take
// it is given up.
func TestQQCopySendsAgainWhatQQTakes(t *testing.T) {
	p, fake := qqSessions(t, "admin")
	ctx, g := t.Context(), shequn.QQGroup(777)
	if err := p.Copy(ctx, g, item(bot.RelayItem{Document: "https://qq/f.pdf", Name: "讲义.pdf", Text: "讲义", QQ: true}), true); err != nil {
		t.Fatal(err)
	}
	if err := p.Copy(ctx, g, item(bot.RelayItem{Photo: "AgADtelegram", Text: "配图"}), true); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent()
	if len(sent) != 3 {
		t.Fatalf("%d messages, want 3: %+v", len(sent), sent)
	}
	if f := sent[0].Message; len(f) != 1 || f[0].Type != "file" || f[0].Str("file") != "https://qq/f.pdf" || f[0].Str("name") != "讲义.pdf" {
		t.Errorf("the file went as %+v", f)
	}
	if sent[1].Text != "讲义" || sent[2].Text != "[图片]\n配图" {
		t.Errorf("then %q and %q", sent[1].Text, sent[2].Text)
	}
	err := p.Copy(ctx, g, sessions.MessageRef{ChatID: 1, MessageIDs: []int{2}}, true)
	if !errors.Is(err, sessions.ErrSourceGone) {
		t.Errorf("a message with nothing kept: %v", err)
	}
}

// A member who deleted the account cannot be written to: unreachable,
// like a Telegram member who blocked the bot; a friend refused for a
// while is not.
func TestQQCopyToAMemberWhoDeletedTheAccountIsUnreachable(t *testing.T) {
	p, fake := qqSessions(t, "admin")
	ctx := t.Context()
	must(t, fake.AddFriend(ctx, 42, ""))
	for deadline := time.Now().Add(5 * time.Second); !fake.Friends(42); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the friend request was not accepted")
		}
	}
	text := item(bot.RelayItem{Text: "今晚分享会"})
	fake.FailNext("send_private_msg", 1, onebot.RetFailed, "send failed")
	if err := p.Copy(ctx, shequn.QQUser(42), text, false); err == nil || errors.Is(err, shequn.ErrUnreachable) {
		t.Errorf("a friend refused once: %v", err)
	}
	fake.Unfriend(42)
	if err := p.Copy(ctx, shequn.QQUser(42), text, false); !errors.Is(err, shequn.ErrUnreachable) {
		t.Errorf("a member who deleted the account: %v", err)
	}
}

// The question window is the whole-group ban lifted and set again; the
// reminder's essence is taken back once, and a message no longer essence
// is done. An account that is no administrator is the group's problem.
func TestQQWindowAndEssence(t *testing.T) {
	p, fake := qqSessions(t, "admin")
	ctx, g := t.Context(), shequn.QQGroup(777)
	if err := p.OpenChat(ctx, g, true); err != nil {
		t.Fatal(err)
	}
	if gr, _ := fake.Group(777); gr.WholeBan {
		t.Fatal("still banned as a whole in the window")
	}
	if err := p.OpenChat(ctx, g, false); err != nil {
		t.Fatal(err)
	}
	if gr, _ := fake.Group(777); !gr.WholeBan {
		t.Fatal("not banned again after the window")
	}
	id, err := p.QQ.Send(ctx, g, "提醒", nil)
	must(t, err)
	must(t, p.QQ.Pin(ctx, g, id))
	must(t, p.Unpin(ctx, g, id))
	if len(fake.Essence()) != 0 {
		t.Fatalf("essence left: %v", fake.Essence())
	}
	if err := p.Unpin(ctx, g, id); err != nil {
		t.Errorf("a message no longer essence: %v", err)
	}

	member, _ := qqSessions(t, "member")
	var ge *groups.GroupError
	if err := member.OpenChat(ctx, g, true); !errors.As(err, &ge) || ge.Problem != groups.MissingRight(groups.RightRestrict) {
		t.Errorf("an account that is no administrator opens the window: %v", err)
	}
}

// An album of pictures reaches QQ as QQ shows one: the pictures in one
// message with the captions after them.
func TestQQCopySendsAnAlbumAsOneMessage(t *testing.T) {
	p, fake := qqSessions(t, "admin")
	a, b := item(bot.RelayItem{Photo: "https://qq/1.jpg", Text: "图一", QQ: true}), item(bot.RelayItem{Photo: "https://qq/2.jpg", QQ: true})
	ref := sessions.MessageRef{ChatID: 1, MessageIDs: []int{1, 2}, Items: append(a.Items, b.Items...)}
	if err := p.Copy(t.Context(), shequn.QQGroup(777), ref, true); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d messages, want 1: %+v", len(sent), sent)
	}
	m := sent[0].Message
	if len(m) != 3 || m[0].Str("file") != "https://qq/1.jpg" || m[1].Str("file") != "https://qq/2.jpg" || m[2].Str("text") != "图一" {
		t.Errorf("the album went as %+v", m)
	}
}

// A group the account was removed from is the group's problem (its
// owners are told, and it is skipped), not a passing failure.
func TestQQCopyIntoAGroupTheAccountLeftIsItsProblem(t *testing.T) {
	p, fake := qqSessions(t, "admin")
	ctx := t.Context()
	must(t, fake.KickBot(ctx, 777, 44))
	var ge *groups.GroupError
	err := p.Copy(ctx, shequn.QQGroup(777), item(bot.RelayItem{Text: "第一页"}), true)
	if !errors.As(err, &ge) || ge.Problem != groups.ProblemRemoved {
		t.Errorf("copy into a group the account left: %v", err)
	}
}

// A copy refused part-way (the caption after the file) is retried from
// where it stopped: the file goes once.
func TestQQCopyRetriedPartWaySendsOnlyTheRest(t *testing.T) {
	p, fake := qqSessions(t, "admin")
	ctx, g := t.Context(), shequn.QQGroup(777)
	fake.OnAction(func(action string, _, _ int64) {
		if action == "send_group_msg" && len(fake.Sent()) == 1 {
			fake.FailNext("send_group_msg", 1, onebottest.RetRiskControl, "send failed: risk control")
		}
	})
	ref := item(bot.RelayItem{Document: "https://qq/f.pdf", Name: "讲义.pdf", Text: "讲义", QQ: true})
	if err := p.Copy(ctx, g, ref, true); err == nil {
		t.Fatal("the caption was not refused")
	}
	if err := p.Copy(ctx, g, ref, true); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent()
	if len(sent) != 2 || sent[0].Message[0].Type != "file" || sent[1].Text != "讲义" {
		t.Errorf("sent %+v, want the file once and then its caption", sent)
	}
}

// A QQ message is read whole again when QQ still has it, and sent as
// kept (its first picture and its words) when QQ no longer does.
func TestQQCopyReadsAQQMessageWholeAgain(t *testing.T) {
	p, fake := qqSessions(t, "admin")
	ctx, g := t.Context(), shequn.QQGroup(777)
	must(t, fake.PrivateMessage(ctx, 42, "小明", onebot.Segment{Type: "image", Data: map[string]any{"file": "a.png", "url": "https://qq/a.png"}},
		onebot.Segment{Type: "face", Data: map[string]any{"id": "14"}}, onebot.Segment{Type: "image", Data: map[string]any{"file": "b.png", "url": "https://qq/b.png"}},
		onebot.Text("两张图")))
	kept := func(id int) sessions.MessageRef {
		return sessions.MessageRef{ChatID: shequn.QQUser(42), MessageIDs: []int{id},
			Items: []string{fmt.Sprintf(`{"text":"两张图","photo":"https://qq/a.png","qq":true,"id":%d}`, id)}}
	}
	must(t, p.Copy(ctx, g, kept(1001), true)) // the fake's first message id
	must(t, p.Copy(ctx, g, kept(9999), true)) // one QQ no longer has
	sent := fake.Sent()
	if len(sent) != 2 {
		t.Fatalf("%d messages, want 2", len(sent))
	}
	if m := sent[0].Message; len(m) != 4 || m[0].Str("file") != "https://qq/a.png" || m[1].Type != "face" || m[2].Str("file") != "https://qq/b.png" || m[3].Str("text") != "两张图" {
		t.Errorf("read whole again: %+v", m)
	}
	if m := sent[1].Message; len(m) != 2 || m[0].Str("file") != "https://qq/a.png" || m[1].Str("text") != "两张图" {
		t.Errorf("sent as kept: %+v", m)
	}
}
