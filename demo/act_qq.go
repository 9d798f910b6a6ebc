package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// The QQ act's people and group (QQ numbers).
const (
	qqSelf     = 3_000_000_001 // the bot's QQ account
	qqOwner    = 10001         // the owner on QQ: qq:10001 in SHEQUN_OWNERS
	qqGroupNo  = 700_100_200   // 学员 QQ 群
	qqBuyer    = 20002         // 小红 buys on QQ
	qqStranger = 20003         // 路人 did not pay
)

// QQCourse is the course whose groups live on QQ (each course's groups
// live on one platform).
var QQCourse = membership.Course{ID: "xl", Title: "Excel 数据分析（QQ 班）", Prefix: "XL", Amount: 19900, Currency: "cny", PaymentMethods: config.DefaultPaymentMethods()}

// WithQQCourse adds the QQ course and the QQ owner to a community.
func WithQQCourse(cfg *config.Config, _ *app.Options) {
	cfg.Courses = append(cfg.Courses, QQCourse)
	cfg.Owners = append(cfg.Owners, shequn.QQUser(qqOwner))
}

// qqScene prints what QQ people saw: every message the bot sent on QQ.
type qqScene struct {
	t     *transcript
	qq    *QQ
	shown int
	names map[int64]string
}

func (s *qqScene) who(user, group int64) string {
	if group != 0 {
		return s.names[-group]
	}
	return s.names[user]
}

// flush prints the bot's QQ messages since the last flush.
func (s *qqScene) flush() {
	sent := s.qq.Sent()
	for _, m := range sent[s.shown:] {
		fmt.Fprintf(s.t.out, "  🐧 → %s: %s\n", s.who(m.UserID, m.GroupID), strings.ReplaceAll(m.Text, "\n", "\n      "))
	}
	s.shown = len(sent)
}

func (s *qqScene) say(ctx context.Context, user, group int64, text string) error {
	where := ""
	if group != 0 {
		where = " in " + s.names[-group]
	}
	fmt.Fprintf(s.t.out, "%s%s: %s\n", s.names[user], where, text)
	err := s.qq.Say(ctx, user, strings.TrimSuffix(s.names[user], " (QQ)"), group, text)
	s.flush()
	return err
}

// qqAct plays the community on QQ: an owner registers a QQ group, a buyer
// pays, asks to join with the join code the bot sent and is let in with
// the number on the card, a stranger is refused with the reason (qqJoins),
// and a homework round-trip happens in QQ's private chat with numbered
// choices (qqHomework).
func qqAct(ctx context.Context, h *Harness, t *transcript) error {
	t.act("11. QQ 群：登记、购买、凭入群码进群 / On QQ: register, buy, join with the code")
	qq, err := h.ConnectQQ(ctx, qqSelf)
	if err != nil {
		return err
	}
	defer qq.Close()
	s := &qqScene{t: t, qq: qq, names: map[int64]string{qqOwner: "群主 (QQ)", qqBuyer: "小红 (QQ)", qqStranger: "路人 (QQ)", -qqGroupNo: "Excel 学员 QQ 群"}}
	t.note("NapCat connects to /onebot/v11/ws with its access token")
	qq.AddGroup(qqGroupNo, "Excel 学员 QQ 群", "admin")
	qq.AddMember(qqGroupNo, qqOwner, "群主", "owner")
	if err := s.say(ctx, qqOwner, qqGroupNo, "/register student xl 2000"); err != nil {
		return err
	}
	if g, _ := qq.Group(qqGroupNo); !g.WholeBan {
		return errors.New("qq: the registered group is not muted")
	}
	t.note("the group is muted as a whole (set_group_whole_ban) and the rules are its essence message")

	if err := s.say(ctx, qqBuyer, 0, "/start"); err != nil {
		return err
	}
	if err := s.say(ctx, qqBuyer, 0, "2"); err != nil { // the second course: the QQ one
		return err
	}
	if _, err := h.Paid(ctx, shequn.QQUser(qqBuyer), 1); err != nil {
		return err
	}
	if err := qq.Step(ctx); err != nil {
		return err
	}
	s.flush()
	code := groups.JoinCode(QQCourse.ID, shequn.QQUser(qqBuyer))
	if !strings.Contains(qq.LastTo(qqBuyer, 0), code) {
		return fmt.Errorf("qq: the buyer was not sent the join code %s: %q", code, qq.LastTo(qqBuyer, 0))
	}
	if err := qqJoins(ctx, s, code); err != nil {
		return err
	}
	if err := qqHomework(ctx, h, s); err != nil {
		return err
	}
	return qqFriday(ctx, h, s)
}

