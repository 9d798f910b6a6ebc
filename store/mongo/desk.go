package mongo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/desk"
)

var _ desk.Store = (*DB)(nil)

// faqBatchDoc holds the entries added together (one /faq add, or one CSV
// import) in one document, so that an import is stored whole or not at
// all without a transaction; deleting an entry pulls it out.
type faqBatchDoc struct {
	ID      int64         `bson:"_id"`
	Course  string        `bson:"course"`
	Entries []faqEntryDoc `bson:"entries"`
}

type faqEntryDoc struct {
	ID        int64     `bson:"id"`
	Keywords  []string  `bson:"keywords"`
	Answer    string    `bson:"answer"`
	CreatedBy int64     `bson:"created_by"`
	CreatedAt time.Time `bson:"created_at"`
}

// ticketDoc is a ticket.
type ticketDoc struct {
	ID            int64      `bson:"_id"`
	Course        string     `bson:"course"`
	GroupID       int64      `bson:"group_id"`
	Student       int64      `bson:"student"`
	Text          string     `bson:"text"`
	State         string     `bson:"state"`
	Level         int        `bson:"level"`
	Assignee      int64      `bson:"assignee"`
	AssignedAt    time.Time  `bson:"assigned_at"`
	CreatedAt     time.Time  `bson:"created_at"`
	FAQID         int64      `bson:"faq_id"`
	FAQFailed     bool       `bson:"faq_failed"`
	FirstAnswerAt *time.Time `bson:"first_answer_at,omitempty"`
	AnsweredBy    int64      `bson:"answered_by"`
	Answer        string     `bson:"answer"`
	Rating        int        `bson:"rating"`
}

func (d ticketDoc) ticket() desk.Ticket {
	return desk.Ticket{ID: d.ID, Course: d.Course, GroupID: d.GroupID, Student: d.Student, Text: d.Text, State: desk.State(d.State),
		Level: d.Level, Assignee: d.Assignee, AssignedAt: d.AssignedAt.UTC(), CreatedAt: d.CreatedAt.UTC(), FAQID: d.FAQID,
		FAQFailed: d.FAQFailed, FirstAnswerAt: val(d.FirstAnswerAt), AnsweredBy: d.AnsweredBy, Answer: d.Answer, Rating: d.Rating}
}

// loadDoc is one person's count of open tickets and the order in which
// they were last handed one ("desk_seq" counter).
type loadDoc struct {
	ID   int64 `bson:"_id"`
	Open int   `bson:"open"`
	Seq  int64 `bson:"seq"`
}

// nextN takes n numbers of a counter at once and returns the last.
func (db *DB) nextN(ctx context.Context, name string, n int) (int64, error) {
	var c struct {
		N int64 `bson:"n"`
	}
	opts := options.FindOneAndUpdate().SetUpsert(true)
	upd := bson.M{"$inc": bson.M{"n": int64(n)}}
	err := db.modify(ctx, db.counters, bson.M{"_id": name}, upd, &c, opts)
	if isDup(err) {
		err = db.modify(ctx, db.counters, bson.M{"_id": name}, upd, &c, opts)
	}
	if err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	return c.N, nil
}

// AddFAQs stores the entries as one batch document. Entries of several
// courses make one batch per course, each whole.
func (db *DB) AddFAQs(ctx context.Context, fs []desk.FAQ) ([]desk.FAQ, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	last, err := db.nextN(ctx, "desk_faq", len(fs))
	if err != nil {
		return nil, err
	}
	out := slices.Clone(fs)
	batches := map[string]*faqBatchDoc{}
	var courses []string
	for i := range out {
		out[i].ID = last - int64(len(fs)) + 1 + int64(i)
		f := out[i]
		b := batches[f.Course]
		if b == nil {
			b = &faqBatchDoc{ID: f.ID, Course: f.Course}
			batches[f.Course], courses = b, append(courses, f.Course)
		}
		b.Entries = append(b.Entries, faqEntryDoc{ID: f.ID, Keywords: f.Keywords, Answer: f.Answer, CreatedBy: f.CreatedBy, CreatedAt: ms(f.CreatedAt)})
	}
	for _, c := range courses {
		if err := db.insert(ctx, db.deskFAQs, batches[c]); err != nil {
			return nil, fmt.Errorf("add faq entries of %s: %w", c, err)
		}
	}
	return out, nil
}

