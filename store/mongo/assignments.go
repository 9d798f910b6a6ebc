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
	"github.com/shequn/shequn/assignments"
)

type assignmentDoc struct {
	ID          int64      `bson:"_id"`
	Course      string     `bson:"course"`
	Title       string     `bson:"title"`
	Description string     `bson:"description"`
	DueAt       *time.Time `bson:"due_at,omitempty"`
	MaxScore    int        `bson:"max_score"`
	CreatedBy   int64      `bson:"created_by"`
	CreatedAt   *time.Time `bson:"created_at,omitempty"`
	AnnouncedAt *time.Time `bson:"announced_at,omitempty"`
}

func (a assignmentDoc) assignment() assignments.Assignment {
	return assignments.Assignment{ID: a.ID, Course: a.Course, Title: a.Title, Description: a.Description,
		Due: val(a.DueAt), MaxScore: a.MaxScore, CreatedBy: a.CreatedBy, CreatedAt: val(a.CreatedAt),
		AnnouncedAt: val(a.AnnouncedAt)}
}

// inCourses adds a courses filter to filter: nil is every course, and an
// empty list none (the caller answers that without asking the server).
func inCourses(filter bson.M, courses []string) bson.M {
	if courses != nil {
		filter["course"] = bson.M{"$in": courses}
	}
	return filter
}

// CreateAssignment stores a with the next assignment id and returns it.
func (db *DB) CreateAssignment(ctx context.Context, a assignments.Assignment) (assignments.Assignment, error) {
	doc := assignmentDoc{Course: a.Course, Title: a.Title, Description: a.Description, DueAt: opt(a.Due),
		MaxScore: a.MaxScore, CreatedBy: a.CreatedBy, CreatedAt: opt(a.CreatedAt), AnnouncedAt: opt(a.AnnouncedAt)}
	var err error
	if doc.ID, err = db.next(ctx, "assignment"); err == nil {
		err = db.insert(ctx, db.assignments, doc)
	}
	if err != nil {
		return assignments.Assignment{}, fmt.Errorf("create assignment in %s: %w", a.Course, err)
	}
	return doc.assignment(), nil
}

// Assignment returns one assignment, or ErrNotFound.
func (db *DB) Assignment(ctx context.Context, id int64) (assignments.Assignment, error) {
	var a assignmentDoc
	if err := findOne(ctx, db.assignments, bson.M{"_id": id}, &a); err != nil {
		return assignments.Assignment{}, fmt.Errorf("assignment %d: %w", id, notFound(err))
	}
	return a.assignment(), nil
}

// Assignments lists the assignments of the courses (nil: every course) due
// at or after since or without a due date, earliest due first and those
// without a due date last, then by id.
//
// The index (course, due_at) finds them; they are put in order here, as a
// server sorts a missing due date first. A course has a few dozen open
// assignments, not thousands.
func (db *DB) Assignments(ctx context.Context, courses []string, since time.Time) ([]assignments.Assignment, error) {
	if courses != nil && len(courses) == 0 {
		return nil, nil
	}
	filter := inCourses(bson.M{"$or": bson.A{bson.M{"due_at": nil}, bson.M{"due_at": bson.M{"$gte": ms(since)}}}}, courses)
	docs, err := findAll[assignmentDoc](ctx, db.assignments, filter)
	if err != nil {
		return nil, fmt.Errorf("list assignments of %v: %w", courses, err)
	}
	as := make([]assignments.Assignment, len(docs))
	for i, d := range docs {
		as[i] = d.assignment()
	}
	slices.SortFunc(as, func(a, b assignments.Assignment) int {
		if a.Due.IsZero() != b.Due.IsZero() {
			if a.Due.IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID))
	})
	return as, nil
}

// Unannounced returns up to limit assignments not yet announced, oldest
// first, then by id.
func (db *DB) Unannounced(ctx context.Context, limit int) ([]assignments.Assignment, error) {
	if limit <= 0 {
		return nil, nil
	}
	docs, err := findAll[assignmentDoc](ctx, db.assignments, bson.M{"announced_at": nil},
		options.Find().SetSort(order("announced_at", "created_at", "_id")).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("unannounced assignments: %w", err)
	}
	as := make([]assignments.Assignment, len(docs))
	for i, d := range docs {
		as[i] = d.assignment()
	}
	return as, nil
}

// MarkAnnounced records that the assignment was posted in its groups.
// ErrNotFound when there is no such assignment.
func (db *DB) MarkAnnounced(ctx context.Context, id int64, at time.Time) error {
	matched, err := db.update(ctx, db.assignments, bson.M{"_id": id}, bson.M{"$set": bson.M{"announced_at": ms(at)}})
	if err == nil && !matched {
		err = shequn.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("mark assignment %d announced: %w", id, err)
	}
	return nil
}

// keysDoc is the stored form of assignments.PeriodKeys.
type keysDoc struct {
	Week  string `bson:"week"`
	Month string `bson:"month"`
	All   string `bson:"all"`
}

