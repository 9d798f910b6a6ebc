package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Collections, their documents' _id, and the indexes Open creates. Every
// query the bot runs often is served by _id or by one of these indexes.
//
//	collection        _id                      index (unique ones marked)           serves
//	orders            order id                 payment_intent                       RevokePayment
//	                                           user_id, -paid_at, -_id              Orders
//	enrollments       "course/user"            course, number (unique)              member numbers never given twice
//	                                           user_id, course                      Enrollments
//	counters          "number/course",         —                                    member numbers ($inc), group,
//	                  "group", "assignment",                                        assignment and submission ids,
//	                  "submission", "core_run",                                     elimination runs, core tasks
//	                  "core_task", "core_chain"                                     and chains
//	payment_events    event id                 processed_at, created_at,            PendingEvents
//	                                           received_at, _id
//	groups            group id                 chat_id (unique)                     GroupByChat, AddGroup
//	                                           kind, course, ordinal (unique)       Groups, AddGroup, seat claims
//	                                           holders                              which group holds a seat ticket
//	seats             "course/user"            user_id, course                      Seats
//	                                           group_id, user_id                    SeatInGroup
//	                                           course, state, waiting_since,        WaitlistLen, FillWaitlist,
//	                                           user_id                              "others wait already"
//	                                           state, invite_sent_at, seated_at, _id      PendingSeats(invite)
//	                                           state, wait_noted_at, waiting_since, _id   PendingSeats(waitnote)
//	                                           state, joined_at, join_asked_at, _id       PendingSeats(join)
//	                                           state, welcomed_at, joined_at, _id         PendingSeats(welcome)
//	                                           state, removed_at, released_at, _id        PendingSeats(remove)
//	telegram_updates  update id                finished_at                          PruneUpdates
//	                                           finished_at, received_at, _id        ClaimUpdates (every chat)
//	                                           chat, finished_at, received_at, _id  ClaimUpdates (one chat)
//	profiles          user id                  username_lower, -updated_at          ProfilesByUsername
//	leases            lease name               —                                    AcquireLease
//	assignments       id from "assignment"     course, due_at                       Assignments
//	                                           announced_at, created_at, _id        Unannounced
//	submissions       id from "submission"     assignment_id, user_id,              Submit (one call per
//	                                           version (unique)                     version), Versions
//	                                           user_id, latest, -submitted_at, -_id Submissions
//	                                           state, submitted_at, _id             Hold, Queue (every course)
//	                                           state, course, submitted_at, _id     Hold, Queue (some courses)
//	                                           held_by, state, held_until           Hold (the reviewer's own)
//	                                           state, feedback_sent_at,             UnsentFeedback
//	                                           reviewed_at, _id
//	                                           pending (sparse)                     unfinished reviews
//	reviews           "submission/rev"         at, course                           Queue (reviews per reviewer)
//	ledger            "course/period/key/user" course, period, key, -points,        Standing (rank), Top
//	                                           first_at, user_id
//	roles             generated                user_id, role, course (unique)       GrantRole, Grants, Staff
//	dialogues         user id                  —                                    Dialogue
//	posts             "key|chat"              —                                    MarkPosted, PostOf, MarkPinned, ForgetPost
//	checkout_sessions "course/user"            —                                    CheckoutSession (reuse on Buy)
//	core_seats        "scope/user"             scope, state, -score, qualified_at,  the candidate queue, InviteNext,
//	                                           user_id                              the seats taken
//	                                           state, scope, user_id                CoreSeats, PendingCore
//	core_contrib      "scope/user/key"         scope, period, user_id               Standings, Contributions
//	core_tasks        id from "core_task"      scope, left, due_at, _id             Tasks (unfinished)
//	                                           left, credited_at, _id               UncreditedTasks
//	core_chains       id from "core_chain"     —                                    Chain, JoinChain
//	core_events       "scope/user/key"         scope, user_id, at, key              CoreHistory
//	core_runs         id from "core_run"       scope, period (unique)               one run per period (OpenRuns
//	                                                                                scans: a few runs a year)
//	group_roles       "chat/user/role"         user_id, chat_id, role               Appointments (a rank)
//	                                           chat_id, role, at, user_id           GroupStaff (/staff)
//	audit             entry key, or generated  target, at                           EntriesOn (warnings), Audit
//	                                           actor, at                            Audit (what someone did)
//	desk_faqs         first id of the batch    course                               FAQs (one course)
//	                  ("desk_faq" counter)     entries.id                           DeleteFAQ
//	desk_tickets      id from "desk_ticket"    state, level, assigned_at, _id       StaleTickets, open count
//	                                           created_at, course                   DeskStats (asked)
//	                                           first_answer_at, course              DeskStats (answered)
//	desk_load         user id                  —                                    AssignTicket reads the
//	                                                                                candidates' counts by _id
//	sessions          id from "session"        course, start_at (unique)            one session per start
//	                                           state, start_at, _id                 OpenSessions
//	session_relays    "session/seq"            session_id, seq                      Relays (seq from "relay/<id>")
//	session_questions "session/seq"            session_id, seq                      Questions (seq from "question/<id>")
//	session_checkins  "session/user"           session_id, at, user_id              CheckIns (once per member: _id)
//	broadcasts        id from "broadcast"      —                                    Broadcasts (newest by _id)
//	seats (more)                               state, user_id, course               Audience (broadcast DMs)
//
// A (course, user) pair is unique because it is the _id of its enrollment
// and of its seat. The pending-seat indexes would be partial indexes on
// MongoDB alone; FerretDB v1 does not implement partialFilterExpression, so
// they are whole compound indexes whose leading equality fields (the state,
// and a "not done yet" time that is missing) pick out the pending seats.
// The same holds for the queue of pending submissions and for unsent
// feedback. The pending index of submissions is sparse on MongoDB, where it
// holds the few submissions whose review is being finished (see ledger.go);
// FerretDB v1 ignores "sparse" and indexes every submission.
var indexes = map[string][]mongo.IndexModel{
	"orders": {
		{Keys: order("payment_intent")},
		{Keys: order("user_id", "-paid_at", "-_id")},
	},
	"enrollments": {
		{Keys: order("course", "number"), Options: options.Index().SetUnique(true)},
		{Keys: order("user_id", "course")},
	},
	"payment_events": {
		{Keys: order("processed_at", "created_at", "received_at", "_id")},
	},
	"groups": {
		{Keys: order("chat_id"), Options: options.Index().SetUnique(true)},
		{Keys: order("kind", "course", "ordinal"), Options: options.Index().SetUnique(true)},
		{Keys: order("holders")},
	},
	"seats": {
		{Keys: order("user_id", "course")},
		{Keys: order("group_id", "user_id")},
		{Keys: order("course", "state", "waiting_since", "user_id")},
		{Keys: order("state", "invite_sent_at", "seated_at", "_id")},
		{Keys: order("state", "wait_noted_at", "waiting_since", "_id")},
		{Keys: order("state", "joined_at", "join_asked_at", "_id")},
		{Keys: order("state", "welcomed_at", "joined_at", "_id")},
		{Keys: order("state", "removed_at", "released_at", "_id")},
		{Keys: order("state", "user_id", "course")},
	},
	"telegram_updates": {
		{Keys: order("finished_at")},
		{Keys: order("finished_at", "received_at", "_id")},
		{Keys: order("chat", "finished_at", "received_at", "_id")},
	},
	"profiles": {
		{Keys: order("username_lower", "-updated_at")},
	},
	"assignments": {
		{Keys: order("course", "due_at")},
		{Keys: order("announced_at", "created_at", "_id")},
	},
	"submissions": {
		{Keys: order("assignment_id", "user_id", "version"), Options: options.Index().SetUnique(true)},
		{Keys: order("user_id", "latest", "-submitted_at", "-_id")},
		{Keys: order("state", "submitted_at", "_id")},
		{Keys: order("state", "course", "submitted_at", "_id")},
		{Keys: order("held_by", "state", "held_until")},
		{Keys: order("state", "feedback_sent_at", "reviewed_at", "_id")},
		{Keys: order("pending"), Options: options.Index().SetSparse(true)},
	},
	"reviews": {
		{Keys: order("at", "course")},
	},
	"ledger": {
		{Keys: order("course", "period", "key", "-points", "first_at", "user_id")},
	},
	"roles": {
		{Keys: order("user_id", "role", "course"), Options: options.Index().SetUnique(true)},
	},
	"core_seats": {
		{Keys: order("scope", "state", "-score", "qualified_at", "user_id")},
		{Keys: order("state", "scope", "user_id")},
	},
	"core_contrib": {
		{Keys: order("scope", "period", "user_id")},
	},
	"core_tasks": {
		{Keys: order("scope", "left", "due_at", "_id")},
		{Keys: order("left", "credited_at", "_id")},
	},
	"core_events": {
		{Keys: order("scope", "user_id", "at", "key")},
	},
	"desk_faqs": {
		{Keys: order("course")},
		{Keys: order("entries.id")},
	},
	"desk_tickets": {
		{Keys: order("state", "level", "assigned_at", "_id")},
		{Keys: order("created_at", "course")},
		{Keys: order("first_answer_at", "course")},
	},
	"core_runs": {
		{Keys: order("scope", "period"), Options: options.Index().SetUnique(true)},
	},
	"group_roles": {
		{Keys: order("user_id", "chat_id", "role")},
		{Keys: order("chat_id", "role", "at", "user_id")},
	},
	"audit": {
		{Keys: order("target", "at")},
		{Keys: order("actor", "at")},
	},
	"sessions": {
		{Keys: order("course", "start_at"), Options: options.Index().SetUnique(true)},
		{Keys: order("state", "start_at", "_id")},
	},
	"session_relays":    {{Keys: order("session_id", "seq")}},
	"session_questions": {{Keys: order("session_id", "seq")}},
	"session_checkins":  {{Keys: order("session_id", "at", "user_id")}},
}

// createIndexes creates the indexes that are missing. Creating an index
// that exists with the same keys and options is a no-op on the server, so
// every instance can run it at start-up.
//
// One index per command: FerretDB v1.24 panics on a createIndexes command
// that names two or more existing indexes.
func (db *DB) createIndexes(ctx context.Context) error {
	for coll, models := range indexes {
		for _, m := range models {
			if _, err := db.db.Collection(coll).Indexes().CreateOne(ctx, m); err != nil {
				return fmt.Errorf("create index %v of %s: %w", m.Keys, coll, err)
			}
		}
	}
	return nil
}
