// Package groups owns the community's chat groups and who belongs in which:
// numbered student groups filled in order, seats, the waitlist, the mute
// policy, and the reconciler that makes the chats match what is stored.
//
// It speaks of users, groups and rights; the chat platform (Telegram today,
// QQ next) is reached through the Platform interface declared here and the
// Notifier of package shequn.
package groups

import (
	"context"
	"time"
)

// Kind tells a student group from the core group.
type Kind string

// Group kinds. Student groups are muted pyramids, one course each; the core
// group is one circle where everyone speaks.
const (
	KindStudent Kind = "student"
	KindCore    Kind = "core"
)

// Group is a chat the community runs.
type Group struct {
	ID           int64
	ChatID       int64 // the platform's id of the chat
	Kind         Kind
	Course       string // empty for the core group
	Ordinal      int    // 1 for 学员1群, 2 for 学员2群, … per course and kind
	Title        string // the chat's title when it was registered
	Capacity     int
	SeatsUsed    int
	RegisteredBy int64
	CreatedAt    time.Time
	SetUpAt      time.Time // when the mute and the pinned announcement were done
	// JoinLink is the group's link that asks for approval; every member is
	// given the same one, since approval checks the member's seat.
	JoinLink string
	// Problem is set while the group refuses the bot's effects (a right
	// missing, the bot removed): nothing is tried there until it is cleared.
	Problem Problem
}

// The capacity rule of a group: at least one seat, and no more than the
// 200,000 members Telegram lets a supergroup hold.
const (
	MinCapacity = 1
	MaxCapacity = 200000
)

// ValidCapacity reports whether a group may have n seats; transports ask it
// before they register a group, the service enforces it.
func ValidCapacity(n int) bool { return n >= MinCapacity && n <= MaxCapacity }

// Free is the number of seats left.
func (g Group) Free() int { return max(g.Capacity-g.SeatsUsed, 0) }

// SeatState is where a member stands with respect to a group.
type SeatState string

// Seat states.
const (
	SeatWaiting  SeatState = "waiting"  // paid, every group of the course full
	SeatSeated   SeatState = "seated"   // holds a seat in GroupID
	SeatReleased SeatState = "released" // refunded or disputed: the seat is free again
)

// Seat is the desired state of one enrolled member: which group they belong
// in, and how far the reconciler got in making that true.
type Seat struct {
	Course  string
	UserID  int64
	Number  int // the member number's sequence
	State   SeatState
	GroupID int64 // zero while waiting

	WaitingSince time.Time
	SeatedAt     time.Time
	ReleasedAt   time.Time

	InviteSentAt time.Time // the welcome DM with the way in was delivered
	WaitNotedAt  time.Time // the buyer was told they are on the waitlist
	JoinAskedAt  time.Time // the member asked to join and the bot approved; cleared when joined
	JoinedAt     time.Time // the member is in the group
	WelcomedAt   time.Time // the group was told of the arrival
	LeftAt       time.Time // the member left the group on their own
	RemovedAt    time.Time // a released member was taken out of the group
}

// Stage names a step the reconciler has to finish for a seat.
type Stage string

// Reconciler stages, each with the Mark that completes it.
const (
	StageInvite   Stage = "invite"   // seated, welcome DM with the way in not delivered
	StageWaitNote Stage = "waitnote" // waiting, buyer not told yet
	StageWelcome  Stage = "welcome"  // joined, group not told yet
	StageRemove   Stage = "remove"   // released, not yet taken out of the group
	StageJoin     Stage = "join"     // seated, join approved, arrival not seen
)

// Mark records that a step happened.
type Mark string

// Marks of a seat.
const (
	MarkInviteSent Mark = "invite_sent"
	MarkWaitNoted  Mark = "wait_noted"
	MarkJoinAsked  Mark = "join_asked"
	MarkJoined     Mark = "joined"
	MarkWelcomed   Mark = "welcomed"
	MarkLeft       Mark = "left"
	MarkRemoved    Mark = "removed"
)

// SeatRequest asks for a seat for an enrolled member.
type SeatRequest struct {
	Course string
	UserID int64
	Number int
	At     time.Time
}

// Store keeps groups and seats. Every method is atomic on its own.
// Methods return shequn.ErrNotFound or shequn.ErrConflict (matched
// with errors.Is) as documented, and wrap any other failure.
type Store interface {
	// AddGroup stores g with the next ordinal of its course and kind and
	// returns it. ErrConflict when the chat is registered already.
	AddGroup(ctx context.Context, g Group) (Group, error)
	// MarkGroupSetUp records that the group was muted and announced.
	MarkGroupSetUp(ctx context.Context, groupID int64, at time.Time) error
	// Group returns a group by id; GroupByChat by the platform's chat id.
	// Both return ErrNotFound.
	Group(ctx context.Context, id int64) (Group, error)
	GroupByChat(ctx context.Context, chatID int64) (Group, error)
	// Groups returns every group ordered by kind, course and ordinal.
	Groups(ctx context.Context) ([]Group, error)

	// TakeSeat gives the member a seat in the lowest-ordinal student group
	// of the course with room, or puts them at the end of the waitlist when
	// every group is full or others wait already. A member who is seated or
	// waiting keeps their seat unchanged; a released seat starts afresh.
	// A group never holds more seats than its capacity.
	TakeSeat(ctx context.Context, r SeatRequest) (Seat, error)
	// ReleaseSeat frees the member's seat (a no-op when it is released
	// already) and returns it. ErrNotFound when the member has no seat.
	ReleaseSeat(ctx context.Context, course string, userID int64, at time.Time) (Seat, error)
	// FillWaitlist seats waiting members of the course, longest waiting
	// first, while a group has room, and returns those it seated.
	FillWaitlist(ctx context.Context, course string, at time.Time) ([]Seat, error)
	// WaitlistLen counts the members waiting for a seat in the course.
	WaitlistLen(ctx context.Context, course string) (int, error)

	// Seat returns a member's seat in a course, or ErrNotFound.
	Seat(ctx context.Context, course string, userID int64) (Seat, error)
	// Seats returns every seat of a user.
	Seats(ctx context.Context, userID int64) ([]Seat, error)
	// SeatInGroup returns the seated (not waiting, not released) seat of a
	// user in a group, or ErrNotFound.
	SeatInGroup(ctx context.Context, groupID, userID int64) (Seat, error)

	// SetGroupProblem records the group's problem ("" clears it) and
	// reports whether it changed. ErrNotFound when there is no such group.
	SetGroupProblem(ctx context.Context, groupID int64, p Problem) (bool, error)
	// SetGroupCapacity changes the group's capacity; nobody seated loses
	// their seat when it shrinks. ErrNotFound when there is no such group.
	SetGroupCapacity(ctx context.Context, groupID int64, capacity int) error
	// SetJoinLink stores the group's join link.
	SetJoinLink(ctx context.Context, groupID int64, link string) error
	// MarkSeat records a step. It reports false, changing nothing, when the
	// step was recorded already for the current state of the seat (joined
	// twice, welcomed twice). MarkJoined clears LeftAt and JoinAskedAt;
	// MarkLeft clears JoinedAt, WelcomedAt and JoinAskedAt, so a member can
	// leave and come back; MarkJoinAsked sets JoinAskedAt (again after a
	// leave).
	MarkSeat(ctx context.Context, course string, userID int64, m Mark, at time.Time) (bool, error)
	// PendingSeats returns up to limit seats with the stage unfinished,
	// oldest first. StageJoin: seated, JoinAskedAt set, JoinedAt zero.
	PendingSeats(ctx context.Context, stage Stage, limit int) ([]Seat, error)
}
