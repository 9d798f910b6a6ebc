package demo

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
)

const (
	teacher1 = 501
	teacher2 = 502
)

// classroom is a community with one student group, teachers granted by
// the owner and enrolled students.
func classroom(t *testing.T, h *Harness, students ...int64) int64 {
	t.Helper()
	g := community(t, h, 50)
	for _, id := range []int64{teacher1, teacher2} {
		h.TG.AddUser(telegramtest.User{ID: id, FirstName: fmt.Sprint("T", id), Username: fmt.Sprint("teacher", id), LanguageCode: "zh"})
		must(t, h.Say(t.Context(), id, id, "/start"))
		must(t, h.Say(t.Context(), h.Owner, h.Owner, fmt.Sprintf("/grant teacher @Teacher%d", id)))
		if last, _ := h.LastBotMessage(h.Owner); !strings.Contains(last.Text, "已授予") {
			t.Fatalf("grant: %q", last.Text)
		}
	}
	for _, id := range students {
		buyer(t, h, id, "en")
		_, err := h.Paid(t.Context(), id, 1)
		must(t, err)
	}
	return g
}

// publish has teacher1 publish an assignment due in a week and returns it.
func publish(t *testing.T, h *Harness, title string) assignments.Assignment {
	t.Helper()
	due := h.Clock.Now().Add(7 * 24 * time.Hour).In(h.Config.Location()).Format("2006-01-02")
	must(t, h.Say(t.Context(), teacher1, teacher1, fmt.Sprintf("/assign ppt %s 100 %s | make one slide", due, title)))
	last, _ := h.LastBotMessage(teacher1)
	if !strings.Contains(last.Text, "已发布") {
		t.Fatalf("assign: %q", last.Text)
	}
	list, err := h.App.Store().Assignments(t.Context(), []string{"ppt"}, time.Time{})
	must(t, err)
	return list[len(list)-1]
}

func submitText(t *testing.T, h *Harness, student int64, a assignments.Assignment, text string) {
	t.Helper()
	must(t, h.Say(t.Context(), student, student, fmt.Sprintf("/start submit-%d", a.ID)))
	must(t, h.Say(t.Context(), student, student, text))
}

func TestStudentsCannotUseTeacherCommands(t *testing.T) {
	h := mustStart(t)
	classroom(t, h, 42)
	a := publish(t, h, "Cover")
	submitText(t, h, 42, a, "my work")
	for _, cmd := range []string{"/review", "/grade 1 100", "/assign ppt - 100 x | y", "/top", "/queue"} {
		must(t, h.Say(t.Context(), 42, 42, cmd))
		last, _ := h.LastBotMessage(42)
		if !strings.Contains(last.Text, "only the course's teachers") {
			t.Errorf("%s by a student: %q", cmd, last.Text)
		}
	}
	must(t, h.Say(t.Context(), 42, 42, "/grant teacher @teacher501"))
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "Only the community's owners") {
		t.Errorf("/grant by a student: %q", last.Text)
	}
	subs, err := h.App.Store().Submissions(t.Context(), 42)
	must(t, err)
	if len(subs) != 1 || subs[0].State != assignments.StatePending {
		t.Fatalf("a student's command changed the work: %+v", subs)
	}
}

