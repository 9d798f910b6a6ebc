package demo

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/groups"
)

// coreRules make a small core group's cycle visible in a test: no grace
// period, one member out per period.
func coreRules(cfg *config.Config, _ *app.Options) {
	cfg.Core.Grace = 0
	cfg.Core.BottomN = 1
}

// tally counts the fake Telegram's events by kind, chat and user.
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func countEvents(h *Harness) *tally {
	t := &tally{n: map[string]int{}}
	h.TG.OnEvent(func(e telegramtest.Event) {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.n[fmt.Sprintf("%s %d %d", e.Kind, e.ChatID, e.UserID)]++
	})
	return t
}

func (t *tally) of(kind string, chat, user int64) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n[fmt.Sprintf("%s %d %d", kind, chat, user)]
}

// coreCircle is a classroom of students 601… with a core group of the
// capacity; it returns the core group's chat.
func coreCircle(t *testing.T, h *Harness, capacity int, students ...int64) (student, core int64) {
	t.Helper()
	student = classroom(t, h, students...)
	for _, id := range students {
		must(t, h.Join(t.Context(), id))
	}
	core = h.Group("核心群", telegramtest.FullAdminRights())
	must(t, h.Say(t.Context(), h.Owner, core, fmt.Sprintf("/register core %d", capacity)))
	if last, _ := h.LastBotMessage(core); !strings.Contains(last.Text, fmt.Sprintf("核心群，容量 %d 人", capacity)) {
		t.Fatalf("register core: %q", last.Text)
	}
	return student, core
}

// say sends a command and returns the bot's last answer in the chat.
func say(t *testing.T, h *Harness, from, chat int64, text string) string {
	t.Helper()
	must(t, h.Say(t.Context(), from, chat, text))
	last, _ := h.LastBotMessage(chat)
	return last.Text
}

func wantText(t *testing.T, what, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Fatalf("%s = %q, want it to contain %q", what, got, s)
		}
	}
}

// "/register core" without a number takes the configured capacity (69).
func TestRegisterCoreTakesTheDefaultCapacity(t *testing.T) {
	h := mustStart(t)
	core := h.Group("核心群", telegramtest.FullAdminRights())
	got := say(t, h, h.Owner, core, "/register core")
	wantText(t, "register core", got, "核心群，容量 69 人")
	wantText(t, "a new capacity", say(t, h, h.Owner, core, "/register core 80"), "容量已改为 80 人")
	if g, err := h.App.Groups.CoreGroupOfChat(t.Context(), core); err != nil || g.Capacity != 80 {
		t.Fatalf("core group = %+v, %v; want 80 seats", g, err)
	}
	got = say(t, h, h.Owner, h.Group("另一个核心群", telegramtest.FullAdminRights()), "/register core 10")
	wantText(t, "a second core group", got, "已经有核心群了")
}

