package storetest

import (
	"testing"

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/membership"
)

// Core is the part of Stores that enrollment, seats, payments, the update
// log and leases need: what the MongoDB adapter provides so far.
type Core interface {
	membership.Store
	membership.EventInbox
	membership.ProfileStore
	groups.Store
	UpdateLog
	jobs.Leases
}

// coreCases are the cases of Run that use Core only. Keep them in step
// with Run.
var coreCases = []struct {
	name string
	run  func(t *testing.T, s Stores)
}{
	{"NumbersPerCourse", testNumbersPerCourse},
	{"RecordPaymentIdempotent", testRecordPaymentIdempotent},
	{"ReenrollmentKeepsNumber", testReenrollmentKeepsNumber},
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
	{"Profiles", testProfiles},
	{"Leases", testLeases},
	{"JobsRunOncePerTick", testJobsRunOncePerTick},
}

// RunCore runs the cases of the suite that need Core only, for an adapter
// that does not provide the rest of Stores (homework, roles, dialogues)
// yet. open must return a fresh, empty store on every call and close it
// when the test ends.
func RunCore(t *testing.T, open func(t *testing.T) Core) {
	for _, tc := range coreCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, coreOnly{Core: open(t)})
		})
	}
}

// coreOnly makes a Core a Stores for the core cases, which call none of
// the methods it lacks: calling one panics.
type coreOnly struct {
	Core
	assignments.Store
	membership.RoleStore
	DialogueStore
}
