package groups

import (
	"context"
	"time"
)

// CoreRules configure the core group's cycle: who is promoted into the
// circle of about 69, how long an invitation waits, and who leaves at each
// period's end (末位淘汰). The zero value is not usable: start from
// DefaultCoreRules.
type CoreRules struct {
	// Capacity is the seats of a core group registered without a number
	// (/register core); a registered group keeps the capacity it was
	// registered with, and the reconciler fills up to that.
	Capacity int
	// PerCourse gives every course its own core group. The default is one
	// core group for the whole community: the model's core group is one
	// circle of the strongest people whatever course brought them, and a
	// circle of 69 split across courses would be too small to talk in.
	PerCourse bool

	// A student becomes a candidate with at least ExcellentMin excellent
	// reviews in the last ExcellentDays days, OR a place in the top TopK
	// of the month's homework ranking (TopK 0: that way is closed).
	ExcellentMin  int
	ExcellentDays int
	TopK          int
	// InviteTimeout is how long an invitation waits before it passes to
	// the next candidate.
	InviteTimeout time.Duration

	// Period is the cron spec of the period's end, when the bottom leave.
	Period string
	// WarnDays is how many days before a period's end members at risk are
	// warned.
	WarnDays int
	// BottomN members leave at each period's end; when BottomPercent is
	// set it is used instead (rounded down, at least one member when the
	// group is not empty).
	BottomN       int
	BottomPercent int
	// Grace keeps a member promoted less than this long ago from being
	// eliminated: a newcomer has had no period to contribute in.
	Grace time.Duration
}

// DefaultCoreRules are the model community's: 69 seats, one core group,
// 3 excellent reviews in 60 days or the month's top 10, three days to
// accept, monthly elimination of the bottom 5 warned three days ahead, and
// a month's grace after promotion.
func DefaultCoreRules() CoreRules {
	return CoreRules{
		Capacity: 69, ExcellentMin: 3, ExcellentDays: 60, TopK: 10,
		InviteTimeout: 72 * time.Hour, Period: "0 0 1 * *", WarnDays: 3,
		BottomN: 5, Grace: 30 * 24 * time.Hour,
	}
}

// Scope names the core group a course's students are promoted into: the
// course itself when every course has its own, "" when one serves all.
func (r CoreRules) Scope(course string) string {
	if r.PerCourse {
		return course
	}
	return ""
}

// Eliminated is how many of n ranked members leave at a period's end.
func (r CoreRules) Eliminated(n int) int {
	k := r.BottomN
	if r.BottomPercent > 0 {
		k = n * r.BottomPercent / 100
		if k == 0 && n > 0 {
			k = 1
		}
	}
	return min(max(k, 0), n)
}

// CoreState is where a person stands with respect to the core group.
type CoreState string

// Core states. A candidate is invited when a seat is free; an invited
// person who does not come within the timeout expires (and may qualify
// again); a member is decided out by an elimination run ("leaving") and is
// "out" once removed and told. A member who leaves by himself is "left".
const (
	CoreCandidate CoreState = "candidate"
	CoreInvited   CoreState = "invited"
	CoreMember    CoreState = "member"
	CoreLeaving   CoreState = "leaving"
	CoreOut       CoreState = "out"
	CoreExpired   CoreState = "expired"
	CoreLeft      CoreState = "left"
)

// Reason says, as data the bot renders, why someone is a candidate.
// The tags name it as stored (JSON in SQLite, BSON in MongoDB).
type Reason struct {
	Kind      ReasonKind `json:"kind" bson:"kind"`
	Excellent int        `json:"excellent,omitempty" bson:"excellent,omitempty"` // excellent reviews counted (ReasonExcellent)
	Days      int        `json:"days,omitempty" bson:"days,omitempty"`           // over so many days (ReasonExcellent)
	Rank      int        `json:"rank,omitempty" bson:"rank,omitempty"`           // place in the month (ReasonTop)
	Month     string     `json:"month,omitempty" bson:"month,omitempty"`         // "2026-03" (ReasonTop)
	By        int64      `json:"by,omitempty" bson:"by,omitempty"`               // the teacher (ReasonPromoted)
}

// ReasonKind is the rule that made someone a candidate.
type ReasonKind string

