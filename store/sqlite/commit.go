package sqlite

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// maxBatch bounds how many writes share one transaction.
const maxBatch = 64

// writeReq is one write waiting for the writer.
type writeReq struct {
	ctx     context.Context
	fn      func(t *tx) error
	done    chan error
	durable bool // see writeDurable
}

// errClosed is returned by writes after Close.
var errClosed = errors.New("sqlite store is closed")

// startWriter starts the goroutine that owns the writer connection.
//
// Writes that arrive while another is being committed share the next
// transaction (group commit): each runs inside its own SAVEPOINT, so it
// stays atomic and its failure undoes only itself, while the batch pays
// for one commit, the expensive part of a write (the WAL write). Under no
// load a batch holds one write and nothing waits.
func (db *DB) startWriter() {
	db.writes = make(chan writeReq)
	db.writerDone = make(chan struct{})
	go func() {
		defer close(db.writerDone)
		for req := range db.writes {
			batch := []writeReq{req}
		more:
			for len(batch) < maxBatch {
				select {
				case r, ok := <-db.writes:
					if !ok {
						break more
					}
					batch = append(batch, r)
				default:
					break more
				}
			}
			db.commit(batch)
		}
	}()
}

// write runs fn atomically in the writer's next transaction and returns
// once that transaction is committed.
func (db *DB) write(ctx context.Context, fn func(t *tx) error) error {
	return db.enqueue(ctx, writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// writeDurable is write for what must survive a power loss once it
// returns: a payment Stripe was told is stored. The store runs WAL with
// synchronous=NORMAL, where a commit reaches the disk only at the next
// checkpoint; the transaction holding a durable write commits with
// synchronous=FULL instead, which syncs the WAL before returning. Writes
// batched with it share that sync.
func (db *DB) writeDurable(ctx context.Context, fn func(t *tx) error) error {
	return db.enqueue(ctx, writeReq{ctx: ctx, fn: fn, done: make(chan error, 1), durable: true})
}

func (db *DB) enqueue(ctx context.Context, req writeReq) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return errClosed
	}
	select {
	case db.writes <- req:
		db.closeMu.RUnlock()
	case <-ctx.Done():
		db.closeMu.RUnlock()
		return ctx.Err()
	}
	// Once queued, the write is committed or failed; its caller's context
	// ending does not abandon it half-way.
	return <-req.done
}

func (db *DB) commit(batch []writeReq) {
	// Statements run without the callers' cancellation: interrupting one
	// statement would abort the whole shared transaction.
	base := context.WithoutCancel(batch[0].ctx)
	if !slices.ContainsFunc(batch, func(r writeReq) bool { return r.durable }) {
		db.commitBatch(base, batch)
		return
	}
	// SQLite refuses to change the safety level inside a transaction; the
	// pool holds the one writer connection, so these reach it.
	if _, err := db.w.ExecContext(base, "PRAGMA synchronous = FULL"); err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("durable commit: %w", err)
		}
		return
	}
	db.durableCommits.Add(1)
	db.commitBatch(base, batch)
	// A failure here leaves the writer at FULL: slower, never less safe,
	// and the next durable commit sets NORMAL again. Nothing to report.
	db.w.ExecContext(base, "PRAGMA synchronous = NORMAL")
}

func (db *DB) commitBatch(base context.Context, batch []writeReq) {
	results := make([]error, len(batch))
	sqlTx, err := db.w.BeginTx(base, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	single := len(batch) == 1
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		t := &tx{ctx: context.WithoutCancel(r.ctx), db: db, tx: sqlTx}
		if single {
			results[i] = r.fn(t)
			continue
		}
		if _, err := sqlTx.ExecContext(base, "SAVEPOINT w"); err != nil {
			results[i] = fmt.Errorf("savepoint: %w", err)
			continue
		}
		if results[i] = r.fn(t); results[i] != nil {
			if _, err := sqlTx.ExecContext(base, "ROLLBACK TO w"); err != nil {
				// The transaction is in an unknown state: fail the batch.
				sqlTx.Rollback()
				for j, r := range batch {
					r.done <- errors.Join(results[j], fmt.Errorf("rollback to savepoint: %w", err))
				}
				return
			}
		}
		if _, err := sqlTx.ExecContext(base, "RELEASE w"); err != nil {
			results[i] = errors.Join(results[i], fmt.Errorf("release savepoint: %w", err))
		}
	}
	if single && results[0] != nil {
		sqlTx.Rollback()
		batch[0].done <- results[0]
		return
	}
	if err := sqlTx.Commit(); err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = fmt.Errorf("commit: %w", err)
			}
		}
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// stopWriter lets queued writes finish and stops the writer.
func (db *DB) stopWriter() {
	db.closeMu.Lock()
	if db.closed {
		db.closeMu.Unlock()
		return
	}
	db.closed = true
	close(db.writes)
	db.closeMu.Unlock()
	<-db.writerDone
}
