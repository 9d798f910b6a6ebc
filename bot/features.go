package bot

import (
	"context"

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
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
}

// roleDesk is granting and revoking the staff's roles.
type roleDesk struct {
	*core
	People *membership.People
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

// coreDesk (coredesk.go) and coreWork (corework.go) are the core group's
// cycle and its shared work, over corePeople (corepeople.go).

// wire builds the core and the features from the Bot's fields, and
// collects their tables and dialogues.
func (b *Bot) wire() {
	c := &core{Sender: b.Sender, Dialogues: b.Dialogues, Location: b.Location, Courses: b.Courses, Now: b.Now, Log: b.Log, Wake: b.Wake, botName: b.self.UserName}
	people := &membership.People{Members: b.Members, Profiles: b.Profiles, Roles: b.Roles, Numbers: b.Numbers, Now: b.Now}
	work := &studentWork{core: c, Homework: b.Homework}
	en := &enrollment{core: c, People: people, Groups: b.Groups, Checkout: b.Checkout, startSubmission: work.startSubmission}
	roles := &roleDesk{core: c, People: people}
	if b.Sender != nil {
		roles.menuOf = b.MenuOf
	}
	c.tables = []Table{
		en.enrollmentTable(),
		work.homeworkTable(),
		(&assignDesk{core: c, Homework: b.Homework}).assignTable(),
		(&reviewDesk{core: c, Homework: b.Homework, People: people}).reviewTable(),
		(&standings{core: c, Homework: b.Homework, People: people}).standingsTable(),
		(&groupDesk{core: c, Groups: b.Groups}).groupsTable(),
		roles.rolesTable(),
		(&coreDesk{&corePeople{core: c, Groups: b.Groups, People: people}}).coreTable(),
		(&coreWork{&corePeople{core: c, Groups: b.Groups, People: people}, b.GroupLang}).workTable(),
		(&dialogueDesk{c}).dialogueTable(),
	}
	c.dialogues = map[string]Dialogue{}
	for _, t := range c.tables {
		for _, d := range t.Dialogues {
			c.dialogues[d.Kind] = d
		}
	}
	c.noAnswer, c.fallback = en.help, en.fallback
	b.core = c
}
