package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/membership"
)

// gradeCodes are the one-letter grades of review buttons, keeping
// callback data well under Telegram's 64 bytes.
var gradeCodes = map[string]assignments.Grade{
	"e": assignments.GradeExcellent, "g": assignments.GradeGood, "p": assignments.GradePass, "r": assignments.GradeRedo,
}

// reviewError answers the review errors a reviewer can cause.
func (b *Bot) reviewError(ctx context.Context, r *Request, err error) error {
	switch {
	case errors.Is(err, assignments.ErrNotReviewer):
		return b.reply(ctx, r, T(r.Lang, "not_reviewer"), nil)
	case errors.Is(err, assignments.ErrHeld):
		return b.reply(ctx, r, T(r.Lang, "review.held"), nil)
	case errors.Is(err, assignments.ErrNoWork):
		return b.reply(ctx, r, T(r.Lang, "review.none"), nil)
	case membership.ErrorCode(err) == membership.CodeConflict:
		return b.reply(ctx, r, T(r.Lang, "review.gone"), nil)
	}
	return err
}

// review holds the next submission for the reviewer and shows it with the
// grading buttons.
func (b *Bot) review(ctx context.Context, r *Request) error {
	sub, a, err := b.Homework.Next(ctx, r.From.ID)
	if err != nil {
		return b.reviewError(ctx, r, err)
	}
	if err := b.showSubmission(ctx, r, sub, a); err != nil {
		// Work the reviewer never saw goes back at once, or it would wait
		// out the hold while /review shows the next.
		if rerr := b.Homework.Release(ctx, r.From.ID, sub.ID); rerr != nil {
			b.Log.WarnContext(ctx, "release unshown submission", "submission", sub.ID, "err", rerr)
		}
		return err
	}
	return nil
}

func (b *Bot) showSubmission(ctx context.Context, r *Request, sub assignments.Submission, a assignments.Assignment) error {
	body := sub.Content.Text
	if len(sub.Content.FileIDs) > 0 {
		// The file goes first, sent again by its id: nothing is downloaded.
		var media tgbotapi.Chattable
		if sub.Content.Kind == assignments.ContentPhoto {
			media = tgbotapi.NewPhoto(r.ChatID, tgbotapi.FileID(sub.Content.FileIDs[0]))
		} else {
			media = tgbotapi.NewDocument(r.ChatID, tgbotapi.FileID(sub.Content.FileIDs[0]))
		}
		if _, err := b.Sender.Send(ctx, Interactive, r.ChatID, media); err != nil {
			return fmt.Errorf("show the submitted file: %w", err)
		}
		body = strings.TrimSpace(body + "\n" + T(r.Lang, "review.file"))
	}
	late := ""
	if sub.Late {
		late = T(r.Lang, "review.late")
	}
	text := T(r.Lang, "review.card", sub.ID, a.Title, b.memberLabel(ctx, sub.Course, sub.UserID), sub.Version,
		b.date(r.Lang, sub.SubmittedAt), HTML(late), body)
	grades := tgbotapi.NewInlineKeyboardRow()
	for _, code := range []string{"e", "g", "p", "r"} {
		grades = append(grades, tgbotapi.NewInlineKeyboardButtonData(Label(r.Lang, "grade."+string(gradeCodes[code])), fmt.Sprintf("rv:%d:%s", sub.ID, code)))
	}
	scores := tgbotapi.NewInlineKeyboardRow()
	for _, pct := range []int{100, 90, 80, 70, 60} {
		s := a.MaxScore * pct / 100
		scores = append(scores, tgbotapi.NewInlineKeyboardButtonData(strconv.Itoa(s), fmt.Sprintf("rs:%d:%d", sub.ID, s)))
	}
	skip := tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(Label(r.Lang, "review.skip"), fmt.Sprintf("rk:%d", sub.ID)))
	kb := tgbotapi.NewInlineKeyboardMarkup(grades, scores, skip)
	return b.reply(ctx, r, text, &kb)
}

