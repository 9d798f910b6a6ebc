package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/desk"
)

var _ desk.Store = (*DB)(nil)

const ticketCols = `id, course, group_id, student, text, state, level, assignee, assigned_at, created_at,
	faq_id, faq_failed, first_answer_at, answered_by, answer, rating`

var (
	qAddFAQ       = stmt(`INSERT INTO desk_faqs (course, keywords, answer, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`)
	qFAQs         = stmt(`SELECT id, course, keywords, answer, created_by, created_at FROM desk_faqs WHERE ?1 = '' OR course = ?1 ORDER BY id`)
	qFAQ          = stmt(`SELECT id, course, keywords, answer, created_by, created_at FROM desk_faqs WHERE id = ?`)
	qDeleteFAQ    = stmt(`DELETE FROM desk_faqs WHERE id = ?`)
	qOpenTicket   = stmt(`INSERT INTO desk_tickets (` + ticketCols + `) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qTicket       = stmt(`SELECT ` + ticketCols + ` FROM desk_tickets WHERE id = ?`)
	qReopen       = stmt(`UPDATE desk_tickets SET state = 'open', faq_failed = 1, assigned_at = ? WHERE id = ? AND state = 'answered' AND faq_id != 0 AND faq_failed = 0`)
	qLoadDown     = stmt(`UPDATE desk_load SET open = open - 1 WHERE user_id = ? AND open > 0`)
	qLoadRow      = stmt(`INSERT INTO desk_load (user_id, open, seq) SELECT value, 0, 0 FROM json_each(?) WHERE true ON CONFLICT (user_id) DO NOTHING`)
	qLeastLoaded  = stmt(`SELECT user_id FROM desk_load WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY open, seq, user_id LIMIT 1`)
	qNextSeq      = stmt(`SELECT COALESCE(MAX(seq), 0) + 1 FROM desk_load`)
	qLoadUp       = stmt(`UPDATE desk_load SET open = open + 1, seq = ? WHERE user_id = ?`)
	qSetAssignee  = stmt(`UPDATE desk_tickets SET assignee = ?, assigned_at = ?, level = ? WHERE id = ?`)
	qFirstAnswer  = stmt(`UPDATE desk_tickets SET state = 'answered', first_answer_at = ?, answered_by = ?, answer = ? WHERE id = ?`)
	qAnswerAgain  = stmt(`UPDATE desk_tickets SET answer = ? WHERE id = ?`)
	qRate         = stmt(`UPDATE desk_tickets SET rating = ? WHERE id = ? AND state = 'answered'`)
	qStaleTickets = stmt(`SELECT ` + ticketCols + ` FROM desk_tickets WHERE state = 'open' AND level = ? AND assigned_at <= ? ORDER BY assigned_at, id LIMIT ?`)
	qOpenCount    = stmt(`SELECT COUNT(*) FROM desk_tickets WHERE state = 'open' AND (?1 IS NULL OR course IN (SELECT value FROM json_each(?1)))`)
	qAskedSince   = stmt(`SELECT COUNT(*), COALESCE(SUM(faq_id != 0 AND faq_failed = 0), 0) FROM desk_tickets
		WHERE created_at >= ?2 AND (?1 IS NULL OR course IN (SELECT value FROM json_each(?1)))`)
	qAnsweredSince = stmt(`SELECT first_answer_at - created_at, answered_by FROM desk_tickets
		WHERE first_answer_at >= ?2 AND (?1 IS NULL OR course IN (SELECT value FROM json_each(?1)))`)
)

func scanFAQ(r scanner) (desk.FAQ, error) {
	var f desk.FAQ
	var kws string
	if err := r.Scan(&f.ID, &f.Course, &kws, &f.Answer, &f.CreatedBy, tcol(&f.CreatedAt)); err != nil {
		return f, err
	}
	return f, json.Unmarshal([]byte(kws), &f.Keywords)
}

func scanTicket(r scanner) (desk.Ticket, error) {
	var t desk.Ticket
	err := r.Scan(&t.ID, &t.Course, &t.GroupID, &t.Student, &t.Text, &t.State, &t.Level, &t.Assignee, tcol(&t.AssignedAt),
		tcol(&t.CreatedAt), &t.FAQID, &t.FAQFailed, tcol(&t.FirstAnswerAt), &t.AnsweredBy, &t.Answer, &t.Rating)
	return t, err
}

// AddFAQs stores the entries in one transaction.
func (db *DB) AddFAQs(ctx context.Context, fs []desk.FAQ) ([]desk.FAQ, error) {
	out := make([]desk.FAQ, len(fs))
	err := db.write(ctx, func(x *tx) error {
		for i, f := range fs {
			kws, _ := json.Marshal(f.Keywords) // a []string always marshals
			if err := x.queryRow(qAddFAQ, f.Course, string(kws), f.Answer, f.CreatedBy, mark(f.CreatedAt)).Scan(&f.ID); err != nil {
				return err
			}
			out[i] = f
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("add %d faq entries: %w", len(fs), err)
	}
	return out, nil
}

// FAQs returns the entries of a course, or of every course.
func (db *DB) FAQs(ctx context.Context, course string) ([]desk.FAQ, error) {
	rows, err := db.query(ctx, qFAQs, course)
	fs, err := collect(rows, err, scanFAQ)
	if err != nil {
		return nil, fmt.Errorf("faq of %q: %w", course, err)
	}
	return fs, nil
}

// DeleteFAQ removes an entry.
func (db *DB) DeleteFAQ(ctx context.Context, id int64) (desk.FAQ, error) {
	var f desk.FAQ
	err := db.write(ctx, func(x *tx) error {
		var err error
		if f, err = scanFAQ(x.queryRow(qFAQ, id)); err != nil {
			return notFound(err)
		}
		_, err = x.exec(qDeleteFAQ, id)
		return err
	})
	if err != nil {
		return f, fmt.Errorf("delete faq %d: %w", id, err)
	}
	return f, nil
}

// OpenTicket stores a ticket with a new id.
func (db *DB) OpenTicket(ctx context.Context, t desk.Ticket) (desk.Ticket, error) {
	err := db.write(ctx, func(x *tx) error {
		return x.queryRow(qOpenTicket, t.Course, t.GroupID, t.Student, t.Text, t.State, t.Level, t.Assignee, mark(t.AssignedAt),
			mark(t.CreatedAt), t.FAQID, t.FAQFailed, ts(t.FirstAnswerAt), t.AnsweredBy, t.Answer, t.Rating).Scan(&t.ID)
	})
	if err != nil {
		return t, fmt.Errorf("open ticket: %w", err)
	}
	return t, nil
}

// Ticket returns one ticket.
func (db *DB) Ticket(ctx context.Context, id int64) (desk.Ticket, error) {
	t, err := scanTicket(db.queryRow(ctx, qTicket, id))
	if err != nil {
		return t, fmt.Errorf("ticket %d: %w", id, notFound(err))
	}
	return t, nil
}

// ticketTx changes a ticket in one transaction and returns it as it is
// then.
func (db *DB) ticketTx(ctx context.Context, id int64, what string, fn func(x *tx, t desk.Ticket) error) (desk.Ticket, error) {
	var t desk.Ticket
	err := db.write(ctx, func(x *tx) error {
		var err error
		if t, err = scanTicket(x.queryRow(qTicket, id)); err != nil {
			return notFound(err)
		}
		if err := fn(x, t); err != nil {
			return err
		}
		t, err = scanTicket(x.queryRow(qTicket, id))
		return err
	})
	if err != nil {
		return t, fmt.Errorf("%s ticket %d: %w", what, id, err)
	}
	return t, nil
}

// ReopenTicket opens a ticket the FAQ answered again.
func (db *DB) ReopenTicket(ctx context.Context, id int64, at time.Time) (desk.Ticket, error) {
	return db.ticketTx(ctx, id, "reopen", func(x *tx, _ desk.Ticket) error {
		n, err := x.exec(qReopen, mark(at), id)
		if err == nil && n == 0 {
			return shequn.ErrConflict
		}
		return err
	})
}

// AssignTicket hands an open ticket to the least loaded candidate. Only
// the candidates' rows of desk_load are read, by their primary key.
func (db *DB) AssignTicket(ctx context.Context, id int64, candidates []int64, level int, at time.Time) (desk.Ticket, error) {
	if len(candidates) == 0 {
		return desk.Ticket{}, fmt.Errorf("assign ticket %d: nobody to take it: %w", id, shequn.ErrConflict)
	}
	ids, _ := json.Marshal(candidates) // an []int64 always marshals
	return db.ticketTx(ctx, id, "assign", func(x *tx, t desk.Ticket) error {
		if t.State != desk.StateOpen {
			return shequn.ErrConflict
		}
		if t.Assignee != 0 {
			if _, err := x.exec(qLoadDown, t.Assignee); err != nil {
				return err
			}
		}
		if _, err := x.exec(qLoadRow, string(ids)); err != nil {
			return err
		}
		var who, seq int64
		if err := x.queryRow(qLeastLoaded, string(ids)).Scan(&who); err != nil {
			return err
		}
		if err := x.queryRow(qNextSeq).Scan(&seq); err != nil {
			return err
		}
		if _, err := x.exec(qLoadUp, seq, who); err != nil {
			return err
		}
		_, err := x.exec(qSetAssignee, who, mark(at), level, id)
		return err
	})
}

// AnswerTicket records an answer; the first takes the ticket off its
// assignee's open count.
func (db *DB) AnswerTicket(ctx context.Context, id, by int64, answer string, at time.Time) (desk.Ticket, error) {
	return db.ticketTx(ctx, id, "answer", func(x *tx, t desk.Ticket) error {
		switch {
		case t.State == desk.StateClosed:
			return shequn.ErrConflict
		case t.State == desk.StateAnswered && !t.FirstAnswerAt.IsZero():
			_, err := x.exec(qAnswerAgain, answer, id)
			return err
		}
		if t.State == desk.StateOpen && t.Assignee != 0 {
			if _, err := x.exec(qLoadDown, t.Assignee); err != nil {
				return err
			}
		}
		_, err := x.exec(qFirstAnswer, mark(at), by, answer, id)
		return err
	})
}

// RateTicket records the student's rating of an answered ticket.
func (db *DB) RateTicket(ctx context.Context, id int64, rating int) (desk.Ticket, error) {
	return db.ticketTx(ctx, id, "rate", func(x *tx, _ desk.Ticket) error {
		n, err := x.exec(qRate, rating, id)
		if err == nil && n == 0 {
			return shequn.ErrConflict
		}
		return err
	})
}

// StaleTickets returns open tickets at the level handed out at or before
// the time, oldest first.
func (db *DB) StaleTickets(ctx context.Context, level int, before time.Time, limit int) ([]desk.Ticket, error) {
	rows, err := db.query(ctx, qStaleTickets, level, mark(before), limit)
	ts, err := collect(rows, err, scanTicket)
	if err != nil {
		return nil, fmt.Errorf("stale tickets: %w", err)
	}
	return ts, nil
}

// DeskStats counts the open tickets, the tickets asked since and the
// answers given since.
func (db *DB) DeskStats(ctx context.Context, courses []string, since time.Time) (desk.Stats, error) {
	st := desk.Stats{AnsweredBy: map[int64]int{}}
	arg := coursesArg(courses)
	if err := db.queryRow(ctx, qOpenCount, arg).Scan(&st.Open); err != nil {
		return st, fmt.Errorf("open tickets: %w", err)
	}
	if err := db.queryRow(ctx, qAskedSince, arg, mark(since)).Scan(&st.Asked, &st.ByFAQ); err != nil {
		return st, fmt.Errorf("tickets asked: %w", err)
	}
	rows, err := db.query(ctx, qAnsweredSince, arg, mark(since))
	if err != nil {
		return st, fmt.Errorf("tickets answered: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var wait, by int64
		if err := rows.Scan(&wait, &by); err != nil {
			return st, fmt.Errorf("tickets answered: %w", err)
		}
		st.Waits = append(st.Waits, time.Duration(wait))
		st.AnsweredBy[by]++
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("tickets answered: %w", err)
	}
	return st, nil
}
