package groups

import (
	"context"
	"errors"
)

// Right is an administrator right the bot needs in a group.
type Right string

// Rights the bot uses. Invite makes links and approves join requests,
// Restrict mutes and removes members, Pin pins the announcement.
const (
	RightInvite   Right = "invite_users"
	RightRestrict Right = "restrict_members"
	RightPin      Right = "pin_messages"
	RightDelete   Right = "delete_messages"
)

// RequiredRights lists what the bot must hold in a group of the kind.
func RequiredRights(k Kind) []Right {
	if k == KindCore {
		return []Right{RightInvite, RightRestrict, RightPin}
	}
	return []Right{RightInvite, RightRestrict, RightPin, RightDelete}
}

// Platform is what groups needs from the chat platform. Implementations
// return shequn.ErrUnreachable when a user cannot be written to (they blocked the
// bot or never opened a chat with it).
type Platform interface {
	// BotRights lists the rights the bot holds in the chat: nil when it is
	// not an administrator, empty when it is one without rights.
	BotRights(ctx context.Context, chatID int64) ([]Right, error)
	// MuteAll takes the right to speak from every ordinary member.
	MuteAll(ctx context.Context, chatID int64) error
	// CreateJoinLink makes a link whose use asks the bot for approval.
	CreateJoinLink(ctx context.Context, chatID int64, name string) (string, error)
	// JoinLinkWorks reports whether a link the bot made still lets people
	// ask to join: false once an administrator revoked it or it expired.
	JoinLinkWorks(ctx context.Context, chatID int64, link, name string) (bool, error)
	ApproveJoin(ctx context.Context, chatID, userID int64) error
	DeclineJoin(ctx context.Context, chatID, userID int64) error
	// RemoveMember takes a member out and lets them come back later with
	// a new purchase (on Telegram: ban, then unban).
	RemoveMember(ctx context.Context, chatID, userID int64) error
	// LiftBan lets a user who was taken out come back (on Telegram: unban,
	// only if banned); it does nothing to anyone else. A removal that died
	// between its ban and the ban's lifting is finished with it.
	LiftBan(ctx context.Context, chatID, userID int64) error
	// IsMember reports whether the user is in the chat now.
	IsMember(ctx context.Context, chatID, userID int64) (bool, error)
}

// ErrJoinRequestGone is returned by ApproveJoin when there is no pending
// request to approve any more.
var ErrJoinRequestGone = errors.New("no pending join request")

// InviteNotice welcomes a buyer and gives them the way into their group.
type InviteNotice struct {
	Course string
	Number int
	Group  Group
	Link   string
}

// WaitlistNotice tells a buyer every group is full and that the way in
// follows as soon as a seat is free.
type WaitlistNotice struct {
	Course string
	Number int
}

// RemovedNotice tells a member their seat was taken back.
type RemovedNotice struct {
	Course string
	Number int
	Group  Group
}

// ArrivalNotice greets the members who arrived in a group since the last
// greeting, in one line: a group takes about 20 messages a minute, so a
// line per member would fall hours behind when thousands join.
type ArrivalNotice struct {
	Course   string
	Arrivals []Arrival
}

// Arrival is one member in an ArrivalNotice.
type Arrival struct {
	Number    int
	FirstName string
}

// RulesNotice is the pinned announcement of a newly registered group.
type RulesNotice struct{ Group Group }

// WaitlistAlert asks the owners for a new group.
type WaitlistAlert struct {
	Course  string
	Waiting int
}

// GroupProblemAlert tells the owners, once, that a group refuses the bot's
// effects and what they need to do about it.
type GroupProblemAlert struct {
	Group   Group
	Problem Problem
}

// GroupReadyNotice tells the owner who registered a group that its set-up
// (mute, pinned rules) is done, when it was finished after /register
// answered.
type GroupReadyNotice struct{ Group Group }

// NoticeName implements shequn.Notice.
func (GroupProblemAlert) NoticeName() string { return "group_problem" }

// NoticeName implements shequn.Notice.
func (GroupReadyNotice) NoticeName() string { return "group_ready" }

// NoticeName implements shequn.Notice.
func (InviteNotice) NoticeName() string { return "invite" }

// NoticeName implements shequn.Notice.
func (WaitlistNotice) NoticeName() string { return "waitlist" }

// NoticeName implements shequn.Notice.
func (RemovedNotice) NoticeName() string { return "removed" }

// NoticeName implements shequn.Notice.
func (ArrivalNotice) NoticeName() string { return "arrival" }

// NoticeName implements shequn.Notice.
func (RulesNotice) NoticeName() string { return "rules" }

// NoticeName implements shequn.Notice.
func (WaitlistAlert) NoticeName() string { return "waitlist_alert" }
