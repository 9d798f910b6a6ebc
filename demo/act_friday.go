package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/shequn/shequn/sessions"
)

// friday is the story's Friday act: the owner schedules a sharing session
// with a teacher as the speaker; the reminders are pinned in the three
// student groups a day and an hour ahead, and students check in under
// them; at the start time the session goes live by itself and the
// teacher's talk is relayed into every group; a question window opens the
// groups for five minutes and mutes them again on the clock; the end posts
// the recap and unpins the reminder.
func friday(ctx context.Context, h *Harness, t *transcript, groups ...int64) error {
	speaker := teacherWang
	t.act("11. 安排周五分享会 / The owner schedules a Friday session")
	start := nextFriday(h.Clock.Now().Add(25 * time.Hour).In(h.Config.Location()))
	line := fmt.Sprintf("/session new %s | 封面设计复盘 | @teacher%d", start.Format("2006-01-02 15:04"), speaker.id)
	if err := t.say(ctx, h.Owner, h.Owner, line); err != nil {
		return err
	}
	open, err := h.App.Store().OpenSessions(ctx)
	if err != nil || len(open) == 0 {
		return fmt.Errorf("the session was not scheduled: %v", err)
	}
	x := open[len(open)-1]

	t.act("12. 提前提醒并置顶，学员签到 / Reminders pinned ahead; students check in")
	for _, before := range []time.Duration{24 * time.Hour, time.Hour} {
		t.note(fmt.Sprintf("the clock moves to %d hours before the start", before/time.Hour))
		advanceTo(h, x.StartAt.Add(-before))
		if err := h.Step(ctx); err != nil {
			return err
		}
	}
	for _, s := range students {
		for _, g := range groups {
			if !h.TG.IsMember(g, s.id) {
				continue
			}
			fmt.Fprintf(t.out, "%s taps [签到] in %s\n", t.who(s.id), t.who(g))
			if err := h.Press(ctx, s.id, g, fmt.Sprintf("ci:%d", x.ID)); err != nil {
				return err
			}
		}
	}

	return fridayLive(ctx, h, t, x, groups)
}

// fridayLive is the session itself: the start on the clock, the talk
// relayed, the question window, the end.
func fridayLive(ctx context.Context, h *Harness, t *transcript, x sessions.Session, groups []int64) error {
	speaker := teacherWang
	t.act("13. 分享会开始，老师的讲解转发到每个群 / At the start time the talk is relayed into every group")
	advanceTo(h, x.StartAt)
	if err := h.Step(ctx); err != nil {
		return err
	}
	for _, text := range []string{"第一点：封面只讲一件事。", "第二点：配色不超过三种，标题要大。"} {
		if err := t.say(ctx, speaker.id, speaker.id, text); err != nil {
			return err
		}
	}
	fmt.Fprintf(t.out, "%s sends a photo of a good cover\n", t.who(speaker.id))
	if _, _, err := h.TG.SendPhoto(speaker.id, speaker.id, "好封面示例"); err != nil {
		return err
	}
	if err := h.Step(ctx); err != nil {
		return err
	}

	t.act("14. 提问时间 / A five-minute question window")
	if err := t.say(ctx, h.Owner, h.Owner, "/session qa 5"); err != nil {
		return err
	}
	asker := students[0]
	if err := t.say(ctx, asker.id, groups[0], "标题用什么字体比较好？"); err != nil {
		return err
	}
	t.note("six minutes pass")
	h.Clock.Advance(6 * time.Minute)
	if err := h.Step(ctx); err != nil {
		return err
	}

	t.act("15. 结束与回顾 / The end and the recap")
	if err := t.say(ctx, h.Owner, h.Owner, "/session end"); err != nil {
		return err
	}
	return nil
}

// advanceTo moves the clock forward to at.
func advanceTo(h *Harness, at time.Time) {
	if d := at.Sub(h.Clock.Now()); d > 0 {
		h.Clock.Advance(d)
	}
}

// nextFriday is the first Friday 20:00 at or after t, in t's zone.
func nextFriday(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 20, 0, 0, 0, t.Location())
	for d.Weekday() != time.Friday || d.Before(t) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}
