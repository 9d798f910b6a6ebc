package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the schema changes in order; migration i brings the schema
// to version i+1. Never edit or reorder one that was released: append.
var migrations = []string{
	// 1: orders, enrollments and the per-course member-number counters.
	`CREATE TABLE orders (
		id             TEXT PRIMARY KEY,
		course         TEXT NOT NULL,
		user_id        INTEGER NOT NULL,
		payment_intent TEXT NOT NULL DEFAULT '',
		amount         INTEGER NOT NULL DEFAULT 0,
		currency       TEXT NOT NULL DEFAULT '',
		status         TEXT NOT NULL,
		paid_at        INTEGER,
		updated_at     INTEGER
	);
	CREATE INDEX orders_payment_intent ON orders (payment_intent) WHERE payment_intent <> '';
	CREATE INDEX orders_user ON orders (user_id, paid_at);

	CREATE TABLE course_counters (
		course      TEXT PRIMARY KEY,
		last_number INTEGER NOT NULL
	) WITHOUT ROWID;

	CREATE TABLE enrollments (
		course      TEXT NOT NULL,
		user_id     INTEGER NOT NULL,
		number      INTEGER NOT NULL CHECK (number > 0),
		order_id    TEXT NOT NULL REFERENCES orders (id),
		status      TEXT NOT NULL,
		enrolled_at INTEGER,
		updated_at  INTEGER,
		PRIMARY KEY (course, user_id)
	) WITHOUT ROWID;
	CREATE UNIQUE INDEX enrollments_number ON enrollments (course, number);
	CREATE INDEX enrollments_user ON enrollments (user_id);`,

	// 2: the payment-event inbox.
	`CREATE TABLE payment_events (
		id             TEXT PRIMARY KEY,
		kind           TEXT NOT NULL,
		order_id       TEXT NOT NULL DEFAULT '',
		payment_intent TEXT NOT NULL DEFAULT '',
		course         TEXT NOT NULL DEFAULT '',
		user_id        INTEGER NOT NULL DEFAULT 0,
		amount         INTEGER NOT NULL DEFAULT 0,
		currency       TEXT NOT NULL DEFAULT '',
		created_at     INTEGER,
		received_at    INTEGER,
		processed_at   INTEGER,
		outcome        TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX payment_events_pending ON payment_events (created_at, received_at, id)
		WHERE processed_at IS NULL;`,

	// 3: chat groups and seats. A seat keeps its group after release, so
	// the reconciler knows which chat to take the member out of.
	`CREATE TABLE chat_groups (
		id            INTEGER PRIMARY KEY,
		chat_id       INTEGER NOT NULL UNIQUE,
		kind          TEXT NOT NULL,
		course        TEXT NOT NULL DEFAULT '',
		ordinal       INTEGER NOT NULL,
		title         TEXT NOT NULL DEFAULT '',
		capacity      INTEGER NOT NULL,
		seats_used    INTEGER NOT NULL DEFAULT 0,
		registered_by INTEGER NOT NULL DEFAULT 0,
		created_at    INTEGER,
		set_up_at     INTEGER,
		join_link     TEXT NOT NULL DEFAULT '',
		CHECK (seats_used >= 0 AND seats_used <= max(capacity, 0))
	);
	CREATE UNIQUE INDEX chat_groups_ordinal ON chat_groups (kind, course, ordinal);

	CREATE TABLE seats (
		course         TEXT NOT NULL,
		user_id        INTEGER NOT NULL,
		number         INTEGER NOT NULL DEFAULT 0,
		state          TEXT NOT NULL,
		group_id       INTEGER REFERENCES chat_groups (id),
		waiting_since  INTEGER,
		seated_at      INTEGER,
		released_at    INTEGER,
		invite_link    TEXT NOT NULL DEFAULT '',
		invite_sent_at INTEGER,
		wait_noted_at  INTEGER,
		join_asked_at  INTEGER,
		joined_at      INTEGER,
		welcomed_at    INTEGER,
		left_at        INTEGER,
		removed_at     INTEGER,
		UNIQUE (course, user_id)
	);
	CREATE INDEX seats_user ON seats (user_id);
	CREATE INDEX seats_group ON seats (group_id, user_id) WHERE state = 'seated';
	CREATE INDEX seats_waitlist ON seats (course, waiting_since, user_id) WHERE state = 'waiting';
	CREATE INDEX seats_pending_invite ON seats (seated_at)
		WHERE state = 'seated' AND invite_sent_at IS NULL;
	CREATE INDEX seats_pending_waitnote ON seats (waiting_since)
		WHERE state = 'waiting' AND wait_noted_at IS NULL;
	CREATE INDEX seats_pending_join ON seats (join_asked_at)
		WHERE state = 'seated' AND join_asked_at IS NOT NULL AND joined_at IS NULL;
	CREATE INDEX seats_pending_welcome ON seats (joined_at)
		WHERE state = 'seated' AND joined_at IS NOT NULL AND welcomed_at IS NULL;
	CREATE INDEX seats_pending_remove ON seats (released_at)
		WHERE state = 'released' AND removed_at IS NULL;`,

	// 4: the Telegram update log.
	`CREATE TABLE telegram_updates (
		update_id   INTEGER PRIMARY KEY,
		claimed_at  INTEGER,
		finished_at INTEGER
	);
	CREATE INDEX telegram_updates_finished ON telegram_updates (finished_at)
		WHERE finished_at IS NOT NULL;`,

	// 5: profiles.
	`CREATE TABLE profiles (
		user_id       INTEGER PRIMARY KEY,
		username      TEXT NOT NULL DEFAULT '',
		first_name    TEXT NOT NULL DEFAULT '',
		language_code TEXT NOT NULL DEFAULT '',
		language      TEXT NOT NULL DEFAULT '',
		updated_at    INTEGER
	);`,

	// 6: homework. A submission row is one version; latest marks the
	// newest of a student's versions of an assignment, and key_* the
	// ledger rows its counted score went to. The ledger keeps one row per
	// student, period and key while they have points; score_buckets counts
	// its rows per points value (level 0) and per points and first_at slot
	// (levels 1 and up), so that a rank sums a few buckets instead of
	// counting every better student (see ledger.go). Roles and bot
	// dialogues come along.
	`CREATE TABLE assignments (
		id           INTEGER PRIMARY KEY,
		course       TEXT NOT NULL,
		title        TEXT NOT NULL DEFAULT '',
		description  TEXT NOT NULL DEFAULT '',
		due_at       INTEGER,
		max_score    INTEGER NOT NULL DEFAULT 0,
		created_by   INTEGER NOT NULL DEFAULT 0,
		created_at   INTEGER,
		announced_at INTEGER
	);
	CREATE INDEX assignments_unannounced ON assignments (created_at, id) WHERE announced_at IS NULL;

	CREATE TABLE submissions (
		id               INTEGER PRIMARY KEY,
		assignment_id    INTEGER NOT NULL REFERENCES assignments (id),
		course           TEXT NOT NULL,
		user_id          INTEGER NOT NULL,
		version          INTEGER NOT NULL CHECK (version > 0),
		latest           INTEGER NOT NULL DEFAULT 1,
		kind             TEXT NOT NULL DEFAULT '',
		text             TEXT NOT NULL DEFAULT '',
		file_ids         TEXT NOT NULL DEFAULT '[]',
		submitted_at     INTEGER NOT NULL,
		late             INTEGER NOT NULL DEFAULT 0,
		penalty_pct      INTEGER NOT NULL DEFAULT 0,
		state            TEXT NOT NULL,
		held_by          INTEGER NOT NULL DEFAULT 0,
		held_until       INTEGER,
		grade            TEXT NOT NULL DEFAULT '',
		score            INTEGER NOT NULL DEFAULT 0,
		comment          TEXT NOT NULL DEFAULT '',
		reviewed_by      INTEGER NOT NULL DEFAULT 0,
		reviewed_at      INTEGER,
		feedback_sent_at INTEGER,
		key_week         TEXT NOT NULL DEFAULT '',
		key_month        TEXT NOT NULL DEFAULT '',
		key_all          TEXT NOT NULL DEFAULT '',
		UNIQUE (assignment_id, user_id, version)
	);
	CREATE UNIQUE INDEX submissions_latest ON submissions (assignment_id, user_id) WHERE latest = 1;
	CREATE INDEX submissions_user ON submissions (user_id, submitted_at) WHERE latest = 1;
	CREATE INDEX submissions_pending ON submissions (submitted_at, id) WHERE state = 'pending';
	CREATE INDEX submissions_pending_course ON submissions (course, submitted_at, id) WHERE state = 'pending';
	CREATE INDEX submissions_held ON submissions (held_by, submitted_at, id)
		WHERE state = 'pending' AND held_by <> 0;
	CREATE INDEX submissions_unsent ON submissions (reviewed_at, id)
		WHERE state IN ('reviewed', 'redo') AND feedback_sent_at IS NULL;
	CREATE INDEX submissions_counted ON submissions (user_id, course)
		WHERE state = 'reviewed' AND score > 0;

	CREATE TABLE reviews (
		id            INTEGER PRIMARY KEY,
		submission_id INTEGER NOT NULL REFERENCES submissions (id),
		course        TEXT NOT NULL,
		reviewer      INTEGER NOT NULL,
		at            INTEGER NOT NULL,
		grade         TEXT NOT NULL,
		score         INTEGER NOT NULL
	);
	CREATE INDEX reviews_at ON reviews (at, course, reviewer);

	CREATE TABLE ledger (
		course     TEXT NOT NULL,
		period     TEXT NOT NULL,
		period_key TEXT NOT NULL,
		user_id    INTEGER NOT NULL,
		points     INTEGER NOT NULL CHECK (points > 0),
		first_at   INTEGER NOT NULL,
		PRIMARY KEY (course, period, period_key, user_id)
	) WITHOUT ROWID;
	CREATE INDEX ledger_rank ON ledger (course, period, period_key, points DESC, first_at, user_id);

	CREATE TABLE score_buckets (
		course     TEXT NOT NULL,
		period     TEXT NOT NULL,
		period_key TEXT NOT NULL,
		level      INTEGER NOT NULL,
		points     INTEGER NOT NULL,
		slot       INTEGER NOT NULL,
		n          INTEGER NOT NULL CHECK (n > 0),
		PRIMARY KEY (course, period, period_key, level, points, slot)
	) WITHOUT ROWID;

	CREATE TABLE roles (
		user_id    INTEGER NOT NULL,
		role       TEXT NOT NULL,
		course     TEXT NOT NULL DEFAULT '',
		granted_by INTEGER NOT NULL DEFAULT 0,
		granted_at INTEGER,
		PRIMARY KEY (user_id, role, course)
	) WITHOUT ROWID;
	CREATE INDEX profiles_username ON profiles (username COLLATE NOCASE, updated_at) WHERE username <> '';

	CREATE TABLE dialogues (
		user_id    INTEGER PRIMARY KEY,
		kind       TEXT NOT NULL,
		data       TEXT NOT NULL DEFAULT '',
		expires_at INTEGER
	);`,

	// 7: leases, which let one of several instances run scheduled work.
	`CREATE TABLE leases (
		name       TEXT PRIMARY KEY,
		holder     TEXT NOT NULL,
		expires_at INTEGER NOT NULL
	) WITHOUT ROWID;`,

	// 8: the post log: which chats a broadcast reached.
	`CREATE TABLE posts (
		key       TEXT NOT NULL,
		chat_id   INTEGER NOT NULL,
		posted_at INTEGER NOT NULL,
		PRIMARY KEY (key, chat_id)
	) WITHOUT ROWID;`,

	// 9: checkout sessions: the newest payment page of each buyer and
	// course, handed out again while it is open.
	`CREATE TABLE checkout_sessions (
		course     TEXT NOT NULL,
		user_id    INTEGER NOT NULL,
		id         TEXT NOT NULL,
		url        TEXT NOT NULL,
		expires_at INTEGER NOT NULL,
		PRIMARY KEY (course, user_id)
	) WITHOUT ROWID;`,

	// 10: the update log keeps each update as received (its chat, content
	// hash and JSON), so that an update confirmed to Telegram is handled
	// after a crash, and a reused update id is told from a redelivery.
	`ALTER TABLE telegram_updates ADD COLUMN chat INTEGER;
	ALTER TABLE telegram_updates ADD COLUMN hash TEXT;
	ALTER TABLE telegram_updates ADD COLUMN payload BLOB;
	ALTER TABLE telegram_updates ADD COLUMN received_at INTEGER;
	CREATE INDEX telegram_updates_unfinished ON telegram_updates (received_at, update_id)
		WHERE finished_at IS NULL;
	CREATE INDEX telegram_updates_chat ON telegram_updates (chat, received_at, update_id)
		WHERE finished_at IS NULL;`,

	// 11: a group's problem (a right missing, the bot removed), and each
	// step of a post (its message, its pin) recorded on its own. Posts
	// logged before were posted and pinned in one step.
	`ALTER TABLE chat_groups ADD COLUMN problem TEXT NOT NULL DEFAULT '';
	ALTER TABLE posts ADD COLUMN message_id INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE posts ADD COLUMN pinned_at INTEGER;
	UPDATE posts SET pinned_at = posted_at;`,

	// 12: the core group's cycle: each person's record from candidacy to
	// elimination (core_seats), the contribution ledger with a source, an
	// author and a reason per entry, and the elimination runs recorded
	// before they are carried out, each person's history, and the core
	// group's tasks with each assignee's part, and its sign-up chains.
	`CREATE TABLE core_seats (
		scope          TEXT NOT NULL,
		user_id        INTEGER NOT NULL,
		state          TEXT NOT NULL,
		reason         TEXT NOT NULL DEFAULT '{}',
		score          REAL NOT NULL DEFAULT 0,
		qualified_at   INTEGER NOT NULL,
		invited_at     INTEGER,
		expires_at     INTEGER,
		invite_sent_at INTEGER,
		joined_at      INTEGER,
		welcomed_at    INTEGER,
		protected      INTEGER NOT NULL DEFAULT 0,
		run_id         INTEGER NOT NULL DEFAULT 0,
		removed_at     INTEGER,
		told_at        INTEGER,
		PRIMARY KEY (scope, user_id)
	);
	CREATE INDEX core_queue ON core_seats (scope, state, score DESC, qualified_at, user_id);
	CREATE INDEX core_state ON core_seats (state, scope, user_id);
	CREATE TABLE core_contrib (
		id      INTEGER PRIMARY KEY,
		scope   TEXT NOT NULL,
		user_id INTEGER NOT NULL,
		period  TEXT NOT NULL,
		source  TEXT NOT NULL,
		points  INTEGER NOT NULL,
		by_user INTEGER NOT NULL,
		reason  TEXT NOT NULL,
		key     TEXT NOT NULL,
		at      INTEGER NOT NULL,
		UNIQUE (scope, user_id, key)
	);
	CREATE INDEX core_contrib_period ON core_contrib (scope, period, user_id, source, points);
	CREATE TABLE core_runs (
		id         INTEGER PRIMARY KEY,
		scope      TEXT NOT NULL,
		period     TEXT NOT NULL,
		at         INTEGER NOT NULL,
		out        TEXT NOT NULL,
		top        TEXT NOT NULL,
		applied    INTEGER NOT NULL DEFAULT 0,
		summary_at INTEGER,
		UNIQUE (scope, period)
	);
	CREATE TABLE core_events (
		scope   TEXT NOT NULL,
		user_id INTEGER NOT NULL,
		key     TEXT NOT NULL,
		at      INTEGER NOT NULL,
		kind    TEXT NOT NULL,
		detail  TEXT NOT NULL,
		PRIMARY KEY (scope, user_id, key)
	);
	CREATE INDEX core_events_history ON core_events (scope, user_id, at);
	CREATE TABLE core_tasks (
		id          INTEGER PRIMARY KEY,
		scope       TEXT NOT NULL,
		title       TEXT NOT NULL,
		by_user     INTEGER NOT NULL,
		due_at      INTEGER NOT NULL,
		points      INTEGER NOT NULL,
		created_at  INTEGER NOT NULL,
		parts_left  INTEGER NOT NULL,
		finished_at INTEGER,
		credited_at INTEGER
	);
	CREATE INDEX core_tasks_open ON core_tasks (scope, finished_at, due_at);
	CREATE INDEX core_tasks_uncredited ON core_tasks (credited_at, finished_at);
	CREATE TABLE core_task_parts (
		task_id INTEGER NOT NULL REFERENCES core_tasks (id),
		user_id INTEGER NOT NULL,
		done_at INTEGER,
		PRIMARY KEY (task_id, user_id)
	) WITHOUT ROWID;
	CREATE TABLE core_chains (
		id         INTEGER PRIMARY KEY,
		scope      TEXT NOT NULL,
		title      TEXT NOT NULL,
		by_user    INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		chat_id    INTEGER NOT NULL DEFAULT 0,
		message_id INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE core_chain_members (
		chain_id INTEGER NOT NULL REFERENCES core_chains (id),
		user_id  INTEGER NOT NULL,
		at       INTEGER NOT NULL,
		PRIMARY KEY (chain_id, user_id)
	) WITHOUT ROWID;`,
	// 13: the pyramid: roles held for one group (monitors, a group's
	// assistants) and the audit log of grants, revokes and moderation.
	`CREATE TABLE group_roles (
		chat_id INTEGER NOT NULL,
		user_id INTEGER NOT NULL,
		role    TEXT NOT NULL,
		by_user INTEGER NOT NULL,
		at      INTEGER NOT NULL,
		PRIMARY KEY (chat_id, user_id, role)
	) WITHOUT ROWID;
	CREATE INDEX group_roles_user ON group_roles (user_id);
	CREATE TABLE audit_log (
		id      INTEGER PRIMARY KEY,
		key     TEXT UNIQUE,
		at      INTEGER NOT NULL,
		actor   INTEGER NOT NULL,
		target  INTEGER NOT NULL,
		action  TEXT NOT NULL,
		chat_id INTEGER NOT NULL,
		detail  TEXT NOT NULL,
		reason  TEXT NOT NULL
	);
	CREATE INDEX audit_target ON audit_log (target, at, id);
	CREATE INDEX audit_actor ON audit_log (actor, at, id);`,
	// 14: the Q&A desk: FAQ entries, tickets, and each person's open
	// tickets (desk_load), which hands a ticket out without reading the
	// tickets.
	`CREATE TABLE desk_faqs (
		id         INTEGER PRIMARY KEY,
		course     TEXT NOT NULL,
		keywords   TEXT NOT NULL,
		answer     TEXT NOT NULL,
		created_by INTEGER NOT NULL,
		created_at INTEGER NOT NULL
	);
	CREATE INDEX desk_faqs_course ON desk_faqs (course, id);
	CREATE TABLE desk_tickets (
		id              INTEGER PRIMARY KEY,
		course          TEXT NOT NULL,
		group_id        INTEGER NOT NULL,
		student         INTEGER NOT NULL,
		text            TEXT NOT NULL,
		state           TEXT NOT NULL,
		level           INTEGER NOT NULL,
		assignee        INTEGER NOT NULL,
		assigned_at     INTEGER NOT NULL,
		created_at      INTEGER NOT NULL,
		faq_id          INTEGER NOT NULL,
		faq_failed      INTEGER NOT NULL,
		first_answer_at INTEGER,
		answered_by     INTEGER NOT NULL,
		answer          TEXT NOT NULL,
		rating          INTEGER NOT NULL
	);
	CREATE INDEX desk_tickets_stale ON desk_tickets (state, level, assigned_at, id);
	CREATE INDEX desk_tickets_created ON desk_tickets (created_at, course);
	CREATE INDEX desk_tickets_answered ON desk_tickets (first_answer_at, course);
	CREATE TABLE desk_load (
		user_id INTEGER PRIMARY KEY,
		open    INTEGER NOT NULL,
		seq     INTEGER NOT NULL
	);
	CREATE INDEX desk_load_seq ON desk_load (seq);`,

	// 15: Friday sessions (schedule, state, the question window's end),
	// what was relayed and asked in them, check-ins; broadcasts and their
	// progress. Which chat has which step is in posts.
	`CREATE TABLE sessions (
		id           INTEGER PRIMARY KEY,
		course       TEXT NOT NULL,
		start_at     INTEGER NOT NULL,
		topic        TEXT NOT NULL,
		speaker      INTEGER NOT NULL,
		speaker_name TEXT NOT NULL,
		state        TEXT NOT NULL,
		qa_round     INTEGER NOT NULL DEFAULT 0,
		qa_until     INTEGER,
		created_by   INTEGER NOT NULL,
		created_at   INTEGER NOT NULL,
		started_at   INTEGER,
		ended_at     INTEGER,
		UNIQUE (course, start_at)
	);
	CREATE INDEX sessions_open ON sessions (start_at, id) WHERE state <> 'closed';
	CREATE TABLE session_relays (
		session_id  INTEGER NOT NULL REFERENCES sessions (id),
		seq         INTEGER NOT NULL,
		from_chat   INTEGER NOT NULL,
		message_ids TEXT NOT NULL,
		album       TEXT NOT NULL DEFAULT '',
		at          INTEGER NOT NULL,
		PRIMARY KEY (session_id, seq)
	) WITHOUT ROWID;
	CREATE TABLE session_questions (
		session_id INTEGER NOT NULL REFERENCES sessions (id),
		seq        INTEGER NOT NULL,
		chat_id    INTEGER NOT NULL,
		user_id    INTEGER NOT NULL,
		course     TEXT NOT NULL,
		number     INTEGER NOT NULL,
		text       TEXT NOT NULL,
		at         INTEGER NOT NULL,
		PRIMARY KEY (session_id, seq)
	) WITHOUT ROWID;
	CREATE TABLE session_checkins (
		session_id INTEGER NOT NULL REFERENCES sessions (id),
		user_id    INTEGER NOT NULL,
		chat_id    INTEGER NOT NULL,
		at         INTEGER NOT NULL,
		PRIMARY KEY (session_id, user_id)
	) WITHOUT ROWID;
	CREATE TABLE broadcasts (
		id          INTEGER PRIMARY KEY,
		course      TEXT NOT NULL,
		dm          INTEGER NOT NULL,
		from_chat   INTEGER NOT NULL,
		message_ids TEXT NOT NULL,
		by_user     INTEGER NOT NULL,
		state       TEXT NOT NULL,
		created_at  INTEGER NOT NULL,
		finished_at INTEGER,
		sent        INTEGER NOT NULL DEFAULT 0,
		blocked     INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX seats_audience ON seats (user_id) WHERE state = 'seated';`,
	// 16: a chain's names keep the order they came in, also within one
	// millisecond: each has its place (0 for names given before).
	`ALTER TABLE core_chain_members ADD COLUMN place INTEGER NOT NULL DEFAULT 0;`,

	// 17: what a relayed or broadcast message holds, for a platform that
	// sends it again rather than copying it (QQ): a JSON array of strings.
	`ALTER TABLE session_relays ADD COLUMN items TEXT NOT NULL DEFAULT '';
	ALTER TABLE broadcasts ADD COLUMN items TEXT NOT NULL DEFAULT '';`,
}

// migrate applies the migrations the database lacks, each in its own
// transaction, and refuses a database newer than this program.
func migrate(ctx context.Context, w *sql.DB) error {
	if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this program's %d", current, len(migrations))
	}
	for i := current; i < len(migrations); i++ {
		if err := applyMigration(ctx, w, i+1, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	return nil
}

// applyMigration applies one migration unless another process did first.
func applyMigration(ctx context.Context, w *sql.DB, version int, script string) error {
	t, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer t.Rollback()
	var done bool
	if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, version).Scan(&done); err != nil {
		return err
	}
	if done {
		return nil
	}
	if _, err := t.ExecContext(ctx, script); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		version, time.Now().UnixNano()); err != nil {
		return err
	}
	return t.Commit()
}
