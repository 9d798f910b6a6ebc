package mongo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/desk"
)

// leastLoaded picks, among the candidates, the one with the fewest open
// tickets, then the one handed a ticket longest ago, then the lowest id.
// It reads only the candidates' desk_load documents, by _id; prev's count
// still holds the ticket being handed on, so one is taken off it.
func (db *DB) leastLoaded(ctx context.Context, candidates []int64, prev int64) (int64, error) {
	docs, err := findAll[loadDoc](ctx, db.deskLoad, bson.M{"_id": bson.M{"$in": candidates}})
	if err != nil {
		return 0, err
	}
	load := map[int64]loadDoc{}
	for _, d := range docs {
		if d.ID == prev {
			d.Open--
		}
		load[d.ID] = d
	}
	var best loadDoc
	for i, id := range candidates {
		d := load[id]
		d.ID = id
		if i == 0 || cmp.Or(cmp.Compare(d.Open, best.Open), cmp.Compare(d.Seq, best.Seq), cmp.Compare(d.ID, best.ID)) < 0 {
			best = d
		}
	}
	return best.ID, nil
}

// AssignTicket hands an open ticket to the least loaded candidate.
//
// Writes, in order: the ticket, conditionally on its assignee and hand-out
// time being those read (a concurrent change starts over), then the new
// assignee's count and the previous one's. A crash between them leaves
// a count one off, which only skews the next hand-outs slightly.
func (db *DB) AssignTicket(ctx context.Context, id int64, candidates []int64, level int, at time.Time) (desk.Ticket, error) {
	if len(candidates) == 0 {
		return desk.Ticket{}, fmt.Errorf("assign ticket %d: nobody to take it: %w", id, shequn.ErrConflict)
	}
	for range retries {
		t, err := db.Ticket(ctx, id)
		if err != nil {
			return t, fmt.Errorf("assign: %w", err)
		}
		if t.State != desk.StateOpen {
			return t, fmt.Errorf("assign ticket %d: %w", id, shequn.ErrConflict)
		}
		who, err := db.leastLoaded(ctx, candidates, t.Assignee)
		if err != nil {
			return t, fmt.Errorf("assign ticket %d: %w", id, err)
		}
		var d ticketDoc
		err = db.modify(ctx, db.deskTickets,
			bson.M{"_id": id, "state": string(desk.StateOpen), "assignee": t.Assignee, "assigned_at": ms(t.AssignedAt)},
			bson.M{"$set": bson.M{"assignee": who, "assigned_at": ms(at), "level": level}}, &d, nil)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return t, fmt.Errorf("assign ticket %d: %w", id, err)
		}
		if err := db.moveLoad(ctx, t.Assignee, who); err != nil {
			return t, fmt.Errorf("assign ticket %d: %w", id, err)
		}
		return d.ticket(), nil
	}
	return desk.Ticket{}, fmt.Errorf("assign ticket %d: %w", id, errRace)
}

// moveLoad counts a ticket to one person and off another (0: nobody).
func (db *DB) moveLoad(ctx context.Context, from, to int64) error {
	seq, err := db.next(ctx, "desk_seq")
	if err != nil {
		return err
	}
	if _, err := db.update(ctx, db.deskLoad, bson.M{"_id": to}, bson.M{"$inc": bson.M{"open": 1}, "$set": bson.M{"seq": seq}},
		options.Update().SetUpsert(true)); err != nil {
		return err
	}
	return db.loadDown(ctx, from)
}

// loadDown takes one ticket off a person's count.
func (db *DB) loadDown(ctx context.Context, who int64) error {
	if who == 0 {
		return nil
	}
	_, err := db.update(ctx, db.deskLoad, bson.M{"_id": who, "open": bson.M{"$gt": 0}}, bson.M{"$inc": bson.M{"open": -1}})
	return err
}

// AnswerTicket records an answer. The first answer of an open ticket
// changes its state in one update, then takes it off the assignee's count.
func (db *DB) AnswerTicket(ctx context.Context, id, by int64, answer string, at time.Time) (desk.Ticket, error) {
	first := bson.M{"$set": bson.M{"state": string(desk.StateAnswered), "first_answer_at": ms(at), "answered_by": by, "answer": answer}}
	var d ticketDoc
	err := db.modify(ctx, db.deskTickets, bson.M{"_id": id, "state": string(desk.StateOpen)}, first, &d, nil)
	if err == nil {
		if err := db.loadDown(ctx, d.Assignee); err != nil {
			return d.ticket(), fmt.Errorf("answer ticket %d: %w", id, err)
		}
		return d.ticket(), nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return desk.Ticket{}, fmt.Errorf("answer ticket %d: %w", id, err)
	}
	// Answered by the FAQ only: this is the first answer by a person.
	err = db.modify(ctx, db.deskTickets, bson.M{"_id": id, "state": string(desk.StateAnswered), "first_answer_at": nil}, first, &d, nil)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return db.changeTicket(ctx, "answer", bson.M{"_id": id, "state": string(desk.StateAnswered)}, bson.M{"$set": bson.M{"answer": answer}})
	}
	if err != nil {
		return desk.Ticket{}, fmt.Errorf("answer ticket %d: %w", id, err)
	}
	return d.ticket(), nil
}

// StaleTickets returns open tickets at the level handed out at or before
// the time, oldest first.
func (db *DB) StaleTickets(ctx context.Context, level int, before time.Time, limit int) ([]desk.Ticket, error) {
	docs, err := findAll[ticketDoc](ctx, db.deskTickets,
		bson.M{"state": string(desk.StateOpen), "level": level, "assigned_at": bson.M{"$lte": ms(before)}},
		options.Find().SetSort(order("assigned_at", "_id")).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("stale tickets: %w", err)
	}
	out := make([]desk.Ticket, len(docs))
	for i, d := range docs {
		out[i] = d.ticket()
	}
	return out, nil
}

// DeskStats counts the open tickets, the tickets asked since and the
// answers given since.
func (db *DB) DeskStats(ctx context.Context, courses []string, since time.Time) (desk.Stats, error) {
	st := desk.Stats{AnsweredBy: map[int64]int{}}
	in := func(f bson.M) bson.M {
		if courses != nil {
			f["course"] = bson.M{"$in": courses}
		}
		return f
	}
	counts := []struct {
		n      *int
		filter bson.M
	}{
		{&st.Open, in(bson.M{"state": string(desk.StateOpen)})},
		{&st.Asked, in(bson.M{"created_at": bson.M{"$gte": ms(since)}})},
		{&st.ByFAQ, in(bson.M{"created_at": bson.M{"$gte": ms(since)}, "faq_id": bson.M{"$ne": int64(0)}, "faq_failed": false})},
	}
	for _, c := range counts {
		n, err := db.deskTickets.CountDocuments(ctx, c.filter)
		if err != nil {
			return st, fmt.Errorf("desk stats: %w", err)
		}
		*c.n = int(n)
	}
	docs, err := findAll[ticketDoc](ctx, db.deskTickets, in(bson.M{"first_answer_at": bson.M{"$gte": ms(since)}}))
	if err != nil {
		return st, fmt.Errorf("desk stats: %w", err)
	}
	for _, d := range docs {
		t := d.ticket()
		st.Waits = append(st.Waits, t.Waited())
		st.AnsweredBy[t.AnsweredBy]++
	}
	return st, nil
}
