package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

const (
	qqTeacher = 30003 // 周老师, a teacher of the QQ course
	qqMember  = 20004 // 小刚, a second buyer
	qqAdmin   = 40005 // 老管理, an administrator the owner added by hand
)

// qqJoinsWithCode makes a QQ user buy the course and join the group with their
// code.
func qqJoinsWithCode(t *testing.T, h *Harness, qq *QQ, user int64, nickname string) {
	t.Helper()
	qqBuys(t, h, qq, user, nickname)
	_, err := qq.AskToJoin(t.Context(), qqGroupNo, user, nickname, groups.JoinCode("xl", shequn.QQUser(user)))
	must(t, err)
	must(t, qq.Step(t.Context()))
	if _, in := qq.Member(qqGroupNo, user); !in {
		t.Fatalf("%s could not join", nickname)
	}
}

// qqReply is a member replying in the group to a message with a command,
// as QQ's client sends it: the reply segment, an @ of the author (to, or
// none when 0: the @ can be deleted), the text.
func qqReply(t *testing.T, qq *QQ, from, to, msgID int64, text string) int64 {
	t.Helper()
	segs := []onebot.Segment{onebottest.ReplyTo(msgID)}
	if to != 0 {
		segs = append(segs, onebot.Segment{Type: "at", Data: map[string]any{"qq": to}})
	}
	id, err := qq.Speak(t.Context(), qqGroupNo, from, append(segs, onebot.Text(" "+text))...)
	must(t, err)
	must(t, qq.Step(t.Context()))
	return id
}

// qqTeacherGranted makes 周老师 a teacher of the QQ course, by an @ in the
// group.
func qqTeacherGranted(t *testing.T, qq *QQ) {
	t.Helper()
	ctx := t.Context()
	qq.AddMember(qqGroupNo, qqTeacher, "周老师", "member")
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, "/start"))
	must(t, qq.GroupMessage(ctx, qqGroupNo, qqOwner, onebot.Text("/grant teacher "),
		onebot.Segment{Type: "at", Data: map[string]any{"qq": "30003"}}, onebot.Text(" xl")))
	must(t, qq.Step(ctx))
}

// A QQ teacher moderates by replying to a member's message: three
// warnings ban them for the configured time (set_group_ban on the
// injected clock), /unmute lifts it, /kick removes them with the
// enrollment kept, and they come back with their code. The commands are
// recalled from the group; the member is told privately on QQ.
func TestQQTeacherWarnsMutesAndKicks(t *testing.T) {
	h, qq := qqCommunity(t, func(cfg *config.Config, _ *app.Options) { cfg.Moderation.MuteFor = 2 * time.Hour })
	ctx := t.Context()
	qqTeacherGranted(t, qq)
	qqJoinsWithCode(t, h, qq, qqBuyer, "小红")
	said, err := qq.Speak(ctx, qqGroupNo, qqBuyer, onebot.Text("加我好友，卖课便宜"))
	must(t, err)
	must(t, qq.Step(ctx))
	var commands []int64
	for range 3 {
		commands = append(commands, qqReply(t, qq, qqTeacher, qqBuyer, said, "/warn 广告"))
	}
	m, _ := qq.Member(qqGroupNo, qqBuyer)
	if want := h.Clock.Now().Add(2 * time.Hour); !m.BannedUntil.Equal(want) {
		t.Fatalf("after three warnings banned until %v, want %v", m.BannedUntil, want)
	}
	if g, _ := qq.Group(qqGroupNo); !g.WholeBan {
		t.Error("the member's ban lifted the whole-group ban")
	}
	if _, err := qq.Speak(ctx, qqGroupNo, qqBuyer, onebot.Text("为什么")); err == nil {
		t.Error("a banned member spoke")
	}
	for _, id := range commands {
		if !qq.Deleted(id) {
			t.Errorf("command message %d was not recalled", id)
		}
	}
	if qq.Deleted(said) {
		t.Error("the member's message was recalled with the command")
	}
	if dm := strings.Join(qq.SentTo(qqBuyer, 0), "\n"); !strings.Contains(dm, "广告") || !strings.Contains(dm, "禁言") {
		t.Errorf("the member was not told on QQ: %q", dm)
	}
	if got := qq.LastTo(0, qqGroupNo); !strings.Contains(got, "小红") {
		t.Errorf("the group was not told: %q", got)
	}

	qqReply(t, qq, qqTeacher, 0, said, "/unmute")
	if m, _ := qq.Member(qqGroupNo, qqBuyer); !m.BannedUntil.IsZero() {
		t.Fatalf("after /unmute banned until %v", m.BannedUntil)
	}

	qqReply(t, qq, qqTeacher, 0, said, "/kick 刷屏")
	if _, in := qq.Member(qqGroupNo, qqBuyer); in {
		t.Fatal("/kick left the member in the group")
	}
	if _, err := h.App.Store().Enrollment(ctx, "xl", shequn.QQUser(qqBuyer)); err != nil {
		t.Fatalf("the enrollment after /kick: %v", err)
	}
	_, err = qq.AskToJoin(ctx, qqGroupNo, qqBuyer, "小红", groups.JoinCode("xl", shequn.QQUser(qqBuyer)))
	must(t, err)
	must(t, qq.Step(ctx))
	if _, in := qq.Member(qqGroupNo, qqBuyer); !in {
		t.Fatal("the kicked member could not come back with the code")
	}
}

