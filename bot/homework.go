package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/membership"
)

// dialogueFor is how long the bot waits for the answer to its question.
const dialogueFor = 30 * time.Minute

// Dialogue kinds.
const (
	askSubmission = "submit"  // data: assignment id
	askComment    = "comment" // data: submission id|grade|score
	askAssignment = "assign"  // data: the draft so far, see draft
)

func (b *Bot) ask(ctx context.Context, userID int64, kind, data string) error {
	if err := b.Dialogues.SetDialogue(ctx, userID, kind, data, b.Now().Add(dialogueFor)); err != nil {
		return fmt.Errorf("remember the question: %w", err)
	}
	return nil
}

// answer takes a private message as the answer to the open question, or
// shows the help when there is none.
func (b *Bot) answer(ctx context.Context, r *Request) error {
	kind, data, expires, err := b.Dialogues.Dialogue(ctx, r.From.ID)
	if err != nil {
		return fmt.Errorf("read dialogue: %w", err)
	}
	if kind == "" || b.Now().After(expires) {
		return b.help(ctx, r)
	}
	switch kind {
	case askSubmission:
		return b.submitted(ctx, r, data)
	case askComment:
		return b.commented(ctx, r, data, strings.TrimSpace(r.Message.Text))
	case askAssignment:
		return b.assignStep(ctx, r, data)
	}
	return b.help(ctx, r)
}

func (b *Bot) cancel(ctx context.Context, r *Request) error {
	kind, data, _, err := b.Dialogues.Dialogue(ctx, r.From.ID)
	if err != nil {
		return fmt.Errorf("read dialogue: %w", err)
	}
	if kind == "" {
		return b.reply(ctx, r, T(r.Lang, "nothing_to_do"), nil)
	}
	if kind == askComment {
		if id, _, ok := strings.Cut(data, "|"); ok {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				b.Homework.Release(ctx, r.From.ID, n)
			}
		}
	}
	if err := b.Dialogues.ClearDialogue(ctx, r.From.ID); err != nil {
		return fmt.Errorf("clear dialogue: %w", err)
	}
	return b.reply(ctx, r, T(r.Lang, "cancelled"), nil)
}

// date shows a time in the community's zone.
func (b *Bot) date(lang Lang, t time.Time) string {
	if t.IsZero() {
		return T(lang, "assign.no_due")
	}
	return t.In(b.Location).Format("2006-01-02 15:04")
}

// reviewedCourses lists the courses the sender reviews, in the order
// they are offered.
func (b *Bot) reviewedCourses(who Who) []string {
	if !who.StaffAll {
		return who.StaffOf
	}
	var courses []string
	for _, c := range b.Courses {
		courses = append(courses, c.ID)
	}
	return courses
}

// visibleCourses lists the courses whose assignments the sender may see:
// as a student and as a reviewer.
func (b *Bot) visibleCourses(who Who) []string {
	return append(slices.Clone(who.StudentOf), b.reviewedCourses(who)...)
}

func (b *Bot) listAssignments(ctx context.Context, r *Request) error {
	return b.assignmentsPage(ctx, r, 0)
}

// assignmentsPageButton shows another page of /assignments.
func (b *Bot) assignmentsPageButton(ctx context.Context, r *Request) error {
	if n, ok := pageOf(r); ok {
		return b.assignmentsPage(ctx, r, n)
	}
	return nil
}

func (b *Bot) assignmentsPage(ctx context.Context, r *Request, page int) error {
	courses := b.visibleCourses(r.Who)
	var list []assignments.Assignment
	var err error
	if len(courses) > 0 {
		if list, err = b.Homework.Store.Assignments(ctx, courses, b.Now()); err != nil {
			return fmt.Errorf("list assignments: %w", err)
		}
	}
	if len(list) == 0 {
		return b.reply(ctx, r, T(r.Lang, "assignments.none"), nil)
	}
	var lines []string
	for _, a := range list {
		lines = append(lines, T(r.Lang, "assignments.line", a.ID, a.Title, a.MaxScore, b.date(r.Lang, a.Due)))
	}
	return b.sendPage(ctx, r, T(r.Lang, "assignments.header"), lines, page, "as")
}

// submitCommand asks which open assignment to hand in, or goes straight to
// the one named ("/submit 7").
func (b *Bot) submitCommand(ctx context.Context, r *Request) error {
	if len(r.Args) > 0 {
		return b.startSubmission(ctx, r, strings.TrimPrefix(r.Args[0], "#"))
	}
	courses := r.Who.StudentOf
	if len(courses) == 0 {
		return b.reply(ctx, r, T(r.Lang, "not_enrolled"), nil)
	}
	list, err := b.Homework.Store.Assignments(ctx, courses, time.Time{})
	if err != nil {
		return fmt.Errorf("list assignments: %w", err)
	}
	if len(list) == 0 {
		return b.reply(ctx, r, T(r.Lang, "assignments.none"), nil)
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, a := range list {
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
			Label(r.Lang, "submit.button", a.ID, truncate(a.Title, 40)), fmt.Sprintf("sub:%d", a.ID))))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return b.reply(ctx, r, T(r.Lang, "submit.choose"), &kb)
}

