package demo

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
)

func units(s string) int { return len(utf16.Encode([]rune(s))) }

// since returns the bot's messages in a chat after the first n.
func since(h *Harness, chat int64, n int) []telegramtest.Message {
	return h.TG.BotMessages(chat)[n:]
}

func joined(ms []telegramtest.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Text)
	}
	return strings.Join(strings.Fields(b.String()), "")
}

// A student's text and a teacher's comment as long as Telegram lets them
// be (4096 UTF-16 units, in CJK and in emoji) go through the whole review:
// the card shows all of it with its buttons, the student gets the whole
// comment, /mywork shows it, and the teacher is told only what happened.
func TestLongWorkAndCommentGoThroughTheReview(t *testing.T) {
	work := map[string]string{
		"cjk":   strings.Repeat("封面配色统一，字体清晰。", 4096/12) + strings.Repeat("好", 4096%12),
		"emoji": strings.Repeat("🎨", 2048),
	}
	comment := strings.Repeat("👍", 1000) + strings.Repeat("配色<再>统一 & ", 4096/10-200)
	for name, text := range work {
		t.Run(name, func(t *testing.T) {
			if units(text) != 4096 || units(comment) > 4096 || units(comment) < 4000 {
				t.Fatalf("units: work %d, comment %d", units(text), units(comment))
			}
			h := mustStart(t)
			classroom(t, h, 42)
			a := publish(t, h, "Cover & <colours>")
			submitText(t, h, 42, a, text)
			if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "Version 1") {
				t.Fatalf("submission: %q", last.Text)
			}
			n := len(h.TG.BotMessages(teacher1))
			must(t, h.Say(t.Context(), teacher1, teacher1, "/review"))
			card := since(h, teacher1, n)
			if len(card) != 2 || card[1].ReplyMarkup == nil || card[0].ReplyMarkup != nil {
				t.Fatalf("card: %d messages", len(card))
			}
			if !strings.Contains(joined(card), strings.Join(strings.Fields(text), "")) || !strings.Contains(card[0].Text, "Cover & <colours>") {
				t.Fatal("the card does not show the whole work")
			}
			subs, err := h.App.Store().Submissions(t.Context(), 42)
			must(t, err)
			must(t, h.Press(t.Context(), teacher1, teacher1, fmt.Sprintf("rv:%d:g", subs[0].ID)))
			n42 := len(h.TG.BotMessages(42))
			must(t, h.Say(t.Context(), teacher1, teacher1, comment))
			if last, _ := h.LastBotMessage(teacher1); !strings.Contains(last.Text, "已通知学员") {
				t.Fatalf("teacher told: %q", last.Text)
			}
			fb := since(h, 42, n42)
			if len(fb) != 2 || !strings.Contains(fb[0].Text, "good, 80 / 100") || !strings.Contains(joined(fb), strings.Join(strings.Fields(comment), "")) {
				t.Fatalf("feedback: %d messages", len(fb))
			}
			n42 = len(h.TG.BotMessages(42))
			must(t, h.Say(t.Context(), 42, 42, "/mywork"))
			if mw := since(h, 42, n42); len(mw) != 2 || !strings.Contains(joined(mw), strings.Join(strings.Fields(comment), "")) {
				t.Fatalf("/mywork: %d messages", len(mw))
			}
		})
	}
}

// Long lists page with buttons, every page within Telegram's limit.
func TestMyWorkAndAssignmentsPage(t *testing.T) {
	h := mustStart(t)
	classroom(t, h, 42)
	for i := range 6 {
		a := publish(t, h, fmt.Sprintf("Lesson %d: %s", i+1, strings.Repeat("长", 80)))
		submitText(t, h, 42, a, "work")
		subs, err := h.App.Store().Submissions(t.Context(), 42)
		must(t, err)
		must(t, h.Say(t.Context(), teacher1, teacher1, fmt.Sprintf("/grade %d 90 %s", subs[0].ID, strings.Repeat("评", 900))))
	}
	must(t, h.Say(t.Context(), 42, 42, "/mywork"))
	first, _ := h.LastBotMessage(42)
	if !strings.Contains(first.Text, "(page 1 of 2)") || len(first.ReplyMarkup) != 1 || first.ReplyMarkup[0][0].CallbackData != "mw:1" {
		t.Fatalf("/mywork page 1: %q %+v", first.Text[:40], first.ReplyMarkup)
	}
	must(t, h.Press(t.Context(), 42, 42, "mw:1"))
	second, _ := h.LastBotMessage(42)
	if !strings.Contains(second.Text, "(page 2 of 2)") || second.ReplyMarkup[0][0].CallbackData != "mw:0" || len(second.ReplyMarkup[0]) != 1 {
		t.Fatalf("/mywork page 2: %q %+v", second.Text[:40], second.ReplyMarkup)
	}
	if got := strings.Count(first.Text+second.Text, "Lesson "); got != 6 {
		t.Fatalf("the pages show %d works, want 6", got)
	}
	for i := range 30 {
		if i%15 == 0 {
			h.Clock.Advance(time.Minute) // a teacher too may send 20 commands a minute
		}
		publish(t, h, fmt.Sprintf("Extra %d: %s", i, strings.Repeat("长", 90)))
	}
	must(t, h.Say(t.Context(), 42, 42, "/assignments"))
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "(page 1 of 2)") || last.ReplyMarkup[0][0].CallbackData != "as:1" {
		t.Fatalf("/assignments: %+v", last.ReplyMarkup)
	}
	must(t, h.Press(t.Context(), 42, 42, "as:1"))
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "Extra 29") {
		t.Fatalf("/assignments page 2: %q", last.Text)
	}
}