func TestHomeworkFromAssignmentToRanking(t *testing.T) {
	h := mustStart(t)
	g := classroom(t, h, 42, 43)
	a := publish(t, h, "Cover")
	// Announced and pinned in the group, with a way to the private chat.
	ann, _ := h.LastBotMessage(g)
	if !strings.Contains(ann.Text, "Cover") || !ann.Pinned {
		t.Fatalf("announcement: %+v", ann)
	}
	if url, _ := h.LinkButton(g, "https://t.me/shequn_bot?start=submit-"); url == "" {
		t.Fatal("the announcement has no submit button")
	}
	// 42 hands in a photo, then replaces it with a link before review.
	must(t, h.Say(t.Context(), 42, 42, fmt.Sprintf("/start submit-%d", a.ID)))
	_, photo, err := h.TG.SendPhoto(42, 42, "first try")
	must(t, err)
	must(t, h.Step(t.Context()))
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "Version 1") {
		t.Fatalf("photo submission: %q", last.Text)
	}
	submitText(t, h, 42, a, "https://example.com/my-slides")
	versions, err := h.App.Store().Versions(t.Context(), a.ID, 42)
	must(t, err)
	if len(versions) != 2 || versions[0].State != assignments.StateSuperseded || versions[0].Content.FileIDs[0] != photo ||
		versions[1].Content.Kind != assignments.ContentLink {
		t.Fatalf("versions: %+v", versions)
	}
	// 43 hands in a document.
	must(t, h.Say(t.Context(), 43, 43, "/submit"))
	must(t, h.Press(t.Context(), 43, 43, fmt.Sprintf("sub:%d", a.ID)))
	_, _, err = h.TG.SendDocument(43, 43, "cover.pptx", "")
	must(t, err)
	must(t, h.Step(t.Context()))

	// The teacher reviews: the oldest first (42's link), with buttons.
	must(t, h.Say(t.Context(), teacher1, teacher1, "/review"))
	card, _ := h.LastBotMessage(teacher1)
	if !strings.Contains(card.Text, "https://example.com/my-slides") || !strings.Contains(card.Text, "PPT-00001") {
		t.Fatalf("review card: %q", card.Text)
	}
	must(t, h.Press(t.Context(), teacher1, teacher1, fmt.Sprintf("rv:%d:g", versions[1].ID)))
	must(t, h.Say(t.Context(), teacher1, teacher1, "清晰，配色可以再统一"))
	fb, _ := h.LastBotMessage(42)
	if !strings.Contains(fb.Text, "good, 80 / 100") || !strings.Contains(fb.Text, "配色可以再统一") {
		t.Fatalf("feedback DM: %q", fb.Text)
	}
	// Next: 43's document is shown again by its file id, graded with a score button.
	must(t, h.Say(t.Context(), teacher1, teacher1, "/review"))
	if m := h.TG.BotMessages(teacher1); m[len(m)-2].DocumentFileID == "" {
		t.Fatal("the document was not shown to the teacher")
	}
	subs43, err := h.App.Store().Submissions(t.Context(), 43)
	must(t, err)
	must(t, h.Press(t.Context(), teacher1, teacher1, fmt.Sprintf("rs:%d:90", subs43[0].ID)))
	must(t, h.Say(t.Context(), teacher1, teacher1, "/skip"))
	if fb, _ := h.LastBotMessage(43); !strings.Contains(fb.Text, "excellent, 90 / 100") {
		t.Fatalf("feedback DM to 43: %q", fb.Text)
	}
	must(t, h.Say(t.Context(), teacher1, teacher1, "/review"))
	if last, _ := h.LastBotMessage(teacher1); !strings.Contains(last.Text, "没有等待批改") {
		t.Fatalf("empty queue: %q", last.Text)
	}

	// Students see their work and place; the teacher the leaderboard.
	must(t, h.Say(t.Context(), 42, 42, "/mywork"))
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "good, 80 points") {
		t.Fatalf("/mywork: %q", last.Text)
	}
	must(t, h.Say(t.Context(), 42, 42, "/rank"))
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "This week: #2 with 80 points") {
		t.Fatalf("/rank: %q", last.Text)
	}
	must(t, h.Say(t.Context(), teacher1, teacher1, "/top ppt all"))
	if last, _ := h.LastBotMessage(teacher1); !strings.Contains(last.Text, "1. PPT-00002 — 90") || !strings.Contains(last.Text, "2. PPT-00001 — 80") {
		t.Fatalf("/top: %q", last.Text)
	}
	must(t, h.Say(t.Context(), teacher1, teacher1, "/queue"))
	if last, _ := h.LastBotMessage(teacher1); !strings.Contains(last.Text, "待批改 0 份") || !strings.Contains(last.Text, "@teacher501 2 份") {
		t.Fatalf("/queue: %q", last.Text)
	}

	// A corrected grade corrects the ledger.
	must(t, h.Say(t.Context(), teacher2, teacher2, fmt.Sprintf("/grade %d 100 更正", versions[1].ID)))
	must(t, h.Say(t.Context(), 42, 42, "/rank"))
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "This week: #1 with 100 points") {
		t.Fatalf("/rank after the correction: %q", last.Text)
	}
}