// Reason kinds.
const (
	ReasonExcellent ReasonKind = "excellent" // ExcellentMin excellent reviews in ExcellentDays
	ReasonTop       ReasonKind = "top"       // in the month's top K
	ReasonPromoted  ReasonKind = "promoted"  // a teacher's /promote
)

// CoreSeat is one person's record with respect to one core group, from
// candidacy to elimination: the desired state the core reconciler works
// from, with each step's time so that no step is done twice.
type CoreSeat struct {
	Scope       string
	UserID      int64
	State       CoreState
	Reason      Reason
	Score       float64   // candidates: the queue's order, highest first
	QualifiedAt time.Time // ties in the queue go to who qualified first
	InvitedAt   time.Time
	ExpiresAt   time.Time // invited: the invitation passes on after it
	InviteSent  time.Time // the congratulation DM with the way in was delivered
	JoinedAt    time.Time // promoted: in the core group
	WelcomedAt  time.Time
	Protected   bool // an owner keeps this member from elimination
	RunID       int64
	RemovedAt   time.Time // leaving: taken out of the chat
	ToldAt      time.Time // leaving: the respectful DM was delivered
}

// CoreStep names an unfinished step of the core reconciler.
type CoreStep string

// Core steps, each finished by the CoreMark of the same name.
const (
	CoreStepInvite  CoreStep = "invite"  // invited, DM not delivered
	CoreStepWelcome CoreStep = "welcome" // member, group not told
	CoreStepRemove  CoreStep = "remove"  // leaving, not taken out
	CoreStepTell    CoreStep = "tell"    // leaving, removed, DM not delivered
)

// Source is where contribution points come from.
type Source string

// Sources of contribution.
const (
	SourceHomework Source = "homework"
	SourceTask     Source = "task"
	SourceSession  Source = "session"
	SourceAward    Source = "award"
)

// Contribution is one entry in the contribution ledger: every point has a
// source, an author and a reason, and counts in one period.
type Contribution struct {
	Scope  string
	UserID int64
	Period string // the period's key, e.g. "2026-03"
	Source Source
	Points int
	By     int64  // who gave it (a teacher, or 0 for the service)
	Reason string // free text of an award; a reference otherwise
	Key    string // makes the entry idempotent: "task:7" adds once
	At     time.Time
}

// Part is the sum of one source in a standing.
type Part struct {
	Source Source
	Points int
}

// Standing is a core member's contribution in a period, with its parts.
type Standing struct {
	UserID int64
	Points int
	Parts  []Part
}

// EliminationRun is the record of one period's elimination, written
// before anything happens in the chat: who leaves and why, so that a run
// interrupted half-way is finished from it by the next pass.
type EliminationRun struct {
	ID       int64
	Scope    string
	Period   string
	At       time.Time
	Out      []Decision // who leaves, worst first
	Applied  bool       // the members were marked leaving
	Summary  time.Time  // the summary was posted
	Free     int        // seats free after the run, for the summary
	TopUsers []int64    // the period's top contributors, for the summary
}

// Decision is one member's place in an elimination: rank, points, and the
// gap to the last safe place.
type Decision struct {
	UserID int64 `json:"user_id" bson:"user_id"`
	Rank   int   `json:"rank" bson:"rank"`
	Points int   `json:"points" bson:"points"`
	Gap    int   `json:"gap" bson:"gap"` // points missing to reach the last safe member
}

