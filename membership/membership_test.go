package membership_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/shequn/shequn"
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
		code shequn.Code
		text string
	}{
		{nil, "", ""},
		{cause, shequn.CodeInternal, "disk full"},
		{shequn.Errorf(shequn.CodeInvalid, "bad %d", 7), shequn.CodeInvalid, "bad 7"},
		{&shequn.Error{Code: shequn.CodeUnavailable, Message: "try later", Err: cause}, shequn.CodeUnavailable, "try later: disk full"},
		{&shequn.Error{Code: shequn.CodeUnavailable, Err: cause}, shequn.CodeUnavailable, "disk full"},
		{fmt.Errorf("wrapped: %w", shequn.ErrNotFound), shequn.CodeNotFound, "wrapped: not found"},
	}
	for _, c := range cases {
		if got := shequn.ErrorCode(c.err); got != c.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", c.err, got, c.code)
		}
		if c.err != nil && c.err.Error() != c.text {
			t.Errorf("Error() = %q, want %q", c.err.Error(), c.text)
		}
	}
	wrapped := &shequn.Error{Code: shequn.CodeUnavailable, Message: "m", Err: cause}
	if !errors.Is(wrapped, cause) {
		t.Error("the cause is not in the chain")
	}
	// Adapters' errors with the code of a sentinel match it.
	for _, c := range []struct {
		err, target error
		want        bool
	}{
		{shequn.Errorf(shequn.CodeNotFound, "no such order"), shequn.ErrNotFound, true},
		{shequn.Errorf(shequn.CodeConflict, "taken"), shequn.ErrConflict, true},
		{shequn.Errorf(shequn.CodeConflict, "taken"), shequn.ErrNotFound, false},
		{shequn.Errorf(shequn.CodeNotFound, "x"), shequn.ErrConflict, false},
		{shequn.Errorf(shequn.CodeForbidden, "x"), shequn.Errorf(shequn.CodeForbidden, "x"), false},
		{shequn.Errorf(shequn.CodeInvalid, "x"), cause, false},
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
