// Package moderation is the middle of the pyramid that runs a student
// group: monitors (班长) and assistants appointed for one group, what
// they may do to whom (warn, mute, unmute, kick), the warnings that turn
// into a mute, and the audit log of every grant, revoke and moderation
// act. It decides; the platform (Telegram) acts, and the stores remember.
// Like the other domain packages it never imports a transport or a
// database.
package moderation

import (
	"context"
	"time"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// Rank is a person's place in a student group's pyramid. Nobody acts on
// someone at or above their own rank.
type Rank int

// Ranks, from the bottom.
const (
	Student Rank = iota
	Monitor
	Assistant
	Teacher
	Owner
)

// String names the rank, for logs and text keys.
func (r Rank) String() string {
	switch r {
	case Monitor:
		return "monitor"
	case Assistant:
		return "assistant"
	case Teacher:
		return "teacher"
	case Owner:
		return "owner"
	}
	return "student"
}

// Role is a role held for one group (rather than for a course).
type Role string

// Group roles. A monitor is a student the bot makes a group administrator
// with the few rights a monitor needs; an assistant of a group answers for
// it without Telegram rights: the bot acts for them.
const (
	RoleMonitor   Role = "monitor"
	RoleAssistant Role = "assistant"
)

// Appointment is a group role held by a user.
type Appointment struct {
	ChatID int64
	UserID int64
	Role   Role
	By     int64
	At     time.Time
}

// Action is what an audit entry records.
type Action string

// Actions of the audit log.
const (
	ActGrant    Action = "grant"    // a course role granted (/grant)
	ActRevoke   Action = "revoke"   // a course role taken back
	ActAppoint  Action = "appoint"  // a group role given (/monitor, /grant … group)
	ActDismiss  Action = "dismiss"  // a group role taken back
	ActWarn     Action = "warn"     // a warning
	ActMute     Action = "mute"     // a mute, by hand or by warnings
	ActUnmute   Action = "unmute"   // a mute lifted
	ActKick     Action = "kick"     // out of the group; the enrollment stays
	ActIntruder Action = "intruder" // found in a student group without a seat, removed
)

// DetailWarnings marks a mute that the warnings caused: warnings before it
// no longer count.
const DetailWarnings = "warnings"

// Entry is one line of the audit log: who did what to whom, where, when
// and why.
type Entry struct {
	// Key, when set, makes the entry once: recording it again is a no-op.
	Key    string
	At     time.Time
	Actor  int64 // 0 for the bot's own acts
	Target int64
	Action Action
	ChatID int64  // the group, or 0
	Detail string // the role and its scope, a mute's end, …
	Reason string
}

// Store keeps the group roles and the audit log.
type Store interface {
	// Appoint stores a; it reports false when the user holds the role in
	// the chat already (the first appointment stays).
	Appoint(ctx context.Context, a Appointment) (bool, error)
	// Dismiss removes the user's role in the chat and reports whether
	// there was one.
	Dismiss(ctx context.Context, chatID, userID int64, role Role) (bool, error)
	// GroupStaff returns the appointments of a chat, by role and user.
	GroupStaff(ctx context.Context, chatID int64) ([]Appointment, error)
	// Appointments returns a user's appointments in every chat, by chat
	// id and role.
	Appointments(ctx context.Context, userID int64) ([]Appointment, error)
	// Record appends e to the audit log and reports true; an entry with a
	// Key recorded before is not added again (false).
	Record(ctx context.Context, e Entry) (bool, error)
	// EntriesOn returns the entries whose target is the user at or after
	// since, oldest first.
	EntriesOn(ctx context.Context, target int64, since time.Time) ([]Entry, error)
	// Audit returns up to limit entries the user did or underwent, newest
	// first.
	Audit(ctx context.Context, userID int64, limit int) ([]Entry, error)
	// UserByNumber finds the holder of a member number of a course;
	// shequn.ErrNotFound when nobody has it.
	UserByNumber(ctx context.Context, course string, number int) (int64, error)
}

// Roles are the course roles (membership's grants), read only.
type Roles interface {
	Grants(ctx context.Context, userID int64) ([]membership.Grant, error)
	Staff(ctx context.Context) ([]membership.Grant, error)
}

// Groups finds groups and seats (groups.Store).
type Groups interface {
	Group(ctx context.Context, id int64) (groups.Group, error)
	GroupByChat(ctx context.Context, chatID int64) (groups.Group, error)
	Seat(ctx context.Context, course string, userID int64) (groups.Seat, error)
	SeatInGroup(ctx context.Context, groupID, userID int64) (groups.Seat, error)
}

// Platform acts on a group's members.
type Platform interface {
	// Promote makes the user an administrator with a monitor's rights only
	// (delete messages, pin, restrict members) and the custom title.
	Promote(ctx context.Context, chatID, userID int64, title string) error
	// Demote takes every administrator right back.
	Demote(ctx context.Context, chatID, userID int64) error
	// Restrict takes the right to send until the time.
	Restrict(ctx context.Context, chatID, userID int64, until time.Time) error
	// Unrestrict gives the group's ordinary rights back.
	Unrestrict(ctx context.Context, chatID, userID int64) error
	// Remove takes the user out of the group; block keeps them out, else
	// they may come back through a new way in. Every call refuses an
	// administrator of the chat it may not edit with an error wrapping
	// ErrAdmin.
	Remove(ctx context.Context, chatID, userID int64, block bool) error
}

// Policy is the moderation section of the configuration.
type Policy struct {
	// WarningsToMute warnings within WarningsExpire mute for MuteFor.
	WarningsToMute int
	// MuteFor is how long a mute lasts: by warnings, or /mute without a
	// duration.
	MuteFor time.Duration
	// WarningsExpire is how long a warning counts.
	WarningsExpire time.Duration
}

// DefaultPolicy is the configuration's default.
var DefaultPolicy = Policy{WarningsToMute: 3, MuteFor: 24 * time.Hour, WarningsExpire: 720 * time.Hour}

// Mute durations Telegram keeps as given: shorter than 30 seconds or
// longer than 366 days is for ever there, so they are refused here.
const (
	MinMute = time.Minute
	MaxMute = 366 * 24 * time.Hour
)