// memberLabel names a student by their member number.
func (b *Bot) memberLabel(ctx context.Context, course string, userID int64) string {
	if en, err := b.Members.Enrollment(ctx, course, userID); err == nil {
		return b.memberNumber(course, en.Number)
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
func (b *Bot) reviewGrade(ctx context.Context, r *Request) error {
	id, code, ok := parseTarget(r.Payload)
	g, known := gradeCodes[code]
	if !ok || !known || !r.Private {
		return nil
	}
	return b.choose(ctx, r, id, g, -1)
}

// reviewScore takes a score button; the grade follows from the score.
func (b *Bot) reviewScore(ctx context.Context, r *Request) error {
	id, rest, ok := parseTarget(r.Payload)
	score, err := strconv.Atoi(rest)
	if !ok || err != nil || score < 0 || !r.Private {
		return nil
	}
	return b.choose(ctx, r, id, "", score)
}

// choose holds the submission, remembers the chosen grade and asks for the
// comment.
func (b *Bot) choose(ctx context.Context, r *Request, id int64, g assignments.Grade, score int) error {
	sub, a, err := b.Homework.Take(ctx, r.From.ID, id)
	if err != nil {
		return b.reviewError(ctx, r, err)
	}
	if score > a.MaxScore {
		return b.reply(ctx, r, T(r.Lang, "grade.too_high", a.MaxScore), nil)
	}
	if g == "" {
		g = assignments.GradeFor(score, a.MaxScore)
	}
	if score < 0 {
		score = assignments.DefaultScore(g, a.MaxScore)
	}
	if err := b.ask(ctx, r.From.ID, askComment, fmt.Sprintf("%d|%s|%d", sub.ID, g, score)); err != nil {
		return err
	}
	return b.reply(ctx, r, T(r.Lang, "review.chosen", b.gradeName(r.Lang, g), score), nil)
}

// commented finishes a review with the comment (empty after /skip).
func (b *Bot) commented(ctx context.Context, r *Request, data, comment string) error {
	parts := strings.Split(data, "|")
	if len(parts) != 3 {
		return b.Dialogues.ClearDialogue(ctx, r.From.ID)
	}
	id, _ := strconv.ParseInt(parts[0], 10, 64)
	score, _ := strconv.Atoi(parts[2])
	return b.finishReview(ctx, r, id, assignments.Grade(parts[1]), score, comment)
}

func (b *Bot) finishReview(ctx context.Context, r *Request, id int64, g assignments.Grade, score int, comment string) error {
	sub, err := b.Homework.Grade(ctx, r.From.ID, id, g, score, comment)
	if cerr := b.Dialogues.ClearDialogue(ctx, r.From.ID); cerr != nil {
		return fmt.Errorf("clear dialogue: %w", cerr)
	}
	if err != nil {
		if membership.ErrorCode(err) == membership.CodeInvalid {
			return b.reply(ctx, r, T(r.Lang, "grade.usage"), nil)
		}
		return b.reviewError(ctx, r, err)
	}
	key := "review.done"
	if sub.FeedbackSentAt.IsZero() {
		key = "review.done_unsent"
	}
	return b.reply(ctx, r, T(r.Lang, key, sub.ID, b.gradeName(r.Lang, sub.Grade), sub.Score), nil)
}

func (b *Bot) skipComment(ctx context.Context, r *Request) error {
	kind, data, expires, err := b.Dialogues.Dialogue(ctx, r.From.ID)
	if err != nil {
		return fmt.Errorf("read dialogue: %w", err)
	}
	if kind != askComment || b.Now().After(expires) {
		return b.reply(ctx, r, T(r.Lang, "nothing_to_do"), nil)
	}
	return b.commented(ctx, r, data, "")
}

// reviewSkip puts a held submission back and shows the next.
func (b *Bot) reviewSkip(ctx context.Context, r *Request) error {
	id, _, ok := parseTarget(r.Payload + ":")
	if !ok || !r.Private {
		return nil
	}
	if err := b.Homework.Release(ctx, r.From.ID, id); err != nil {
		return fmt.Errorf("release submission: %w", err)
	}
	if err := b.reply(ctx, r, T(r.Lang, "review.released"), nil); err != nil {
		return err
	}
	return b.review(ctx, r)
}

// gradeCommand grades in one line: "/grade 12 85 nice work" or
// "/grade 12 redo add the chart".
func (b *Bot) gradeCommand(ctx context.Context, r *Request) error {
	if len(r.Args) < 2 {
		return b.reply(ctx, r, T(r.Lang, "grade.usage"), nil)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Args[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return b.reply(ctx, r, T(r.Lang, "grade.usage"), nil)
	}
	sub, a, err := b.Homework.Take(ctx, r.From.ID, id)
	if errors.Is(err, membership.ErrNotFound) {
		return b.reply(ctx, r, T(r.Lang, "grade.not_found", r.Args[0]), nil)
	}
	if err != nil {
		return b.reviewError(ctx, r, err)
	}
	g, score := assignments.Grade(strings.ToLower(r.Args[1])), -1
	if !g.Valid() {
		score, err = strconv.Atoi(r.Args[1])
		if err != nil || score < 0 {
			return b.reply(ctx, r, T(r.Lang, "grade.usage"), nil)
		}
		if score > a.MaxScore {
			return b.reply(ctx, r, T(r.Lang, "grade.too_high", a.MaxScore), nil)
		}
		g = assignments.GradeFor(score, a.MaxScore)
	}
	return b.finishReview(ctx, r, sub.ID, g, score, strings.Join(r.Args[2:], " "))
}

// top shows a course's leaderboard to its reviewers.
func (b *Bot) top(ctx context.Context, r *Request) error {
	course, period := "", assignments.PeriodWeek
	for _, arg := range r.Args {
		a := strings.ToLower(arg)
		switch {
		case assignments.Period(a).Valid():
			period = assignments.Period(a)
		case course == "":
			course = a
		default:
			return b.reply(ctx, r, T(r.Lang, "top.usage"), nil)
		}
	}
	if course == "" {
		if courses := b.reviewedCourses(r.Who); len(courses) > 0 {
			course = courses[0]
		}
	}
	if _, known := b.course(course); !known {
		return b.reply(ctx, r, T(r.Lang, "top.usage"), nil)
	}
	list, err := b.Homework.Top(ctx, r.From.ID, course, period, 10)
	if err != nil {
		return b.reviewError(ctx, r, err)
	}
	periodName := T(r.Lang, "period."+string(period))
	if len(list) == 0 {
		return b.reply(ctx, r, T(r.Lang, "top.none", b.courseTitle(course), periodName), nil)
	}
	lines := []string{T(r.Lang, "top.header", b.courseTitle(course), periodName, len(list))}
	for _, st := range list {
		lines = append(lines, T(r.Lang, "top.line", st.Rank, b.memberLabel(ctx, course, st.UserID), st.Points))
	}
	return b.reply(ctx, r, strings.Join(lines, "\n"), nil)
}

// queue shows the review queue and this week's reviews per reviewer.
func (b *Bot) queue(ctx context.Context, r *Request) error { return b.queuePage(ctx, r, -1) }

// queuePageButton shows a page of /queue's reviewers.
func (b *Bot) queuePageButton(ctx context.Context, r *Request) error {
	if n, ok := pageOf(r); ok {
		return b.queuePage(ctx, r, n)
	}
	return nil
}

// queuePage shows the queue with the reviewers in one line (page < 0)
// when they fit, else one reviewer a line, in pages.
func (b *Bot) queuePage(ctx context.Context, r *Request, page int) error {
	q, err := b.Homework.Queue(ctx, r.From.ID)
	if err != nil {
		return b.reviewError(ctx, r, err)
	}
	oldest := ""
	if !q.OldestPending.IsZero() {
		oldest = T(r.Lang, "queue.oldest", b.date(r.Lang, q.OldestPending))
	}
	var by []string
	for reviewer, n := range q.ReviewsBy {
		by = append(by, T(r.Lang, "queue.by", b.personName(ctx, reviewer), n))
	}
	slices.Sort(by)
	done := T(r.Lang, "queue.nobody")
	if len(by) > 0 {
		done = strings.Join(by, T(r.Lang, "right.separator"))
	}
	if text := T(r.Lang, "queue", q.Pending, HTML(oldest), HTML(done)); page < 0 && htmlUnits(text, tgbotapi.ModeHTML) <= pageBudget {
		return b.reply(ctx, r, text, nil)
	}
	return b.sendPage(ctx, r, T(r.Lang, "queue", q.Pending, HTML(oldest), T(r.Lang, "queue.below")), by, page, "qu")
}

// personName names a user by username or first name.
func (b *Bot) personName(ctx context.Context, userID int64) string {
	p, err := b.Profiles.Profile(ctx, userID)
	switch {
	case err != nil:
		return strconv.FormatInt(userID, 10)
	case p.Username != "":
		return "@" + p.Username
	case p.FirstName != "":
		return p.FirstName
	}
	return strconv.FormatInt(userID, 10)
}

// reviewTable declares the staff's side of homework.
func (b *Bot) reviewTable() Table {
	return Table{
		Commands: []Command{
			{Name: "assign", Audience: Staff, Where: Private, Handle: b.assign,
				Menu: [2]string{"布置作业（老师）", "Publish an assignment (teachers)"},
				Help: [2]string{"— 布置作业", "— publish an assignment"}},
			{Name: "review", Audience: Staff, Where: Private, Handle: b.review,
				Menu: [2]string{"批改作业（老师）", "Review homework (teachers)"},
				Help: [2]string{"— 批改下一份作业", "— review the next submission"}},
			{Name: "grade", Audience: Staff, Where: Private, Handle: b.gradeCommand,
				Menu: [2]string{"一行评分（老师）", "Grade in one line (teachers)"},
				Help: [2]string{"&lt;编号&gt; &lt;分数|redo&gt; [评语] — 一行评分", "&lt;id&gt; &lt;score|redo&gt; [comment] — grade in one line"}},
			{Name: "skip", Audience: Staff, Where: Private, Handle: b.skipComment,
				Menu: [2]string{"不写评语（老师）", "No comment (teachers)"},
				Help: [2]string{"— 评分后不写评语", "— finish a review without a comment"}},
			{Name: "top", Audience: Staff, Where: Private, Handle: b.top,
				Menu: [2]string{"排行榜（老师）", "The leaderboard (teachers)"},
				Help: [2]string{"[课程] [week|month|all] — 排行榜", "[course] [week|month|all] — the leaderboard"}},
			{Name: "queue", Audience: Staff, Where: Private, Handle: b.queue,
				Menu: [2]string{"待批改情况（老师）", "The review queue (teachers)"},
				Help: [2]string{"— 待批改情况", "— the review queue"}},
		},
		Callbacks: []CallbackRoute{{"rv", b.reviewGrade}, {"rs", b.reviewScore}, {"rk", b.reviewSkip}, {"qu", b.queuePageButton}},
	}
}
