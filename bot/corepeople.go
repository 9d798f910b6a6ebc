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

// corePeople is what the core group's two features share: whom a command
// names (@username, a member number, or a reply) and which core group it
// acts on.
type corePeople struct {
	*core
	Groups *groups.Service
	People *membership.People
}

// target resolves the person an argument names: "@username" (one person
// only), a member number ("PPT-00042", or "42" with one course), or, with
// no argument, the author of the message replied to. refusal, when set,
// is the answer instead.
func (p *corePeople) target(ctx context.Context, r *Request, arg string) (person, string, error) {
	switch {
	case strings.HasPrefix(arg, "@"):
		pr, err := p.People.ByUsername(ctx, arg, false)
		var nameErr *membership.NameError
		if errors.As(err, &nameErr) {
			return person{}, (&roleDesk{core: p.core}).nameRefusal(r.Lang, nameErr), nil
		}
		if err != nil {
			return person{}, "", err
		}
		return person{ID: pr.UserID, FirstName: pr.FirstName, Username: pr.Username}, "", nil
	case arg != "":
		en, err := p.People.ByNumber(ctx, p.Courses, arg)
		if errors.Is(err, shequn.ErrNotFound) {
			return person{}, T(r.Lang, "core.no_such_person", arg), nil
		}
		if err != nil {
			return person{}, "", err
		}
		who := person{ID: en.UserID}
		if pr, err := p.People.Profile(ctx, en.UserID); err == nil {
			who.FirstName, who.Username = pr.FirstName, pr.Username
		}
		return who, "", nil
	case r.Message != nil && r.Message.ReplyToMessage != nil && r.Message.ReplyToMessage.From != nil:
		u := r.Message.ReplyToMessage.From
		return person{ID: u.ID, FirstName: u.FirstName, Username: u.UserName}, "", nil
	}
	return person{}, T(r.Lang, "core.name_someone"), nil
}

// scope names the core group a command acts on: the community's one; or,
// when every course has its own, the one the command was sent in, else
// the only course, else the only course the person named is a student of.
// ok is false when none of these tells.
func (p *corePeople) scope(ctx context.Context, r *Request, userID int64) (string, bool, error) {
	if !p.Groups.CoreRules.PerCourse {
		return "", true, nil
	}
	if !r.Private {
		g, err := p.Groups.CoreGroupOfChat(ctx, r.ChatID)
		if err == nil {
			return g.Course, true, nil
		}
		if !errors.Is(err, shequn.ErrNotFound) {
			return "", false, err
		}
	}
	if len(p.Courses) == 1 {
		return p.Courses[0].ID, true, nil
	}
	if userID == 0 {
		return "", false, nil
	}
	ens, err := p.People.Enrollments(ctx, userID)
	if err != nil {
		return "", false, fmt.Errorf("enrollments of %d: %w", userID, err)
	}
	var active []string
	for _, en := range ens {
		if en.Active() {
			active = append(active, en.Course)
		}
	}
	if len(active) != 1 {
		return "", false, nil
	}
	return active[0], true, nil
}

// label names a person for the staff: first name, @username and member
// numbers, so that the right one is recognised.
func (p *corePeople) label(ctx context.Context, who person) string {
	name := strings.TrimSpace(who.FirstName)
	if who.Username != "" {
		name = strings.TrimSpace(name + " @" + who.Username)
	}
	if name == "" {
		if pr, err := p.People.Profile(ctx, who.ID); err == nil {
			name = strings.TrimSpace(pr.FirstName)
		}
	}
	if name == "" {
		name = fmt.Sprint(who.ID)
	}
	ens, err := p.People.Enrollments(ctx, who.ID)
	if err != nil || len(ens) == 0 {
		return name
	}
	numbers := make([]string, len(ens))
	for i, en := range ens {
		numbers[i] = p.memberNumber(en.Course, en.Number)
	}
	return name + " " + strings.Join(numbers, " ")
}

// labelOf names a user known only by id.
func (p *corePeople) labelOf(ctx context.Context, userID int64) string {
	return p.label(ctx, person{ID: userID})
}
