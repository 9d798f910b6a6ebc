// Package sqlite is the embedded storage adapter: one SQLite file, one
// process, nothing to install. It implements membership.Store,
// membership.EventInbox, membership.ProfileStore, groups.Store, jobs.Leases,
// shequn.UpdateLog and shequn.DialogueStore.
//
// All writes go through a single connection whose transactions begin
// IMMEDIATE, so writers queue in the process instead of failing with
// SQLITE_BUSY; queries run on a separate pool of read-only connections, which
// WAL mode lets read while the writer writes. Commits use
// synchronous=NORMAL, except those holding a payment event, which use FULL
// (see writeDurable); Backup copies the file while others write.
//
// Times are stored as INTEGER unix nanoseconds and come back in UTC. The
// zero time is stored as NULL, or as 0 in a column whose NULL means "not
// done yet"; either reads back as the zero time (so does the instant of the
// Unix epoch itself, which no caller has a use for).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/membership"

	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"
)

// The interfaces DB implements.
var (
	_ membership.Store        = (*DB)(nil)
	_ membership.EventInbox   = (*DB)(nil)
	_ membership.ProfileStore = (*DB)(nil)
	_ groups.Store            = (*DB)(nil)
	_ assignments.Store       = (*DB)(nil)
	_ membership.RoleStore    = (*DB)(nil)
	_ jobs.Leases             = (*DB)(nil)
	_ shequn.UpdateLog        = (*DB)(nil)
	_ shequn.DialogueStore    = (*DB)(nil)
)

// pragmas are set on every connection, writer and readers alike.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)" +
	"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"

// DB is an open SQLite store. It is safe for concurrent use.
type DB struct {
	w *sql.DB // the one writer connection
	r *sql.DB // read-only connections

	// Every statement of the package, prepared at Open on both pools, so
	// that a transaction never waits for the writer connection it holds
	// in order to prepare one.
	ws, rs map[string]*sql.Stmt

	writes     chan writeReq // see startWriter
	writerDone chan struct{}
	closeMu    sync.RWMutex
	closed     bool

	durableCommits atomic.Int64 // commits made with synchronous=FULL; see writeDurable
}

// statements lists every SQL statement the package runs; see stmt.
var statements []string

// stmt registers a statement to be prepared at Open and returns it. Use it
// only to initialise package-level variables.
func stmt(q string) string {
	statements = append(statements, q)
	return q
}

// Open opens the store at path, creating the file and its parent directory
// when missing, and brings the schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return db, nil
}

func open(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, errors.New("path must name a file")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, err
	}
	uri := "file:" + escapePath(abs) + "?" + pragmas

	w, err := sql.Open("sqlite", uri+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}

	r, err := sql.Open("sqlite", uri+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{w: w, r: r, ws: make(map[string]*sql.Stmt), rs: make(map[string]*sql.Stmt)}
	db.startWriter()
	if err := db.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// prepare prepares every registered statement on both pools.
func (db *DB) prepare(ctx context.Context) error {
	for _, q := range statements {
		s, err := db.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		db.ws[q] = s
		if s, err = db.r.PrepareContext(ctx, q); err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		db.rs[q] = s
	}
	return nil
}

// escapePath makes a file path safe inside a SQLite URI.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(p))
}

// Close closes the store.
func (db *DB) Close() error {
	db.stopWriter()
	var errs []error
	for _, m := range []map[string]*sql.Stmt{db.ws, db.rs} {
		for q, s := range m {
			errs = append(errs, s.Close())
			delete(m, q)
		}
	}
	errs = append(errs, db.r.Close(), db.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store: %w", err)
	}
	return nil
}

// Ping checks that both the writer and a reader answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite writer: %w", err)
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite reader: %w", err)
	}
	return nil
}

// prepared returns the statement q prepared on the writer or the readers.
func (db *DB) prepared(write bool, q string) (*sql.Stmt, error) {
	m := db.rs
	if write {
		m = db.ws
	}
	if s, ok := m[q]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("statement not registered with stmt: %q", q)
}

// query runs a prepared query on the read pool.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := db.prepared(false, q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// queryRow runs a prepared single-row query on the read pool.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *row {
	rows, err := db.query(ctx, q, args...)
	return &row{rows: rows, err: err}
}

// tx is a write transaction on the writer connection.
type tx struct {
	ctx context.Context
	db  *DB
	tx  *sql.Tx
}

func (t *tx) stmt(q string) (*sql.Stmt, error) {
	s, err := t.db.prepared(true, q)
	if err != nil {
		return nil, err
	}
	return t.tx.StmtContext(t.ctx, s), nil
}

// exec runs a prepared statement and returns the number of rows it changed.
func (t *tx) exec(q string, args ...any) (int64, error) {
	s, err := t.stmt(q)
	if err != nil {
		return 0, err
	}
	res, err := s.ExecContext(t.ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	s, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(t.ctx, args...)
}

func (t *tx) queryRow(q string, args ...any) *row {
	rows, err := t.query(q, args...)
	return &row{rows: rows, err: err}
}

// row is sql.Row for a prepared statement that may have failed to prepare.
type row struct {
	rows *sql.Rows
	err  error
}

// Scan copies the first row into dest, or returns sql.ErrNoRows.
func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}

// scanner is a *sql.Row, *sql.Rows or *row.
type scanner interface{ Scan(dest ...any) error }

// collect scans every row of rows with scan.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// notFound turns sql.ErrNoRows into shequn.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return shequn.ErrNotFound
	}
	return err
}

// isUnique reports whether err is a violated unique or primary key.
func isUnique(err error) bool {
	var e *sqlite3.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlitelib.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlitelib.SQLITE_CONSTRAINT_PRIMARYKEY
}

// ts is the stored form of t: unix nanoseconds, or NULL for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// storable reports whether ts keeps t exactly: unix nanoseconds in an
// int64 reach from 1677 to 2262, and a time outside would wrap around.
func storable(t time.Time) bool { return t.IsZero() || time.Unix(0, t.UnixNano()).Equal(t) }

// mark is the stored form of a time whose NULL means "not done yet": a zero
// time is stored as 0, so that doing it at the zero time still counts.
func mark(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// timeCol scans a stored time back into *t, in UTC; NULL and 0 (see mark)
// give the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.Time{}
		if x != 0 {
			*c.t = time.Unix(0, x).UTC()
		}
	default:
		return fmt.Errorf("stored time has type %T", v)
	}
	return nil
}

// tcol is the scan destination of a time column.
func tcol(t *time.Time) timeCol { return timeCol{t} }