func (b *Bot) submitChosen(ctx context.Context, r *Request) error {
	if !r.Private {
		return nil
	}
	return b.startSubmission(ctx, r, r.Payload)
}

// startSubmission opens the submission dialogue for an assignment.
func (b *Bot) startSubmission(ctx context.Context, r *Request, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return b.reply(ctx, r, T(r.Lang, "submit.unknown", id), nil)
	}
	a, err := b.Homework.Store.Assignment(ctx, n)
	if errors.Is(err, membership.ErrNotFound) {
		return b.reply(ctx, r, T(r.Lang, "submit.unknown", id), nil)
	}
	if err != nil {
		return fmt.Errorf("find assignment: %w", err)
	}
	en, err := b.Members.Enrollment(ctx, a.Course, r.From.ID)
	if err != nil || !en.Active() {
		return b.reply(ctx, r, T(r.Lang, "not_enrolled"), nil)
	}
	if err := b.ask(ctx, r.From.ID, askSubmission, id); err != nil {
		return err
	}
	return b.reply(ctx, r, T(r.Lang, "submit.ask", a.Title), nil)
}

// submitted takes the student's message as their work.
func (b *Bot) submitted(ctx context.Context, r *Request, data string) error {
	id, _ := strconv.ParseInt(data, 10, 64)
	c, ok := contentOf(r.Message)
	if !ok {
		return b.reply(ctx, r, T(r.Lang, "submit.bad"), nil)
	}
	sub, err := b.Homework.Submit(ctx, r.From.ID, id, c)
	a, aerr := b.Homework.Store.Assignment(ctx, id)
	if aerr != nil {
		return fmt.Errorf("find assignment: %w", aerr)
	}
	switch {
	case errors.Is(err, assignments.ErrTooLate):
		b.Dialogues.ClearDialogue(ctx, r.From.ID)
		return b.reply(ctx, r, T(r.Lang, "submit.too_late", a.Title), nil)
	case errors.Is(err, assignments.ErrReviewed):
		b.Dialogues.ClearDialogue(ctx, r.From.ID)
		return b.reply(ctx, r, T(r.Lang, "submit.reviewed"), nil)
	case errors.Is(err, assignments.ErrNotEnrolled):
		return b.reply(ctx, r, T(r.Lang, "not_enrolled"), nil)
	case membership.ErrorCode(err) == membership.CodeInvalid:
		return b.reply(ctx, r, T(r.Lang, "submit.bad"), nil)
	case err != nil:
		return err
	}
	if err := b.Dialogues.ClearDialogue(ctx, r.From.ID); err != nil {
		return fmt.Errorf("clear dialogue: %w", err)
	}
	key := "submit.ok"
	if sub.Late {
		key = "submit.ok_late"
	}
	return b.reply(ctx, r, T(r.Lang, key, a.Title, sub.Version), nil)
}

// contentOf reads a submission from a message: a photo (its largest size),
// a document, a link or text. Files stay on Telegram; only ids are kept.
func contentOf(m *tgbotapi.Message) (assignments.Content, bool) {
	switch {
	case len(m.Photo) > 0:
		return assignments.Content{Kind: assignments.ContentPhoto, Text: m.Caption, FileIDs: []string{m.Photo[len(m.Photo)-1].FileID}}, true
	case m.Document != nil:
		return assignments.Content{Kind: assignments.ContentDocument, Text: m.Caption, FileIDs: []string{m.Document.FileID}}, true
	}
	text := strings.TrimSpace(m.Text)
	switch {
	case text == "":
		return assignments.Content{}, false
	case !strings.ContainsAny(text, " \n") && (strings.HasPrefix(text, "https://") || strings.HasPrefix(text, "http://")):
		return assignments.Content{Kind: assignments.ContentLink, Text: text}, true
	}
	return assignments.Content{Kind: assignments.ContentText, Text: text}, true
}

func (b *Bot) gradeName(lang Lang, g assignments.Grade) string { return T(lang, "grade."+string(g)) }

func (b *Bot) myWork(ctx context.Context, r *Request) error { return b.myWorkPage(ctx, r, 0) }

// myWorkPageButton shows another page of /mywork.
func (b *Bot) myWorkPageButton(ctx context.Context, r *Request) error {
	if n, ok := pageOf(r); ok {
		return b.myWorkPage(ctx, r, n)
	}
	return nil
}

