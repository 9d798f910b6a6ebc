package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/desk"
)

// The Q&A desk: a student asks (/ask, or any text outside a dialogue),
// the FAQ answers at once or a ticket goes to an assistant, whose answer
// the bot relays in its own name. Students are named to staff by member
// number, and staff never to students.

// maxQuoted is how much of a question a ticket or an answer quotes, in
// UTF-16 units: the card stays one message, so a reply to it always holds
// the ticket's number.
const maxQuoted = 1500

// ticketRef finds the ticket number in a ticket card the bot sent.
var ticketRef = regexp.MustCompile(`(?:工单|Ticket) #(\d+)`)

// commandText is the text of a command after its name and the first skip
// arguments, line breaks kept.
func commandText(r *Request, skip int) string {
	text := ""
	if r.Message != nil {
		text = r.Message.Text
	}
	for range skip + 1 {
		text = strings.TrimLeft(text, " \t\n")
		i := strings.IndexAny(text, " \t\n")
		if i < 0 {
			return ""
		}
		text = text[i:]
	}
	return strings.TrimSpace(text)
}

// quote shortens a student's or a staff member's text for a card.
func quote(lang Lang, s string) string {
	if utf16Units(s) <= maxQuoted {
		return s
	}
	units := 0
	for i, r := range s {
		if units += utf16.RuneLen(r); units > maxQuoted {
			return strings.TrimSpace(s[:i]) + T(lang, "desk.shortened")
		}
	}
	return s
}

// questionsPerMinute is how many questions one student may ask a minute:
// more than a person types, few enough that a flood reaches no assistant.
const questionsPerMinute = 3

// askCmd takes /ask.
func (d *qaDesk) askCmd(ctx context.Context, r *Request) error {
	text := commandText(r, 0)
	if text == "" {
		return d.reply(ctx, r, T(r.Lang, "desk.ask_usage"))
	}
	return d.question(ctx, r, text)
}

// noAnswer takes a private message that answers no question: a member's
// is a question for the desk, anyone else gets the help.
func (d *qaDesk) noAnswer(ctx context.Context, r *Request) error {
	text := ""
	if r.Message != nil {
		text = strings.TrimSpace(r.Message.Text)
	}
	if len(r.Who.StudentOf) == 0 || text == "" {
		return d.help(ctx, r)
	}
	return d.question(ctx, r, text)
}

// question hands a question to the desk and tells the student what
// happened: the FAQ's answer, or the ticket's number.
func (d *qaDesk) question(ctx context.Context, r *Request, text string) error {
	// Free text is not a command, so the command budget does not hold it:
	// a student pasting a flood would hand the assistants a ticket a line.
	if ok, tell := d.asks.take(r.From.ID, questionsPerMinute, d.Now()); !ok {
		if tell {
			return d.reply(ctx, r, T(r.Lang, "desk.slow_down"))
		}
		return nil
	}
	got, err := d.Desk.Ask(ctx, r.From.ID, text)
	if errors.Is(err, desk.ErrNotMember) {
		return d.reply(ctx, r, T(r.Lang, "desk.not_member"))
	}
	if err != nil {
		return err
	}
	if got.FAQ.ID != 0 {
		return d.reply(ctx, r, T(r.Lang, "desk.faq_hit", got.FAQ.Answer),
			[]Choice{{Label: Label(r.Lang, "desk.not_helpful"), Data: fmt.Sprintf("dn:%d", got.Ticket.ID)}})
	}
	return d.reply(ctx, r, T(r.Lang, "desk.asked", got.Ticket.ID))
}

// notHelpful takes "this didn't help" under an FAQ answer.
func (d *qaDesk) notHelpful(ctx context.Context, r *Request) error {
	id, _, ok := parseTarget(r.Payload + ":")
	if !ok || !r.Private {
		return nil
	}
	t, err := d.Desk.NotHelpful(ctx, r.From.ID, id)
	if err != nil {
		return d.ticketError(ctx, r, err)
	}
	return d.reply(ctx, r, T(r.Lang, "desk.passed", t.ID))
}

// ticketError answers what a person did to a ticket that is not theirs or
// not in a state for it; the rest goes to the one error handler.
func (d *qaDesk) ticketError(ctx context.Context, r *Request, err error) error {
	switch {
	case errors.Is(err, desk.ErrNotYours):
		return d.reply(ctx, r, T(r.Lang, "desk.not_yours"))
	case shequn.ErrorCode(err) == shequn.CodeConflict:
		return d.reply(ctx, r, T(r.Lang, "desk.closed"))
	case errors.Is(err, desk.ErrNotStaff):
		return d.reply(ctx, r, T(r.Lang, "not_reviewer"))
	}
	return err
}

