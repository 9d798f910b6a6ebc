// Package storetest is the contract every storage adapter must pass: the
// SQLite adapter and the MongoDB one run the same suite, so the domain can
// rely on one behaviour whichever store it is given.
//
// Import it only from tests:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Stores { return open(t) })
//	}
//
// Times given to the store are whole milliseconds in UTC, the precision the
// least precise adapter (MongoDB) keeps.
package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/desk"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
	"github.com/shequn/shequn/sessions"
)

// Stores is everything an adapter provides.
type Stores interface {
	membership.Store
	membership.Numbers
	membership.EventInbox
	membership.ProfileStore
	groups.Store
	shequn.UpdateLog
	assignments.Store
	membership.RoleStore
	shequn.DialogueStore
	jobs.Leases
	groups.PostLog
	groups.CoreStore
	groups.Homework
	groups.TaskStore
	groups.ChainStore
	moderation.Store
	desk.Store
	sessions.Store
}

// Run runs the contract suite. open must return a fresh, empty store on
// every call and close it when the test ends.
func Run(t *testing.T, open func(t *testing.T) Stores) {
	tests := []struct {
		name string
		run  func(t *testing.T, s Stores)
	}{
		{"NumbersPerCourse", testNumbersPerCourse},
		{"EnrollmentByNumber", testEnrollmentByNumber},
		{"RecordPaymentIdempotent", testRecordPaymentIdempotent},
		{"ReenrollmentKeepsNumber", testReenrollmentKeepsNumber},
		{"HighestNumberRefunded", testHighestNumberRefunded},
		{"RevokeUnknownPayment", testRevokeUnknownPayment},
		{"RevokeOlderOrder", testRevokeOlderOrder},
		{"ConcurrentEnrollments", testConcurrentEnrollments},
		{"SeatsFillGroupsInOrder", testSeatsFillGroupsInOrder},
		{"WaitlistOrder", testWaitlistOrder},
		{"ReleaseSeat", testReleaseSeat},
		{"EventInbox", testEventInbox},
		{"AddGroup", testAddGroup},
		{"MarkSeat", testMarkSeat},
		{"PendingSeats", testPendingSeats},
		{"UpdateLog", testUpdateLog},
		{"ClaimUpdatesConcurrent", testClaimUpdatesConcurrent},
		{"Profiles", testProfiles},
		{"Assignments", testAssignments},
		{"DueDates", testDueDates},
		{"SubmitVersions", testSubmitVersions},
		{"SubmitOverReview", testSubmitOverReview},
		{"HoldOrder", testHoldOrder},
		{"HoldSubmission", testHoldSubmission},
		{"HoldConcurrent", testHoldConcurrent},
		{"OwnWork", testOwnWork},
		{"ReviewLedger", testReviewLedger},
		{"ReviewConflicts", testReviewConflicts},
		{"RankTies", testRankTies},
		{"Queue", testQueue},
		{"Feedback", testFeedback},
		{"Roles", testRoles},
		{"ProfilesByUsername", testProfilesByUsername},
		{"Dialogues", testDialogues},
		{"Leases", testLeases},
		{"JobsRunOncePerTick", testJobsRunOncePerTick},
		{"PassFenced", testPassFenced},
		{"PostLog", testPostLog},
		{"GroupProblem", testGroupProblem},
		{"CoreQueue", testCoreQueue},
		{"CoreSteps", testCoreSteps},
		{"CoreLedger", testCoreLedger},
		{"CoreRuns", testCoreRuns},
		{"CoreHomework", testCoreHomework},
		{"CoreHistory", testCoreHistory},
		{"CoreTasks", testCoreTasks},
		{"CoreChains", testCoreChains},
		{"GroupRoles", testGroupRoles}, {"AuditLog", testAuditLog}, {"UserByNumber", testUserByNumber},
		{"DeskFAQ", testDeskFAQ}, {"DeskAssign", testDeskAssign}, {"DeskFAQTickets", testDeskFAQTickets}, {"DeskStats", testDeskStats},
		{"DeskAssignConcurrent", testDeskAssignConcurrent},
		{"Sessions", testSessions},
		{"SessionRelays", testSessionRelays},
		{"Broadcasts", testBroadcasts},
		{"RelayItems", testRelayItems},
		{"Audience", testAudience},
		{"PostedTo", testPostedTo},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// t0 is the suite's epoch; at(n) is n minutes after it.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// paid is a paid order of a course by a user, paid at(minute).
func paid(id, course string, userID int64, minute int) membership.Order {
	return membership.Order{
		ID: id, Course: course, UserID: userID, PaymentIntent: "pi_" + id,
		Amount: 19900, Currency: "cny", Status: membership.OrderPaid,
		PaidAt: at(minute), UpdatedAt: at(minute),
	}
}

// sameTime fails unless got is want, as an instant, in UTC (zero stays zero).
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if want.IsZero() {
		if !got.IsZero() {
			t.Errorf("%s = %v, want the zero time", what, got)
		}
		return
	}
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s = %v, want %v in UTC", what, got, want)
	}
}

// must returns v, after failing the test at once on an error:
// got := must(s.Seat(ctx, course, user))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// ok fails the test at once on an error.
func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// isErr fails unless errors.Is(err, want).
func isErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}
