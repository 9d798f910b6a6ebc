package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

const seatCols = `course, user_id, number, state, COALESCE(group_id, 0), waiting_since, seated_at, released_at,
	invite_sent_at, wait_noted_at, join_asked_at, joined_at, welcomed_at, left_at, removed_at`

var (
	qSeat        = stmt(`SELECT ` + seatCols + ` FROM seats WHERE course = ? AND user_id = ?`)
	qSeatsOfUser = stmt(`SELECT ` + seatCols + ` FROM seats WHERE user_id = ? ORDER BY course`)
	qSeatInGroup = stmt(`SELECT ` + seatCols + ` FROM seats WHERE group_id = ? AND user_id = ? AND state = 'seated'`)
	// qUseRoom takes a seat in the course's lowest-ordinal student group
	// with room, unless someone of the course waits already.
	qUseRoom = stmt(`UPDATE chat_groups SET seats_used = seats_used + 1
		WHERE id = (SELECT id FROM chat_groups
			WHERE kind = 'student' AND course = ?1 AND seats_used < capacity
			AND NOT EXISTS (SELECT 1 FROM seats WHERE course = ?1 AND state = 'waiting')
			ORDER BY ordinal LIMIT 1)
		RETURNING id`)
	// qPutSeat stores a fresh seat, resetting the progress of a released one.
	qPutSeat = stmt(`INSERT INTO seats (course, user_id, number, state, group_id, waiting_since, seated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (course, user_id) DO UPDATE SET
			number = excluded.number, state = excluded.state, group_id = excluded.group_id,
			waiting_since = excluded.waiting_since, seated_at = excluded.seated_at, released_at = NULL,
			invite_link = '', invite_sent_at = NULL, wait_noted_at = NULL, join_asked_at = NULL, joined_at = NULL,
			welcomed_at = NULL, left_at = NULL, removed_at = NULL
		RETURNING ` + seatCols)
	qFreeRoom    = stmt(`UPDATE chat_groups SET seats_used = seats_used - 1 WHERE id = ?`)
	qReleaseSeat = stmt(`UPDATE seats SET state = 'released', released_at = ? WHERE course = ? AND user_id = ?
		RETURNING ` + seatCols)
	qRoomyGroups = stmt(`SELECT id, capacity - seats_used FROM chat_groups
		WHERE kind = 'student' AND course = ? AND seats_used < capacity ORDER BY ordinal`)
	qWaitlist = stmt(`SELECT user_id FROM seats WHERE course = ? AND state = 'waiting'
		ORDER BY waiting_since, user_id LIMIT ?`)
	qSeatWaiting = stmt(`UPDATE seats SET state = 'seated', group_id = ?, seated_at = ?
		WHERE course = ? AND user_id = ? AND state = 'waiting'
		RETURNING ` + seatCols)
	qUseRooms    = stmt(`UPDATE chat_groups SET seats_used = seats_used + ? WHERE id = ?`)
	qWaitlistLen = stmt(`SELECT COUNT(*) FROM seats WHERE course = ? AND state = 'waiting'`)
	qSeatExists  = stmt(`SELECT 1 FROM seats WHERE course = ? AND user_id = ?`)
)

// markSeat holds, per mark, the update that records it; each changes
// nothing when the step is recorded already. Parameters: course, user, at.
var markSeat = map[groups.Mark]string{
	groups.MarkInviteSent: stmt(`UPDATE seats SET invite_sent_at = ?3 WHERE course = ?1 AND user_id = ?2 AND invite_sent_at IS NULL`),
	groups.MarkWaitNoted:  stmt(`UPDATE seats SET wait_noted_at = ?3 WHERE course = ?1 AND user_id = ?2 AND wait_noted_at IS NULL`),
	groups.MarkJoinAsked:  stmt(`UPDATE seats SET join_asked_at = ?3 WHERE course = ?1 AND user_id = ?2 AND join_asked_at IS NULL`),
	groups.MarkJoined: stmt(`UPDATE seats SET joined_at = ?3, left_at = NULL, join_asked_at = NULL
		WHERE course = ?1 AND user_id = ?2 AND joined_at IS NULL`),
	groups.MarkWelcomed: stmt(`UPDATE seats SET welcomed_at = ?3 WHERE course = ?1 AND user_id = ?2 AND welcomed_at IS NULL`),
	groups.MarkLeft: stmt(`UPDATE seats SET left_at = ?3, joined_at = NULL, welcomed_at = NULL, join_asked_at = NULL
		WHERE course = ?1 AND user_id = ?2 AND left_at IS NULL`),
	groups.MarkRemoved: stmt(`UPDATE seats SET removed_at = ?3 WHERE course = ?1 AND user_id = ?2 AND removed_at IS NULL`),
}

