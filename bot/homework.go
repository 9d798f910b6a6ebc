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

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// visibleCourses lists the courses whose assignments the sender may see:
// as a student and as a reviewer.
func (f *studentWork) visibleCourses(who Who) []string {
	return append(slices.Clone(who.StudentOf), f.reviewedCourses(who)...)
}

func (f *studentWork) listAssignments(ctx context.Context, r *Request) error {
	return f.assignmentsPage(ctx, r, 0)
}

// assignmentsPageButton shows another page of /assignments.
func (f *studentWork) assignmentsPageButton(ctx context.Context, r *Request) error {
	if n, ok := pageOf(r); ok {
		return f.assignmentsPage(ctx, r, n)
	}
	return nil
}

func (f *studentWork) assignmentsPage(ctx context.Context, r *Request, page int) error {
	courses := f.visibleCourses(r.Who)
	var list []assignments.Assignment
	var err error
	if len(courses) > 0 {
		if list, err = f.Homework.Assignments(ctx, courses, f.Now()); err != nil {
			return fmt.Errorf("list assignments: %w", err)
		}
	}
	if len(list) == 0 {
		return f.reply(ctx, r, T(r.Lang, "assignments.none"))
	}
	var lines []string
	for _, a := range list {
		lines = append(lines, T(r.Lang, "assignments.line", a.ID, a.Title, a.MaxScore, f.date(r.Lang, a.Due)))
	}
	return f.sendPage(ctx, r, T(r.Lang, "assignments.header"), lines, page, "as")
}

// submitCommand asks which open assignment to hand in, or goes straight to
// the one named ("/submit 7").
func (f *studentWork) submitCommand(ctx context.Context, r *Request) error {
	if len(r.Args) > 0 {
		return f.startSubmission(ctx, r, strings.TrimPrefix(r.Args[0], "#"))
	}
	courses := r.Who.StudentOf
	if len(courses) == 0 {
		return f.reply(ctx, r, T(r.Lang, "not_enrolled"))
	}
	list, err := f.Homework.Assignments(ctx, courses, time.Time{})
	if err != nil {
		return fmt.Errorf("list assignments: %w", err)
	}
	if len(list) == 0 {
		return f.reply(ctx, r, T(r.Lang, "assignments.none"))
	}
	var rows [][]Choice
	for _, a := range list {
		rows = append(rows, []Choice{{Label: Label(r.Lang, "submit.button", a.ID, truncate(a.Title, 40)), Data: fmt.Sprintf("sub:%d", a.ID)}})
	}
	return f.reply(ctx, r, T(r.Lang, "submit.choose"), rows...)
}

func (f *studentWork) submitChosen(ctx context.Context, r *Request) error {
	if !r.Private {
		return nil
	}
	return f.startSubmission(ctx, r, r.Payload)
}

// startSubmission opens the submission dialogue for an assignment.
func (f *studentWork) startSubmission(ctx context.Context, r *Request, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return f.reply(ctx, r, T(r.Lang, "submit.unknown", id))
	}
	a, err := f.Homework.Assignment(ctx, n)
	if errors.Is(err, shequn.ErrNotFound) {
		return f.reply(ctx, r, T(r.Lang, "submit.unknown", id))
	}
	if err != nil {
		return fmt.Errorf("find assignment: %w", err)
	}
	if !slices.Contains(r.Who.StudentOf, a.Course) {
		return f.reply(ctx, r, T(r.Lang, "not_enrolled"))
	}
	if err := f.ask(ctx, r.From.ID, askSubmission, submissionQuestion{Assignment: n}); err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "submit.ask", a.Title))
}

// askSubmission asks a student for their work.
const askSubmission = "submit"

// submissionQuestion is what the submission dialogue remembers.
type submissionQuestion struct {
	Assignment int64 `json:"assignment"`
}

func (q submissionQuestion) valid() bool { return q.Assignment > 0 }

