package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/bot/telegramtest"
)

// posts returns the bot's messages in a chat containing sub, and how many
// of them are pinned.
func posts(h *Harness, chat int64, sub string) (n, pinned int) {
	for _, m := range h.TG.BotMessages(chat) {
		if strings.Contains(m.Text, sub) {
			n++
			if m.Pinned {
				pinned++
			}
		}
	}
	return n, pinned
}

// An announcement whose pin fails in one group (the bot lost its right to
// pin there) is neither posted again there nor held back from the other
// groups; the owner is told once, naming the right; when the right comes
// back the pin follows, without a second post.
func TestPinFailureNeitherRepeatsNorBlocks(t *testing.T) {
	h := mustStart(t)
	g1 := classroom(t, h, 42)
	g2 := h.Group("学员群 2", telegramtest.FullAdminRights())
	must(t, h.Say(t.Context(), h.Owner, g2, "/register student ppt 5"))
	noPin := telegramtest.FullAdminRights()
	noPin.CanPinMessages = false
	must(t, h.TG.SetBotRights(g1, noPin))
	publish(t, h, "Cover")
	for range 5 {
		h.Clock.Advance(time.Minute)
		must(t, h.Step(t.Context()))
	}
	if n, pinned := posts(h, g2, "Cover"); n != 1 || pinned != 1 {
		t.Fatalf("group 2 (healthy): %d posts, %d pinned; want 1 and 1", n, pinned)
	}
	if n, _ := posts(h, g1, "Cover"); n > 1 {
		t.Fatalf("group 1 (cannot pin): posted %d times", n)
	}
	alerts := func() int { return count(botTexts(h, h.Owner), "置顶消息") }
	if n := alerts(); n != 1 {
		t.Fatalf("owner alerts naming the pin right = %d, want 1\n%s", n, strings.Join(botTexts(h, h.Owner), "\n---\n"))
	}
	// The right comes back: the announcement is finished there, once.
	must(t, h.TG.SetBotRights(g1, telegramtest.FullAdminRights()))
	must(t, h.Step(t.Context()))
	must(t, h.Step(t.Context()))
	if n, pinned := posts(h, g1, "Cover"); n != 1 || pinned != 1 {
		t.Fatalf("group 1 after the right came back: %d posts, %d pinned; want 1 and 1", n, pinned)
	}
	if n, _ := posts(h, g2, "Cover"); n != 1 {
		t.Fatalf("group 2 got the announcement %d times", n)
	}
	if n := alerts(); n != 1 {
		t.Fatalf("owner alerts = %d after the fix, want 1", n)
	}
}

// A pin failing for a passing reason (Telegram's 500s) is retried after a
// back-off; the post is made once.
func TestPinRetriedWithoutReposting(t *testing.T) {
	h := mustStart(t)
	g := classroom(t, h, 42)
	h.TG.FailNext("pinChatMessage", 1000, 500, "Internal Server Error")
	publish(t, h, "Cover")
	must(t, h.Step(t.Context()))
	if n, pinned := posts(h, g, "Cover"); n != 1 || pinned != 0 {
		t.Fatalf("while pins fail: %d posts, %d pinned; want 1 and 0", n, pinned)
	}
	pins := h.TG.Calls("pinChatMessage")
	must(t, h.Step(t.Context())) // backing off: no new try yet
	if n := h.TG.Calls("pinChatMessage"); n != pins {
		t.Fatalf("pin tried again at once (%d calls, then %d): no back-off", pins, n)
	}
	h.TG.FailNext("pinChatMessage", 0, 0, "")
	h.Clock.Advance(time.Minute)
	must(t, h.Step(t.Context()))
	if n, pinned := posts(h, g, "Cover"); n != 1 || pinned != 1 {
		t.Fatalf("after recovery: %d posts, %d pinned; want 1 and 1", n, pinned)
	}
}

// A group its owner muted before /register (Telegram answers
// CHAT_NOT_MODIFIED to the mute) finishes its set-up: the rules are posted
// and pinned once, and /register says so only because they were.
func TestRegisterMutedGroupFinishesSetUp(t *testing.T) {
	h := mustStart(t)
	g := h.Group("学员群", telegramtest.FullAdminRights())
	must(t, h.TG.SetPermissions(g, telegramtest.ChatPermissions{}))
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/start"))
	must(t, h.Say(t.Context(), h.Owner, g, "/register student ppt 50"))
	if n, pinned := posts(h, g, "欢迎来到"); n != 1 || pinned != 1 {
		t.Fatalf("rules: %d posts, %d pinned; want 1 and 1", n, pinned)
	}
	if last, _ := h.LastBotMessage(g); !strings.Contains(last.Text, "已全员禁言并置顶群公告") {
		t.Fatalf("/register answered %q\n%s", last.Text, h.Log.String())
	}
	must(t, h.Step(t.Context()))
	if n, _ := posts(h, g, "欢迎来到"); n != 1 {
		t.Fatalf("rules posted %d times", n)
	}
}

