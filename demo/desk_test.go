package demo

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/bot/telegramtest"
)

const (
	assistant1  = 601
	assistant2  = 602
	deskTeacher = 603
)

// deskRoom is a community with two assistants and a teacher of ppt, and
// enrolled students speaking Chinese.
func deskRoom(t *testing.T, h *Harness, students ...int64) {
	t.Helper()
	community(t, h, 50)
	for _, p := range []struct {
		id   int64
		role string
	}{{assistant1, "assistant"}, {assistant2, "assistant"}, {deskTeacher, "teacher"}} {
		h.TG.AddUser(telegramtest.User{ID: p.id, FirstName: fmt.Sprint("Staff", p.id), Username: fmt.Sprint("staff", p.id), LanguageCode: "zh"})
		must(t, h.Say(t.Context(), p.id, p.id, "/start"))
		must(t, h.Say(t.Context(), h.Owner, h.Owner, fmt.Sprintf("/grant %s @staff%d ppt", p.role, p.id)))
	}
	for _, id := range students {
		buyer(t, h, id, "zh")
		_, err := h.Paid(t.Context(), id, 1)
		must(t, err)
	}
}

// lastText is the bot's newest message to a chat.
func lastText(t *testing.T, h *Harness, chat int64) telegramtest.Message {
	t.Helper()
	m, ok := h.LastBotMessage(chat)
	if !ok {
		t.Fatalf("the bot said nothing to %d", chat)
	}
	return m
}

var cardRef = regexp.MustCompile(`工单 #(\d+)`)

// ticketCard returns the newest ticket card a staff member got, and its
// ticket number.
func ticketCard(t *testing.T, h *Harness, staff int64) (telegramtest.Message, int64) {
	t.Helper()
	msgs := h.TG.BotMessages(staff)
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := cardRef.FindStringSubmatch(msgs[i].Text); m != nil && strings.HasPrefix(msgs[i].Text, "📮") {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			return msgs[i], id
		}
	}
	t.Fatalf("staff %d got no ticket; they saw %q", staff, botTexts(h, staff))
	return telegramtest.Message{}, 0
}

func TestDeskFAQAnswersInChinese(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h, 42)
	must(t, h.Say(t.Context(), deskTeacher, deskTeacher, "/faq add ppt 模板，template | 模板在群公告里，置顶消息可以下载。"))
	if m := lastText(t, h, deskTeacher); !strings.Contains(m.Text, "常见问题 #1") {
		t.Fatalf("faq add: %q", m.Text)
	}
	must(t, h.Say(t.Context(), 42, 42, "请问ＰＰＴ模板在哪里下载？"))
	hit := lastText(t, h, 42)
	if !strings.Contains(hit.Text, "置顶消息可以下载") || len(hit.ReplyMarkup) != 1 || hit.ReplyMarkup[0][0].CallbackData != "dn:1" {
		t.Fatalf("FAQ answer: %q %+v", hit.Text, hit.ReplyMarkup)
	}
	for _, s := range []int64{assistant1, assistant2} {
		if n := count(botTexts(h, s), "📮"); n != 0 {
			t.Fatalf("assistant %d got %d tickets for a question the FAQ answered", s, n)
		}
	}
	// It did not help: the question goes to an assistant.
	must(t, h.Press(t.Context(), 42, 42, "dn:1"))
	if m := lastText(t, h, 42); !strings.Contains(m.Text, "已转给助教") {
		t.Fatalf("after not helpful: %q", m.Text)
	}
	card, id := ticketCard(t, h, assistant1)
	if id != 1 || !strings.Contains(card.Text, "PPT-00001") || !strings.Contains(card.Text, "学员1群") || !strings.Contains(card.Text, "模板在哪里下载") {
		t.Fatalf("ticket card: %q", card.Text)
	}
	if strings.Contains(card.Text, "U42") || strings.Contains(card.Text, "42\n") {
		t.Fatalf("the card shows the student's account: %q", card.Text)
	}
	// Someone who has not bought a course gets the help, not the desk.
	h.TG.AddUser(telegramtest.User{ID: 77, FirstName: "Guest", LanguageCode: "zh"})
	must(t, h.Say(t.Context(), 77, 77, "模板在哪里？"))
	if m := lastText(t, h, 77); strings.Contains(m.Text, "置顶消息") || strings.Contains(m.Text, "工单") {
		t.Fatalf("a non-member got the desk: %q", m.Text)
	}
}

