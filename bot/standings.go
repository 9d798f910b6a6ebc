package bot

import (
	"context"
	"slices"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/assignments"
)

// top shows a course's leaderboard to its reviewers.
func (f *standings) top(ctx context.Context, r *Request) error {
	course, period := "", assignments.PeriodWeek
	for _, arg := range r.Args {
		a := strings.ToLower(arg)
		switch {
		case assignments.Period(a).Valid():
			period = assignments.Period(a)
		case course == "":
			course = a
		default:
			return f.reply(ctx, r, T(r.Lang, "top.usage"))
		}
	}
	if course == "" {
		if courses := f.reviewedCourses(r.Who); len(courses) > 0 {
			course = courses[0]
		}
	}
	if _, known := f.course(course); !known {
		return f.reply(ctx, r, T(r.Lang, "top.usage"))
	}
	list, err := f.Homework.Top(ctx, r.From.ID, course, period, 10)
	if err != nil {
		return err
	}
	periodName := T(r.Lang, "period."+string(period))
	if len(list) == 0 {
		return f.reply(ctx, r, T(r.Lang, "top.none", f.courseTitle(course), periodName))
	}
	lines := []string{T(r.Lang, "top.header", f.courseTitle(course), periodName, len(list))}
	for _, st := range list {
		lines = append(lines, T(r.Lang, "top.line", st.Rank, memberLabel(ctx, f.core, f.People, course, st.UserID), st.Points))
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

// queue shows the review queue and this week's reviews per reviewer.
func (f *standings) queue(ctx context.Context, r *Request) error { return f.queuePage(ctx, r, -1) }

// queuePageButton shows a page of /queue's reviewers.
func (f *standings) queuePageButton(ctx context.Context, r *Request) error {
	if n, ok := pageOf(r); ok {
		return f.queuePage(ctx, r, n)
	}
	return nil
}

// queuePage shows the queue with the reviewers in one line (page < 0)
// when they fit, else one reviewer a line, in pages.
func (f *standings) queuePage(ctx context.Context, r *Request, page int) error {
	q, err := f.Homework.Queue(ctx, r.From.ID)
	if err != nil {
		return err
	}
	oldest := ""
	if !q.OldestPending.IsZero() {
		oldest = T(r.Lang, "queue.oldest", f.date(r.Lang, q.OldestPending))
	}
	var by []string
	for reviewer, n := range q.ReviewsBy {
		by = append(by, T(r.Lang, "queue.by", f.personName(ctx, reviewer), n))
	}
	slices.Sort(by)
	done := T(r.Lang, "queue.nobody")
	if len(by) > 0 {
		done = strings.Join(by, T(r.Lang, "right.separator"))
	}
	if text := T(r.Lang, "queue", q.Pending, HTML(oldest), HTML(done)); page < 0 && htmlUnits(text, tgbotapi.ModeHTML) <= pageBudget {
		return f.reply(ctx, r, text)
	}
	return f.sendPage(ctx, r, T(r.Lang, "queue", q.Pending, HTML(oldest), T(r.Lang, "queue.below")), by, page, "qu")
}

// personName names a user by username or first name.
func (f *standings) personName(ctx context.Context, userID int64) string {
	p, err := f.People.Profile(ctx, userID)
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

// standingsTable declares the leaderboard and the review queue.
func (f *standings) standingsTable() Table {
	return Table{
		Commands: []Command{
			{Name: "top", Audience: Staff, Where: Private, Handle: f.top,
				Menu: [2]string{"排行榜（老师）", "The leaderboard (teachers)"},
				Help: [2]string{"[课程] [week|month|all] — 排行榜", "[course] [week|month|all] — the leaderboard"}},
			{Name: "queue", Audience: Staff, Where: Private, Handle: f.queue,
				Menu: [2]string{"待批改情况（老师）", "The review queue (teachers)"},
				Help: [2]string{"— 待批改情况", "— the review queue"}},
		},
		Callbacks: []CallbackRoute{{"qu", f.queuePageButton}},
	}
}