// When the rules cannot be pinned at /register, the answer does not claim
// they were; the owner is told privately once they are.
func TestRegisterConfirmsPinOnlyWhenDone(t *testing.T) {
	h := mustStart(t)
	g := h.Group("学员群", telegramtest.FullAdminRights())
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/start"))
	h.TG.FailNext("pinChatMessage", 1000, 500, "Internal Server Error")
	must(t, h.Say(t.Context(), h.Owner, g, "/register student ppt 50"))
	var reply string
	for _, m := range h.TG.BotMessages(g) {
		if strings.Contains(m.Text, "容量") {
			reply = m.Text
		}
	}
	if strings.Contains(reply, "已全员禁言并置顶群公告") || !strings.Contains(reply, "完成后") {
		t.Fatalf("/register answered %q while the pin failed", reply)
	}
	h.TG.FailNext("pinChatMessage", 0, 0, "")
	h.Clock.Advance(time.Minute)
	must(t, h.Step(t.Context()))
	if n, pinned := posts(h, g, "欢迎来到"); n != 1 || pinned != 1 {
		t.Fatalf("rules: %d posts, %d pinned; want 1 and 1", n, pinned)
	}
	if n := count(botTexts(h, h.Owner), "已设置完成"); n != 1 {
		t.Fatalf("owner told of the finished set-up %d times, want 1", n)
	}
}

// A removal whose DM fails for a passing reason takes the member out
// once: the DM is retried alone.
func TestRemovalDMRetriedWithoutRemovingAgain(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 5)
	buyer(t, h, 42, "en")
	s, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	must(t, h.Join(t.Context(), 42))
	h.TG.FailNext("sendMessage", 1000, 500, "Internal Server Error")
	must(t, h.Refunded(t.Context(), s))
	for range 3 {
		h.Clock.Advance(time.Hour)
		must(t, h.Step(t.Context()))
	}
	if h.TG.IsMember(g, 42) {
		t.Fatal("refunded member still in the group")
	}
	if n := h.TG.Calls("banChatMember"); n != 1 {
		t.Fatalf("banChatMember called %d times while the DM failed, want 1", n)
	}
	h.TG.FailNext("sendMessage", 0, 0, "")
	h.Clock.Advance(time.Hour)
	must(t, h.Step(t.Context()))
	if n := count(botTexts(h, 42), "cancelled"); n != 1 {
		t.Fatalf("removal DMs = %d, want 1", n)
	}
	if n := h.TG.Calls("banChatMember"); n != 1 {
		t.Fatalf("banChatMember called %d times, want 1", n)
	}
}

// A group whose problem Telegram never reports back (the right was turned
// on again quietly) resumes when the owner sends /register there again.
func TestRegisterAgainResumesAGroupWithAProblem(t *testing.T) {
	h := mustStart(t)
	g := classroom(t, h, 42)
	h.TG.FailNext("pinChatMessage", 1, 400, "Bad Request: not enough rights to manage pinned messages in the chat")
	publish(t, h, "Cover")
	h.Clock.Advance(time.Hour)
	must(t, h.Step(t.Context()))
	if n, pinned := posts(h, g, "Cover"); n != 1 || pinned != 0 {
		t.Fatalf("without the pin right: %d posts, %d pinned; want 1 and 0", n, pinned)
	}
	if n := count(botTexts(h, h.Owner), "置顶消息"); n != 1 {
		t.Fatalf("owner alerts naming the pin right = %d, want 1", n)
	}
	must(t, h.Say(t.Context(), h.Owner, g, "/register student ppt 50"))
	must(t, h.Step(t.Context()))
	if n, pinned := posts(h, g, "Cover"); n != 1 || pinned != 1 {
		t.Fatalf("after /register again: %d posts, %d pinned; want 1 and 1", n, pinned)
	}
	if last, _ := h.LastBotMessage(g); strings.Contains(last.Text, "已经登记过") {
		t.Fatalf("/register again answered %q", last.Text)
	}
}

// A group the bot was removed from is left alone (the owners are told
// once) and resumes when the bot is made an administrator again.
func TestRemovedBotPausesTheGroupUntilItIsBack(t *testing.T) {
	h := mustStart(t)
	g := classroom(t, h, 42)
	must(t, h.TG.RemoveBot(g, false))
	publish(t, h, "Cover")
	sends := h.TG.Calls("sendMessage")
	for range 3 {
		h.Clock.Advance(time.Hour)
		must(t, h.Step(t.Context()))
	}
	if n := count(botTexts(h, h.Owner), "不是"); n != 1 {
		t.Fatalf("owner told %d times that the bot is out, want 1", n)
	}
	if n := h.TG.Calls("sendMessage"); n > sends+1 {
		t.Fatalf("%d more messages tried while the bot is out of the group", n-sends)
	}
	must(t, h.TG.AddBotAdmin(g, telegramtest.FullAdminRights()))
	must(t, h.Step(t.Context()))
	if n, pinned := posts(h, g, "Cover"); n != 1 || pinned != 1 {
		t.Fatalf("after the bot is back: %d posts, %d pinned; want 1 and 1", n, pinned)
	}
}
