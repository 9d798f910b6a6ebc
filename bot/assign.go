package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
)

// draft is an assignment being written through the /assign dialogue.
type draft struct {
	Step        string    `json:"step"` // course, title, due, max, desc
	Course      string    `json:"course,omitempty"`
	Title       string    `json:"title,omitempty"`
	Due         time.Time `json:"due,omitzero"`
	MaxScore    int       `json:"max,omitempty"`
	Description string    `json:"desc,omitempty"`
}

// assign publishes an assignment from one line, or starts the dialogue.
func (f *assignDesk) assign(ctx context.Context, r *Request) error {
	if len(r.Args) > 0 {
		return f.assignOneLine(ctx, r)
	}
	courses := f.reviewedCourses(r.Who)
	d := draft{Step: "course"}
	if len(courses) == 1 {
		d = draft{Step: "title", Course: courses[0]}
	}
	if err := f.saveDraft(ctx, r.From.ID, d); err != nil {
		return err
	}
	if d.Step == "course" {
		return f.reply(ctx, r, T(r.Lang, "assign.ask_course", strings.Join(courses, ", ")))
	}
	return f.reply(ctx, r, T(r.Lang, "assign.ask_title"))
}

// askAssignment asks a teacher for the next field of an assignment.
const askAssignment = "assign"

func (d draft) valid() bool { return d.Step != "" }

func (f *assignDesk) saveDraft(ctx context.Context, userID int64, d draft) error {
	return f.ask(ctx, userID, askAssignment, d)
}

// assignOneLine reads "/assign <course> <due|-> <max> <title> | <description>".
func (f *assignDesk) assignOneLine(ctx context.Context, r *Request) error {
	usage := func() error { return f.reply(ctx, r, T(r.Lang, "assign.usage")) }
	text := strings.TrimSpace(r.Message.Text)
	fields := strings.Fields(text)
	if len(fields) < 5 {
		return usage()
	}
	a := assignments.Assignment{Course: strings.ToLower(fields[1])}
	if _, ok := f.course(a.Course); !ok {
		return f.reply(ctx, r, T(r.Lang, "buy.unknown", fields[1]))
	}
	rest := fields[2:]
	due, used, ok := f.parseDue(rest)
	if !ok {
		return f.reply(ctx, r, T(r.Lang, "assign.bad_due"))
	}
	if refusal := f.dueRefusal(r.Lang, due); refusal != "" {
		return f.reply(ctx, r, refusal)
	}
	rest = rest[used:]
	if len(rest) < 2 {
		return usage()
	}
	max, err := strconv.Atoi(rest[0])
	if err != nil || assignments.CheckMaxScore(max) != nil {
		return f.reply(ctx, r, T(r.Lang, "assign.bad_max"))
	}
	a.Due, a.MaxScore = due, max
	a.Title, a.Description, _ = strings.Cut(strings.Join(rest[1:], " "), "|")
	return f.createAssignment(ctx, r, a)
}

// parseDue reads a due date at the start of fields: "-", "YYYY-MM-DD"
// (end of that day) or "YYYY-MM-DD HH:MM", in the community's zone. It
// reports how many fields it used; whether the date is allowed is
// assignments.CheckDue's to say (see dueRefusal).
func (f *assignDesk) parseDue(fields []string) (time.Time, int, bool) {
	if len(fields) == 0 {
		return time.Time{}, 0, false
	}
	if fields[0] == "-" {
		return time.Time{}, 1, true
	}
	if len(fields) > 1 {
		if t, err := time.ParseInLocation("2006-01-02 15:04", fields[0]+" "+fields[1], f.Location); err == nil {
			return t, 2, true
		}
	}
	t, err := time.ParseInLocation("2006-01-02", fields[0], f.Location)
	if err != nil {
		return time.Time{}, 0, false
	}
	return t.AddDate(0, 0, 1).Add(-time.Minute), 1, true
}

