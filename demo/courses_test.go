package demo

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/membership"
)

// A teacher of one course can neither see, hold, grade nor rank another
// course's work, by command, by button or by a forged callback; and nobody
// grades their own work, also a teacher enrolled as a student.
func TestStaffStayInTheirCourse(t *testing.T) {
	h := mustStart(t, func(cfg *config.Config, _ *app.Options) {
		cfg.Courses = append(cfg.Courses, membership.Course{ID: "xls", Title: "Excel 实战", Prefix: "XLS",
			Amount: 19900, Currency: "cny", PaymentMethods: config.DefaultPaymentMethods()})
	})
	ctx := t.Context()
	community(t, h, 50)
	must(t, h.Say(ctx, h.Owner, h.Group("Excel 学员群", telegramtest.FullAdminRights()), "/register student xls 50"))
	const pptTeacher, xlsAssistant = 601, 602
	for id, course := range map[int64]string{pptTeacher: "ppt", xlsAssistant: "xls"} {
		h.TG.AddUser(telegramtest.User{ID: id, FirstName: fmt.Sprint("T", id), Username: fmt.Sprint("staff", id), LanguageCode: "zh"})
		must(t, h.Say(ctx, id, id, "/start"))
		must(t, h.Say(ctx, h.Owner, h.Owner, fmt.Sprintf("/grant teacher @staff%d %s", id, course)))
		if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "已授予") {
			t.Fatalf("grant: %q", last.Text)
		}
	}
	// A student of xls, and the ppt teacher enrolled in xls too.
	for _, id := range []int64{42, pptTeacher} {
		if id == 42 {
			h.TG.AddUser(telegramtest.User{ID: id, FirstName: "U42", LanguageCode: "en"})
		}
		must(t, h.Say(ctx, id, id, "/start buy-xls"))
		_, err := h.Paid(ctx, id, 1)
		must(t, err)
	}
	due := h.Clock.Now().Add(7 * 24 * time.Hour).In(h.Config.Location()).Format("2006-01-02")
	must(t, h.Say(ctx, xlsAssistant, xlsAssistant, fmt.Sprintf("/assign xls %s 100 Sheet | one table", due)))
	list, err := h.App.Store().Assignments(ctx, []string{"xls"}, time.Time{})
	must(t, err)
	if len(list) != 1 {
		t.Fatalf("xls assignments: %+v", list)
	}
	work := map[int64]int64{}
	for _, id := range []int64{42, pptTeacher} {
		must(t, h.Say(ctx, id, id, fmt.Sprintf("/start submit-%d", list[0].ID)))
		must(t, h.Say(ctx, id, id, fmt.Sprintf("table of %d", id)))
		subs, err := h.App.Store().Submissions(ctx, id)
		must(t, err)
		if len(subs) != 1 {
			t.Fatalf("submissions of %d: %+v", id, subs)
		}
		work[id] = subs[0].ID
	}

	refused := func(what, want string) {
		t.Helper()
		if last, _ := h.LastBotMessage(pptTeacher); !strings.Contains(last.Text, want) {
			t.Errorf("%s: %q, want %q", what, last.Text, want)
		}
	}
	must(t, h.Say(ctx, pptTeacher, pptTeacher, "/review"))
	refused("/review", "没有等待批改")
	must(t, h.Say(ctx, pptTeacher, pptTeacher, "/queue"))
	refused("/queue", "待批改 0 份")
	must(t, h.Say(ctx, pptTeacher, pptTeacher, fmt.Sprintf("/grade %d 100", work[42])))
	refused("/grade of xls work", "只有本课程的老师和助教")
	must(t, h.Say(ctx, pptTeacher, pptTeacher, "/top xls all"))
	refused("/top xls", "只有本课程的老师和助教")
	forged := tgbotapi.Update{UpdateID: 999999, CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "forged", From: &tgbotapi.User{ID: pptTeacher, FirstName: "T601", UserName: "staff601", LanguageCode: "zh"}, Data: fmt.Sprintf("rv:%d:e", work[42]),
		Message: &tgbotapi.Message{MessageID: 1, Chat: &tgbotapi.Chat{ID: pptTeacher, Type: "private"}},
	}}
	must(t, h.App.HandleUpdate(ctx, forged))
	refused("a forged grade button", "只有本课程的老师和助教")

	// The xls assistant gets the oldest first and grades it; the teacher
	// enrolled in xls cannot grade their own, even as an owner would.
	must(t, h.Say(ctx, xlsAssistant, xlsAssistant, "/review"))
	if last, _ := h.LastBotMessage(xlsAssistant); !strings.Contains(last.Text, "table of 42") {
		t.Fatalf("the xls assistant's card: %q", last.Text)
	}
	must(t, h.Say(ctx, h.Owner, h.Owner, "/grant teacher @staff601"))
	must(t, h.Say(ctx, pptTeacher, pptTeacher, fmt.Sprintf("/grade %d 100", work[pptTeacher])))
	refused("/grade of one's own work", "不能批改自己的作业")
	must(t, h.Say(ctx, pptTeacher, pptTeacher, "/review"))
	if last, _ := h.LastBotMessage(pptTeacher); strings.Contains(last.Text, fmt.Sprintf("table of %d", pptTeacher)) {
		t.Errorf("/review gave the teacher their own work: %q", last.Text)
	}
	for id, sid := range work {
		sub, err := h.App.Store().Submission(ctx, sid)
		must(t, err)
		if sub.State != assignments.StatePending || sub.ReviewedBy != 0 {
			t.Errorf("work of %d after the refusals: %+v", id, sub)
		}
	}
}