func (k keysDoc) keys() assignments.PeriodKeys {
	return assignments.PeriodKeys{Week: k.Week, Month: k.Month, All: k.All}
}

// submissionDoc is one version of a student's work. Latest marks the
// newest version, the one that counts; the fields after Keys are the
// ledger bookkeeping of reviews.go.
type submissionDoc struct {
	ID           int64    `bson:"_id"`
	AssignmentID int64    `bson:"assignment_id"`
	Course       string   `bson:"course"`
	UserID       int64    `bson:"user_id"`
	Version      int      `bson:"version"`
	Kind         string   `bson:"kind"`
	Text         string   `bson:"text"`
	FileIDs      []string `bson:"file_ids"`
	// SubmittedAt is a mark: the zero time is stored as such.
	SubmittedAt time.Time `bson:"submitted_at"`
	Late        bool      `bson:"late"`
	PenaltyPct  int       `bson:"penalty_pct"`
	State       string    `bson:"state"`
	Latest      bool      `bson:"latest"`

	HeldBy    int64      `bson:"held_by"`
	HeldUntil *time.Time `bson:"held_until,omitempty"`

	Grade          string     `bson:"grade"`
	Score          int        `bson:"score"`
	Comment        string     `bson:"comment"`
	ReviewedBy     int64      `bson:"reviewed_by"`
	ReviewedAt     *time.Time `bson:"reviewed_at,omitempty"`
	FeedbackSentAt *time.Time `bson:"feedback_sent_at,omitempty"`
	Keys           keysDoc    `bson:"keys"` // the ledger rows its score counts in

	Rev       int     `bson:"rev"`                  // reviews made
	Pending   bool    `bson:"pending,omitempty"`    // the ledger change of review Rev is not finished
	ClearKeys keysDoc `bson:"clear_keys,omitempty"` // where review Rev-1 counted the score
}

func (s submissionDoc) submission() assignments.Submission {
	out := assignments.Submission{ID: s.ID, AssignmentID: s.AssignmentID, Course: s.Course, UserID: s.UserID,
		Version: s.Version, Content: assignments.Content{Kind: assignments.ContentKind(s.Kind), Text: s.Text},
		SubmittedAt: s.SubmittedAt.UTC(), Late: s.Late, PenaltyPct: s.PenaltyPct, State: assignments.State(s.State),
		HeldBy: s.HeldBy, HeldUntil: val(s.HeldUntil), Grade: assignments.Grade(s.Grade), Score: s.Score,
		Comment: s.Comment, ReviewedBy: s.ReviewedBy, ReviewedAt: val(s.ReviewedAt),
		FeedbackSentAt: val(s.FeedbackSentAt)}
	if len(s.FileIDs) > 0 {
		out.Content.FileIDs = s.FileIDs
	}
	return out
}

// counted returns the score the submission counts in the ledger, and the
// rows: a reviewed one counts its score, pending or redo work nothing.
func (s submissionDoc) counted() (int, assignments.PeriodKeys) {
	if s.State != string(assignments.StateReviewed) {
		return 0, assignments.PeriodKeys{}
	}
	return s.Score, s.Keys.keys()
}

// holdFree is the filter of submissions that no reviewer other than
// reviewer (0: anyone) holds at t: a hold that ended at t is free.
func holdFree(reviewer int64, t time.Time) bson.M {
	free := bson.A{bson.M{"held_by": 0}, bson.M{"held_until": bson.M{"$lte": ms(t)}}}
	if reviewer != 0 {
		free = append(free, bson.M{"held_by": reviewer})
	}
	return bson.M{"$or": free}
}

// heldAt reports whether someone other than reviewer holds s at t.
func (s submissionDoc) heldAt(t time.Time, reviewer int64) bool {
	return s.HeldBy != 0 && s.HeldBy != reviewer && val(s.HeldUntil).After(t)
}

// Submit stores s as the student's newest version of the assignment, in
// the assignment's course: a pending version becomes superseded, a redo
// one stays as history; a version held by a reviewer whose hold has not
// ended at s.SubmittedAt, or reviewed with a grade other than redo, makes
// it fail with ErrConflict. ErrNotFound when there is no such assignment.
//
// Writes, in order: the current version stops being the latest
// (conditionally on its state and hold, so a hold or a review that comes
// first wins), then the new version is inserted with the next version
// number, which the unique (assignment_id, user_id, version) index gives
// to one call only. A newest version that is not the latest is therefore
// a submission under way, or one interrupted after its first write: the
// next Submit inserts after it, and two racing calls each insert a
// version, one after the other, as they would one at a time. Until then
// the student has no current version of the assignment, only history.
func (db *DB) Submit(ctx context.Context, s assignments.Submission) (assignments.Submission, error) {
	out, err := db.submit(ctx, s)
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("submit to assignment %d by %d: %w", s.AssignmentID, s.UserID, err)
	}
	return out.submission(), nil
}