// The whole cycle through the fake Telegram: a teacher promotes by member
// number, the invited join (a candidate not invited is declined) and are
// welcomed, a member who leaves by himself frees his seat for the next,
// awards, tasks and a chain count, the member at risk is warned, and at the
// period's end the bottom member is removed (keeping his student seat),
// told, and his seat refilled in the same run, with a summary.
func TestCoreCycleEndToEnd(t *testing.T) {
	h := mustStart(t, coreRules)
	ev := countEvents(h)
	ctx := t.Context()
	studentGroup, core := coreCircle(t, h, 3, 601, 602, 603, 604, 605, 606)
	links := h.TG.Calls("createChatInviteLink")
	for _, n := range []string{"PPT-00001", "PPT-00002", "PPT-00003", "PPT-00004", "PPT-00005"} {
		_, err := h.TG.SendText(teacher1, teacher1, "/promote "+n) // one pass invites the first three
		must(t, err)
	}
	must(t, h.Step(ctx))
	if got := count(botTexts(h, teacher1), "已推荐"); got != 5 {
		t.Fatalf("%d promotions confirmed, want 5", got)
	}
	if made := h.TG.Calls("createChatInviteLink") - links; made != 1 {
		t.Fatalf("%d join links made for the core group's invitations, want one", made)
	}
	wantText(t, "promote again", say(t, h, teacher1, teacher1, "/promote PPT-00001"), "已经是候选人")
	wantText(t, "promote a stranger", say(t, h, teacher1, teacher1, "/promote PPT-00099"), "找不到学员编号 PPT-00099")
	wantText(t, "a student promoting", say(t, h, 606, 606, "/promote PPT-00006"), "only the course's teachers")
	for _, u := range []int64{601, 602, 603} {
		invite, _ := h.LastBotMessage(u)
		wantText(t, "invitation", invite.Text, "Congratulations", "recommended by a teacher")
		must(t, h.Join(ctx, u))
		if !h.TG.IsMember(core, u) {
			t.Fatalf("%d is not in the core group", u)
		}
	}
	// 604 is a candidate but has no invitation: the group's link lets him
	// ask, and he is declined.
	link, _ := h.LinkButton(601, "https://t.me/+")
	must(t, h.TG.RequestJoin(604, link))
	must(t, h.Step(ctx))
	if h.TG.IsMember(core, 604) || ev.of("decline", core, 604) != 1 {
		t.Fatalf("a candidate without an invitation got in (declined %d)", ev.of("decline", core, 604))
	}
	wantText(t, "welcome", strings.Join(botTexts(h, core), "\n"), "欢迎 U601 加入核心群", "欢迎 U603 加入核心群")
	wantText(t, "candidates", say(t, h, teacher1, teacher1, "/candidates"), "PPT-00004", "PPT-00005", "老师推荐")

	// 603 leaves by himself: his seat goes to 604, in order.
	must(t, h.TG.Leave(603, core))
	must(t, h.Step(ctx))
	invite, _ := h.LastBotMessage(604)
	wantText(t, "refill after a leave", invite.Text, "Congratulations")
	must(t, h.Join(ctx, 604))
	if !h.TG.IsMember(studentGroup, 603) || !h.TG.IsMember(studentGroup, 601) {
		t.Fatal("a core member lost his student seat")
	}

	// The period's work: an award, a task of two, a chain.
	wantText(t, "award", say(t, h, teacher1, teacher1, "/award PPT-00001 5 wrote chapter 3"), "记 5 分")
	wantText(t, "award to a non-member", say(t, h, teacher1, teacher1, "/award PPT-00006 5 x"), "不是核心群成员")
	due := h.Clock.Now().Add(48 * time.Hour).In(h.Config.Location()).Format("2006-01-02")
	wantText(t, "task", say(t, h, h.Owner, core, "/task Notes of lesson 1 | PPT-00001 PPT-00004 | "+due), "核心任务 #1", "U601", "U604")
	wantText(t, "done", say(t, h, 601, core, "/done 1"), "1 of 2")
	wantText(t, "tasks", say(t, h, 602, 602, "/tasks"), "Notes of lesson 1", "1 of 2", "U604")
	wantText(t, "done by a stranger", say(t, h, 602, core, "/done 1"), "not yours")
	wantText(t, "finished", say(t, h, 604, core, "/done 1"), "finished", "10 points")
	wantText(t, "contrib", say(t, h, 601, 601, "/contrib"), "15 points", "rank 1 of 3", "Awards: 5", "Core tasks: 10", "wrote chapter 3")
	wantText(t, "contrib of a student", say(t, h, 606, 606, "/contrib"), "not a member of the core group")

	must(t, h.Say(ctx, 602, core, "/chain Relay Friday's session"))
	chain, _ := h.LastBotMessage(core)
	for _, u := range []int64{602, 601, 602} {
		id, err := h.TG.Click(u, core, chain.ID, "ch:1")
		must(t, err)
		must(t, h.Step(ctx))
		if _, ok := h.TG.AnsweredCallback(id); !ok {
			t.Fatal("a chain button was not answered")
		}
	}
	edited := h.TG.BotMessages(core)
	for _, m := range edited {
		if m.ID == chain.ID {
			wantText(t, "the chain edited in place", m.Text, "接龙：Relay Friday's session", "1. U602", "2. U601")
			if strings.Count(m.Text, "U602") != 1 {
				t.Fatalf("the chain lists 602 twice: %q", m.Text)
			}
		}
	}

	// Three days before the month ends, 602 (0 points) is warned.
	loc := h.Config.Location()
	now := h.Clock.Now().In(loc)
	end := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, loc)
	if warn := end.Add(-48 * time.Hour); warn.After(now) {
		h.Clock.Advance(warn.Sub(now))
	}
	must(t, h.App.RunCoreTick(ctx, h.Clock.Now()))
	warning, _ := h.LastBotMessage(602)
	wantText(t, "warning", warning.Text, "ends soon", "0 points", "rank 3")
	wantText(t, "preview", say(t, h, teacher1, teacher1, "/eliminate preview"), "1 人", "PPT-00002")

	// The period ends: 602 leaves, keeps his student seat, is told; 605 is
	// invited into his seat in the same run; the group sees the summary.
	h.Clock.Advance(end.Sub(h.Clock.Now()) + time.Hour)
	must(t, h.App.RunCoreTick(ctx, h.Clock.Now()))
	must(t, h.Step(ctx))
	if h.TG.IsMember(core, 602) || !h.TG.IsMember(studentGroup, 602) {
		t.Fatalf("602 in core %v, in student group %v; want out of core only", h.TG.IsMember(core, 602), h.TG.IsMember(studentGroup, 602))
	}
	bye := botTexts(h, 602)
	wantText(t, "elimination DM", strings.Join(bye, "\n"), "Thank you", "ranked 3", "excellent homework makes you a candidate again")
	invite, _ = h.LastBotMessage(605)
	wantText(t, "refill", invite.Text, "Congratulations")
	wantText(t, "summary", strings.Join(botTexts(h, core), "\n"), "核心群", "期总结", "离开：1 人", "U601")
	wantText(t, "history", say(t, h, teacher1, teacher1, "/history PPT-00002"), "加入核心群", "末位淘汰：第 3 名")
	// A second tick of the same period changes nothing.
	must(t, h.App.RunCoreTick(ctx, h.Clock.Now()))
	must(t, h.Step(ctx))
	if n := ev.of("ban", core, 602); n != 1 {
		t.Fatalf("602 banned %d times, want once", n)
	}
	if got := count(botTexts(h, 602), "Thank you"); got != 1 {
		t.Fatalf("602 told %d times", got)
	}
}

