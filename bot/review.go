package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/membership"
)

// gradeCodes are the one-letter grades of review buttons, keeping
// callback data well under Telegram's 64 bytes.
var gradeCodes = map[string]assignments.Grade{
	"e": assignments.GradeExcellent, "g": assignments.GradeGood, "p": assignments.GradePass, "r": assignments.GradeRedo,
}

// reviewError answers a conflict while reviewing: the work changed under
// the reviewer (graded by someone else, or replaced). Every other error,
// another reviewer's hold included, goes to the one error handler.
func (f *reviewDesk) reviewError(ctx context.Context, r *Request, err error) error {
	if shequn.ErrorCode(err) == shequn.CodeConflict && !errors.Is(err, assignments.ErrHeld) {
		return f.reply(ctx, r, T(r.Lang, "review.gone"))
	}
	return err
}

// review holds the next submission for the reviewer and shows it with the
// grading buttons.
func (f *reviewDesk) review(ctx context.Context, r *Request) error {
	sub, a, err := f.Homework.Next(ctx, r.From.ID)
	if err != nil {
		return f.reviewError(ctx, r, err)
	}
	if err := f.showSubmission(ctx, r, sub, a); err != nil {
		// Work the reviewer never saw goes back at once, or it would wait
		// out the hold while /review shows the next.
		if rerr := f.Homework.Release(ctx, r.From.ID, sub.ID); rerr != nil {
			f.Log.WarnContext(ctx, "release unshown submission", "submission", sub.ID, "err", rerr)
		}
		return err
	}
	return nil
}

func (f *reviewDesk) showSubmission(ctx context.Context, r *Request, sub assignments.Submission, a assignments.Assignment) error {
	body := sub.Content.Text
	if len(sub.Content.FileIDs) > 0 {
		// The file goes first, sent again by its id: nothing is downloaded.
		kind := MediaDocument
		if sub.Content.Kind == assignments.ContentPhoto {
			kind = MediaPhoto
		}
		if err := r.Chat.SendMedia(ctx, kind, sub.Content.FileIDs[0]); err != nil {
			return fmt.Errorf("show the submitted file: %w", err)
		}
		body = strings.TrimSpace(body + "\n" + T(r.Lang, "review.file"))
	}
	late := ""
	if sub.Late {
		late = T(r.Lang, "review.late")
	}
	text := T(r.Lang, "review.card", sub.ID, a.Title, memberLabel(ctx, f.core, f.People, sub.Course, sub.UserID), sub.Version,
		f.date(r.Lang, sub.SubmittedAt), HTML(late), body)
	var grades, scores []Choice
	for _, code := range []string{"e", "g", "p", "r"} {
		grades = append(grades, Choice{Label: Label(r.Lang, "grade."+string(gradeCodes[code])), Data: fmt.Sprintf("rv:%d:%s", sub.ID, code)})
	}
	for _, pct := range []int{100, 90, 80, 70, 60} {
		s := a.MaxScore * pct / 100
		scores = append(scores, Choice{Label: strconv.Itoa(s), Data: fmt.Sprintf("rs:%d:%d", sub.ID, s)})
	}
	skip := []Choice{{Label: Label(r.Lang, "review.skip"), Data: fmt.Sprintf("rk:%d", sub.ID)}}
	return f.reply(ctx, r, text, grades, scores, skip)
}

// memberLabel names a student by their member number.
func memberLabel(ctx context.Context, c *core, people *membership.People, course string, userID int64) string {
	if en, err := people.Enrollment(ctx, course, userID); err == nil {
		return c.memberNumber(course, en.Number)
	}
	return strconv.FormatInt(userID, 10)
}

// parseTarget reads "<id>:<rest>" from callback data.
func parseTarget(payload string) (int64, string, bool) {
	id, rest, _ := strings.Cut(payload, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	return n, rest, err == nil && n > 0
}

// reviewGrade takes a grade button. What the button names is checked on the
// server: the presser must review the course and hold (or be able to hold)
// that submission, so forged callback data changes nothing.
func (f *reviewDesk) reviewGrade(ctx context.Context, r *Request) error {
	id, code, ok := parseTarget(r.Payload)
	g, known := gradeCodes[code]
	if !ok || !known || !r.Private {
		return nil
	}
	return f.choose(ctx, r, id, g, -1)
}

// reviewScore takes a score button; the grade follows from the score.
func (f *reviewDesk) reviewScore(ctx context.Context, r *Request) error {
	id, rest, ok := parseTarget(r.Payload)
	score, err := strconv.Atoi(rest)
	if !ok || err != nil || score < 0 || !r.Private {
		return nil
	}
	return f.choose(ctx, r, id, "", score)
}

// choose holds the submission, remembers the chosen grade and asks for the
// comment.
func (f *reviewDesk) choose(ctx context.Context, r *Request, id int64, g assignments.Grade, score int) error {
	sub, a, err := f.Homework.Take(ctx, r.From.ID, id)
	if err != nil {
		return f.reviewError(ctx, r, err)
	}
	g, score, err = assignments.Choose(g, score, a.MaxScore)
	if errors.Is(err, assignments.ErrScoreTooHigh) {
		return f.reply(ctx, r, T(r.Lang, "grade.too_high", a.MaxScore))
	}
	if err != nil {
		return err
	}
	if err := f.ask(ctx, r.From.ID, askComment, commentQuestion{Submission: sub.ID, Grade: g, Score: score}); err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "review.chosen", gradeName(r.Lang, g), score))
}

// askComment asks a reviewer for their comment on the grade they chose.
const askComment = "comment"

