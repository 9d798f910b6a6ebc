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
// tickets, then the one handed a ticket longest ago, then the lowest id,
// and returns its document as stored (exists false when it has none). It
// reads only the candidates' desk_load documents, by _id; prev's count
// still holds the ticket being handed on, so one is taken off it for the
// choice.
func (db *DB) leastLoaded(ctx context.Context, candidates []int64, prev int64) (best loadDoc, exists bool, err error) {
	docs, err := findAll[loadDoc](ctx, db.deskLoad, bson.M{"_id": bson.M{"$in": candidates}})
	if err != nil {
		return best, false, err
	}
	stored := map[int64]loadDoc{}
	for _, d := range docs {
		stored[d.ID] = d
	}
	key := func(id int64) loadDoc {
		d := stored[id]
		d.ID = id
		if id == prev {
			d.Open--
		}
		return d
	}
	bestID := candidates[0]
	for _, id := range candidates[1:] {
		d, b := key(id), key(bestID)
		if cmp.Or(cmp.Compare(d.Open, b.Open), cmp.Compare(d.Seq, b.Seq), cmp.Compare(d.ID, b.ID)) < 0 {
			bestID = id
		}
	}
	best, exists = stored[bestID]
	best.ID = bestID
	return best, exists, nil
}

// claimRetries bounds the choices of one hand-out: each retry means a
// concurrent hand-out took the person chosen.
const claimRetries = 100

// claimLoad counts one more open ticket to the least loaded candidate, on
// the condition that their count and order are still those read: of two
// concurrent hand-outs only one takes a person at a given count, and the
// other chooses again, so the counts stay even.
func (db *DB) claimLoad(ctx context.Context, candidates []int64, prev int64) (int64, error) {
	for range claimRetries {
		best, exists, err := db.leastLoaded(ctx, candidates, prev)
		if err != nil {
			return 0, err
		}
		seq, err := db.next(ctx, "desk_seq")
		if err != nil {
			return 0, err
		}
		if !exists {
			err := db.insert(ctx, db.deskLoad, loadDoc{ID: best.ID, Open: 1, Seq: seq})
			if err == nil {
				return best.ID, nil
			}
			if !isDup(err) {
				return 0, err
			}
			continue
		}
		ok, err := db.update(ctx, db.deskLoad, bson.M{"_id": best.ID, "open": best.Open, "seq": best.Seq},
			bson.M{"$inc": bson.M{"open": 1}, "$set": bson.M{"seq": seq}})
		if err != nil || ok {
			return best.ID, err
		}
	}
	return 0, errRace
}

// AssignTicket hands an open ticket to the least loaded candidate.
//
// Writes, in order: the new assignee's count (claimLoad), the ticket,
// conditionally on its assignee and hand-out time being those read (on a
// concurrent change the count is given back and it starts over), then the
// previous assignee's count. A crash between them leaves a count one
// off, which only skews the next hand-outs slightly.
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
		who, err := db.claimLoad(ctx, candidates, t.Assignee)
		if err != nil {
			return t, fmt.Errorf("assign ticket %d: %w", id, err)
		}
		var d ticketDoc
		err = db.modify(ctx, db.deskTickets,
			bson.M{"_id": id, "state": string(desk.StateOpen), "assignee": t.Assignee, "assigned_at": ms(t.AssignedAt)},
			bson.M{"$set": bson.M{"assignee": who, "assigned_at": ms(at), "level": level}}, &d, nil)
		if errors.Is(err, mongo.ErrNoDocuments) {
			if err := db.loadDown(ctx, who); err != nil {
				return t, fmt.Errorf("assign ticket %d: %w", id, err)
			}
			continue
		}
		if err == nil {
			err = db.loadDown(ctx, t.Assignee)
		}
		if err != nil {
			return t, fmt.Errorf("assign ticket %d: %w", id, err)
		}
		return d.ticket(), nil
	}
	return desk.Ticket{}, fmt.Errorf("assign ticket %d: %w", id, errRace)
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