func TestDeskTicketAnsweredByReply(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h, 42, 43)
	must(t, h.Say(t.Context(), 42, 42, "/ask 封面用什么字体比较好？"))
	if m := lastText(t, h, 42); !strings.Contains(m.Text, "工单 #1") {
		t.Fatalf("asked: %q", m.Text)
	}
	card, id := ticketCard(t, h, assistant1)
	if _, err := h.TG.ReplyText(assistant1, assistant1, card.ID, "标题用思源黑体，正文用微软雅黑。"); err != nil {
		t.Fatal(err)
	}
	must(t, h.Step(t.Context()))
	ans := lastText(t, h, 42)
	if !strings.Contains(ans.Text, "思源黑体") || !strings.Contains(ans.Text, "封面用什么字体") {
		t.Fatalf("relayed answer: %q", ans.Text)
	}
	if strings.Contains(ans.Text, "staff601") || strings.Contains(ans.Text, "Staff601") || len(ans.ReplyMarkup) != 1 || len(ans.ReplyMarkup[0]) != 5 {
		t.Fatalf("the answer shows the assistant or lacks the rating: %q %+v", ans.Text, ans.ReplyMarkup)
	}
	must(t, h.Press(t.Context(), 42, 42, fmt.Sprintf("dr:%d:5", id)))
	if m := lastText(t, h, 42); !strings.Contains(m.Text, "谢谢") {
		t.Fatalf("after rating: %q", m.Text)
	}
	tk, err := h.App.Store().Ticket(t.Context(), id)
	must(t, err)
	if tk.Rating != 5 || tk.AnsweredBy != assistant1 {
		t.Fatalf("ticket %+v", tk)
	}
	// The assistant keeps the answer in the FAQ with one button and the
	// keywords; the next student asking gets it at once.
	must(t, h.Press(t.Context(), assistant1, assistant1, fmt.Sprintf("ds:%d", id)))
	must(t, h.Say(t.Context(), assistant1, assistant1, "字体，font"))
	if m := lastText(t, h, assistant1); !strings.Contains(m.Text, "常见问题 #") {
		t.Fatalf("save as FAQ: %q", m.Text)
	}
	must(t, h.Say(t.Context(), 43, 43, "正文字体选哪个？"))
	if m := lastText(t, h, 43); !strings.Contains(m.Text, "思源黑体") {
		t.Fatalf("the saved answer does not answer: %q", m.Text)
	}
}

func TestDeskAnswerCommandAndFigures(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h, 42)
	must(t, h.Say(t.Context(), 42, 42, "配色怎么选？"))
	_, id := ticketCard(t, h, assistant1)
	must(t, h.Say(t.Context(), 42, 42, fmt.Sprintf("/answer %d 我自己回答", id)))
	if m := lastText(t, h, 42); !strings.Contains(m.Text, "只有本课程的老师和助教") {
		t.Fatalf("/answer by a student: %q", m.Text)
	}
	h.Clock.Advance(20 * time.Minute)
	must(t, h.Say(t.Context(), assistant2, assistant2, fmt.Sprintf("/answer %d 不超过三种颜色。\n主色取自 logo。", id)))
	if m := lastText(t, h, 42); !strings.Contains(m.Text, "主色取自 logo") {
		t.Fatalf("relayed: %q", m.Text)
	}
	must(t, h.Say(t.Context(), assistant1, assistant1, "/desk"))
	m := lastText(t, h, assistant1)
	for _, want := range []string{"待回答：<b>0</b>", "本周提问：1", "中位数 20 分钟", "@staff602 1 个"} {
		if !strings.Contains(m.Text, strings.ReplaceAll(strings.ReplaceAll(want, "<b>", ""), "</b>", "")) {
			t.Errorf("/desk lacks %q: %q", want, m.Text)
		}
	}
}

func TestDeskReassignsAfterTimeout(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h, 42)
	must(t, h.Say(t.Context(), 42, 42, "作业提交不了怎么办？"))
	_, id := ticketCard(t, h, assistant1)
	h.Clock.Advance(2*time.Hour - time.Minute)
	must(t, h.Step(t.Context()))
	if n := count(botTexts(h, assistant2), "📮"); n != 0 {
		t.Fatalf("passed on before two hours")
	}
	h.Clock.Advance(time.Minute)
	must(t, h.Step(t.Context()))
	card, got := ticketCard(t, h, assistant2)
	if got != id || !strings.Contains(card.Text, "转交给你") {
		t.Fatalf("assistant2's card: %q", card.Text)
	}
	h.Clock.Advance(6 * time.Hour)
	must(t, h.Step(t.Context()))
	card, got = ticketCard(t, h, deskTeacher)
	if got != id || !strings.Contains(card.Text, "升级给老师") {
		t.Fatalf("the teacher's card: %q", card.Text)
	}
}