// An administrator the owner added by hand is out of the account's
// reach: QQ's role says so, and the teacher is told.
func TestQQModerationLeavesAdministratorsAlone(t *testing.T) {
	_, qq := qqCommunity(t)
	ctx := t.Context()
	qqTeacherGranted(t, qq)
	qq.AddMember(qqGroupNo, qqAdmin, "老管理", "admin")
	said, err := qq.Speak(ctx, qqGroupNo, qqAdmin, onebot.Text("通知"))
	must(t, err)
	must(t, qq.Step(ctx))
	qqReply(t, qq, qqTeacher, qqAdmin, said, "/mute 1h")
	if got := qq.LastTo(0, qqGroupNo); !strings.Contains(got, "群管理员") {
		t.Errorf("muting an administrator: %q", got)
	}
	qqReply(t, qq, qqTeacher, 0, said, "/kick")
	if _, in := qq.Member(qqGroupNo, qqAdmin); !in {
		t.Fatal("an administrator was kicked")
	}
	if got := qq.LastTo(0, qqGroupNo); !strings.Contains(got, "群管理员") {
		t.Errorf("kicking an administrator: %q", got)
	}
}

// On QQ only the group's owner makes administrators: with the account an
// administrator, /monitor answers so and appoints nobody; with the
// account the owner, the monitor becomes an administrator titled 班长 and
// moderates.
func TestQQMonitorNeedsTheOwner(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	qqJoinsWithCode(t, h, qq, qqBuyer, "小红")
	must(t, qq.Say(ctx, qqOwner, "群主", qqGroupNo, "/monitor XL-00001"))
	if got := qq.LastTo(0, qqGroupNo); !strings.Contains(got, "只有群主能设管理员") {
		t.Fatalf("/monitor with the account an administrator: %q", got)
	}
	if m, _ := qq.Member(qqGroupNo, qqBuyer); m.Role != "member" {
		t.Fatalf("role %q", m.Role)
	}
	if staff, _ := h.App.Store().GroupStaff(ctx, shequn.QQGroup(qqGroupNo)); len(staff) != 0 {
		t.Fatalf("appointed all the same: %+v", staff)
	}

}

// With the account the group's owner, /monitor in reply to a member's
// message makes them an administrator titled 班长, and the monitor
// moderates another member by reply.
func TestQQOwnerAccountAppointsAMonitor(t *testing.T) {
	h := mustStart(t, WithQQCourse)
	ctx := t.Context()
	qq, err := h.ConnectQQ(ctx, qqSelf)
	must(t, err)
	t.Cleanup(qq.Close)
	qq.AddGroup(qqGroupNo, "Excel QQ", "owner")
	qq.AddMember(qqGroupNo, qqOwner, "群主", "admin")
	must(t, qq.Say(ctx, qqOwner, "群主", qqGroupNo, "/register student xl 2000"))
	qqJoinsWithCode(t, h, qq, qqBuyer, "小红")
	qqJoinsWithCode(t, h, qq, qqMember, "小刚")
	said, err := qq.Speak(ctx, qqGroupNo, qqBuyer, onebot.Text("我来当班长"))
	must(t, err)
	must(t, qq.Step(ctx))
	qqReply(t, qq, qqOwner, 0, said, "/monitor")
	if m, _ := qq.Member(qqGroupNo, qqBuyer); m.Role != "admin" || m.Title != "班长" {
		t.Fatalf("the monitor on QQ: %+v (group says %q)", m, qq.LastTo(0, qqGroupNo))
	}
	if dm := qq.LastTo(qqBuyer, 0); !strings.Contains(dm, "班长") {
		t.Errorf("the monitor was not told on QQ: %q", dm)
	}
	other, err := qq.Speak(ctx, qqGroupNo, qqMember, onebot.Text("广告"))
	must(t, err)
	must(t, qq.Step(ctx))
	qqReply(t, qq, qqBuyer, qqMember, other, "/mute 30m 广告")
	if m, _ := qq.Member(qqGroupNo, qqMember); !m.BannedUntil.Equal(h.Clock.Now().Add(30 * time.Minute)) {
		t.Fatalf("the monitor's mute: banned until %v (group says %q)", m.BannedUntil, qq.LastTo(0, qqGroupNo))
	}
	qqReply(t, qq, qqOwner, qqBuyer, said, "/unmonitor")
	if m, _ := qq.Member(qqGroupNo, qqBuyer); m.Role != "member" {
		t.Errorf("after /unmonitor: %+v", m)
	}
}

const qqAssistant = 30004 // 小李, an assistant of the QQ course

// qqCard is the newest ticket card sent to a QQ staff member: its message
// id and text.
func qqCard(t *testing.T, qq *QQ, staff int64) (int64, string) {
	t.Helper()
	sent := qq.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if m := sent[i]; m.GroupID == 0 && m.UserID == staff && cardRef.MatchString(m.Text) {
			return m.ID, m.Text
		}
	}
	t.Fatalf("QQ staff %d got no ticket card: %q", staff, qq.SentTo(staff, 0))
	return 0, ""
}