func TestTwoTeachersNeverReviewTheSameSubmission(t *testing.T) {
	h := mustStart(t)
	classroom(t, h, 42, 43, 44)
	a := publish(t, h, "Cover")
	for _, s := range []int64{42, 43, 44} {
		submitText(t, h, s, a, fmt.Sprint("work of ", s))
	}
	// Both ask at once: their updates are handled in parallel.
	h.TG.SendText(teacher1, teacher1, "/review")
	h.TG.SendText(teacher2, teacher2, "/review")
	must(t, h.Step(t.Context()))
	c1, _ := h.LastBotMessage(teacher1)
	c2, _ := h.LastBotMessage(teacher2)
	id1, id2 := strings.Fields(c1.Text)[0], strings.Fields(c2.Text)[0]
	if id1 == id2 {
		t.Fatalf("both teachers got %s", id1)
	}
	// teacher2 cannot grade what teacher1 holds, by button or by command.
	var held int64
	fmt.Sscanf(id1, "#%d", &held)
	must(t, h.Say(t.Context(), teacher2, teacher2, fmt.Sprintf("/grade %d 100", held)))
	if last, _ := h.LastBotMessage(teacher2); !strings.Contains(last.Text, "另一位老师正在批改") {
		t.Fatalf("grading a held submission: %q", last.Text)
	}
	// The hold ends when teacher1 walks away.
	h.Clock.Advance(31 * time.Minute)
	must(t, h.Say(t.Context(), teacher2, teacher2, fmt.Sprintf("/grade %d 100", held)))
	if last, _ := h.LastBotMessage(teacher2); !strings.Contains(last.Text, "已通知学员") {
		t.Fatalf("grading after the hold ended: %q", last.Text)
	}
}

// Callback data is only a request: the server checks who may do what.
func TestForgedCallbackChangesNothing(t *testing.T) {
	h := mustStart(t)
	classroom(t, h, 42, 43)
	a := publish(t, h, "Cover")
	submitText(t, h, 42, a, "mine")
	subs, _ := h.App.Store().Submissions(t.Context(), 42)
	forged := tgbotapi.Update{UpdateID: 999999, CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "forged", From: &tgbotapi.User{ID: 43, FirstName: "U43", LanguageCode: "en"}, Data: fmt.Sprintf("rv:%d:e", subs[0].ID),
		Message: &tgbotapi.Message{MessageID: 1, Chat: &tgbotapi.Chat{ID: 43, Type: "private"}},
	}}
	if err := h.App.HandleUpdate(t.Context(), forged); err != nil {
		t.Fatal(err)
	}
	if last, _ := h.LastBotMessage(43); !strings.Contains(last.Text, "only the course's teachers") {
		t.Fatalf("forged grade: %q", last.Text)
	}
	after, _ := h.App.Store().Submissions(t.Context(), 42)
	if after[0].State != assignments.StatePending || after[0].HeldBy != 0 {
		t.Fatalf("a forged callback changed the submission: %+v", after[0])
	}
}

func TestRedoReopensTheWork(t *testing.T) {
	h := mustStart(t)
	classroom(t, h, 42)
	a := publish(t, h, "Cover")
	submitText(t, h, 42, a, "draft")
	subs, _ := h.App.Store().Submissions(t.Context(), 42)
	must(t, h.Say(t.Context(), teacher1, teacher1, fmt.Sprintf("/grade %d redo 缺少图表", subs[0].ID)))
	if fb, _ := h.LastBotMessage(42); !strings.Contains(fb.Text, "needs to be redone") || !strings.Contains(fb.Text, "缺少图表") {
		t.Fatalf("redo feedback: %q", fb.Text)
	}
	submitText(t, h, 42, a, "with the chart")
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "Version 2") {
		t.Fatalf("resubmission after redo: %q", last.Text)
	}
	// A work reviewed for good cannot be replaced.
	now, _ := h.App.Store().Submissions(t.Context(), 42)
	must(t, h.Say(t.Context(), teacher1, teacher1, fmt.Sprintf("/grade %d 95", now[0].ID)))
	submitText(t, h, 42, a, "one more")
	if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, "reviewed already") {
		t.Fatalf("resubmission after review: %q", last.Text)
	}
}

func TestLateWork(t *testing.T) {
	cases := []struct {
		policy string
		reply  string
		score  int
	}{
		{"accept", "marked late", 80},
		{"penalty", "marked late", 60}, // 80 less 25%
		{"refuse", "no longer takes submissions", -1},
	}
	for _, c := range cases {
		t.Run(c.policy, func(t *testing.T) {
			h, err := Start(t.Context(), func(cfg *config.Config, _ *app.Options) {
				cfg.Homework.LatePolicy, cfg.Homework.LatePenalty = c.policy, 25
			})
			must(t, err)
			defer h.Close()
			classroom(t, h, 42)
			a := publish(t, h, "Cover")
			h.Clock.Advance(8 * 24 * time.Hour)
			submitText(t, h, 42, a, "sorry, late")
			if last, _ := h.LastBotMessage(42); !strings.Contains(last.Text, c.reply) {
				t.Fatalf("late submission: %q", last.Text)
			}
			if c.score < 0 {
				return
			}
			subs, _ := h.App.Store().Submissions(t.Context(), 42)
			must(t, h.Say(t.Context(), teacher1, teacher1, fmt.Sprintf("/grade %d good", subs[0].ID)))
			subs, _ = h.App.Store().Submissions(t.Context(), 42)
			if subs[0].Score != c.score || !subs[0].Late {
				t.Fatalf("late score = %d (late %v), want %d", subs[0].Score, subs[0].Late, c.score)
			}
		})
	}
}