// A card Telegram refuses does not keep the work held: the next reviewer
// gets it at once.
func TestUnshownCardIsReleased(t *testing.T) {
	h := mustStart(t)
	classroom(t, h, 42)
	a := publish(t, h, "Cover")
	submitText(t, h, 42, a, "my work")
	h.TG.FailNext("sendMessage", 1, 400, "Bad Request: message is too long")
	must(t, h.Say(t.Context(), teacher1, teacher1, "/review"))
	must(t, h.Say(t.Context(), teacher2, teacher2, "/review"))
	if last, _ := h.LastBotMessage(teacher2); !strings.Contains(last.Text, "my work") {
		t.Fatalf("second reviewer: %q", last.Text)
	}
}

// A reviewer is not told the student was notified when the DM failed.
func TestReviewerToldWhenFeedbackIsNotDelivered(t *testing.T) {
	h := mustStart(t)
	classroom(t, h, 42)
	a := publish(t, h, "Cover")
	submitText(t, h, 42, a, "my work")
	must(t, h.TG.BlockBot(42))
	subs, err := h.App.Store().Submissions(t.Context(), 42)
	must(t, err)
	must(t, h.Say(t.Context(), teacher1, teacher1, fmt.Sprintf("/grade %d 90 ok", subs[0].ID)))
	if last, _ := h.LastBotMessage(teacher1); !strings.Contains(last.Text, "学员暂时收不到私信") {
		t.Fatalf("teacher told: %q", last.Text)
	}
}

// Button labels are plain text: Telegram does not parse HTML in them.
func TestButtonLabelsArePlainText(t *testing.T) {
	nw := &noWait{}
	h, err := Start(t.Context(), func(c *config.Config, o *app.Options) {
		c.Courses[0].Title = "PPT & Excel <进阶>"
		o.SenderOptions = append(o.SenderOptions, bot.WithClock(time.Now, nw.sleep))
	})
	must(t, err)
	t.Cleanup(func() { must(t, h.Close()) })
	classroom(t, h, 42)
	publish(t, h, "Cover & <colours>")
	buyer(t, h, 43, "en")
	must(t, h.Say(t.Context(), 43, 43, "/start"))
	start, _ := h.LastBotMessage(43)
	if !strings.Contains(start.Text, "PPT & Excel <进阶>") || start.ReplyMarkup[0][0].Text != "Buy: PPT & Excel <进阶>" {
		t.Fatalf("/start: %q, buttons %+v", start.Text, start.ReplyMarkup)
	}
	must(t, h.Say(t.Context(), 42, 42, "/submit"))
	if last, _ := h.LastBotMessage(42); last.ReplyMarkup[0][0].Text != "#1 Cover & <colours>" {
		t.Fatalf("/submit buttons: %+v", last.ReplyMarkup)
	}
}