// qqJoins: the buyer joins with the code and wears the number, a stranger
// is refused with the reason, a changed card is set back.
func qqJoins(ctx context.Context, s *qqScene, code string) error {
	t, qq := s.t, s.qq

	fmt.Fprintf(t.out, "%s asks to join %s, 验证信息 %q\n", s.names[qqBuyer], s.names[-qqGroupNo], code)
	if _, err := qq.AskToJoin(ctx, qqGroupNo, qqBuyer, "小红", code); err != nil {
		return err
	}
	if err := qq.Step(ctx); err != nil {
		return err
	}
	m, in := qq.Member(qqGroupNo, qqBuyer)
	if !in || !strings.HasPrefix(m.Card, "XL-00001") {
		return fmt.Errorf("qq: the buyer is in %v with card %q", in, m.Card)
	}
	fmt.Fprintf(t.out, "  · %s: approved, card %q\n", s.names[-qqGroupNo], m.Card)
	s.flush()

	fmt.Fprintf(t.out, "%s asks to join with 验证信息 \"XL-00001\" (someone else's number)\n", s.names[qqStranger])
	flag, err := qq.AskToJoin(ctx, qqGroupNo, qqStranger, "路人", "XL-00001")
	if err != nil {
		return err
	}
	if err := qq.Step(ctx); err != nil {
		return err
	}
	r := qq.Request(flag)
	if !r.Handled || r.Approved {
		return fmt.Errorf("qq: the stranger's request: %+v", r)
	}
	fmt.Fprintf(t.out, "  · %s: refused, %q\n", s.names[-qqGroupNo], r.Reason)

	fmt.Fprintf(t.out, "%s changes her card to \"小红\"\n", s.names[qqBuyer])
	if err := qq.SetCard(ctx, qqGroupNo, qqBuyer, "小红"); err != nil {
		return err
	}
	if err := qq.Step(ctx); err != nil {
		return err
	}
	if m, _ := qq.Member(qqGroupNo, qqBuyer); m.Card != "XL-00001 小红" {
		return fmt.Errorf("qq: the card was not corrected: %q", m.Card)
	}
	t.note("the card is corrected back to \"XL-00001 小红\"")
	return nil
}

// qqHomework is a homework round-trip on QQ: a teacher on Telegram
// publishes, the QQ student chooses the assignment by number and hands
// in, the teacher reviews, the student gets the grade on QQ.
func qqHomework(ctx context.Context, h *Harness, s *qqScene) error {
	t := s.t
	t.act("12. QQ 上交作业 / Homework on QQ, reviewed from Telegram")
	due := h.Clock.Now().Add(3 * 24 * time.Hour).In(h.Config.Location()).Format("2006-01-02")
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/assign xl "+due+" 100 第一课：数据透视表 | 用透视表汇总销售数据"); err != nil {
		return err
	}
	s.flush()
	if err := s.say(ctx, qqBuyer, 0, "/submit"); err != nil {
		return err
	}
	if err := s.say(ctx, qqBuyer, 0, "1"); err != nil {
		return err
	}
	if err := s.say(ctx, qqBuyer, 0, "https://example.com/pivot-[CQ:at,qq=all]"); err != nil {
		return err
	}
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/review"); err != nil {
		return err
	}
	card, _ := h.LastBotMessage(teacherWang.id)
	var id int
	fmt.Sscanf(card.Text, "#%d", &id)
	if err := t.press(ctx, h, teacherWang.id, fmt.Sprintf("rv:%d:e", id)); err != nil {
		return err
	}
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/skip"); err != nil {
		return err
	}
	if err := s.qq.Step(ctx); err != nil {
		return err
	}
	s.flush()
	if s.qq.StringMessages() != 0 {
		return errors.New("qq: a message went out as a CQ-code string")
	}
	return s.say(ctx, qqBuyer, 0, "/mywork")
}