// dueRefusal is the answer to a due date the rules refuse, "" when they
// take it.
func (f *assignDesk) dueRefusal(lang Lang, due time.Time) string {
	now := f.Now()
	switch err := assignments.CheckDue(due, now); {
	case errors.Is(err, assignments.ErrDueTooFar):
		return T(lang, "assign.due_too_far", assignments.MaxDueYears, assignments.LatestDue(now).In(f.Location).Format("2006-01-02"))
	case err != nil:
		return T(lang, "assign.bad_due")
	}
	return ""
}

// assignStep takes the answer to the dialogue's current question.
func (f *assignDesk) assignStep(ctx context.Context, r *Request, d draft) error {
	answer := strings.TrimSpace(r.Message.Text)
	next := func(step, key string, args ...any) error {
		d.Step = step
		if err := f.saveDraft(ctx, r.From.ID, d); err != nil {
			return err
		}
		return f.reply(ctx, r, T(r.Lang, key, args...))
	}
	switch d.Step {
	case "course":
		c := strings.ToLower(answer)
		if !r.Who.Reviews(c) {
			return f.reply(ctx, r, T(r.Lang, "buy.unknown", answer))
		}
		d.Course = c
		return next("title", "assign.ask_title")
	case "title":
		if assignments.CheckTitle(answer) != nil {
			return f.reply(ctx, r, T(r.Lang, "assign.bad_title"))
		}
		d.Title = answer
		return next("due", "assign.ask_due", f.Location.String())
	case "due":
		due, used, ok := f.parseDue(strings.Fields(answer))
		if !ok || used != len(strings.Fields(answer)) {
			return f.reply(ctx, r, T(r.Lang, "assign.bad_due"))
		}
		if refusal := f.dueRefusal(r.Lang, due); refusal != "" {
			return f.reply(ctx, r, refusal)
		}
		d.Due = due
		return next("max", "assign.ask_max")
	case "max":
		n, err := strconv.Atoi(answer)
		if err != nil || assignments.CheckMaxScore(n) != nil {
			return f.reply(ctx, r, T(r.Lang, "assign.bad_max"))
		}
		d.MaxScore = n
		return next("desc", "assign.ask_desc")
	case "desc":
		if answer != "-" {
			d.Description = answer
		}
		if err := f.closeDialogue(ctx, r.From.ID); err != nil {
			return err
		}
		return f.createAssignment(ctx, r, assignments.Assignment{
			Course: d.Course, Title: d.Title, Due: d.Due, MaxScore: d.MaxScore, Description: d.Description,
		})
	}
	return fmt.Errorf("%w: step %q", errUnreadable, d.Step)
}

func (f *assignDesk) createAssignment(ctx context.Context, r *Request, a assignments.Assignment) error {
	due := a.Due
	a, err := f.Homework.Create(ctx, r.From.ID, a)
	switch {
	case errors.Is(err, assignments.ErrDuePast), errors.Is(err, assignments.ErrDueTooFar):
		// The dialogue's due date was right when given, not any more.
		return f.reply(ctx, r, cmp.Or(f.dueRefusal(r.Lang, due), T(r.Lang, "assign.bad_due")))
	case shequn.ErrorCode(err) == shequn.CodeInvalid:
		return f.reply(ctx, r, T(r.Lang, "assign.usage"))
	case err != nil:
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "assign.created", a.ID, a.Title))
}

// assignTable declares publishing assignments.
func (f *assignDesk) assignTable() Table {
	return Table{
		Commands: []Command{
			{Name: "assign", Audience: Staff, Where: Private, Handle: f.assign,
				Menu: [2]string{"布置作业（老师）", "Publish an assignment (teachers)"},
				Help: [2]string{"— 布置作业", "— publish an assignment"}},
		},
		Dialogues: []Dialogue{{Kind: askAssignment, Answer: answerWith(f.assignStep)}},
	}
}
