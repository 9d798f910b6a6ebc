package membership_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/shequn/shequn/membership"
)

func TestMemberNumber(t *testing.T) {
	for n, want := range map[int]string{1: "PPT-00001", 42: "PPT-00042", 99999: "PPT-99999", 123456: "PPT-123456"} {
		if got := (membership.Course{Prefix: "PPT"}).MemberNumber(n); got != want {
			t.Errorf("MemberNumber(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	cause := errors.New("disk full")
	cases := []struct {
		err  error
		code membership.Code
		text string
	}{
		{nil, "", ""},
		{cause, membership.CodeInternal, "disk full"},
		{membership.Errorf(membership.CodeInvalid, "bad %d", 7), membership.CodeInvalid, "bad 7"},
		{&membership.Error{Code: membership.CodeUnavailable, Message: "try later", Err: cause}, membership.CodeUnavailable, "try later: disk full"},
		{&membership.Error{Code: membership.CodeUnavailable, Err: cause}, membership.CodeUnavailable, "disk full"},
		{fmt.Errorf("wrapped: %w", membership.ErrNotFound), membership.CodeNotFound, "wrapped: not found"},
	}
	for _, c := range cases {
		if got := membership.ErrorCode(c.err); got != c.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", c.err, got, c.code)
		}
		if c.err != nil && c.err.Error() != c.text {
			t.Errorf("Error() = %q, want %q", c.err.Error(), c.text)
		}
	}
	wrapped := &membership.Error{Code: membership.CodeUnavailable, Message: "m", Err: cause}
	if !errors.Is(wrapped, cause) {
		t.Error("the cause is not in the chain")
	}
	// Adapters' errors with the code of a sentinel match it.
	for _, c := range []struct {
		err, target error
		want        bool
	}{
		{membership.Errorf(membership.CodeNotFound, "no such order"), membership.ErrNotFound, true},
		{membership.Errorf(membership.CodeConflict, "taken"), membership.ErrConflict, true},
		{membership.Errorf(membership.CodeConflict, "taken"), membership.ErrNotFound, false},
		{membership.Errorf(membership.CodeNotFound, "x"), membership.ErrConflict, false},
		{membership.Errorf(membership.CodeForbidden, "x"), membership.Errorf(membership.CodeForbidden, "x"), false},
		{membership.Errorf(membership.CodeInvalid, "x"), cause, false},
	} {
		if got := errors.Is(c.err, c.target); got != c.want {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", c.err, c.target, got, c.want)
		}
	}
}

func TestRoles(t *testing.T) {
	for r, want := range map[membership.Role]bool{membership.RoleTeacher: true, membership.RoleAssistant: true, "owner": false, "": false} {
		if r.Valid() != want {
			t.Errorf("%q.Valid() = %v", r, !want)
		}
	}
	cases := []struct {
		gs      []membership.Grant
		courses []string
		all     bool
	}{
		{nil, nil, false},
		{[]membership.Grant{{Course: "ppt"}, {Course: "xls"}}, []string{"ppt", "xls"}, false},
		{[]membership.Grant{{Course: "ppt"}, {Course: ""}}, nil, true},
		{[]membership.Grant{{Course: ""}, {Course: "ppt"}}, nil, true},
	}
	for _, c := range cases {
		courses, all := membership.StaffCourses(c.gs)
		if all != c.all || !slices.Equal(courses, c.courses) {
			t.Errorf("StaffCourses(%+v) = %v, %v; want %v, %v", c.gs, courses, all, c.courses, c.all)
		}
	}
	if !(membership.Enrollment{Status: membership.EnrollmentActive}).Active() || (membership.Enrollment{Status: membership.EnrollmentRevoked}).Active() {
		t.Error("Enrollment.Active")
	}
}