// A due date years too far (2300 for 2030) is refused with the latest date
// allowed, in one line and in the dialogue; one a few years ahead is kept.
func TestDueDatesInRange(t *testing.T) {
	h := mustStart(t)
	classroom(t, h)
	must(t, h.Say(t.Context(), teacher1, teacher1, "/assign ppt 2300-01-01 100 Far | away"))
	latest := h.Clock.Now().AddDate(5, 0, 0).In(h.Config.Location()).Format("2006-01-02")
	if last, _ := h.LastBotMessage(teacher1); !strings.Contains(last.Text, "最多设在 5 年之内") || !strings.Contains(last.Text, latest) {
		t.Fatalf("2300: %q", last.Text)
	}
	for _, say := range []string{"/assign", "Far", "2300-01-01 09:00"} {
		must(t, h.Say(t.Context(), teacher1, teacher1, say))
	}
	if last, _ := h.LastBotMessage(teacher1); !strings.Contains(last.Text, "最多设在 5 年之内") {
		t.Fatalf("2300 in the dialogue: %q", last.Text)
	}
	must(t, h.Say(t.Context(), teacher1, teacher1, "/cancel"))
	due := h.Clock.Now().AddDate(4, 0, 0).In(h.Config.Location())
	must(t, h.Say(t.Context(), teacher1, teacher1, "/assign ppt "+due.Format("2006-01-02")+" 100 Later | on"))
	list, err := h.App.Store().Assignments(t.Context(), []string{"ppt"}, time.Time{})
	must(t, err)
	if len(list) != 1 || list[0].Due.In(h.Config.Location()).Format("2006-01-02 15:04") != due.Format("2006-01-02")+" 23:59" {
		t.Fatalf("stored %+v", list)
	}
}

// /grant @name confirms the person it resolved (name, id, member number),
// and refuses a name two people had or one not seen for long.
func TestGrantResolvesThePerson(t *testing.T) {
	h := mustStart(t)
	community(t, h, 50)
	h.TG.AddUser(telegramtest.User{ID: 42, FirstName: "李华", Username: "li_hua", LanguageCode: "zh"})
	must(t, h.Say(t.Context(), 42, 42, "/start buy-ppt"))
	_, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/grant assistant @Li_Hua"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "李华 @li_hua（id 42，PPT-00001）") {
		t.Fatalf("grant: %q", last.Text)
	}

	// 60 was "zhang", then 61 took the name: the name alone names nobody.
	h.TG.AddUser(telegramtest.User{ID: 60, FirstName: "Old", Username: "zhang"})
	must(t, h.Say(t.Context(), 60, 60, "/start"))
	h.Clock.Advance(time.Hour)
	h.TG.AddUser(telegramtest.User{ID: 61, FirstName: "New", Username: "zhang"})
	must(t, h.Say(t.Context(), 61, 61, "/start"))
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/grant teacher @zhang"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "先后属于多个用户（id 61, 60）") {
		t.Fatalf("ambiguous grant: %q", last.Text)
	}

	// A name last seen 40 days ago is not trusted; the person's reply is.
	h.TG.AddUser(telegramtest.User{ID: 62, FirstName: "Wang", Username: "wang"})
	must(t, h.Say(t.Context(), 62, 62, "/start"))
	h.Clock.Advance(40 * 24 * time.Hour)
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/grant teacher @wang"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "已经 40 天没有出现过") || !strings.Contains(last.Text, "超过 30 天") {
		t.Fatalf("stale grant: %q", last.Text)
	}
	for _, id := range []int64{60, 61, 62} {
		if gs, err := h.App.Store().Grants(t.Context(), id); err != nil || len(gs) != 0 {
			t.Fatalf("grants of %d: %v %v", id, gs, err)
		}
	}
	// Seen again, the name is trusted again.
	must(t, h.Say(t.Context(), 62, 62, "/me"))
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/grant teacher @wang"))
	if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "Wang @wang（id 62，非学员）") {
		t.Fatalf("grant after being seen: %q", last.Text)
	}
}

// /queue lists this week's reviewers in one line while they fit, in
// pages with buttons when they do not.
func TestQueuePages(t *testing.T) {
	h := mustStart(t)
	classroom(t, h, 42)
	a := publish(t, h, "Cover")
	submitText(t, h, 42, a, "my work")
	subs, err := h.App.Store().Submissions(t.Context(), 42)
	must(t, err)
	for i := range 400 {
		_, err := h.App.Store().ApplyReview(t.Context(), assignments.Review{
			SubmissionID: subs[0].ID, Reviewer: int64(700000 + i), Grade: assignments.GradeGood, Score: 80,
			At: h.Clock.Now(), Keys: assignments.KeysAt(subs[0].SubmittedAt, h.Config.Location()),
		})
		must(t, err)
	}
	must(t, h.Say(t.Context(), teacher1, teacher1, "/queue"))
	first, _ := h.LastBotMessage(teacher1)
	if !strings.Contains(first.Text, "本周批改：见下（第 1/2 页）") || first.ReplyMarkup[0][0].CallbackData != "qu:1" {
		t.Fatalf("/queue: %q… %+v", first.Text[:60], first.ReplyMarkup)
	}
	must(t, h.Press(t.Context(), teacher1, teacher1, "qu:1"))
	second, _ := h.LastBotMessage(teacher1)
	if got := strings.Count(first.Text+second.Text, " 1 份"); got != 400 {
		t.Fatalf("the pages list %d reviewers, want 400", got)
	}
}