// FAQs returns the entries of a course, or of every course, by id.
func (db *DB) FAQs(ctx context.Context, course string) ([]desk.FAQ, error) {
	filter := bson.M{}
	if course != "" {
		filter["course"] = course
	}
	docs, err := findAll[faqBatchDoc](ctx, db.deskFAQs, filter)
	if err != nil {
		return nil, fmt.Errorf("faq of %q: %w", course, err)
	}
	var out []desk.FAQ
	for _, d := range docs {
		for _, e := range d.Entries {
			out = append(out, desk.FAQ{ID: e.ID, Course: d.Course, Keywords: e.Keywords, Answer: e.Answer, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt.UTC()})
		}
	}
	slices.SortFunc(out, func(a, b desk.FAQ) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// DeleteFAQ pulls an entry out of its batch. The entry is pulled by its
// whole value: FerretDB v1 pulls only values equal to the one given, not
// those matching a condition.
func (db *DB) DeleteFAQ(ctx context.Context, id int64) (desk.FAQ, error) {
	var d faqBatchDoc
	if err := findOne(ctx, db.deskFAQs, bson.M{"entries.id": id}, &d); err != nil {
		return desk.FAQ{}, fmt.Errorf("delete faq %d: %w", id, notFound(err))
	}
	i := slices.IndexFunc(d.Entries, func(e faqEntryDoc) bool { return e.ID == id })
	if i < 0 {
		return desk.FAQ{}, fmt.Errorf("delete faq %d: %w", id, shequn.ErrNotFound)
	}
	e := d.Entries[i]
	ok, err := db.update(ctx, db.deskFAQs, bson.M{"_id": d.ID, "entries.id": id}, bson.M{"$pull": bson.M{"entries": e}})
	if err == nil && !ok {
		err = shequn.ErrNotFound // deleted by a concurrent call
	}
	if err != nil {
		return desk.FAQ{}, fmt.Errorf("delete faq %d: %w", id, err)
	}
	return desk.FAQ{ID: e.ID, Course: d.Course, Keywords: e.Keywords, Answer: e.Answer, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt.UTC()}, nil
}

// OpenTicket stores a ticket with the next id.
func (db *DB) OpenTicket(ctx context.Context, t desk.Ticket) (desk.Ticket, error) {
	id, err := db.next(ctx, "desk_ticket")
	if err != nil {
		return t, err
	}
	t.ID = id
	d := ticketDoc{ID: id, Course: t.Course, GroupID: t.GroupID, Student: t.Student, Text: t.Text, State: string(t.State), Level: t.Level,
		Assignee: t.Assignee, AssignedAt: ms(t.AssignedAt), CreatedAt: ms(t.CreatedAt), FAQID: t.FAQID, FAQFailed: t.FAQFailed,
		FirstAnswerAt: opt(t.FirstAnswerAt), AnsweredBy: t.AnsweredBy, Answer: t.Answer, Rating: t.Rating}
	if err := db.insert(ctx, db.deskTickets, d); err != nil {
		return t, fmt.Errorf("open ticket: %w", err)
	}
	return t, nil
}

// Ticket returns one ticket.
func (db *DB) Ticket(ctx context.Context, id int64) (desk.Ticket, error) {
	var d ticketDoc
	if err := findOne(ctx, db.deskTickets, bson.M{"_id": id}, &d); err != nil {
		return desk.Ticket{}, fmt.Errorf("ticket %d: %w", id, notFound(err))
	}
	return d.ticket(), nil
}

// changeTicket applies a conditional update to a ticket; when the
// condition does not hold it tells a missing ticket (ErrNotFound) from one
// in another state (ErrConflict).
func (db *DB) changeTicket(ctx context.Context, what string, filter, update bson.M) (desk.Ticket, error) {
	var d ticketDoc
	err := db.modify(ctx, db.deskTickets, filter, update, &d, nil)
	if errors.Is(err, mongo.ErrNoDocuments) {
		if _, err = db.Ticket(ctx, filter["_id"].(int64)); err == nil {
			err = shequn.ErrConflict
		}
	}
	if err != nil {
		return desk.Ticket{}, fmt.Errorf("%s ticket %v: %w", what, filter["_id"], err)
	}
	return d.ticket(), nil
}

// ReopenTicket opens a ticket the FAQ answered again.
func (db *DB) ReopenTicket(ctx context.Context, id int64, at time.Time) (desk.Ticket, error) {
	return db.changeTicket(ctx, "reopen",
		bson.M{"_id": id, "state": string(desk.StateAnswered), "faq_id": bson.M{"$ne": int64(0)}, "faq_failed": false},
		bson.M{"$set": bson.M{"state": string(desk.StateOpen), "faq_failed": true, "assigned_at": ms(at)}})
}

// RateTicket records the student's rating of an answered ticket.
func (db *DB) RateTicket(ctx context.Context, id int64, rating int) (desk.Ticket, error) {
	return db.changeTicket(ctx, "rate", bson.M{"_id": id, "state": string(desk.StateAnswered)}, bson.M{"$set": bson.M{"rating": rating}})
}
