// Package desk is the Q&A desk (答疑): students ask the bot privately, the
// FAQ answers what it can at once, and every other question becomes a
// ticket handed to an assistant of the student's course or group, the one
// with the fewest open tickets (round-robin on ties). A ticket nobody
// answers goes to another assistant after a while and then to the
// teachers, so no question waits for ever; the desk's figures show who
// answered what and how fast.
//
// Students never learn which staff account answered: the transport relays
// answers in the bot's name, and tickets name students by member number.
package desk

import (
	"context"
	"time"

	"github.com/shequn/shequn"
)

// FAQ is one keyword → answer entry of a course. A question that contains
// one of its keywords (Chinese as a substring, English as whole words, in
// any width or case) gets the answer at once.
type FAQ struct {
	ID        int64
	Course    string
	Keywords  []string
	Answer    string
	CreatedBy int64
	CreatedAt time.Time
}

// State is where a ticket stands.
type State string

// Ticket states. A question the FAQ answered is stored answered at once,
// so that the share answered by the FAQ can be counted; "this didn't help"
// opens it again for a person.
const (
	StateOpen     State = "open"
	StateAnswered State = "answered"
	StateClosed   State = "closed"
)

// Levels of a ticket: who it is handed to. A ticket climbs one level each
// time it waits too long unanswered.
const (
	LevelAssistant  = 0 // the first assistant
	LevelReassigned = 1 // another assistant, after Rules.ReassignAfter
	LevelTeachers   = 2 // a teacher, after Rules.EscalateAfter
)

// Ticket is one question of a student.
type Ticket struct {
	ID      int64
	Course  string
	GroupID int64 // the student's group when asked; 0 when not seated
	Student int64
	Text    string
	State   State
	Level   int

	Assignee   int64     // 0 while nobody could take it
	AssignedAt time.Time // when it was handed to Assignee (or opened)
	CreatedAt  time.Time

	// FAQID is the entry that answered it; FAQFailed records that the
	// student said it did not help.
	FAQID     int64
	FAQFailed bool

	FirstAnswerAt time.Time
	AnsweredBy    int64
	Answer        string
	Rating        int // 1–5; 0 while not rated
}

// Waited is how long the student waited for the first answer.
func (t Ticket) Waited() time.Duration { return t.FirstAnswerAt.Sub(t.CreatedAt) }

// Stats are the raw figures of the tickets asked since a time, from which
// Figures computes the desk's figures.
type Stats struct {
	Open  int // open now, whenever asked
	Asked int // asked since
	ByFAQ int // of those, answered by the FAQ and not reopened
	// Waits are the times from the question to the first answer by a
	// person, of the tickets first answered since.
	Waits []time.Duration
	// AnsweredBy counts the tickets each person first answered since.
	AnsweredBy map[int64]int
}

// Store keeps the FAQ and the tickets. Every method is atomic on its own.
type Store interface {
	// AddFAQs stores the entries with new ids, all or none.
	AddFAQs(ctx context.Context, fs []FAQ) ([]FAQ, error)
	// FAQs returns the entries of a course ("" for every course), by id.
	FAQs(ctx context.Context, course string) ([]FAQ, error)
	// DeleteFAQ removes an entry and returns it, or shequn.ErrNotFound.
	DeleteFAQ(ctx context.Context, id int64) (FAQ, error)

	// OpenTicket stores t with a new id.
	OpenTicket(ctx context.Context, t Ticket) (Ticket, error)
	// Ticket returns one ticket, or shequn.ErrNotFound.
	Ticket(ctx context.Context, id int64) (Ticket, error)
	// ReopenTicket opens a ticket the FAQ answered again, marking the
	// FAQ failed; shequn.ErrConflict when the FAQ did not answer it or it
	// was reopened already.
	ReopenTicket(ctx context.Context, id int64, at time.Time) (Ticket, error)
	// AssignTicket hands an open ticket to the candidate with the fewest
	// open tickets; on a tie to the one handed a ticket longest ago (never
	// first), then the lowest id. It sets the level, moves the open count
	// from the previous assignee, and is served by a per-person count, not
	// by reading tickets. shequn.ErrConflict when the ticket is not open.
	AssignTicket(ctx context.Context, id int64, candidates []int64, level int, at time.Time) (Ticket, error)
	// AnswerTicket records an answer: the first one sets FirstAnswerAt and
	// AnsweredBy and takes the ticket off its assignee's open count; a
	// later one replaces the text. shequn.ErrConflict on a closed ticket.
	AnswerTicket(ctx context.Context, id, by int64, answer string, at time.Time) (Ticket, error)
	// RateTicket records the student's rating of an answered ticket;
	// shequn.ErrConflict when it is not answered.
	RateTicket(ctx context.Context, id int64, rating int) (Ticket, error)
	// StaleTickets returns up to limit open tickets at the level handed
	// out at or before the time, oldest first.
	StaleTickets(ctx context.Context, level int, before time.Time, limit int) ([]Ticket, error)
	// DeskStats counts the tickets of the courses (nil: every course).
	DeskStats(ctx context.Context, courses []string, since time.Time) (Stats, error)
}

// Errors the transport answers with a specific text.
var (
	ErrNotMember  = shequn.Errorf(shequn.CodeForbidden, "not a member of a course")
	ErrNotStaff   = shequn.Errorf(shequn.CodeForbidden, "not staff of the course")
	ErrEmpty      = shequn.Errorf(shequn.CodeInvalid, "the question is empty")
	ErrNoKeywords = shequn.Errorf(shequn.CodeInvalid, "an FAQ entry needs keywords and an answer")
	ErrBadRating  = shequn.Errorf(shequn.CodeInvalid, "a rating is 1 to 5")
	ErrNotYours   = shequn.Errorf(shequn.CodeForbidden, "not your ticket")
)

// Limits of what people may enter.
const (
	// MaxText is what one Telegram message holds, in UTF-16 code units.
	MaxText     = 4096
	MaxKeywords = 20
	MaxKeyword  = 50
	MaxImport   = 2000
)
