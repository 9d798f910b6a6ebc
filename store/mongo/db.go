// Package mongo is the MongoDB storage adapter, for operators who run several
// bot instances against a replica set. It implements membership.Store,
// membership.EventInbox, membership.ProfileStore, membership.RoleStore,
// groups.Store, assignments.Store, jobs.Leases, shequn.UpdateLog and
// shequn.DialogueStore, and passes the same contract suite
// (store/storetest) as the SQLite adapter.
//
// It uses single-document atomic operations only (inserts guarded by unique
// indexes, upserts, $inc and findOneAndUpdate), never a multi-document
// transaction, so it runs on a standalone server as well as on a replica
// set. A method that needs more than one write is ordered so that a crash
// between two writes leaves a state that the same call, run again, finishes;
// each such method says how.
//
// Times are stored as BSON datetimes (millisecond precision) and come back in
// UTC. A time that is not known is left out of the document; a step recorded
// at the zero time (a "mark") is stored as the zero time, so that it still
// counts as done.
//
// FerretDB v1, which the tests use when no MongoDB is at hand, carries out
// every update as a read followed by a write (FerretDB issues #2168 and
// #3040), so two concurrent updates of one document can lose one of them.
// When Open finds FerretDB it makes every write of this DB wait for the
// previous one, which gives each write the atomicity MongoDB gives it. That
// holds within one process only: FerretDB v1 is a test server here, not a
// store for several instances.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
	"go.mongodb.org/mongo-driver/x/mongo/driver/connstring"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/membership"
)

// The interfaces DB implements.
var (
	_ membership.Store        = (*DB)(nil)
	_ membership.EventInbox   = (*DB)(nil)
	_ membership.ProfileStore = (*DB)(nil)
	_ membership.RoleStore    = (*DB)(nil)
	_ groups.Store            = (*DB)(nil)
	_ assignments.Store       = (*DB)(nil)
	_ jobs.Leases             = (*DB)(nil)
	_ shequn.UpdateLog        = (*DB)(nil)
	_ interface {
		SetDialogue(ctx context.Context, userID int64, kind, data string, expires time.Time) error
		Dialogue(ctx context.Context, userID int64) (kind, data string, expires time.Time, err error)
		ClearDialogue(ctx context.Context, userID int64) error
	} = (*DB)(nil)
)

// DefaultDatabase is the database used when the URI names none.
const DefaultDatabase = "shequn"

// DB is an open MongoDB store. It is safe for concurrent use.
type DB struct {
	client *mongo.Client
	db     *mongo.Database

	orders, enrollments, counters, events, groups, seats, updates, profiles, leases *mongo.Collection

	assignments, submissions, reviews, ledger, roles, dialogues, posts *mongo.Collection

	coreSeats, coreContrib, coreRuns, coreEvents, coreTasks, coreChains *mongo.Collection

	groupRoles, audit                                                      *mongo.Collection
	deskFAQs, deskTickets, deskLoad                                        *mongo.Collection
	sessions, sessionRelays, sessionQuestions, sessionCheckIns, broadcasts *mongo.Collection

	// serial makes each write wait for the previous one; nil on MongoDB,
	// set on FerretDB (see the package comment).
	serial *sync.Mutex
}

// Open connects to the MongoDB server at uri (a mongodb:// or mongodb+srv://
// URI), checks that it answers, and creates the indexes the store needs when
// they are missing. The database is the one the URI's path names, or
// DefaultDatabase.
func Open(ctx context.Context, uri string) (*DB, error) {
	db, err := open(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("open mongo store %s: %w", redact(uri), err)
	}
	return db, nil
}

func open(ctx context.Context, uri string) (*DB, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		return nil, err
	}
	name := cs.Database
	if name == "" {
		name = DefaultDatabase
	}
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri))
	if err != nil {
		return nil, err
	}
	db := newDB(client, name)
	if err := db.start(ctx); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	return db, nil
}

func newDB(client *mongo.Client, name string) *DB {
	d := client.Database(name)
	return &DB{
		client: client, db: d,
		orders: d.Collection("orders"), enrollments: d.Collection("enrollments"), counters: d.Collection("counters"),
		events: d.Collection("payment_events"), groups: d.Collection("groups"), seats: d.Collection("seats"),
		updates: d.Collection("telegram_updates"), profiles: d.Collection("profiles"), leases: d.Collection("leases"),
		assignments: d.Collection("assignments"), submissions: d.Collection("submissions"),
		reviews: d.Collection("reviews"), ledger: d.Collection("ledger"), roles: d.Collection("roles"),
		dialogues: d.Collection("dialogues"), posts: d.Collection("posts"),
		coreSeats: d.Collection("core_seats"), coreContrib: d.Collection("core_contrib"), coreRuns: d.Collection("core_runs"),
		coreEvents: d.Collection("core_events"), coreTasks: d.Collection("core_tasks"),
		coreChains: d.Collection("core_chains"),
		groupRoles: d.Collection("group_roles"), audit: d.Collection("audit"),
		deskFAQs: d.Collection("desk_faqs"), deskTickets: d.Collection("desk_tickets"), deskLoad: d.Collection("desk_load"),
		sessions: d.Collection("sessions"), sessionRelays: d.Collection("session_relays"),
		sessionQuestions: d.Collection("session_questions"), sessionCheckIns: d.Collection("session_checkins"),
		broadcasts: d.Collection("broadcasts"),
	}
}