// rate takes a rating button under a relayed answer.
func (d *qaDesk) rate(ctx context.Context, r *Request) error {
	id, rest, ok := parseTarget(r.Payload)
	n, err := strconv.Atoi(rest)
	if !ok || err != nil || !r.Private {
		return nil
	}
	if _, err := d.Desk.Rate(ctx, r.From.ID, id, n); err != nil {
		return d.ticketError(ctx, r, err)
	}
	return d.reply(ctx, r, T(r.Lang, "desk.rated"))
}

// answerCmd takes /answer <ticket> <text>.
func (d *qaDesk) answerCmd(ctx context.Context, r *Request) error {
	var id int64
	if len(r.Args) > 0 {
		id, _ = strconv.ParseInt(strings.TrimPrefix(r.Args[0], "#"), 10, 64)
	}
	text := commandText(r, 1)
	if id <= 0 || text == "" {
		return d.reply(ctx, r, T(r.Lang, "desk.answer_usage"))
	}
	return d.answer(ctx, r, id, text)
}

// replyTo reads the ticket a staff member's reply answers: a reply to a
// ticket card the bot sent.
func (d *qaDesk) replyTo(r *Request) (int64, bool) {
	if !r.Private || r.Command != "" || r.Message == nil || !r.Who.Staff {
		return 0, false
	}
	to := r.Message.ReplyToMessage
	// On QQ the bot's account is the only bot whose messages come back.
	if to == nil || to.From == nil || !to.From.IsBot || (!shequn.IsQQ(to.From.ID) && !strings.EqualFold(to.From.UserName, d.botName)) {
		return 0, false
	}
	m := ticketRef.FindStringSubmatch(to.Text)
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	return id, err == nil
}

// answerReply takes a staff member's reply to a ticket card.
func (d *qaDesk) answerReply(ctx context.Context, r *Request) error {
	id, _ := d.replyTo(r)
	text := strings.TrimSpace(r.Message.Text)
	if text == "" {
		return d.reply(ctx, r, T(r.Lang, "desk.text_only"))
	}
	return d.answer(ctx, r, id, text)
}

// answer relays a staff member's answer and offers to keep it in the FAQ.
func (d *qaDesk) answer(ctx context.Context, r *Request, id int64, text string) error {
	t, err := d.Desk.Answer(ctx, r.From.ID, id, text)
	if err != nil && !errors.Is(err, shequn.ErrUnreachable) {
		return d.ticketError(ctx, r, err)
	}
	key := "desk.answered"
	if err != nil {
		key = "desk.unreachable" // the answer is stored; the staff member knows it did not arrive
	}
	return d.reply(ctx, r, T(r.Lang, key, t.ID),
		[]Choice{{Label: Label(r.Lang, "desk.save_faq"), Data: fmt.Sprintf("ds:%d", t.ID)}})
}

// askKeywords is the dialogue of "save as FAQ": the keywords of the
// answer.
const askKeywords = "faq_keywords"

// keywordsQuestion remembers the ticket whose answer is kept.
type keywordsQuestion struct {
	Ticket int64 `json:"ticket"`
}

func (q keywordsQuestion) valid() bool { return q.Ticket > 0 }

// saveButton asks for the keywords of an answer to keep.
func (d *qaDesk) saveButton(ctx context.Context, r *Request) error {
	id, _, ok := parseTarget(r.Payload + ":")
	if !ok || !r.Private {
		return nil
	}
	if _, err := d.Desk.Ticket(ctx, r.From.ID, id); err != nil {
		return d.ticketError(ctx, r, err)
	}
	if err := d.core.ask(ctx, r.From.ID, askKeywords, keywordsQuestion{Ticket: id}); err != nil {
		return err
	}
	return d.reply(ctx, r, T(r.Lang, "desk.save_ask"))
}