// Telegram failing half-way through an elimination and its refill (the
// lifting of the ban, the invitation's DM) is finished by the next pass:
// nobody is removed twice or left banned, nobody is skipped, and the freed
// seat is offered once.
func TestCoreEliminationFinishedAfterTelegramFails(t *testing.T) {
	h := mustStart(t, coreRules, func(cfg *config.Config, _ *app.Options) { cfg.Core.BottomN = 2 })
	ev := countEvents(h)
	ctx := t.Context()
	_, core := coreCircle(t, h, 3, 601, 602, 603, 604, 605)
	for _, n := range []string{"PPT-00001", "PPT-00002", "PPT-00003", "PPT-00004", "PPT-00005"} {
		say(t, h, teacher1, teacher1, "/promote "+n)
	}
	for _, u := range []int64{601, 602, 603} {
		must(t, h.Join(ctx, u))
	}
	say(t, h, teacher1, teacher1, "/award PPT-00001 9 most")
	loc := h.Config.Location()
	now := h.Clock.Now().In(loc)
	h.Clock.Advance(time.Date(now.Year(), now.Month()+1, 1, 1, 0, 0, 0, loc).Sub(now))
	// The first removal's unban fails, and so does the first DM.
	h.TG.FailNext("unbanChatMember", 5, 500, "Internal Server Error") // every retry of the sender
	h.TG.FailNext("sendMessage", 5, 500, "Internal Server Error")
	must(t, h.App.RunCoreTick(ctx, h.Clock.Now()))
	must(t, h.Step(ctx))
	for range 3 { // later passes, after the back-off
		h.Clock.Advance(10 * time.Minute)
		must(t, h.App.RunJobs(ctx, h.Clock.Now()))
		must(t, h.Step(ctx))
	}
	for _, u := range []int64{602, 603} {
		if h.TG.IsMember(core, u) || ev.of("ban", core, u) != 1 || count(botTexts(h, u), "Thank you") != 1 {
			t.Errorf("%d: in core %v, banned %d times, told %d times; want out, once, once",
				u, h.TG.IsMember(core, u), ev.of("ban", core, u), count(botTexts(h, u), "Thank you"))
		}
		if ev.of("unban", core, u) != 1 {
			t.Errorf("%d: unbanned %d times; an eliminated member must be able to come back", u, ev.of("unban", core, u))
		}
	}
	for _, u := range []int64{604, 605} {
		if got := count(botTexts(h, u), "Congratulations"); got != 1 {
			t.Errorf("%d invited %d times, want once", u, got)
		}
		must(t, h.Join(ctx, u))
	}
	var invited, members int
	for _, u := range []int64{601, 602, 603, 604, 605} {
		c, err := h.App.Groups.CoreRecord(ctx, "", u)
		must(t, err)
		switch c.State {
		case groups.CoreInvited:
			invited++
		case groups.CoreMember:
			members++
		}
	}
	if invited+members != 3 || members != 3 {
		t.Fatalf("%d invited and %d members, want the 3 seats filled once", invited, members)
	}
	// An eliminated member can come back later: promoted again, invited
	// into a seat that freed, let in.
	must(t, h.App.Groups.Promote(ctx, teacher1, "", 602))
	must(t, h.TG.Leave(604, core))
	must(t, h.Step(ctx))
	must(t, h.Join(ctx, 602))
	if !h.TG.IsMember(core, 602) {
		t.Fatal("an eliminated member could not come back")
	}
}