// CoreStore keeps the core cycle's desired state. Every method is atomic
// on its own; runs are written by one instance at a time (the jobs' lease).
// Methods return shequn.ErrNotFound or shequn.ErrConflict as documented
// and wrap any other failure.
type CoreStore interface {
	// AddCandidate makes the user a candidate of the scope with the reason
	// and score, unless they are a candidate, invited or a member already
	// (reported false). A person who expired, left or was eliminated may
	// become a candidate again.
	AddCandidate(ctx context.Context, c CoreSeat) (bool, error)
	// CoreSeat returns the user's record in the scope, or ErrNotFound.
	CoreSeat(ctx context.Context, scope string, userID int64) (CoreSeat, error)
	// CoreSeats returns the records of the scope in the state, in the
	// queue's order for candidates (score down, qualified first) and by
	// user otherwise, at most limit (0: all).
	CoreSeats(ctx context.Context, scope string, state CoreState, limit int) ([]CoreSeat, error)
	// InviteNext invites the best candidates while the invited and the
	// members of the scope are fewer than capacity, and returns them; an
	// invitation expires at the time given.
	InviteNext(ctx context.Context, scope string, capacity int, at, expires time.Time) ([]CoreSeat, error)
	// ExpireInvites turns invitations that expired by now into CoreExpired
	// and returns them.
	ExpireInvites(ctx context.Context, scope string, now time.Time) ([]CoreSeat, error)
	// SetCoreState moves the user from one state to another and reports
	// whether they were in from. Joining (to CoreMember) stamps JoinedAt,
	// the promotion time the grace period counts from.
	SetCoreState(ctx context.Context, scope string, userID int64, from, to CoreState, at time.Time) (bool, error)
	// ProtectCore sets or clears the owner's protection of a member.
	// ErrNotFound when the user has no record in the scope.
	ProtectCore(ctx context.Context, scope string, userID int64, on bool) error
	// MarkCore records that a step was done; false when it was already.
	// CoreStepTell also ends the leaving: the record becomes CoreOut.
	// CoreStepInvite moves the expiry by the time the delivery took, so
	// that the invitation's time counts from when the person was told.
	MarkCore(ctx context.Context, scope string, userID int64, step CoreStep, at time.Time) (bool, error)
	// PendingCore returns up to limit records of every scope with the step
	// unfinished.
	PendingCore(ctx context.Context, step CoreStep, limit int) ([]CoreSeat, error)

	// AddContribution adds an entry to the ledger; an entry whose Key was
	// added before for the same scope and user is ignored (false).
	AddContribution(ctx context.Context, c Contribution) (bool, error)
	// Standings returns the standing of each user in the period, in the
	// order given; a user without entries stands at zero.
	Standings(ctx context.Context, scope, period string, users []int64) ([]Standing, error)
	// Contributions returns a user's entries in the period, oldest first.
	Contributions(ctx context.Context, scope string, userID int64, period string) ([]Contribution, error)

	// RecordRun stores a run with the next id and marks its members
	// leaving (state member → leaving, with the run's id): the decisions
	// are stored before anything is done about them. ErrConflict when the
	// scope has a run for the period already.
	RecordRun(ctx context.Context, r EliminationRun) (EliminationRun, error)
	// OpenRuns returns the runs whose members were not all marked leaving
	// or whose summary was not posted.
	OpenRuns(ctx context.Context) ([]EliminationRun, error)
	// ApplyRun marks the run's members leaving (again: only those still
	// members) and records that it was applied.
	ApplyRun(ctx context.Context, runID int64) error
	// MarkRunSummary records that the run's summary was posted.
	MarkRunSummary(ctx context.Context, runID int64, at time.Time) error

	// AddCoreEvent appends to a person's history; an event whose Key was
	// added before for the same scope and user is ignored (false), so that
	// a step done again after a crash is written once.
	AddCoreEvent(ctx context.Context, e CoreEvent) (bool, error)
	// CoreHistory returns a person's history in the scope, oldest first.
	CoreHistory(ctx context.Context, scope string, userID int64) ([]CoreEvent, error)
}

// CoreEvent is one line of a person's history with the core group
// (/history): what happened, when, why, and by whom.
type CoreEvent struct {
	Scope    string
	UserID   int64
	At       time.Time
	Kind     CoreEventKind
	Reason   Reason   // EventQualified
	RunID    int64    // EventEliminated
	Decision Decision // EventEliminated: rank, points, gap
	By       int64    // EventProtected, EventUnprotected
	Key      string
}

// CoreEventKind names what happened.
type CoreEventKind string

// History events.
const (
	EventQualified   CoreEventKind = "qualified"
	EventInvited     CoreEventKind = "invited"
	EventExpired     CoreEventKind = "expired"
	EventJoined      CoreEventKind = "joined"
	EventLeft        CoreEventKind = "left"
	EventEliminated  CoreEventKind = "eliminated"
	EventProtected   CoreEventKind = "protected"
	EventUnprotected CoreEventKind = "unprotected"
)
