package demo

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/onebot"
)

// The QQ core group's number, and three more QQ students.
const (
	qqCoreNo = 700_100_900
	qqThird  = 20005 // 小明
	qqFourth = 20006 // 小丽
)

// qqCoreCircle is the QQ course with a teacher, four students in the
// student group (XL-00001 小红 … XL-00004 小丽) and a QQ core group of
// the capacity, registered by the owner in it.
func qqCoreCircle(t *testing.T, capacity int, setups ...Setup) (*Harness, *QQ) {
	t.Helper()
	h, qq := qqCommunity(t, append([]Setup{coreRules}, setups...)...)
	qqTeacherGranted(t, qq)
	for _, u := range []struct {
		id   int64
		name string
	}{{qqBuyer, "小红"}, {qqMember, "小刚"}, {qqThird, "小明"}, {qqFourth, "小丽"}} {
		qqJoinsWithCode(t, h, qq, u.id, u.name)
	}
	qq.AddGroup(qqCoreNo, "核心QQ群", "admin")
	qq.AddMember(qqCoreNo, qqOwner, "群主", "owner")
	qq.AddMember(qqCoreNo, qqTeacher, "周老师", "member")
	must(t, qq.Say(t.Context(), qqOwner, "群主", qqCoreNo, fmt.Sprintf("/register core %d", capacity)))
	wantText(t, "register core on QQ", qq.LastTo(0, qqCoreNo), fmt.Sprintf("核心群，容量 %d 人", capacity))
	if g, _ := qq.Group(qqCoreNo); g.WholeBan {
		t.Fatal("the QQ core group is muted: everyone speaks there")
	}
	return h, qq
}

// qqPromote has the teacher promote students by number, privately.
func qqPromote(t *testing.T, qq *QQ, numbers ...string) {
	t.Helper()
	for _, n := range numbers {
		must(t, qq.Say(t.Context(), qqTeacher, "周老师", 0, "/promote "+n))
		wantText(t, "/promote "+n, qq.LastTo(qqTeacher, 0), "已推荐")
	}
}

// qqJoinsCore asks to join the QQ core group with the words and returns
// the request as QQ answered it.
func qqJoinsCore(t *testing.T, qq *QQ, user int64, name, words string) string {
	t.Helper()
	flag, err := qq.AskToJoin(t.Context(), qqCoreNo, user, name, words)
	must(t, err)
	must(t, qq.Step(t.Context()))
	return flag
}

// coreCode is a QQ user's code for the core group.
func coreCode(user int64) string { return groups.CoreJoinCode("", shequn.QQUser(user)) }

// On QQ the invitation names the core group's number and the invitee's
// own code; only the invited get in with it (a stranger and a candidate
// not invited are refused with the reason), the card shows the member's
// number, and the core group sees a plain welcome line.
func TestQQCoreInvitationJoinAndCard(t *testing.T) {
	h, qq := qqCoreCircle(t, 2)
	qqPromote(t, qq, "XL-00001", "XL-00002", "XL-00003")
	dm := qq.LastTo(qqBuyer, 0)
	wantText(t, "the invitation on QQ", dm, "恭喜", "700100900", coreCode(qqBuyer))
	if strings.Contains(dm, "<") || strings.Contains(dm, "http") {
		t.Errorf("the invitation carries markup or a link: %q", dm)
	}
	if got := qq.SentTo(qqThird, 0); strings.Contains(strings.Join(got, "\n"), "恭喜") {
		t.Fatalf("the third candidate was invited into a group of two: %q", got)
	}
	// The stranger, with the buyer's code copied, and the candidate not
	// invited are refused with the reason.
	r := qq.Request(qqJoinsCore(t, qq, qqStranger, "路人", coreCode(qqBuyer)))
	if !r.Handled || r.Approved || !strings.Contains(r.Reason, "邀请") {
		t.Fatalf("the stranger's request: %+v", r)
	}
	r = qq.Request(qqJoinsCore(t, qq, qqThird, "小明", coreCode(qqThird)))
	if !r.Handled || r.Approved || !strings.Contains(r.Reason, "邀请") {
		t.Fatalf("the candidate not invited: %+v", r)
	}
	// The invited without the code (the student group's code is not it)
	// is told to write it, then gets in.
	for _, words := range []string{"我是小红", groups.JoinCode("xl", shequn.QQUser(qqBuyer))} {
		r = qq.Request(qqJoinsCore(t, qq, qqBuyer, "小红", words))
		if !r.Handled || r.Approved || !strings.Contains(r.Reason, "核心群入群码") {
			t.Fatalf("the invited saying %q: %+v", words, r)
		}
	}
	r = qq.Request(qqJoinsCore(t, qq, qqBuyer, "小红", "入群码 "+coreCode(qqBuyer)))
	if !r.Approved {
		t.Fatalf("the invited with the code was refused: %+v", r)
	}
	if m, in := qq.Member(qqCoreNo, qqBuyer); !in || m.Card != "XL-00001 小红" {
		t.Fatalf("in the core group %v with card %q, want XL-00001 小红", in, m.Card)
	}
	welcome := strings.Join(qq.SentTo(0, qqCoreNo), "\n")
	wantText(t, "the welcome in the QQ core group", welcome, "欢迎 小红 加入核心群")
	if strings.Contains(welcome, "tg://") {
		t.Errorf("a Telegram mention reached QQ: %q", welcome)
	}
	c, err := h.App.Groups.CoreRecord(t.Context(), "", shequn.QQUser(qqBuyer))
	must(t, err)
	if c.State != groups.CoreMember {
		t.Fatalf("the member's record: %+v", c)
	}
}