func (b *Bot) myWorkPage(ctx context.Context, r *Request, page int) error {
	subs, err := b.Homework.Store.Submissions(ctx, r.From.ID)
	if err != nil {
		return fmt.Errorf("list submissions: %w", err)
	}
	if len(subs) == 0 {
		return b.reply(ctx, r, T(r.Lang, "mywork.none"), nil)
	}
	var lines []string
	for _, s := range subs {
		a, err := b.Homework.Store.Assignment(ctx, s.AssignmentID)
		if err != nil {
			return fmt.Errorf("find assignment: %w", err)
		}
		late := ""
		if s.Late {
			late = T(r.Lang, "mywork.late")
		}
		var line string
		switch s.State {
		case assignments.StateReviewed:
			line = T(r.Lang, "mywork.reviewed", a.Title, s.Version, b.gradeName(r.Lang, s.Grade), s.Score, HTML(late))
		case assignments.StateRedo:
			line = T(r.Lang, "mywork.redo", a.Title, s.Version, HTML(late))
		default:
			line = T(r.Lang, "mywork.pending", a.Title, s.Version, HTML(late))
		}
		if s.Comment != "" {
			line += T(r.Lang, "mywork.comment", s.Comment)
		}
		lines = append(lines, line)
	}
	return b.sendPage(ctx, r, T(r.Lang, "mywork.header"), lines, page, "mw")
}

// rank shows a student their place in their course this week, this month
// and of all time.
func (b *Bot) rank(ctx context.Context, r *Request) error {
	courses := r.Who.StudentOf
	course := ""
	switch {
	case len(r.Args) > 0:
		course = strings.ToLower(r.Args[0])
	case len(courses) == 1:
		course = courses[0]
	case len(courses) == 0:
		return b.reply(ctx, r, T(r.Lang, "not_enrolled"), nil)
	default:
		return b.reply(ctx, r, T(r.Lang, "rank.which", strings.Join(courses, ", ")), nil)
	}
	if _, ok := b.course(course); !ok {
		return b.reply(ctx, r, T(r.Lang, "buy.unknown", course), nil)
	}
	lines := []string{T(r.Lang, "rank.header", b.courseTitle(course))}
	any := false
	for _, p := range []assignments.Period{assignments.PeriodWeek, assignments.PeriodMonth, assignments.PeriodAll} {
		st, err := b.Homework.Rank(ctx, r.From.ID, course, p)
		switch {
		case errors.Is(err, membership.ErrNotFound):
			lines = append(lines, T(r.Lang, "rank.no_points", T(r.Lang, "period."+string(p))))
			continue
		case err != nil:
			return err
		}
		any = true
		lines = append(lines, T(r.Lang, "rank.line", T(r.Lang, "period."+string(p)), st.Rank, st.Points))
	}
	if !any {
		return b.reply(ctx, r, T(r.Lang, "rank.none", b.courseTitle(course)), nil)
	}
	return b.reply(ctx, r, strings.Join(lines, "\n"), nil)
}

// homeworkTable declares the students' side of homework.
func (b *Bot) homeworkTable() Table {
	return Table{
		Commands: []Command{
			{Name: "assignments", Audience: Students, Where: Private, Handle: b.listAssignments,
				Menu: [2]string{"进行中的作业", "Open assignments"},
				Help: [2]string{"— 进行中的作业", "— open assignments"}},
			{Name: "submit", Audience: Students, Where: Private, Handle: b.submitCommand,
				Menu: [2]string{"提交作业", "Hand in homework"},
				Help: [2]string{"— 提交作业", "— hand in homework"}},
			{Name: "mywork", Audience: Students, Where: Private, Handle: b.myWork,
				Menu: [2]string{"我的作业和成绩", "My work and grades"},
				Help: [2]string{"— 我的作业和成绩", "— my work and grades"}},
			{Name: "rank", Audience: Students, Where: Private, Handle: b.rank,
				Menu: [2]string{"我的排名", "My place"},
				Help: [2]string{"— 我的排名", "— my place"}},
		},
		Callbacks: []CallbackRoute{{"sub", b.submitChosen}, {"mw", b.myWorkPageButton}, {"as", b.assignmentsPageButton}},
	}
}

// dialogueTable declares what every dialogue shares: the answer to the
// open question, and /cancel.
func (b *Bot) dialogueTable() Table {
	return Table{
		Commands: []Command{
			{Name: "cancel", Audience: Anyone, Where: Anywhere, Handle: b.cancel,
				Menu: [2]string{"取消当前操作", "Stop what is in progress"},
				Help: [2]string{"— 取消当前操作", "— stop what is in progress"}},
		},
		Events: []EventRoute{{func(r *Request) bool { return r.Private && r.Command == "" && r.Update.Message != nil }, b.answer}},
	}
}