// pendingSeats holds, per stage, the query of its unfinished seats, oldest
// first by the time the stage began; each is served by a partial index.
var pendingSeats = map[groups.Stage]string{
	groups.StageInvite: stmt(`SELECT ` + seatCols + ` FROM seats
		WHERE state = 'seated' AND invite_sent_at IS NULL ORDER BY seated_at, rowid LIMIT ?`),
	groups.StageWaitNote: stmt(`SELECT ` + seatCols + ` FROM seats
		WHERE state = 'waiting' AND wait_noted_at IS NULL ORDER BY waiting_since, rowid LIMIT ?`),
	groups.StageJoin: stmt(`SELECT ` + seatCols + ` FROM seats
		WHERE state = 'seated' AND join_asked_at IS NOT NULL AND joined_at IS NULL ORDER BY join_asked_at, rowid LIMIT ?`),
	groups.StageWelcome: stmt(`SELECT ` + seatCols + ` FROM seats
		WHERE state = 'seated' AND joined_at IS NOT NULL AND welcomed_at IS NULL ORDER BY joined_at, rowid LIMIT ?`),
	groups.StageRemove: stmt(`SELECT ` + seatCols + ` FROM seats
		WHERE state = 'released' AND removed_at IS NULL ORDER BY released_at, rowid LIMIT ?`),
}

func scanSeat(s scanner) (groups.Seat, error) {
	var st groups.Seat
	err := s.Scan(&st.Course, &st.UserID, &st.Number, &st.State, &st.GroupID,
		tcol(&st.WaitingSince), tcol(&st.SeatedAt), tcol(&st.ReleasedAt),
		tcol(&st.InviteSentAt), tcol(&st.WaitNotedAt), tcol(&st.JoinAskedAt), tcol(&st.JoinedAt), tcol(&st.WelcomedAt),
		tcol(&st.LeftAt), tcol(&st.RemovedAt))
	return st, err
}