func TestDailyDigestAndGuidedAssign(t *testing.T) {
	h := mustStart(t)
	classroom(t, h, 42)
	// The guided dialogue.
	// One course: the dialogue does not ask for it.
	for _, line := range []string{"/assign", "第二课：图表", "-", "50", "用图表讲一个故事"} {
		must(t, h.Say(t.Context(), teacher1, teacher1, line))
	}
	if last, _ := h.LastBotMessage(teacher1); !strings.Contains(last.Text, "第二课：图表") || !strings.Contains(last.Text, "已发布") {
		t.Fatalf("guided /assign: %q", last.Text)
	}
	list, _ := h.App.Store().Assignments(t.Context(), nil, time.Time{})
	submitText(t, h, 42, list[0], "a story")
	must(t, h.App.Homework.Digest(t.Context(), h.Clock.Now()))
	for _, id := range []int64{teacher1, teacher2, h.Owner} {
		if last, _ := h.LastBotMessage(id); !strings.Contains(last.Text, "1 份作业等待批改") {
			t.Errorf("digest to %d: %q", id, last.Text)
		}
	}
}

func TestRevokedTeacherLosesTheRole(t *testing.T) {
	h := mustStart(t)
	classroom(t, h)
	must(t, h.Say(t.Context(), h.Owner, h.Owner, "/revoke teacher @teacher501"))
	must(t, h.Say(t.Context(), teacher1, teacher1, "/review"))
	if last, _ := h.LastBotMessage(teacher1); !strings.Contains(last.Text, "只有本课程的老师和助教") {
		t.Fatalf("/review after revoke: %q", last.Text)
	}
}

// An announcement that reached only some groups is finished later without
// posting twice where it arrived.
func TestAnnouncementResumesWithoutDuplicates(t *testing.T) {
	h := mustStart(t)
	g1 := classroom(t, h, 42)
	g2 := h.Group("学员群 2", telegramtest.FullAdminRights())
	must(t, h.Say(t.Context(), h.Owner, g2, "/register student ppt 5"))
	// The bot is taken out of the second group before the announcement.
	must(t, h.TG.RemoveBot(g2, false))
	publish(t, h, "Cover")
	count := func(chat int64) int { return count(botTexts(h, chat), "Cover") }
	if count(g1) != 1 || count(g2) != 0 {
		t.Fatalf("after a partial announcement: %d in group 1, %d in group 2", count(g1), count(g2))
	}
	// The bot is back; the next pass finishes the announcement.
	must(t, h.TG.AddBotAdmin(g2, telegramtest.FullAdminRights()))
	must(t, h.Step(t.Context()))
	must(t, h.Step(t.Context()))
	if count(g1) != 1 || count(g2) != 1 {
		t.Fatalf("after the resumed announcement: %d in group 1, %d in group 2, want 1 and 1", count(g1), count(g2))
	}
}

// A grant gives the teacher a menu of their own with the teachers'
// commands; the students' menu never lists them.
func TestGrantGivesTheTeacherTheirMenu(t *testing.T) {
	h := mustStart(t)
	classroom(t, h)
	var mine, students []string
	for _, c := range h.TG.Commands(telegramtest.CommandScope{Type: "chat", ChatID: teacher1}, "zh") {
		mine = append(mine, c.Command)
	}
	for _, c := range h.TG.Commands(telegramtest.CommandScope{Type: "all_private_chats"}, "zh") {
		students = append(students, c.Command)
	}
	if !slices.Contains(mine, "grade") || !slices.Contains(mine, "review") || !slices.Contains(mine, "submit") {
		t.Errorf("the teacher's menu = %v", mine)
	}
	if slices.Contains(students, "grade") {
		t.Errorf("the students' menu lists /grade: %v", students)
	}
}