// A community's core group lives on the platform it was registered on: a
// Telegram student cannot be promoted into a QQ core group, and is told
// why.
func TestQQCoreRefusesTheOtherPlatform(t *testing.T) {
	h, qq := qqCoreCircle(t, 2)
	classroom(t, h, 601)
	must(t, h.Join(t.Context(), 601))
	must(t, qq.Say(t.Context(), qqTeacher, "周老师", 0, "/promote PPT-00001"))
	wantText(t, "promoting a Telegram student into the QQ core group", qq.LastTo(qqTeacher, 0), "核心群在 QQ 上")
	if _, err := h.App.Groups.CoreRecord(t.Context(), "", 601); err == nil {
		t.Fatal("the Telegram student was queued for the QQ core group")
	}
}

// qqCoreMembers lets the invited XL-00001 and XL-00002 in, one with the
// core code, one with the member number.
func qqCoreMembers(t *testing.T, qq *QQ) {
	t.Helper()
	for _, u := range []struct {
		id          int64
		name, words string
	}{{qqBuyer, "小红", coreCode(qqBuyer)}, {qqMember, "小刚", "我是 XL-00002"}} {
		if r := qq.Request(qqJoinsCore(t, qq, u.id, u.name, u.words)); !r.Approved {
			t.Fatalf("%s could not join the core group: %+v", u.name, r)
		}
	}
}

// Tasks, awards by @, the standing, and a chain joined by a numbered
// reply: QQ cannot edit a message, so each one who joins gets the list
// again with the choice.
func TestQQCoreTasksAwardsAndChain(t *testing.T) {
	h, qq := qqCoreCircle(t, 2)
	ctx := t.Context()
	qqPromote(t, qq, "XL-00001", "XL-00002", "XL-00003")
	qqCoreMembers(t, qq)
	wantText(t, "/candidates", qq.LastTo(qqTeacher, 0), "已推荐")
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, "/candidates"))
	wantText(t, "/candidates on QQ", qq.LastTo(qqTeacher, 0), "XL-00003", "老师推荐")

	due := h.Clock.Now().Add(48 * time.Hour).In(h.Config.Location()).Format("2006-01-02")
	must(t, qq.Say(ctx, qqTeacher, "周老师", qqCoreNo, "/task 第一课笔记 | XL-00001 XL-00002 | "+due))
	wantText(t, "/task on QQ", qq.LastTo(0, qqCoreNo), "核心任务 #1", "小红", "小刚")
	must(t, qq.Say(ctx, qqBuyer, "小红", qqCoreNo, "/done 1"))
	must(t, qq.Say(ctx, qqMember, "小刚", 0, "/tasks"))
	wantText(t, "/tasks on QQ", qq.LastTo(qqMember, 0), "第一课笔记", "1/2")
	must(t, qq.Say(ctx, qqMember, "小刚", qqCoreNo, "/done 1"))
	must(t, qq.GroupMessage(ctx, qqCoreNo, qqTeacher, onebot.Text("/award "),
		onebot.Segment{Type: "at", Data: map[string]any{"qq": fmt.Sprint(qqBuyer)}}, onebot.Text(" 5 写了第三章")))
	must(t, qq.Step(ctx))
	wantText(t, "/award @ on QQ", qq.LastTo(0, qqCoreNo), "记 5 分")
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "/contrib"))
	wantText(t, "/contrib on QQ", qq.LastTo(qqBuyer, 0), "15", "写了第三章")

	must(t, qq.Say(ctx, qqMember, "小刚", qqCoreNo, "/chain 转发周五分享"))
	chain := qq.LastTo(0, qqCoreNo)
	wantText(t, "the chain on QQ", chain, "接龙：转发周五分享", "[1] 接龙 +1")
	for _, u := range []struct {
		id   int64
		name string
	}{{qqMember, "小刚"}, {qqBuyer, "小红"}, {qqMember, "小刚"}} {
		must(t, qq.Say(ctx, u.id, u.name, qqCoreNo, "1"))
	}
	list := qq.LastTo(0, qqCoreNo)
	wantText(t, "the chain's list re-posted", list, "接龙：转发周五分享", "1. 小刚", "2. 小红", "[1] 接龙 +1")
	if strings.Count(list, "小刚") != 1 {
		t.Fatalf("the chain lists 小刚 twice: %q", list)
	}
	if n := strings.Count(strings.Join(qq.SentTo(0, qqCoreNo), "\n"), "接龙：转发周五分享"); n != 3 {
		t.Fatalf("the chain was posted %d times, want once and once per one who joined", n)
	}
}