func TestDeskFAQImportListDelete(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h, 42)
	send := func(from int64, csv string) telegramtest.Message {
		t.Helper()
		if _, _, err := h.TG.SendDocumentData(from, from, "faq.csv", "/faq import ppt", []byte(csv)); err != nil {
			t.Fatal(err)
		}
		must(t, h.Step(t.Context()))
		return lastText(t, h, from)
	}
	if m := send(42, "模板,在公告里\n"); !strings.Contains(m.Text, "只有本课程的老师和助教") {
		t.Fatalf("a student's import: %q", m.Text)
	}
	bad := "\ufeffkeywords,answer\n模板;template,在群公告里\n配色,\n字体\n"
	m := send(assistant1, bad)
	if !strings.Contains(m.Text, "一条也没有导入") || !strings.Contains(m.Text, "第 3 行") || !strings.Contains(m.Text, "第 4 行") || strings.Contains(m.Text, "第 2 行") {
		t.Fatalf("a bad import: %q", m.Text)
	}
	if fs, _ := h.App.Store().FAQs(t.Context(), "ppt"); len(fs) != 0 {
		t.Fatalf("half imported: %+v", fs)
	}
	good := "keywords,answer\n模板;template,在群公告里\n\"字体,font\",\"标题思源黑体，\n正文微软雅黑\"\n"
	if m := send(assistant1, good); !strings.Contains(m.Text, "已导入 2 条") {
		t.Fatalf("import: %q", m.Text)
	}
	must(t, h.Say(t.Context(), 42, 42, "正文用什么 Font？"))
	if m := lastText(t, h, 42); !strings.Contains(m.Text, "正文微软雅黑") {
		t.Fatalf("an imported answer: %q", m.Text)
	}
	must(t, h.Say(t.Context(), assistant1, assistant1, "/faq list"))
	if m := lastText(t, h, assistant1); !strings.Contains(m.Text, "常见问题（2 条）") || !strings.Contains(m.Text, "#2 [ppt] 字体, font → 标题思源黑体，") {
		t.Fatalf("/faq list: %q", m.Text)
	}
	must(t, h.Say(t.Context(), assistant1, assistant1, "/faq del 2"))
	must(t, h.Say(t.Context(), 42, 42, "正文用什么 Font？"))
	if m := lastText(t, h, 42); strings.Contains(m.Text, "正文微软雅黑") || !strings.Contains(m.Text, "工单") {
		t.Fatalf("a deleted entry answered: %q", m.Text)
	}
}

// /faq list comes in pages that stay under Telegram's limit.
func TestDeskFAQListPages(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h)
	var csv strings.Builder
	for i := range 120 {
		fmt.Fprintf(&csv, "关键词%d,%s\n", i, strings.Repeat("答", 50))
	}
	if _, _, err := h.TG.SendDocumentData(deskTeacher, deskTeacher, "faq.csv", "/faq import ppt", []byte(csv.String())); err != nil {
		t.Fatal(err)
	}
	must(t, h.Step(t.Context()))
	must(t, h.Say(t.Context(), deskTeacher, deskTeacher, "/faq list ppt"))
	first := lastText(t, h, deskTeacher)
	if !strings.Contains(first.Text, "第 1/") || len(first.ReplyMarkup) != 1 {
		t.Fatalf("first page: %q", first.Text)
	}
	must(t, h.Press(t.Context(), deskTeacher, deskTeacher, "fl:ppt:1"))
	if m := lastText(t, h, deskTeacher); !strings.Contains(m.Text, "第 2/") {
		t.Fatalf("second page: %q", m.Text)
	}
}