// commentQuestion is what the comment dialogue remembers: the review so
// far.
type commentQuestion struct {
	Submission int64             `json:"submission"`
	Grade      assignments.Grade `json:"grade"`
	Score      int               `json:"score"`
}

func (q commentQuestion) valid() bool { return q.Submission > 0 && q.Grade.Valid() && q.Score >= 0 }

// commented finishes a review with the reviewer's message as the comment.
func (f *reviewDesk) commented(ctx context.Context, r *Request, q commentQuestion) error {
	return f.finishReview(ctx, r, q.Submission, q.Grade, q.Score, strings.TrimSpace(r.Message.Text))
}

// uncomment gives the held submission back when the reviewer cancels.
func (f *reviewDesk) uncomment(ctx context.Context, r *Request, q commentQuestion) error {
	return f.Homework.Release(ctx, r.From.ID, q.Submission)
}

func (f *reviewDesk) finishReview(ctx context.Context, r *Request, id int64, g assignments.Grade, score int, comment string) error {
	sub, err := f.Homework.Grade(ctx, r.From.ID, id, g, score, comment)
	if cerr := f.closeDialogue(ctx, r.From.ID); cerr != nil {
		return cerr
	}
	if err != nil {
		if shequn.ErrorCode(err) == shequn.CodeInvalid {
			return f.reply(ctx, r, T(r.Lang, "grade.usage"))
		}
		return f.reviewError(ctx, r, err)
	}
	key := "review.done"
	if sub.FeedbackSentAt.IsZero() {
		key = "review.done_unsent"
	}
	return f.reply(ctx, r, T(r.Lang, key, sub.ID, gradeName(r.Lang, sub.Grade), sub.Score))
}

func (f *reviewDesk) skipComment(ctx context.Context, r *Request) error {
	kind, raw, err := f.openDialogue(ctx, r.From.ID)
	if err != nil {
		return err
	}
	if kind != askComment {
		return f.reply(ctx, r, T(r.Lang, "nothing_to_do"))
	}
	q, err := decodePayload[commentQuestion](raw)
	if err != nil {
		return f.restart(ctx, r, err)
	}
	return f.finishReview(ctx, r, q.Submission, q.Grade, q.Score, "")
}

// reviewSkip puts a held submission back and shows the next.
func (f *reviewDesk) reviewSkip(ctx context.Context, r *Request) error {
	id, _, ok := parseTarget(r.Payload + ":")
	if !ok || !r.Private {
		return nil
	}
	if err := f.Homework.Release(ctx, r.From.ID, id); err != nil {
		return fmt.Errorf("release submission: %w", err)
	}
	if err := f.reply(ctx, r, T(r.Lang, "review.released")); err != nil {
		return err
	}
	return f.review(ctx, r)
}

// gradeCommand grades in one line: "/grade 12 85 nice work" or
// "/grade 12 redo add the chart".
func (f *reviewDesk) gradeCommand(ctx context.Context, r *Request) error {
	if len(r.Args) < 2 {
		return f.reply(ctx, r, T(r.Lang, "grade.usage"))
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Args[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return f.reply(ctx, r, T(r.Lang, "grade.usage"))
	}
	sub, a, err := f.Homework.Take(ctx, r.From.ID, id)
	if errors.Is(err, shequn.ErrNotFound) {
		return f.reply(ctx, r, T(r.Lang, "grade.not_found", r.Args[0]))
	}
	if err != nil {
		return f.reviewError(ctx, r, err)
	}
	g, score := assignments.Grade(strings.ToLower(r.Args[1])), -1
	if !g.Valid() {
		if g, score, err = "", 0, nil; !isScore(r.Args[1], &score) {
			return f.reply(ctx, r, T(r.Lang, "grade.usage"))
		}
	}
	g, score, err = assignments.Choose(g, score, a.MaxScore)
	if errors.Is(err, assignments.ErrScoreTooHigh) {
		return f.reply(ctx, r, T(r.Lang, "grade.too_high", a.MaxScore))
	}
	if err != nil {
		return err
	}
	return f.finishReview(ctx, r, sub.ID, g, score, strings.Join(r.Args[2:], " "))
}

// isScore reads a score, a whole number not below zero.
func isScore(s string, score *int) bool {
	n, err := strconv.Atoi(s)
	*score = n
	return err == nil && n >= 0
}

// reviewTable declares the staff's side of homework.
func (f *reviewDesk) reviewTable() Table {
	return Table{
		Commands: []Command{
			{Name: "review", Audience: Staff, Where: Private, Handle: f.review,
				Menu: [2]string{"批改作业（老师）", "Review homework (teachers)"},
				Help: [2]string{"— 批改下一份作业", "— review the next submission"}},
			{Name: "grade", Audience: Staff, Where: Private, Handle: f.gradeCommand,
				Menu: [2]string{"一行评分（老师）", "Grade in one line (teachers)"},
				Help: [2]string{"&lt;编号&gt; &lt;分数|redo&gt; [评语] — 一行评分", "&lt;id&gt; &lt;score|redo&gt; [comment] — grade in one line"}},
			{Name: "skip", Audience: Staff, Where: Private, Handle: f.skipComment,
				Menu: [2]string{"不写评语（老师）", "No comment (teachers)"},
				Help: [2]string{"— 评分后不写评语", "— finish a review without a comment"}},
		},
		Callbacks: []CallbackRoute{{"rv", f.reviewGrade}, {"rs", f.reviewScore}, {"rk", f.reviewSkip}},
		Dialogues: []Dialogue{{Kind: askComment, Answer: answerWith(f.commented), Cancel: answerWith(f.uncomment)}},
	}
}