// nullID is the stored form of a group id: NULL for none.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// TakeSeat gives the member a seat in the lowest-ordinal student group of
// the course with room, or puts them on the waitlist (WaitingSince = r.At)
// when every group is full or others of the course wait already. A seated
// or waiting member keeps their seat unchanged; a released seat starts
// afresh, without invite link or progress.
func (db *DB) TakeSeat(ctx context.Context, r groups.SeatRequest) (groups.Seat, error) {
	var s groups.Seat
	err := db.write(ctx, func(t *tx) error {
		var err error
		s, err = scanSeat(t.queryRow(qSeat, r.Course, r.UserID))
		if err == nil && s.State != groups.SeatReleased {
			return nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var groupID int64
		err = t.queryRow(qUseRoom, r.Course).Scan(&groupID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		state, waitingSince, seatedAt := groups.SeatSeated, time.Time{}, r.At
		if groupID == 0 {
			state, waitingSince, seatedAt = groups.SeatWaiting, r.At, time.Time{}
		}
		s, err = scanSeat(t.queryRow(qPutSeat, r.Course, r.UserID, r.Number, string(state), nullID(groupID),
			ts(waitingSince), ts(seatedAt)))
		return err
	})
	if err != nil {
		return groups.Seat{}, fmt.Errorf("take seat %s/%d: %w", r.Course, r.UserID, err)
	}
	return s, nil
}

// ReleaseSeat frees the member's seat (a no-op when it is released already)
// and returns it; the seat keeps its group, the chat to take the member out
// of. ErrNotFound when the member has no seat.
func (db *DB) ReleaseSeat(ctx context.Context, course string, userID int64, at time.Time) (groups.Seat, error) {
	var s groups.Seat
	err := db.write(ctx, func(t *tx) error {
		var err error
		if s, err = scanSeat(t.queryRow(qSeat, course, userID)); err != nil {
			return notFound(err)
		}
		switch s.State {
		case groups.SeatReleased:
			return nil
		case groups.SeatSeated:
			if _, err := t.exec(qFreeRoom, s.GroupID); err != nil {
				return err
			}
		}
		s, err = scanSeat(t.queryRow(qReleaseSeat, ts(at), course, userID))
		return err
	})
	if err != nil {
		return groups.Seat{}, fmt.Errorf("release seat %s/%d: %w", course, userID, err)
	}
	return s, nil
}

// room is a student group with free seats.
type room struct {
	id   int64
	free int
	used int // seats taken by this FillWaitlist
}

// FillWaitlist seats waiting members of the course, longest waiting first
// (then by user id), while a group has room, and returns those it seated.
func (db *DB) FillWaitlist(ctx context.Context, course string, at time.Time) ([]groups.Seat, error) {
	var seated []groups.Seat
	err := db.write(ctx, func(t *tx) error {
		seated = nil
		rows, err := t.query(qRoomyGroups, course)
		rooms, err := collect(rows, err, func(s scanner) (room, error) {
			var r room
			return r, s.Scan(&r.id, &r.free)
		})
		if err != nil {
			return err
		}
		free := 0
		for _, r := range rooms {
			free += r.free
		}
		if free == 0 {
			return nil
		}
		rows, err = t.query(qWaitlist, course, free)
		waiting, err := collect(rows, err, func(s scanner) (int64, error) {
			var id int64
			return id, s.Scan(&id)
		})
		if err != nil {
			return err
		}
		i := 0
		for _, userID := range waiting {
			for rooms[i].used == rooms[i].free {
				i++
			}
			s, err := scanSeat(t.queryRow(qSeatWaiting, rooms[i].id, ts(at), course, userID))
			if err != nil {
				return err
			}
			rooms[i].used++
			seated = append(seated, s)
		}
		for _, r := range rooms {
			if r.used > 0 {
				if _, err := t.exec(qUseRooms, r.used, r.id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fill waitlist of %s: %w", course, err)
	}
	return seated, nil
}

// WaitlistLen counts the members waiting for a seat in the course.
func (db *DB) WaitlistLen(ctx context.Context, course string) (int, error) {
	var n int
	if err := db.queryRow(ctx, qWaitlistLen, course).Scan(&n); err != nil {
		return 0, fmt.Errorf("waitlist length of %s: %w", course, err)
	}
	return n, nil
}

// Seat returns a member's seat in a course, or ErrNotFound.
func (db *DB) Seat(ctx context.Context, course string, userID int64) (groups.Seat, error) {
	s, err := scanSeat(db.queryRow(ctx, qSeat, course, userID))
	if err != nil {
		return groups.Seat{}, fmt.Errorf("seat %s/%d: %w", course, userID, notFound(err))
	}
	return s, nil
}

// Seats returns every seat of a user, by course.
func (db *DB) Seats(ctx context.Context, userID int64) ([]groups.Seat, error) {
	rows, err := db.query(ctx, qSeatsOfUser, userID)
	seats, err := collect(rows, err, scanSeat)
	if err != nil {
		return nil, fmt.Errorf("seats of %d: %w", userID, err)
	}
	return seats, nil
}

// SeatInGroup returns the seated (not waiting, not released) seat of a user
// in a group, or ErrNotFound.
func (db *DB) SeatInGroup(ctx context.Context, groupID, userID int64) (groups.Seat, error) {
	s, err := scanSeat(db.queryRow(ctx, qSeatInGroup, groupID, userID))
	if err != nil {
		return groups.Seat{}, fmt.Errorf("seat of %d in group %d: %w", userID, groupID, notFound(err))
	}
	return s, nil
}

// MarkSeat records a step. It reports false, changing nothing, when the
// step was recorded already (joined twice, welcomed twice). MarkJoined
// clears LeftAt and JoinAskedAt; MarkLeft clears JoinedAt, WelcomedAt and
// JoinAskedAt, so a member can leave, ask again and come back. ErrNotFound
// when the member has no seat.
func (db *DB) MarkSeat(ctx context.Context, course string, userID int64, m groups.Mark, at time.Time) (bool, error) {
	q, ok := markSeat[m]
	if !ok {
		return false, shequn.Errorf(shequn.CodeInvalid, "unknown seat mark %q", m)
	}
	var changed bool
	err := db.write(ctx, func(t *tx) error {
		n, err := t.exec(q, course, userID, mark(at))
		if err != nil || n == 1 {
			changed = n == 1
			return err
		}
		var one int
		return notFound(t.queryRow(qSeatExists, course, userID).Scan(&one))
	})
	if err != nil {
		return false, fmt.Errorf("mark seat %s/%d %s: %w", course, userID, m, err)
	}
	return changed, nil
}

// PendingSeats returns up to limit seats with the stage unfinished, oldest
// first by when the stage began: seated for invite, waiting since for
// waitnote, join asked for join, joined for welcome, released for remove.
func (db *DB) PendingSeats(ctx context.Context, stage groups.Stage, limit int) ([]groups.Seat, error) {
	q, ok := pendingSeats[stage]
	if !ok {
		return nil, shequn.Errorf(shequn.CodeInvalid, "unknown seat stage %q", stage)
	}
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.query(ctx, q, limit)
	seats, err := collect(rows, err, scanSeat)
	if err != nil {
		return nil, fmt.Errorf("pending seats of stage %s: %w", stage, err)
	}
	return seats, nil
}