// submitted takes the student's message as their work.
func (f *studentWork) submitted(ctx context.Context, r *Request, q submissionQuestion) error {
	id := q.Assignment
	c, ok := contentOf(r.Message)
	if !ok {
		return f.reply(ctx, r, T(r.Lang, "submit.bad"))
	}
	sub, err := f.Homework.Submit(ctx, r.From.ID, id, c)
	a, aerr := f.Homework.Assignment(ctx, id)
	if aerr != nil {
		return fmt.Errorf("find assignment: %w", aerr)
	}
	switch {
	case errors.Is(err, assignments.ErrTooLate):
		f.closeDialogue(ctx, r.From.ID)
		return f.reply(ctx, r, T(r.Lang, "submit.too_late", a.Title))
	case errors.Is(err, assignments.ErrReviewed):
		f.closeDialogue(ctx, r.From.ID)
		return f.reply(ctx, r, T(r.Lang, "submit.reviewed"))
	case shequn.ErrorCode(err) == shequn.CodeInvalid:
		return f.reply(ctx, r, T(r.Lang, "submit.bad"))
	case err != nil:
		return err
	}
	if err := f.closeDialogue(ctx, r.From.ID); err != nil {
		return err
	}
	key := "submit.ok"
	if sub.Late {
		key = "submit.ok_late"
	}
	return f.reply(ctx, r, T(r.Lang, key, a.Title, sub.Version))
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

// gradeName names a grade in lang.
func gradeName(lang Lang, g assignments.Grade) string { return T(lang, "grade."+string(g)) }

func (f *studentWork) myWork(ctx context.Context, r *Request) error { return f.myWorkPage(ctx, r, 0) }

// myWorkPageButton shows another page of /mywork.
func (f *studentWork) myWorkPageButton(ctx context.Context, r *Request) error {
	if n, ok := pageOf(r); ok {
		return f.myWorkPage(ctx, r, n)
	}
	return nil
}

func (f *studentWork) myWorkPage(ctx context.Context, r *Request, page int) error {
	subs, err := f.Homework.Submissions(ctx, r.From.ID)
	if err != nil {
		return fmt.Errorf("list submissions: %w", err)
	}
	if len(subs) == 0 {
		return f.reply(ctx, r, T(r.Lang, "mywork.none"))
	}
	var lines []string
	for _, s := range subs {
		a, err := f.Homework.Assignment(ctx, s.AssignmentID)
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
			line = T(r.Lang, "mywork.reviewed", a.Title, s.Version, gradeName(r.Lang, s.Grade), s.Score, HTML(late))
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
	return f.sendPage(ctx, r, T(r.Lang, "mywork.header"), lines, page, "mw")
}

// rank shows a student their place in their course this week, this month
// and of all time.
func (f *studentWork) rank(ctx context.Context, r *Request) error {
	courses := r.Who.StudentOf
	course := ""
	switch {
	case len(r.Args) > 0:
		course = strings.ToLower(r.Args[0])
	case len(courses) == 1:
		course = courses[0]
	case len(courses) == 0:
		return f.reply(ctx, r, T(r.Lang, "not_enrolled"))
	default:
		return f.reply(ctx, r, T(r.Lang, "rank.which", strings.Join(courses, ", ")))
	}
	if _, ok := f.course(course); !ok {
		return f.reply(ctx, r, T(r.Lang, "buy.unknown", course))
	}
	lines := []string{T(r.Lang, "rank.header", f.courseTitle(course))}
	any := false
	for _, p := range []assignments.Period{assignments.PeriodWeek, assignments.PeriodMonth, assignments.PeriodAll} {
		st, err := f.Homework.Rank(ctx, r.From.ID, course, p)
		switch {
		case errors.Is(err, shequn.ErrNotFound):
			lines = append(lines, T(r.Lang, "rank.no_points", T(r.Lang, "period."+string(p))))
			continue
		case err != nil:
			return err
		}
		any = true
		lines = append(lines, T(r.Lang, "rank.line", T(r.Lang, "period."+string(p)), st.Rank, st.Points))
	}
	if !any {
		return f.reply(ctx, r, T(r.Lang, "rank.none", f.courseTitle(course)))
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

// homeworkTable declares the students' side of homework.
func (f *studentWork) homeworkTable() Table {
	return Table{
		Commands: []Command{
			{Name: "assignments", Audience: Students, Where: Private, Handle: f.listAssignments,
				Menu: [2]string{"进行中的作业", "Open assignments"},
				Help: [2]string{"— 进行中的作业", "— open assignments"}},
			{Name: "submit", Audience: Students, Where: Private, Handle: f.submitCommand,
				Menu: [2]string{"提交作业", "Hand in homework"},
				Help: [2]string{"— 提交作业", "— hand in homework"}},
			{Name: "mywork", Audience: Students, Where: Private, Handle: f.myWork,
				Menu: [2]string{"我的作业和成绩", "My work and grades"},
				Help: [2]string{"— 我的作业和成绩", "— my work and grades"}},
			{Name: "rank", Audience: Students, Where: Private, Handle: f.rank,
				Menu: [2]string{"我的排名", "My place"},
				Help: [2]string{"— 我的排名", "— my place"}},
		},
		Callbacks: []CallbackRoute{{"sub", f.submitChosen}, {"mw", f.myWorkPageButton}, {"as", f.assignmentsPageButton}},
		Dialogues: []Dialogue{{Kind: askSubmission, Answer: answerWith(f.submitted)}},
	}
}