// The owners get the week's figures by DM on the schedule's call.
func TestDeskWeeklySummary(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h, 42)
	must(t, h.Say(t.Context(), 42, 42, "配色怎么选？"))
	_, id := ticketCard(t, h, assistant1)
	h.Clock.Advance(90 * time.Minute)
	must(t, h.Say(t.Context(), assistant1, assistant1, fmt.Sprintf("/answer %d 三种以内", id)))
	must(t, h.App.RunDeskSummary(t.Context(), h.Clock.Now()))
	m := lastText(t, h, h.Owner)
	for _, want := range []string{"答疑台周报", "提问：1", "中位数 1 小时 30 分", "@staff601 1 个"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("summary lacks %q: %q", want, m.Text)
		}
	}
}

// A student who blocked the bot cannot get the answer: the assistant is
// told so, and the answer is kept.
func TestDeskAnswerToABlockedStudent(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h, 42)
	must(t, h.Say(t.Context(), 42, 42, "配色怎么选？"))
	_, id := ticketCard(t, h, assistant1)
	must(t, h.TG.BlockBot(42))
	must(t, h.Say(t.Context(), assistant1, assistant1, fmt.Sprintf("/answer %d 三种以内", id)))
	if m := lastText(t, h, assistant1); !strings.Contains(m.Text, "屏蔽了机器人") {
		t.Fatalf("answer to a blocked student: %q", m.Text)
	}
	if tk, _ := h.App.Store().Ticket(t.Context(), id); tk.Answer != "三种以内" {
		t.Fatalf("the answer was not kept: %+v", tk)
	}
}

// A long question is quoted shortened, so the ticket card stays one
// message and a reply to it names the ticket.
func TestDeskLongQuestion(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h, 42)
	must(t, h.Say(t.Context(), 42, 42, strings.Repeat("这页为什么这么乱？", 450)))
	card, id := ticketCard(t, h, assistant1)
	if !strings.Contains(card.Text, "已截断") || len([]rune(card.Text)) > 4096 {
		t.Fatalf("card of %d characters: %.80q…", len([]rune(card.Text)), card.Text)
	}
	if _, err := h.TG.ReplyText(assistant1, assistant1, card.ID, "先对齐再配色。"); err != nil {
		t.Fatal(err)
	}
	must(t, h.Step(t.Context()))
	if tk, _ := h.App.Store().Ticket(t.Context(), id); tk.Answer != "先对齐再配色。" || len([]rune(tk.Text)) != 4050 {
		t.Fatalf("ticket %d: answer %q, question of %d characters", id, tk.Answer, len([]rune(tk.Text)))
	}
}

// An assistant appointed for one group answers its students' questions,
// before the course's teachers.
func TestDeskGroupAssistantGetsTheGroupsTickets(t *testing.T) {
	h, _, g := pyramidClass(t)
	const helper = 611
	h.TG.AddUser(telegramtest.User{ID: helper, FirstName: "Hana", Username: "hana", LanguageCode: "zh"})
	must(t, h.Say(t.Context(), helper, helper, "/start"))
	must(t, h.Say(t.Context(), h.Owner, g, "/grant assistant @hana group"))
	must(t, h.Say(t.Context(), studentID, studentID, "/ask 作业三的截止时间可以延后吗？"))
	card, _ := ticketCard(t, h, helper)
	if !strings.Contains(card.Text, "截止时间") {
		t.Fatalf("the group's assistant got %q", card.Text)
	}
}

// A student pasting a flood of lines reaches the assistants with a few
// tickets and is told once to slow down; a minute later they are heard.
func TestDeskFloodOfQuestions(t *testing.T) {
	h := mustStart(t)
	deskRoom(t, h, 42)
	for i := range 8 {
		must(t, h.Say(t.Context(), 42, 42, fmt.Sprintf("第 %d 行：这是一大段粘贴的文字", i)))
	}
	cards := 0
	for _, staff := range []int64{assistant1, assistant2, deskTeacher} {
		for _, m := range botTexts(h, staff) {
			if strings.HasPrefix(m, "📮") {
				cards++
			}
		}
	}
	if cards != 3 {
		t.Fatalf("the staff got %d tickets from one student's flood, want 3", cards)
	}
	if n := count(botTexts(h, 42), "问题发得太快了"); n != 1 {
		t.Fatalf("the student was told to slow down %d times", n)
	}
	h.Clock.Advance(time.Minute)
	must(t, h.Say(t.Context(), 42, 42, "那么封面用什么字体？"))
	if m := lastText(t, h, 42); !strings.Contains(m.Text, "工单 #4") {
		t.Fatalf("a minute later: %q", m.Text)
	}
}