// A month on the injected clock: the member at risk is warned on QQ, the
// bottom one is kicked from the QQ core group at the period's end (kept
// in the student group, able to ask again), told respectfully, and the
// freed seat goes to the next candidate in the same run; the core group
// sees the summary.
func TestQQCoreEliminationRefillsAndSummarises(t *testing.T) {
	h, qq := qqCoreCircle(t, 2, func(cfg *config.Config, _ *app.Options) { cfg.Core.WarnDays = 3 })
	ctx := t.Context()
	qqPromote(t, qq, "XL-00001", "XL-00002", "XL-00003")
	qqCoreMembers(t, qq)
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, "/award XL-00001 9 组织分享"))

	loc := h.Config.Location()
	now := h.Clock.Now().In(loc)
	end := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, loc)
	if warn := end.Add(-48 * time.Hour); warn.After(now) {
		h.Clock.Advance(warn.Sub(now))
	}
	must(t, h.App.RunCoreTick(ctx, h.Clock.Now()))
	must(t, qq.Step(ctx))
	wantText(t, "the warning on QQ", qq.LastTo(qqMember, 0), "即将结束", "0 分", "排名第 2")
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, "/eliminate preview"))
	wantText(t, "/eliminate preview on QQ", qq.LastTo(qqTeacher, 0), "1 人", "XL-00002")

	h.Clock.Advance(end.Sub(h.Clock.Now()) + time.Hour)
	must(t, h.App.RunCoreTick(ctx, h.Clock.Now()))
	must(t, qq.Step(ctx))
	if _, in := qq.Member(qqCoreNo, qqMember); in {
		t.Fatal("the bottom member is still in the QQ core group")
	}
	if _, in := qq.Member(qqGroupNo, qqMember); !in {
		t.Fatal("the eliminated member lost the student group")
	}
	wantText(t, "the goodbye on QQ", strings.Join(qq.SentTo(qqMember, 0), "\n"), "谢谢你在核心群的付出", "排名第 2")
	wantText(t, "the refill on QQ", qq.LastTo(qqThird, 0), "恭喜", "700100900", coreCode(qqThird))
	summary := qq.LastTo(0, qqCoreNo)
	wantText(t, "the summary in the QQ core group", summary, "期总结", "离开：1 人", "小红", "小明")
	if strings.Contains(summary, "tg://") {
		t.Errorf("a Telegram mention in the QQ summary: %q", summary)
	}
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, "/history XL-00002"))
	wantText(t, "/history on QQ", qq.LastTo(qqTeacher, 0), "末位淘汰：第 2 名")
	if r := qq.Request(qqJoinsCore(t, qq, qqThird, "小明", coreCode(qqThird))); !r.Approved {
		t.Fatalf("the refill could not join: %+v", r)
	}
	// Kicked without rejecting: promoted again and a seat free, the
	// eliminated member comes back.
	must(t, qq.Leave(ctx, qqCoreNo, qqThird))
	must(t, qq.Step(ctx))
	must(t, h.App.Groups.Promote(ctx, shequn.QQUser(qqTeacher), "", shequn.QQUser(qqMember)))
	must(t, qq.Step(ctx))
	if r := qq.Request(qqJoinsCore(t, qq, qqMember, "小刚", coreCode(qqMember))); !r.Approved {
		t.Fatalf("the eliminated member could not come back: %+v", r)
	}
}

