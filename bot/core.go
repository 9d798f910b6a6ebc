package bot

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// core is what every feature shares: replies through the sender, the
// courses, the clock, the dialogues. A feature embeds it and adds the
// services it needs; it never reaches another feature but through the
// tables and the dialogue registry.
type core struct {
	Sender    *Sender
	Dialogues shequn.DialogueStore
	Location  *time.Location      // dates are shown in this zone
	Courses   []membership.Course // in the order they are offered
	Now       func() time.Time
	Log       *slog.Logger
	Wake      func()        // asks the reconciler for a pass soon; may be nil
	botName   string        // the bot's username, for links into its chat
	qq        func() QQSide // the QQ side, read when used (set after wiring); nil without one

	tables    []Table             // every feature's, for /help and answers
	dialogues map[string]Dialogue // by kind, from the tables
	noAnswer  HandlerFunc         // for a private message that answers nothing
	fallback  HandlerFunc         // for what no route took
}

// reply answers in the request's chat, with rows of choices.
func (c *core) reply(ctx context.Context, r *Request, text string, choices ...[]Choice) error {
	return r.Chat.Reply(ctx, text, choices)
}

// chatOf is the conversation of any chat by its id: QQ's side for QQ
// ids, Telegram's otherwise; nil when neither can reach it.
func (c *core) chatOf(chatID int64) Conversation {
	var qq QQSide
	if c.qq != nil {
		qq = c.qq()
	}
	if (shequn.IsQQ(chatID) && qq == nil) || (!shequn.IsQQ(chatID) && c.Sender == nil) {
		return nil
	}
	return conversation(qq, c.Sender, chatID)
}

func (c *core) course(id string) (membership.Course, bool) {
	for _, x := range c.Courses {
		if x.ID == id {
			return x, true
		}
	}
	return membership.Course{}, false
}

// memberNumber formats a member number of a course.
func (c *core) memberNumber(course string, n int) string {
	x, ok := c.course(course)
	if !ok {
		return membership.FormatNumber(strings.ToUpper(course), n)
	}
	return x.MemberNumber(n)
}

func (c *core) courseTitle(id string) string {
	if x, ok := c.course(id); ok {
		return x.Title
	}
	return id
}

// date shows a time in the community's zone.
func (c *core) date(lang Lang, t time.Time) string {
	if t.IsZero() {
		return T(lang, "assign.no_due")
	}
	return t.In(c.Location).Format("2006-01-02 15:04")
}

// reviewedCourses lists the courses the sender reviews, in the order
// they are offered.
func (c *core) reviewedCourses(who Who) []string {
	if !who.StaffAll {
		return who.StaffOf
	}
	var courses []string
	for _, x := range c.Courses {
		courses = append(courses, x.ID)
	}
	return courses
}

// wake asks the reconciler for a pass soon, after a change of desired
// state.
func (c *core) wake() {
	if c.Wake != nil {
		c.Wake()
	}
}