// start pings the server, finds out whether it is FerretDB and creates the
// indexes.
func (db *DB) start(ctx context.Context) error {
	if err := db.client.Ping(ctx, readpref.Primary()); err != nil {
		return err
	}
	var info bson.M
	if err := db.db.RunCommand(ctx, order("buildInfo")).Decode(&info); err != nil {
		return fmt.Errorf("build info: %w", err)
	}
	if _, ok := info["ferretdbVersion"]; ok {
		db.serial = new(sync.Mutex)
	}
	return db.createIndexes(ctx)
}

// redact hides the password of a URI for error messages.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(a URI that does not parse)"
	}
	return u.Redacted()
}

// Close disconnects from the server.
func (db *DB) Close() error {
	if err := db.client.Disconnect(context.Background()); err != nil {
		return fmt.Errorf("close mongo store: %w", err)
	}
	return nil
}

// Ping checks that the primary answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("ping mongo: %w", err)
	}
	return nil
}

// lock is taken around every write; see DB.serial.
func (db *DB) lock() func() {
	if db.serial == nil {
		return func() {}
	}
	db.serial.Lock()
	return db.serial.Unlock
}

// insert inserts one document.
func (db *DB) insert(ctx context.Context, c *mongo.Collection, doc any) error {
	defer db.lock()()
	_, err := c.InsertOne(ctx, doc)
	return err
}

// update updates the first document matching filter and reports whether
// one matched.
func (db *DB) update(ctx context.Context, c *mongo.Collection, filter, update any, opts ...*options.UpdateOptions) (bool, error) {
	defer db.lock()()
	res, err := c.UpdateOne(ctx, filter, update, opts...)
	if err != nil {
		return false, err
	}
	return res.MatchedCount+res.UpsertedCount > 0, nil
}

// modify updates the first document matching filter (in the order of
// opts' sort) and decodes it, as it is after the update, into out. It
// returns mongo.ErrNoDocuments when none matched.
//
// It sets no projection: FerretDB v1 does not implement the "fields" of
// findAndModify.
func (db *DB) modify(ctx context.Context, c *mongo.Collection, filter, update, out any, opts *options.FindOneAndUpdateOptions) error {
	if opts == nil {
		opts = options.FindOneAndUpdate()
	}
	opts.SetReturnDocument(options.After)
	defer db.lock()()
	return c.FindOneAndUpdate(ctx, filter, update, opts).Decode(out)
}

// remove deletes every document matching filter.
func (db *DB) remove(ctx context.Context, c *mongo.Collection, filter any) error {
	defer db.lock()()
	_, err := c.DeleteMany(ctx, filter)
	return err
}

// removeOne deletes the first document matching filter and reports whether
// there was one.
func (db *DB) removeOne(ctx context.Context, c *mongo.Collection, filter any) (bool, error) {
	defer db.lock()()
	res, err := c.DeleteOne(ctx, filter)
	if err != nil {
		return false, err
	}
	return res.DeletedCount > 0, nil
}

// findOne decodes the first document matching filter into out, or returns
// mongo.ErrNoDocuments.
func findOne(ctx context.Context, c *mongo.Collection, filter, out any, opts ...*options.FindOneOptions) error {
	return c.FindOne(ctx, filter, opts...).Decode(out)
}

// findAll decodes every document matching filter.
func findAll[T any](ctx context.Context, c *mongo.Collection, filter any, opts ...*options.FindOptions) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, err
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// notFound turns mongo.ErrNoDocuments into shequn.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return shequn.ErrNotFound
	}
	return err
}

// isDup reports whether err is a violated unique index (or _id).
func isDup(err error) bool { return mongo.IsDuplicateKeyError(err) }

// errRace is returned when a document kept changing under a method that
// retries on change; it means heavy contention on one member's documents.
var errRace = errors.New("the document kept changing; gave up after several tries")

// retries bounds the loops that start over when a conditional write finds
// the document changed by a concurrent call.
const retries = 10

// opt is the stored form of a time that may be unknown: nil (left out) for
// the zero time, else the instant in UTC to the millisecond.
func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := ms(t)
	return &u
}

// ms is t in UTC to the millisecond, as a datetime stores it.
func ms(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

// val reads a stored time back, the zero time when it is left out.
func val(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// order is an ordered list of fields, for a sort or an index key: each
// ascending, or descending when written with a leading "-".
func order(fields ...string) bson.D {
	out := make(bson.D, len(fields))
	for i, f := range fields {
		out[i] = bson.E{Key: f, Value: 1}
		if f[0] == '-' {
			out[i] = bson.E{Key: f[1:], Value: -1}
		}
	}
	return out
}
