package demo

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/moderation"
)

// The cast of the pyramid's tests: three students of one group (42 in
// English), a teacher, and someone who never paid.
const (
	monitorID  = 41
	studentID  = 42
	student3ID = 43
	outsider   = 99
)

// pyramidClass starts a community whose fake Telegram reads the same
// injected clock as the bot (so a mute ends when the clock says), with
// the teacher granted and three students seated and joined. The group is
// opened for talk, as during a Q&A window.
func pyramidClass(t *testing.T) (*Harness, *Clock, int64) {
	t.Helper()
	clock := &Clock{now: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	nw := &noWait{}
	h, err := StartWith(t.Context(), []telegramtest.Option{telegramtest.WithClock(clock.Now)}, func(_ *config.Config, o *app.Options) {
		o.Now = clock.Now
		o.SenderOptions = append(o.SenderOptions, bot.WithClock(time.Now, nw.sleep))
	})
	must(t, err)
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	h.Clock = clock
	g := classroom(t, h, monitorID, studentID, student3ID)
	for _, id := range []int64{monitorID, studentID, student3ID} {
		must(t, h.Join(t.Context(), id))
	}
	must(t, h.TG.AddMember(g, teacher1))
	must(t, h.Step(t.Context()))
	must(t, h.TG.SetPermissions(g, telegramtest.AllPermissions()))
	return h, clock, g
}

// reply sends text from a user in reply to a message, and steps.
func reply(t *testing.T, h *Harness, from, chat int64, to int, text string) int {
	t.Helper()
	id, err := h.TG.SendReply(from, chat, to, text)
	must(t, err)
	must(t, h.Step(t.Context()))
	return id
}

// said posts a user's message in the group and returns its id.
func said(t *testing.T, h *Harness, from, chat int64, text string) int {
	t.Helper()
	id, err := h.TG.SendText(from, chat, text)
	must(t, err)
	must(t, h.Step(t.Context()))
	return id
}

func botSaid(h *Harness, chat int64) string {
	m, _ := h.LastBotMessage(chat)
	return m.Text
}

// A teacher appoints a monitor by replying to them: the bot promotes them
// with only a monitor's rights and the title 班长; /unmonitor takes both
// back; both are in the audit log.
func TestMonitorAppointed(t *testing.T) {
	h, _, g := pyramidClass(t)
	hello := said(t, h, monitorID, g, "大家好")
	reply(t, h, teacher1, g, hello, "/monitor")
	if got := botSaid(h, g); !strings.Contains(got, "班长") {
		t.Fatalf("the group was told %q", got)
	}
	rights, ok := h.TG.AdminRightsOf(g, monitorID)
	if want := (telegramtest.AdminRights{CanDeleteMessages: true, CanPinMessages: true, CanRestrictMembers: true}); !ok || rights != want {
		t.Fatalf("the monitor's rights: %+v %v, want %+v", rights, ok, want)
	}
	if got := h.TG.CustomTitle(g, monitorID); got != "班长" {
		t.Errorf("the monitor's title %q", got)
	}
	if got := botSaid(h, monitorID); !strings.Contains(got, "monitor") { // 41 reads English
		t.Errorf("the monitor was told %q", got)
	}

	// A student cannot appoint, and a teacher's /monitor of themselves
	// (staff) is refused.
	must(t, h.Say(t.Context(), studentID, g, "/monitor PPT-00001"))
	if got := botSaid(h, g); !strings.Contains(got, "only the course's teachers") {
		t.Errorf("a student's /monitor: %q", got)
	}

	must(t, h.Say(t.Context(), teacher1, teacher1, "/unmonitor PPT-00001"))
	if got := botSaid(h, teacher1); !strings.Contains(got, "收回") {
		t.Fatalf("/unmonitor: %q", got)
	}
	if _, ok := h.TG.AdminRightsOf(g, monitorID); ok {
		t.Error("the dismissed monitor is still an administrator")
	}
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/audit PPT-00001"))
	got := botSaid(h, h.Owner)
	if !strings.Contains(got, "任命") || !strings.Contains(got, "撤销") {
		t.Errorf("/audit: %q", got)
	}
}

// Without the right to add administrators the bot says what is missing,
// and no monitor is recorded.
func TestMonitorNeedsThePromoteRight(t *testing.T) {
	h, _, g := pyramidClass(t)
	rights := telegramtest.FullAdminRights()
	rights.CanPromoteMembers = false
	must(t, h.TG.SetBotRights(g, rights))
	must(t, h.Step(t.Context()))
	hello := said(t, h, monitorID, g, "hi")
	reply(t, h, teacher1, g, hello, "/monitor")
	if got := botSaid(h, g); !strings.Contains(got, "添加新管理员") {
		t.Fatalf("the teacher was told %q", got)
	}
	as, err := h.App.Store().(moderation.Store).Appointments(t.Context(), monitorID)
	must(t, err)
	if len(as) != 0 {
		t.Errorf("appointments %+v", as)
	}
}

// A monitor's three warnings mute a student until the configured time on
// the injected clock; the command messages are deleted, the student's
// message stays, and the student is told why by DM. After the mute they
// speak again.
func TestMonitorWarnsAndMutes(t *testing.T) {
	h, clock, g := pyramidClass(t)
	hello := said(t, h, monitorID, g, "hi")
	reply(t, h, teacher1, g, hello, "/monitor")

	ad := said(t, h, student3ID, g, "cheap followers here")
	var commands []int
	for i := 1; i <= 3; i++ {
		commands = append(commands, reply(t, h, monitorID, g, ad, "/warn ads"))
		clock.Advance(time.Hour)
	}
	if got := botSaid(h, g); !strings.Contains(got, "3/3") || !strings.Contains(got, "muted until") { // the monitor reads English
		t.Errorf("the group was told %q", got)
	}
	if perms, in := h.TG.MemberPermissions(g, student3ID); !in || perms.CanSendMessages {
		t.Fatalf("after three warnings: %+v in %v", perms, in)
	}
	dms := botTexts(h, student3ID)
	if count(dms, "You were warned") != 2 || count(dms, "muted in") != 1 || count(dms, "Reason: ads") != 3 {
		t.Errorf("the student's DMs: %q", dms)
	}
	for _, m := range h.TG.Messages(g) {
		if slices.Contains(commands, m.ID) != m.Deleted {
			t.Errorf("message %d %q deleted: %v", m.ID, m.Text, m.Deleted)
		}
	}
	if _, err := h.TG.SendText(student3ID, g, "still here"); err == nil {
		t.Error("a muted student spoke")
	}
	clock.Advance(23*time.Hour - time.Second) // a second short of 24 h after the third warning
	if _, err := h.TG.SendText(student3ID, g, "now?"); err == nil {
		t.Error("the mute ended early")
	}
	clock.Advance(time.Second)
	said(t, h, student3ID, g, "sorry")

	// A new warning starts counting again.
	reply(t, h, monitorID, g, ad, "/warn")
	if got := botSaid(h, g); !strings.Contains(got, "1/3") {
		t.Errorf("after the mute: %q", got)
	}
}

// /mute takes a length; /unmute lifts it; a length out of range gets the
// usage.
func TestMuteForAndUnmute(t *testing.T) {
	h, _, g := pyramidClass(t)
	msg := said(t, h, studentID, g, "spam")
	reply(t, h, teacher1, g, msg, "/mute 2h flooding")
	if perms, _ := h.TG.MemberPermissions(g, studentID); perms.CanSendMessages {
		t.Fatal("not muted")
	}
	if got := botSaid(h, studentID); !strings.Contains(got, "muted in") || !strings.Contains(got, "flooding") {
		t.Errorf("the student's DM %q", got)
	}
	reply(t, h, teacher1, g, msg, "/unmute")
	if perms, _ := h.TG.MemberPermissions(g, studentID); !perms.CanSendMessages {
		t.Fatal("still muted")
	}
	reply(t, h, teacher1, g, msg, "/mute 10s")
	if got := botSaid(h, g); !strings.Contains(got, "1 分钟") {
		t.Errorf("a mute of 10 s: %q", got)
	}
}

// Nobody acts on someone at or above them; students act on nobody.
func TestModerationRespectsThePyramid(t *testing.T) {
	h, _, g := pyramidClass(t)
	hello := said(t, h, monitorID, g, "hi")
	reply(t, h, teacher1, g, hello, "/monitor")
	byTeacher := said(t, h, teacher1, g, "welcome")
	for _, c := range []struct {
		from int64
		to   int
		cmd  string
		want string
	}{
		{monitorID, byTeacher, "/kick", "stand at or above you"}, // 41 reads English
		{monitorID, hello, "/warn", "stand at or above you"},
		{studentID, hello, "/warn", "Only monitors, assistants"},
	} {
		reply(t, h, c.from, g, c.to, c.cmd)
		if got := botSaid(h, g); !strings.Contains(got, c.want) && !strings.Contains(got, "不能对") && !strings.Contains(got, "只有班长") {
			t.Errorf("%d %s: %q", c.from, c.cmd, got)
		}
	}
	for _, id := range []int64{teacher1, monitorID} {
		if !h.TG.IsMember(g, id) {
			t.Errorf("%d was removed", id)
		}
	}
}

// /kick takes a student out of the group; the enrollment stays and /me
// gives the way back. With block they stay out.
func TestKickKeepsTheEnrollment(t *testing.T) {
	h, _, g := pyramidClass(t)
	msg := said(t, h, studentID, g, "rude words")
	reply(t, h, teacher1, g, msg, "/kick rude")
	if h.TG.IsMember(g, studentID) {
		t.Fatal("still in the group")
	}
	en, err := h.App.Store().Enrollment(t.Context(), "ppt", studentID)
	must(t, err)
	if !en.Active() {
		t.Fatalf("enrollment %+v", en)
	}
	if got := botSaid(h, studentID); !strings.Contains(got, "/me") || !strings.Contains(got, "rude") {
		t.Errorf("the student's DM %q", got)
	}
	must(t, h.Say(t.Context(), studentID, studentID, "/me"))
	must(t, h.Join(t.Context(), studentID))
	if !h.TG.IsMember(g, studentID) {
		t.Fatal("a kicked student could not come back")
	}
	msg = said(t, h, studentID, g, "rude again")
	reply(t, h, teacher1, g, msg, "/kick block")
	if st, _ := h.TG.Member(g, studentID); st != "kicked" {
		t.Errorf("blocked student is %s", st)
	}
}

// Someone in a student group without a seat there is removed and the
// owners are told once; staff added by hand stay.
func TestIntruderRemovedAndReportedOnce(t *testing.T) {
	h, _, g := pyramidClass(t)
	h.TG.AddUser(telegramtest.User{ID: outsider, FirstName: "Mallory", LanguageCode: "en"})
	before := count(botTexts(h, h.Owner), "没有座位")
	for range 2 {
		must(t, h.TG.AddMember(g, outsider))
		must(t, h.Step(t.Context()))
		if h.TG.IsMember(g, outsider) {
			t.Fatal("the intruder is still in the group")
		}
	}
	if n := count(botTexts(h, h.Owner), "没有座位") - before; n != 1 {
		t.Errorf("owners told %d times", n)
	}
	for _, id := range []int64{teacher1, monitorID} {
		if !h.TG.IsMember(g, id) {
			t.Errorf("%d was removed", id)
		}
	}
}

// /staff lists who answers for the group; /grant assistant @user group
// makes a group's assistant, an administrator titled 助教.
func TestStaffAndGroupAssistant(t *testing.T) {
	h, _, g := pyramidClass(t)
	hello := said(t, h, monitorID, g, "hi")
	reply(t, h, teacher1, g, hello, "/monitor")
	const helper = 601
	h.TG.AddUser(telegramtest.User{ID: helper, FirstName: "Hana", Username: "hana", LanguageCode: "zh"})
	must(t, h.Say(t.Context(), helper, helper, "/start"))
	must(t, h.TG.AddMember(g, helper))
	must(t, h.Step(t.Context()))
	if h.TG.IsMember(g, helper) {
		t.Fatal("someone without a seat or a role stayed")
	}
	must(t, h.Say(t.Context(), h.Owner, g, "/grant assistant @hana group"))
	if got := botSaid(h, g); !strings.Contains(got, "助教") {
		t.Fatalf("grant: %q", got)
	}
	must(t, h.TG.AddMember(g, helper))
	must(t, h.Step(t.Context()))
	if !h.TG.IsMember(g, helper) {
		t.Fatal("the group's assistant was removed")
	}
	// Granted while away, they are made an administrator by a second grant.
	must(t, h.Say(t.Context(), h.Owner, g, "/grant assistant @hana group"))
	if got := h.TG.CustomTitle(g, helper); got != "助教" {
		t.Errorf("the group's assistant's title %q", got)
	}
	must(t, h.Say(t.Context(), teacher1, g, "/staff"))
	got := botSaid(h, g)
	for _, want := range []string{"老师：T501", "助教：Hana @hana", "班长：U41", "所有者：Owner"} {
		if !strings.Contains(got, want) {
			t.Errorf("/staff lacks %q: %q", want, got)
		}
	}
	must(t, h.Say(t.Context(), teacher1, teacher1, "/staff ppt 1"))
	if got := botSaid(h, teacher1); !strings.Contains(got, "班长：U41") {
		t.Errorf("/staff ppt 1 in private: %q", got)
	}
	must(t, h.Say(t.Context(), studentID, studentID, "/staff ppt 1"))
	if got := botSaid(h, studentID); !strings.Contains(got, "only the course's teachers") {
		t.Errorf("/staff by a student: %q", got)
	}
	// The assistant moderates: they outrank the monitor.
	reply(t, h, helper, g, hello, "/warn")
	if got := botSaid(h, g); !strings.Contains(got, "被警告") {
		t.Errorf("the assistant's /warn: %q", got)
	}
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/audit @teacher501"))
	if got := botSaid(h, h.Owner); !strings.Contains(got, "授予") || !strings.Contains(got, "teacher") {
		t.Errorf("/audit of a teacher lacks the grant: %q", got)
	}
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/audit @hana"))
	if got := botSaid(h, h.Owner); !strings.Contains(got, "任命") || !strings.Contains(got, "警告") || !strings.Contains(got, "学员1群") {
		t.Errorf("/audit: %q", got)
	}
}

// Telegram refuses to restrict an administrator, and lets the bot edit
// only the administrators it promoted: both are answered, not failed.
func TestAdministratorsAreAnswered(t *testing.T) {
	h, _, g := pyramidClass(t)
	hello := said(t, h, monitorID, g, "hi")
	reply(t, h, teacher1, g, hello, "/monitor")
	reply(t, h, teacher1, g, hello, "/mute")
	if got := botSaid(h, g); !strings.Contains(got, "/unmonitor") {
		t.Errorf("muting the monitor: %q", got)
	}
	byHand := said(t, h, studentID, g, "hi")
	must(t, h.TG.PromoteByCreator(g, studentID, telegramtest.AdminRights{CanPinMessages: true}))
	must(t, h.Step(t.Context()))
	reply(t, h, teacher1, g, byHand, "/monitor")
	if got := botSaid(h, g); !strings.Contains(got, "是群管理员") {
		t.Errorf("appointing an administrator added by hand: %q", got)
	}
	as, err := h.App.Store().(moderation.Store).Appointments(t.Context(), studentID)
	must(t, err)
	if len(as) != 0 {
		t.Errorf("appointments %+v", as)
	}
}

// A monitor who is refunded leaves the group like any member: the bot
// takes back the rights it gave before removing them.
func TestRefundedMonitorRemoved(t *testing.T) {
	h, _, g := pyramidClass(t)
	const late = 44
	buyer(t, h, late, "zh")
	sess, err := h.Paid(t.Context(), late, 1)
	must(t, err)
	must(t, h.Join(t.Context(), late))
	hello := said(t, h, late, g, "你好")
	reply(t, h, teacher1, g, hello, "/monitor")
	if _, ok := h.TG.AdminRightsOf(g, late); !ok {
		t.Fatal("not appointed")
	}
	must(t, h.Refunded(t.Context(), sess))
	for range 3 {
		must(t, h.Step(t.Context()))
	}
	if h.TG.IsMember(g, late) {
		t.Fatal("a refunded monitor is still in the group")
	}
	must(t, h.Say(t.Context(), teacher1, g, "/staff"))
	if got := botSaid(h, g); strings.Contains(got, "U44") {
		t.Errorf("/staff still names the refunded monitor: %q", got)
	}
}

// A removal that fails (the bot lost the right to ban) is logged, never
// answered in the group; the owners hear of the intruder once removed.
func TestIntruderWithoutTheRightIsQuiet(t *testing.T) {
	h, _, g := pyramidClass(t)
	rights := telegramtest.FullAdminRights()
	rights.CanRestrictMembers = false
	must(t, h.TG.SetBotRights(g, rights))
	must(t, h.Step(t.Context()))
	h.TG.AddUser(telegramtest.User{ID: outsider, FirstName: "Mallory", LanguageCode: "en"})
	must(t, h.TG.AddMember(g, outsider))
	must(t, h.Step(t.Context()))
	before := len(h.TG.BotMessages(g))
	said(t, h, outsider, g, "hello all")
	if got := botTexts(h, g); len(got) != before {
		t.Errorf("the bot answered in the group: %q", got[before:])
	}
	if !h.TG.IsMember(g, outsider) || count(botTexts(h, h.Owner), "没有座位") != 0 {
		t.Fatal("removed without the right, or reported before removal")
	}
}
