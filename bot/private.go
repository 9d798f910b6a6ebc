package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// start lists the courses with Buy buttons; "/start buy-<course>" (a deep
// link from an ad or a channel) goes straight to the purchase.
func (f *enrollment) start(ctx context.Context, r *Request) error {
	if len(r.Args) > 0 {
		if id, ok := strings.CutPrefix(r.Args[0], "buy-"); ok {
			return f.buy(ctx, r, id)
		}
		if id, ok := strings.CutPrefix(r.Args[0], "submit-"); ok {
			return f.startSubmission(ctx, r, id)
		}
	}
	if len(f.Courses) == 0 {
		return f.reply(ctx, r, T(r.Lang, "start.none"))
	}
	var lines []string
	var rows [][]Choice
	for _, c := range f.Courses {
		lines = append(lines, T(r.Lang, "start.course", c.Title, price(r.Lang, c)))
		rows = append(rows, []Choice{{Label: Label(r.Lang, "buy.button", c.Title), Data: "buy:" + c.ID}})
	}
	return f.reply(ctx, r, T(r.Lang, "start.courses", HTML(strings.Join(lines, "\n"))), rows...)
}

func price(lang Lang, c membership.Course) string {
	if c.Amount <= 0 {
		return T(lang, "start.price_see")
	}
	return fmt.Sprintf("%d.%02d %s", c.Amount/100, c.Amount%100, strings.ToUpper(c.Currency))
}

func (f *enrollment) buyCallback(ctx context.Context, r *Request) error {
	if !r.Private {
		return nil
	}
	return f.buy(ctx, r, r.Payload)
}

// buy opens a Stripe Checkout Session for the course and sends its link.
func (f *enrollment) buy(ctx context.Context, r *Request, courseID string) error {
	c, ok := f.course(courseID)
	if !ok {
		return f.reply(ctx, r, T(r.Lang, "buy.unknown", courseID))
	}
	if en, ok := r.Who.Enrollment(c.ID); ok && en.Active() {
		return f.reply(ctx, r, T(r.Lang, "buy.already", c.Title, c.MemberNumber(en.Number)))
	}
	if f.Checkout == nil {
		return f.reply(ctx, r, T(r.Lang, "buy.closed", c.Title))
	}
	if other, err := f.Groups.OnOtherPlatform(ctx, c.ID, r.From.ID); err != nil || other {
		if err != nil {
			return fmt.Errorf("platform of %s: %w", c.ID, err)
		}
		return f.reply(ctx, r, T(r.Lang, "buy.other_platform", c.Title))
	}
	url, _, err := f.Checkout.CreateSession(ctx, c, r.From.ID)
	if err != nil {
		return fmt.Errorf("open checkout for %s: %w", c.ID, err)
	}
	return f.reply(ctx, r, T(r.Lang, "buy.link", c.Title), []Choice{{Label: Label(r.Lang, "buy.pay_button"), URL: url}})
}

// me shows the member's numbers and groups, with a way back into a group
// they are not in.
func (f *enrollment) me(ctx context.Context, r *Request) error {
	ens := r.Who.Enrollments
	if len(ens) == 0 {
		return f.reply(ctx, r, T(r.Lang, "me.none"))
	}
	var lines []string
	var rows [][]Choice
	for _, en := range ens {
		title, number := f.courseTitle(en.Course), f.memberNumber(en.Course, en.Number)
		if !en.Active() {
			lines = append(lines, T(r.Lang, "me.released", title, number))
			continue
		}
		w, err := f.Groups.WayBack(ctx, en.Course, r.From.ID)
		switch {
		case errors.Is(err, shequn.ErrNotFound):
			lines = append(lines, T(r.Lang, "me.pending", title, number))
			continue
		case err != nil:
			return fmt.Errorf("way back into %s: %w", en.Course, err)
		}
		switch {
		case w.Seat.State == groups.SeatWaiting:
			lines = append(lines, T(r.Lang, "me.waiting", title, number))
		case w.Seat.State == groups.SeatReleased:
			lines = append(lines, T(r.Lang, "me.released", title, number))
		case w.Link == "":
			lines = append(lines, T(r.Lang, "me.seated", title, number, groupName(r.Lang, w.Group)))
		default:
			name := groupName(r.Lang, w.Group)
			lines = append(lines, T(r.Lang, "me.away", title, number, name))
			rows = append(rows, []Choice{{Label: Label(r.Lang, "invite.button", name), URL: w.Link}})
		}
	}
	return f.reply(ctx, r, strings.Join(lines, "\n\n"), rows...)
}

func (f *enrollment) language(ctx context.Context, r *Request) error {
	return f.reply(ctx, r, T(r.Lang, "language.choose"),
		[]Choice{{Label: "中文", Data: "lang:" + string(Chinese)}, {Label: "English", Data: "lang:" + string(English)}})
}

func (f *enrollment) languageChosen(ctx context.Context, r *Request) error {
	lang := MatchLang(r.Payload)
	if err := f.People.SetLanguage(ctx, r.From.ID, string(lang)); err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	r.Lang = lang
	return f.reply(ctx, r, T(lang, "language.set"))
}

// help lists the commands of every audience the sender belongs to.
func (f *enrollment) help(ctx context.Context, r *Request) error {
	return f.reply(ctx, r, helpText(f.tables, r.Lang, r.Who))
}

// fallback answers what no route took: an unknown command gets the hint,
// plain text in a private chat gets the help; group chatter is ignored.
func (f *enrollment) fallback(ctx context.Context, r *Request) error {
	switch {
	case r.Command != "" && r.Addressed:
		return f.reply(ctx, r, T(r.Lang, "unknown_command"))
	case r.Private && r.Update.Message != nil:
		return f.help(ctx, r)
	}
	return nil
}

// enrollmentTable declares buying, /me, the language and /help.
func (f *enrollment) enrollmentTable() Table {
	return Table{
		Commands: []Command{
			{Name: "start", Audience: Anyone, Where: Private, Handle: f.start,
				Menu: [2]string{"查看课程并购买", "See the courses and buy one"},
				Help: [2]string{"— 查看课程并购买", "— see the courses and buy one"}},
			{Name: "me", Audience: Students, Where: Private, Handle: f.me,
				Menu: [2]string{"我的学员编号和学员群", "My member number and group"},
				Help: [2]string{"— 我的学员编号和学员群", "— my member number and group"}},
			{Name: "language", Audience: Anyone, Where: Anywhere, Handle: f.language,
				Menu: [2]string{"切换语言", "Change the language"},
				Help: [2]string{"— 切换语言", "— change the language"}},
			{Name: "help", Audience: Anyone, Where: Anywhere, Handle: f.help,
				Menu: [2]string{"帮助", "Help"},
				Help: [2]string{"— 帮助", "— help"}},
		},
		Callbacks: []CallbackRoute{{"buy", f.buyCallback}, {"lang", f.languageChosen}},
	}
}
