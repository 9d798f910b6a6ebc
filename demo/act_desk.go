package demo

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shequn/shequn/bot/telegramtest"
)

// The assistants of the desk act.
var (
	assistantZhou = student{4003, "助教小周", "zh"}
	assistantZoe  = student{4004, "Zoe", "en"}
)

// ticketNumber reads the ticket number of the newest ticket card in a
// staff member's chat.
var ticketNumber = regexp.MustCompile(`(?:工单|Ticket) #(\d+)`)

// newestTicket returns the newest ticket card a staff member got.
func newestTicket(h *Harness, staff int64) (telegramtest.Message, string, error) {
	msgs := h.TG.BotMessages(staff)
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := ticketNumber.FindStringSubmatch(msgs[i].Text); m != nil && strings.HasPrefix(msgs[i].Text, "📮") {
			return msgs[i], m[1], nil
		}
	}
	return telegramtest.Message{}, "", fmt.Errorf("%d got no ticket", staff)
}

// qaDesk is the Q&A desk act: the FAQ answers a question in Chinese at
// once, an assistant answers a ticket by replying to it and is rated, and
// a ticket left unanswered passes to the other assistant after two hours
// on the community's clock.
func qaDesk(ctx context.Context, h *Harness, t *transcript) error {
	t.act("11. 答疑台 / The Q&A desk: the FAQ first, then the assistants")
	for _, a := range []student{assistantZhou, assistantZoe} {
		h.TG.AddUser(telegramtest.User{ID: a.id, FirstName: a.name, Username: fmt.Sprint("assistant", a.id), LanguageCode: a.lang})
		t.name(a.id, a.name+" ("+a.lang+")")
		if err := t.say(ctx, a.id, a.id, "/start"); err != nil {
			return err
		}
		if err := t.say(ctx, h.Owner, h.Owner, fmt.Sprintf("/grant assistant @assistant%d ppt", a.id)); err != nil {
			return err
		}
	}
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/faq add ppt 模板，下载，template | 课程模板在学员群的置顶消息里，点开即可下载。"); err != nil {
		return err
	}
	xiaoming, xiaohong, bob := students[0], students[2], students[3]
	if err := t.say(ctx, xiaoming.id, xiaoming.id, "老师好，ＰＰＴ模板在哪里下载？"); err != nil {
		return err
	}

	t.note("a question the FAQ cannot answer becomes a ticket for the assistant with the fewest open tickets")
	if err := t.say(ctx, xiaohong.id, xiaohong.id, "/ask 封面的标题用什么字体比较好？"); err != nil {
		return err
	}
	card, id, err := newestTicket(h, assistantZhou.id)
	if err != nil {
		return err
	}
	answer := "标题用思源黑体加粗，正文用微软雅黑，全篇不超过两种字体。"
	fmt.Fprintf(t.out, "%s replies to ticket #%s: %s\n", t.who(assistantZhou.id), id, answer)
	if _, err := h.TG.ReplyText(assistantZhou.id, assistantZhou.id, card.ID, answer); err != nil {
		return err
	}
	if err := h.Step(ctx); err != nil {
		return err
	}
	if err := t.press(ctx, h, xiaohong.id, "dr:"+id+":5"); err != nil {
		return err
	}

	t.note("nobody answers the next ticket for two hours: it passes to the other assistant")
	if err := t.say(ctx, bob.id, bob.id, "作业截止以后还能补交吗？"); err != nil {
		return err
	}
	h.Clock.Advance(2 * time.Hour)
	if err := h.Step(ctx); err != nil {
		return err
	}
	if _, id, err = newestTicket(h, assistantZhou.id); err != nil {
		return err
	}
	if err := t.say(ctx, assistantZhou.id, assistantZhou.id, "/answer "+id+" 可以补交，会标记为迟交。"); err != nil {
		return err
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	if tk, err := h.App.Store().Ticket(ctx, n); err != nil || tk.AnsweredBy != assistantZhou.id || tk.Level != 1 {
		return fmt.Errorf("ticket %s: %+v, %v; want answered by %s after it was passed on", id, tk, err, assistantZhou.name)
	}
	return t.say(ctx, teacherWang.id, teacherWang.id, "/desk")
}