func (db *DB) submit(ctx context.Context, s assignments.Submission) (submissionDoc, error) {
	var a assignmentDoc
	if err := findOne(ctx, db.assignments, bson.M{"_id": s.AssignmentID}, &a); err != nil {
		return submissionDoc{}, notFound(err)
	}
	for range retries {
		version, err := db.retire(ctx, s.AssignmentID, s.UserID, s.SubmittedAt)
		if errors.Is(err, errChanged) {
			continue
		}
		if err != nil {
			return submissionDoc{}, err
		}
		id, err := db.next(ctx, "submission")
		if err != nil {
			return submissionDoc{}, err
		}
		doc := submissionDoc{ID: id, AssignmentID: s.AssignmentID, Course: a.Course, UserID: s.UserID,
			Version: version, Kind: string(s.Content.Kind), Text: s.Content.Text, FileIDs: s.Content.FileIDs,
			SubmittedAt: ms(s.SubmittedAt), Late: s.Late, PenaltyPct: s.PenaltyPct,
			State: string(assignments.StatePending), Latest: true}
		if doc.FileIDs == nil {
			doc.FileIDs = []string{}
		}
		err = db.insert(ctx, db.submissions, doc)
		if isDup(err) {
			continue // a racing call took the version number
		}
		return doc, err
	}
	return submissionDoc{}, errRace
}

// errChanged says that a conditional write found its document changed:
// read it again and start over.
var errChanged = errors.New("changed meanwhile")

// retire makes the student's newest version of the assignment stop being
// the latest, so that a new one can follow, and returns the new one's
// version number. ErrConflict when the newest version cannot be replaced;
// errChanged when it changed under the conditional write.
func (db *DB) retire(ctx context.Context, assignmentID, userID int64, at time.Time) (int, error) {
	var cur submissionDoc
	err := findOne(ctx, db.submissions, bson.M{"assignment_id": assignmentID, "user_id": userID}, &cur,
		options.FindOne().SetSort(order("assignment_id", "user_id", "-version")))
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return 1, nil
	case err != nil:
		return 0, err
	case !cur.Latest:
		return cur.Version + 1, nil // a submission under way or interrupted: follow it
	case cur.heldAt(at, 0):
		return 0, shequn.ErrConflict
	}
	var set bson.M
	switch cur.State {
	case string(assignments.StatePending):
		set = bson.M{"$set": bson.M{"state": assignments.StateSuperseded, "latest": false, "held_by": 0},
			"$unset": bson.M{"held_until": ""}}
	case string(assignments.StateRedo):
		set = bson.M{"$set": bson.M{"latest": false}}
	default:
		return 0, shequn.ErrConflict
	}
	filter := holdFree(0, at)
	filter["_id"], filter["state"], filter["latest"] = cur.ID, cur.State, true
	matched, err := db.update(ctx, db.submissions, filter, set)
	switch {
	case err != nil:
		return 0, err
	case !matched:
		return 0, errChanged
	}
	return cur.Version + 1, nil
}

// Submission returns one version, or ErrNotFound.
func (db *DB) Submission(ctx context.Context, id int64) (assignments.Submission, error) {
	s, err := db.submissionDoc(ctx, id)
	if err != nil {
		return assignments.Submission{}, fmt.Errorf("submission %d: %w", id, notFound(err))
	}
	return s.submission(), nil
}

func (db *DB) submissionDoc(ctx context.Context, id int64) (submissionDoc, error) {
	var s submissionDoc
	err := findOne(ctx, db.submissions, bson.M{"_id": id}, &s)
	return s, err
}

// Submissions returns the user's current versions, the newest of each
// assignment, newest first.
func (db *DB) Submissions(ctx context.Context, userID int64) ([]assignments.Submission, error) {
	ss, err := db.submissionList(ctx, bson.M{"user_id": userID, "latest": true},
		options.Find().SetSort(order("user_id", "latest", "-submitted_at", "-_id")))
	if err != nil {
		return nil, fmt.Errorf("submissions of %d: %w", userID, err)
	}
	return ss, nil
}

// Versions returns every version of the user's work on an assignment,
// oldest first.
func (db *DB) Versions(ctx context.Context, assignmentID, userID int64) ([]assignments.Submission, error) {
	ss, err := db.submissionList(ctx, bson.M{"assignment_id": assignmentID, "user_id": userID},
		options.Find().SetSort(order("assignment_id", "user_id", "version")))
	if err != nil {
		return nil, fmt.Errorf("versions of assignment %d by %d: %w", assignmentID, userID, err)
	}
	return ss, nil
}

func (db *DB) submissionList(ctx context.Context, filter bson.M, opts *options.FindOptions) ([]assignments.Submission, error) {
	docs, err := findAll[submissionDoc](ctx, db.submissions, filter, opts)
	if err != nil {
		return nil, err
	}
	ss := make([]assignments.Submission, len(docs))
	for i, d := range docs {
		ss[i] = d.submission()
	}
	return ss, nil
}
