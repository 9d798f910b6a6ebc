package demo

import (
	"context"
	"fmt"
	"time"
)

// qqFriday is the Friday story on QQ: a session for the QQ course with the
// teacher on Telegram speaking. The reminder is the QQ group's essence
// message with a numbered check-in (the student checks in privately: the
// group is muted), the talk is sent again into the QQ group, the group is
// opened for questions (whole-group ban lifted) and muted again on the
// clock, the question reaches the teacher with the member's number, the
// recap follows; then a broadcast reaches the QQ group and the member.
func qqFriday(ctx context.Context, h *Harness, s *qqScene) error {
	t, qq, speaker := s.t, s.qq, teacherWang
	t.act("13. QQ 上的周五分享会与群发 / A Friday session and a broadcast on QQ")
	start := h.Clock.Now().Add(25 * time.Hour).In(h.Config.Location()).Format("2006-01-02 15:04")
	if err := t.say(ctx, h.Owner, h.Owner, fmt.Sprintf("/session new xl %s | 数据透视表答疑 | @teacher%d", start, speaker.id)); err != nil {
		return err
	}
	x, err := h.App.Sessions.Next(ctx)
	if err != nil {
		return fmt.Errorf("the QQ session was not scheduled: %w", err)
	}
	t.note("the clock moves to an hour before the start")
	advanceTo(h, x.StartAt.Add(-time.Hour))
	if err := qq.Step(ctx); err != nil {
		return err
	}
	s.flush()
	t.note("the reminder is the QQ group's essence message (set_essence_msg)")
	if err := s.say(ctx, qqBuyer, 0, "/checkin"); err != nil {
		return err
	}

	t.note("the clock moves to the start")
	advanceTo(h, x.StartAt)
	if err := qq.Step(ctx); err != nil {
		return err
	}
	s.flush()
	if err := t.say(ctx, speaker.id, speaker.id, "透视表：行放地区，列放月份，值放销售额。"); err != nil {
		return err
	}
	if err := qq.Step(ctx); err != nil {
		return err
	}
	s.flush()
	return qqFridayQA(ctx, h, s)
}

// qqFridayQA is the question window on QQ, the end, and a broadcast.
func qqFridayQA(ctx context.Context, h *Harness, s *qqScene) error {
	t, qq := s.t, s.qq
	if err := t.say(ctx, h.Owner, h.Owner, "/session qa 10"); err != nil {
		return err
	}
	if err := qq.Step(ctx); err != nil {
		return err
	}
	s.flush()
	if g, _ := qq.Group(qqGroupNo); g.WholeBan {
		return fmt.Errorf("qq: the group is still muted in the question window")
	}
	t.note("the whole-group ban is lifted (set_group_whole_ban false)")
	if err := s.say(ctx, qqBuyer, qqGroupNo, "值字段可以放两个吗？"); err != nil {
		return err
	}
	t.note("the clock moves past the window's end")
	h.Clock.Advance(11 * time.Minute)
	if err := qq.Step(ctx); err != nil {
		return err
	}
	s.flush()
	if g, _ := qq.Group(qqGroupNo); !g.WholeBan {
		return fmt.Errorf("qq: the group is not muted again after the window")
	}
	t.note("the group is muted as a whole again")
	if err := t.say(ctx, h.Owner, h.Owner, "/session end"); err != nil {
		return err
	}
	if err := qq.Step(ctx); err != nil {
		return err
	}
	s.flush()
	t.note("the reminder is no longer the essence message (delete_essence_msg)")

	if err := t.say(ctx, h.Owner, h.Owner, "/announce xl dm"); err != nil {
		return err
	}
	if err := t.say(ctx, h.Owner, h.Owner, "下周五同一时间继续答疑，欢迎带着表格来。"); err != nil {
		return err
	}
	if err := qq.Step(ctx); err != nil {
		return err
	}
	s.flush()
	return nil
}