// A task is given through a short dialogue in a private chat too; in a
// student group /task is refused; a non-member cannot be an assignee.
func TestCoreTaskDialogue(t *testing.T) {
	h := mustStart(t)
	studentGroup, _ := coreCircle(t, h, 5, 601, 602)
	say(t, h, teacher1, teacher1, "/promote PPT-00001")
	must(t, h.Join(t.Context(), 601))
	wantText(t, "task in a student group", say(t, h, h.Owner, studentGroup, "/task x | PPT-00001 | 2030-01-01"), "核心群里或私聊")
	wantText(t, "ask title", say(t, h, teacher1, teacher1, "/task"), "任务标题")
	wantText(t, "ask who", say(t, h, teacher1, teacher1, "第一课笔记"), "分配给谁")
	wantText(t, "a non-member", say(t, h, teacher1, teacher1, "PPT-00002"), "不是核心群成员")
	wantText(t, "ask due", say(t, h, teacher1, teacher1, "PPT-00001"), "截止日期")
	wantText(t, "bad due", say(t, h, teacher1, teacher1, "tomorrow"), "看不懂这个日期")
	due := h.Clock.Now().Add(72 * time.Hour).In(h.Config.Location()).Format("2006-01-02")
	wantText(t, "created", say(t, h, teacher1, teacher1, due), "核心任务 #1《第一课笔记》", "U601", "10 分")
	wantText(t, "tasks", say(t, h, 601, 601, "/tasks"), "第一课笔记", "0 of 1")
}