// saveKeywords keeps the answer with the keywords given.
func (d *qaDesk) saveKeywords(ctx context.Context, r *Request, q keywordsQuestion) error {
	kws := desk.SplitKeywords(r.Message.Text)
	f, err := d.Desk.SaveAnswer(ctx, r.From.ID, q.Ticket, kws)
	if shequn.ErrorCode(err) == shequn.CodeInvalid {
		return d.reply(ctx, r, T(r.Lang, "desk.save_ask")) // the question stays open
	}
	if err != nil {
		return d.ticketError(ctx, r, err)
	}
	if err := d.closeDialogue(ctx, r.From.ID); err != nil {
		return err
	}
	return d.reply(ctx, r, T(r.Lang, "faq.added", f.ID, d.courseTitle(f.Course), strings.Join(f.Keywords, ", ")))
}

// deskTable declares the desk's commands, buttons, replies and dialogue.
func (d *qaDesk) deskTable() Table {
	return Table{
		Commands: []Command{
			{Name: "ask", Audience: Students, Where: Private, Handle: d.askCmd,
				Menu: [2]string{"提问（答疑）", "Ask a question"},
				Help: [2]string{"&lt;问题&gt; — 提问；也可以直接把问题发给我", "&lt;question&gt; — ask; or just send me the question"}},
			{Name: "answer", Audience: Staff, Where: Private, Handle: d.answerCmd,
				Menu: [2]string{"回答工单（老师）", "Answer a ticket (teachers)"},
				Help: [2]string{"&lt;工单号&gt; &lt;回答&gt; — 回答学员的问题（或直接回复工单消息）", "&lt;ticket&gt; &lt;answer&gt; — answer a student (or reply to the ticket)"}},
			{Name: "faq", Audience: Staff, Where: Private, Handle: d.faq,
				Menu: [2]string{"常见问题（老师）", "The FAQ (teachers)"},
				Help: [2]string{"add|list|del — 管理常见问题自动回复（导入：发送 .csv 文件，说明写 /faq import &lt;课程&gt;）", "add|list|del — keep the FAQ's automatic answers (import: send a .csv file captioned /faq import &lt;course&gt;)"}},
			{Name: "desk", Audience: Staff, Where: Private, Handle: d.figures,
				Menu: [2]string{"答疑台数据（老师）", "The Q&A desk's figures (teachers)"},
				Help: [2]string{"— 待回答、首次回复用时、常见问题解答比例、每人回答数", "— open tickets, time to answer, the FAQ's share, answers per person"}},
		},
		Callbacks: []CallbackRoute{
			{Prefix: "dn", Handle: d.notHelpful},
			{Prefix: "dr", Handle: d.rate},
			{Prefix: "ds", Handle: d.saveButton},
			{Prefix: "fl", Handle: d.faqPageButton},
		},
		Events: []EventRoute{
			{func(r *Request) bool { _, ok := d.replyTo(r); return ok }, d.answerReply},
			{func(r *Request) bool { _, ok := d.importCourse(r); return ok }, d.importFAQ},
		},
		Dialogues: []Dialogue{{Kind: askKeywords, Answer: answerWith(d.saveKeywords)}},
	}
}

// ratingRow is the rating buttons under a relayed answer.
func ratingRow(lang Lang, ticket int64) []Choice {
	row := make([]Choice, 5)
	for i := range row {
		row[i] = Choice{Label: Label(lang, "desk.star", i+1), Data: fmt.Sprintf("dr:%d:%d", ticket, i+1)}
	}
	return row
}

// renderDesk renders the desk's notices.
func renderDesk(c *core, lang Lang, n shequn.Notice) (string, *tgbotapi.InlineKeyboardMarkup) {
	switch n := n.(type) {
	case desk.TicketNotice:
		t := n.Ticket
		group := T(lang, "desk.no_group")
		if n.Group > 0 {
			group = T(lang, "group.student", n.Group)
		}
		level := ""
		switch {
		case t.Level >= desk.LevelTeachers:
			level = T(lang, "desk.level2")
		case t.Level > 0:
			level = T(lang, "desk.level1")
		}
		return T(lang, "desk.ticket", t.ID, c.courseTitle(t.Course), group, HTML(level), c.memberNumber(t.Course, n.Number), quote(lang, t.Text)), nil
	case desk.AnswerNotice:
		t := n.Ticket
		kb := keyboard([][]Choice{ratingRow(lang, t.ID)})
		return T(lang, "desk.answer", quote(lang, t.Text), t.Answer), &kb
	case desk.SummaryNotice:
		f := n.Figures
		return T(lang, "desk.summary", c.date(lang, f.Since), f.Open, f.Asked, f.FAQPct, duration(lang, f.Median),
			duration(lang, f.P90), HTML(answersBy(lang, f))), nil
	}
	return "", nil
}
