package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
)

// demoCore is the demo's core group rule: with three seats, one member
// leaves per period (the default, five, would empty a group that small).
func demoCore(cfg *config.Config, _ *app.Options) { cfg.Core.BottomN = 1 }

// coreAct is the story's core group: the homework act's strong students
// are promoted (one by a teacher, by member number), join and are
// welcomed; they share a task and a chain; a month later the member at
// risk is warned, and at the period's end he leaves (keeping his student
// seat) and the next candidate takes his seat in the same run.
func coreAct(ctx context.Context, h *Harness, t *transcript) error {
	xiaoming, xiaohong, bob, xiaoli := students[0], students[2], students[3], students[5]
	t.act("11. 核心群 / The owner registers the core group (3 seats)")
	core := h.Group("PPT 核心群", telegramtest.FullAdminRights())
	t.name(core, "PPT 核心群")
	if err := t.say(ctx, h.Owner, core, "/register core 3"); err != nil {
		return err
	}
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/promote PPT-00006"); err != nil {
		return err
	}
	t.note("the hourly tick: the month's top homework makes candidates; the first three are invited")
	if err := tick(ctx, h); err != nil {
		return err
	}
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/candidates"); err != nil {
		return err
	}
	for _, s := range []student{xiaoli, xiaoming, bob} {
		t.note(s.name + " taps the button to join the core group")
		if err := h.Join(ctx, s.id); err != nil {
			return err
		}
	}

	t.act("12. 分工协作与接龙 / A month on: a task, a chain, an award")
	loc := h.Config.Location()
	joined := h.Clock.Now().In(loc)
	grace := joined.Add(h.Config.Core.Grace)
	work := time.Date(grace.Year(), grace.Month(), 1, 10, 0, 0, 0, loc)
	end := work.AddDate(0, 1, 0).Add(-10 * time.Hour)
	h.Clock.Advance(work.Sub(joined))
	t.note("the clock moves to " + work.Format("2006-01-02") + ": the newcomers' grace period (30 days) ends within this period")
	due := work.AddDate(0, 0, 7).Format("2006-01-02")
	if err := t.say(ctx, h.Owner, core, "/task 整理第一课优秀作业 | PPT-00001 PPT-00006 | "+due); err != nil {
		return err
	}
	for _, s := range []student{xiaoming, xiaoli} {
		if err := t.say(ctx, s.id, core, "/done 1"); err != nil {
			return err
		}
	}
	if err := t.say(ctx, xiaoming.id, core, "/chain 转发周五分享"); err != nil {
		return err
	}
	for _, s := range []student{xiaoli, xiaoming} {
		fmt.Fprintf(t.out, "%s taps [接龙 +1]\n", t.who(s.id))
		if err := h.Press(ctx, s.id, core, "ch:1"); err != nil {
			return err
		}
	}
	if msg, ok := h.LastBotMessage(core); ok {
		fmt.Fprintf(t.out, "  ✎ → %s (edited in place): %s\n", t.who(core), strings.ReplaceAll(msg.Text, "\n", "\n      "))
	}
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/award PPT-00001 5 帮同学改封面"); err != nil {
		return err
	}
	if err := t.say(ctx, xiaoming.id, xiaoming.id, "/contrib"); err != nil {
		return err
	}

	t.act("13. 末位淘汰 / The period ends: a warning, the elimination, the refill")
	h.Clock.Advance(end.Add(-48 * time.Hour).Sub(h.Clock.Now()))
	t.note("two days before the month ends the member at risk is warned")
	if err := tick(ctx, h); err != nil {
		return err
	}
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/eliminate preview"); err != nil {
		return err
	}
	h.Clock.Advance(end.Add(time.Hour).Sub(h.Clock.Now()))
	t.note("the period has ended: the tick records the elimination, the reconciler carries it out")
	if err := tick(ctx, h); err != nil {
		return err
	}
	if err := t.say(ctx, h.Owner, h.Owner, "/history PPT-00004"); err != nil {
		return err
	}
	var errs []error
	if h.TG.IsMember(core, bob.id) {
		errs = append(errs, errors.New("Bob is still in the core group"))
	}
	for _, s := range []student{xiaoming, xiaoli} {
		if !h.TG.IsMember(core, s.id) {
			errs = append(errs, fmt.Errorf("%s is not in the core group", s.name))
		}
	}
	if _, ok := h.LinkButton(xiaohong.id, "https://t.me/+"); !ok {
		errs = append(errs, errors.New("小红 was not invited into the freed seat"))
	}
	return errors.Join(errs...)
}

// tick runs the core group's hourly job at the clock's time, then lets the
// reconciler act on it.
func tick(ctx context.Context, h *Harness) error {
	if err := h.App.RunCoreTick(ctx, h.Clock.Now()); err != nil {
		return err
	}
	return h.Step(ctx)
}