// Promoted by homework on QQ: an excellent review puts the student at the
// top of the month's ranking, the hourly cycle makes them a candidate and
// invites them with the core group's number and their code, and they
// join with it.
func TestQQCorePromotedByHomework(t *testing.T) {
	h, qq := qqCoreCircle(t, 2)
	ctx := t.Context()
	due := h.Clock.Now().Add(72 * time.Hour).In(h.Config.Location()).Format("2006-01-02")
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, "/assign xl "+due+" 100 透视表 | 汇总销售数据"))
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "/submit"))
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "1"))
	must(t, qq.Say(ctx, qqBuyer, "小红", 0, "https://example.com/pivot"))
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, "/review"))
	pick := ""
	for _, line := range strings.Split(qq.LastTo(qqTeacher, 0), "\n") {
		if strings.Contains(line, "优秀") && strings.HasPrefix(line, "[") {
			pick = strings.TrimSuffix(strings.TrimPrefix(strings.Fields(line)[0], "["), "]")
		}
	}
	if pick == "" {
		t.Fatalf("no numbered 优秀 on the review card: %q", qq.LastTo(qqTeacher, 0))
	}
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, pick))
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, "/skip"))
	must(t, h.App.RunCoreTick(ctx, h.Clock.Now()))
	must(t, qq.Step(ctx))
	wantText(t, "the invitation after homework", qq.LastTo(qqBuyer, 0), "恭喜", "作业排行第 1 名", "700100900", coreCode(qqBuyer))
	if r := qq.Request(qqJoinsCore(t, qq, qqBuyer, "小红", coreCode(qqBuyer))); !r.Approved {
		t.Fatalf("the promoted student could not join: %+v", r)
	}
}

// QQ failing half-way through an elimination (the kick times out, the
// goodbye and the refill's invitation are refused for a while) is finished
// by the later passes: the member is kicked once and told once, and the
// freed seat is offered once.
func TestQQCoreEliminationFinishedAfterQQFails(t *testing.T) {
	h, qq := qqCoreCircle(t, 2)
	ctx := t.Context()
	var mu sync.Mutex
	kicks := map[int64]int{}
	qq.OnAction(func(action string, group, user int64) {
		if action == "set_group_kick" && group == qqCoreNo {
			mu.Lock()
			kicks[user]++
			mu.Unlock()
		}
	})
	qqPromote(t, qq, "XL-00001", "XL-00002", "XL-00003")
	qqCoreMembers(t, qq)
	must(t, qq.Say(ctx, qqTeacher, "周老师", 0, "/award XL-00001 9 组织分享"))
	loc := h.Config.Location()
	now := h.Clock.Now().In(loc)
	h.Clock.Advance(time.Date(now.Year(), now.Month()+1, 1, 1, 0, 0, 0, loc).Sub(now))
	qq.FailNext("set_group_kick", 1, 200, "Timeout: NTEvent serviceAndMethod:NodeIKernelGroupService/kickMember")
	qq.FailNext("send_private_msg", 6, 200, "Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg")
	must(t, h.App.RunCoreTick(ctx, h.Clock.Now()))
	must(t, qq.Step(ctx))
	if _, in := qq.Member(qqCoreNo, qqMember); !in {
		t.Fatal("the kick did not fail")
	}
	for range 4 { // later passes, after the back-off
		h.Clock.Advance(10 * time.Minute)
		must(t, h.App.RunJobs(ctx, h.Clock.Now()))
		must(t, qq.Step(ctx))
	}
	if _, in := qq.Member(qqCoreNo, qqMember); in {
		t.Fatal("the bottom member is still in the QQ core group")
	}
	mu.Lock()
	kicked := kicks[qqMember]
	mu.Unlock()
	if told := strings.Count(strings.Join(qq.SentTo(qqMember, 0), "\n"), "谢谢你在核心群的付出"); kicked != 1 || told != 1 {
		t.Fatalf("kicked %d times, told %d times; want once, once", kicked, told)
	}
	if n := strings.Count(strings.Join(qq.SentTo(qqThird, 0), "\n"), "恭喜你入选核心群"); n != 1 {
		t.Fatalf("the refill invited %d times, want once", n)
	}
	if r := qq.Request(qqJoinsCore(t, qq, qqThird, "小明", coreCode(qqThird))); !r.Approved {
		t.Fatalf("the refill could not join: %+v", r)
	}
}
