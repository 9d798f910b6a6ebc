package bot

import (
	"context"

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/desk"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
)

// The bot's features. Each owns its handlers and its table (commands,
// buttons, events and dialogues, with their menu and help texts) over the
// shared core; Bot only wires them, runs the middleware and renders
// notices. A new feature is a type here, its file(s), and one line in
// wire.

// enrollment is buying a course, /me, the language and /help.
type enrollment struct {
	*core
	People   *membership.People
	Groups   *groups.Service
	Checkout Checkout
	// startSubmission follows a "submit-<id>" deep link into homework.
	startSubmission func(ctx context.Context, r *Request, id string) error
}

// groupDesk is registering groups and following their members.
type groupDesk struct {
	*core
	Groups *groups.Service
	// arrived checks a person who came into a group (the pyramid's
	// intruder rule); nil for none.
	arrived func(ctx context.Context, chatID, userID int64) error
	// gone follows a person who left a group or was removed; nil for
	// none.
	gone func(ctx context.Context, chatID, userID int64) error
}

// roleDesk is granting and revoking the staff's roles.
type roleDesk struct {
	*core
	People *membership.People
	// Pyramid keeps the audit log and the roles held for one group; nil
	// without one.
	Pyramid   *moderation.Service
	GroupLang Lang
	// menuOf updates a user's personal command menu after their roles
	// changed; nil when there is no Telegram to tell.
	menuOf func(ctx context.Context, userID int64) error
}

// studentWork is the students' side of homework: assignments, handing
// in, their work and their rank.
type studentWork struct {
	*core
	Homework *assignments.Service
}

// assignDesk is the teachers' publishing of assignments.
type assignDesk struct {
	*core
	Homework *assignments.Service
}

// reviewDesk is the staff's reviewing, grading, leaderboard and queue.
type reviewDesk struct {
	*core
	Homework *assignments.Service
	People   *membership.People
}

// standings is the staff's leaderboard and review queue.
type standings struct {
	*core
	Homework *assignments.Service
	People   *membership.People
}

// pyramidDesk is the pyramid's middle: monitors, who answers for a group
// (/staff), the audit log, moderation in student groups, and people found
// there without a seat.
type pyramidDesk struct {
	*core
	Mod       *moderation.Service
	People    *membership.People
	Groups    *groups.Service
	Owners    []int64
	GroupLang Lang // the language of titles and posts in groups
	// heard is who else listens to what people say in a group (a
	// session's questions); routes are first-match, so it is called here.
	heard HandlerFunc
}

// qaDesk is the Q&A desk: questions, the FAQ, tickets and answers.
type qaDesk struct {
	*core
	Desk  *desk.Service
	Files FileFetcher // reads CSV imports; nil: none
	help  HandlerFunc // for private text of a non-member
	asks  floodGuard  // each student's questions a minute
}

// coreDesk (coredesk.go) and coreWork (corework.go) are the core group's
// cycle and its shared work, over corePeople (corepeople.go).

// wire builds the core and the features from the Bot's fields, and
// collects their tables and dialogues.
func (b *Bot) wire() {
	c := &core{Sender: b.Sender, Dialogues: b.Dialogues, Location: b.Location, Courses: b.Courses, Now: b.Now, Log: b.Log, Wake: b.Wake, botName: b.self.UserName}
	c.qq = func() QQSide { return b.QQ }
	people := &membership.People{Members: b.Members, Profiles: b.Profiles, Roles: b.Roles, Numbers: b.Numbers, Now: b.Now}
	work := &studentWork{core: c, Homework: b.Homework}
	en := &enrollment{core: c, People: people, Groups: b.Groups, Checkout: b.Checkout, startSubmission: work.startSubmission}
	roles := &roleDesk{core: c, People: people, Pyramid: b.Moderation, GroupLang: b.GroupLang}
	pyramid := &pyramidDesk{core: c, Mod: b.Moderation, People: people, Groups: b.Groups, Owners: b.Owners, GroupLang: b.GroupLang}
	if b.Sender != nil {
		roles.menuOf = b.MenuOf
	}
	c.tables = []Table{
		en.enrollmentTable(),
		work.homeworkTable(),
		(&assignDesk{core: c, Homework: b.Homework}).assignTable(),
		(&reviewDesk{core: c, Homework: b.Homework, People: people}).reviewTable(),
		(&standings{core: c, Homework: b.Homework, People: people}).standingsTable(),
		(&groupDesk{core: c, Groups: b.Groups, arrived: pyramid.arrived, gone: pyramid.gone}).groupsTable(),
		roles.rolesTable(),
		pyramid.pyramidTable(),
		(&coreDesk{&corePeople{core: c, Groups: b.Groups, People: people}}).coreTable(),
		(&coreWork{&corePeople{core: c, Groups: b.Groups, People: people}, b.GroupLang}).workTable(),
	}
	qa := &qaDesk{core: c, Desk: b.Desk, Files: b.Files, help: en.help}
	if b.Desk != nil {
		c.tables = append(c.tables, qa.deskTable())
	}
	talks := &sessionDesk{core: c, Sessions: b.Sessions, People: people}
	if b.Sessions != nil {
		news := &broadcastDesk{core: c, Sessions: b.Sessions}
		c.tables = append([]Table{news.privateChatTable()}, c.tables...)
		c.tables = append(c.tables, talks.sessionsTable(), news.broadcastTable())
		c.tables = append(c.tables, (&checkInDesk{core: c, Sessions: b.Sessions, Groups: b.Groups}).checkInTable())
		pyramid.heard = talks.question
	}
	c.tables = append(c.tables, (&dialogueDesk{c}).dialogueTable())
	c.dialogues = map[string]Dialogue{}
	for _, t := range c.tables {
		for _, d := range t.Dialogues {
			c.dialogues[d.Kind] = d
		}
	}
	c.noAnswer, c.fallback = en.help, en.fallback
	if b.Desk != nil {
		c.noAnswer = qa.noAnswer
	}
	if b.Sessions != nil {
		c.noAnswer = talks.relayOr(c.noAnswer)
	}
	b.core = c
}