// A QQ student asks the desk: the FAQ answers with a numbered "didn't
// help", and choosing it hands the question to the QQ assistant, whose
// reply to the card (QQ's reply segment) reaches the student; /answer
// works too.
func TestQQDeskAnswersAQQStudent(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	qq.AddMember(qqGroupNo, qqAssistant, "小李", "member")
	must(t, qq.Say(ctx, qqAssistant, "小李", 0, "/start"))
	must(t, qq.GroupMessage(ctx, qqGroupNo, qqOwner, onebot.Text("/grant assistant "),
		onebot.Segment{Type: "at", Data: map[string]any{"qq": "30004"}}, onebot.Text(" xl")))
	must(t, qq.Step(ctx))
	must(t, qq.Say(ctx, qqAssistant, "小李", 0, "/faq add xl 模板 | 模板在群公告里。"))
	qqBuys(t, h, qq, qqBuyer, "小红")

	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "模板在哪里下载？"))
	hit := qq.LastTo(qqBuyer, 0)
	if !strings.Contains(hit, "模板在群公告里") || !strings.Contains(hit, "[1]") {
		t.Fatalf("the FAQ's answer on QQ: %q", hit)
	}
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "1"))
	if got := qq.LastTo(qqBuyer, 0); !strings.Contains(got, "已转给助教") {
		t.Fatalf("after \"didn't help\": %q", got)
	}
	card, text := qqCard(t, qq, qqAssistant)
	if !strings.Contains(text, "XL-00001") || !strings.Contains(text, "模板在哪里下载") {
		t.Fatalf("the card on QQ: %q", text)
	}
	must(t, qq.PrivateMessage(ctx, qqAssistant, "小李", onebottest.ReplyTo(card), onebot.Text("在群文件“模板”文件夹里。")))
	must(t, qq.Step(ctx))
	if got := strings.Join(qq.SentTo(qqBuyer, 0), "\n"); !strings.Contains(got, "在群文件“模板”文件夹里") || strings.Contains(got, "小李") {
		t.Fatalf("the answer relayed to the QQ student: %q", got)
	}
	if got := qq.LastTo(qqAssistant, 0); !strings.Contains(got, "已") {
		t.Errorf("the assistant's confirmation: %q", got)
	}

	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "/ask 透视表怎么刷新？"))
	_, text = qqCard(t, qq, qqAssistant)
	id := cardRef.FindStringSubmatch(text)[1]
	must(t, qq.Say(ctx, qqAssistant, "小李", 0, "/answer "+id+" 右键，刷新。"))
	if got := qq.LastTo(qqBuyer, 0); !strings.Contains(got, "右键，刷新") {
		t.Fatalf("/answer relayed on QQ: %q", got)
	}
}

// Someone brought into the QQ group without a seat (invited by a member)
// is removed and the owners are told on QQ.
func TestQQIntruderIsRemoved(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	qqJoinsWithCode(t, h, qq, qqBuyer, "小红")
	must(t, qq.Invite(ctx, qqGroupNo, qqStranger, "路人", qqBuyer))
	must(t, qq.Step(ctx))
	if _, in := qq.Member(qqGroupNo, qqStranger); in {
		t.Fatal("the intruder is still in the QQ group")
	}
	if _, in := qq.Member(qqGroupNo, qqBuyer); !in {
		t.Fatal("the member who invited them was removed")
	}
	if got := strings.Join(qq.SentTo(qqOwner, 0), "\n"); !strings.Contains(got, "学员1群") || !strings.Contains(got, "qq:20003") {
		t.Errorf("the QQ owner was not told: %q", got)
	}
}

// QQ keeps a ban for at most 30 days: a longer /mute is answered with
// QQ's bounds and bans nobody.
func TestQQMuteBeyondThirtyDaysIsRefused(t *testing.T) {
	h, qq := qqCommunity(t)
	ctx := t.Context()
	qqTeacherGranted(t, qq)
	qqJoinsWithCode(t, h, qq, qqBuyer, "小红")
	said, err := qq.Speak(ctx, qqGroupNo, qqBuyer, onebot.Text("广告"))
	must(t, err)
	must(t, qq.Step(ctx))
	qqReply(t, qq, qqTeacher, 0, said, "/mute 40d")
	if got := qq.LastTo(0, qqGroupNo); !strings.Contains(got, "最长 30 天") {
		t.Fatalf("a 40-day mute on QQ: %q", got)
	}
	if m, _ := qq.Member(qqGroupNo, qqBuyer); !m.BannedUntil.IsZero() {
		t.Errorf("banned until %v", m.BannedUntil)
	}
	qqReply(t, qq, qqTeacher, 0, said, "/mute 30d")
	if m, _ := qq.Member(qqGroupNo, qqBuyer); !m.BannedUntil.Equal(h.Clock.Now().Add(onebot.MaxBan)) {
		t.Errorf("a 30-day mute: banned until %v", m.BannedUntil)
	}
}
