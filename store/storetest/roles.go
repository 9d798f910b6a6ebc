package storetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
)

// sortGrants orders grants by user, role and course, so that the suite
// does not depend on the order a store returns them in.
func sortGrants(gs []membership.Grant) []membership.Grant {
	slices.SortFunc(gs, func(a, b membership.Grant) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.Role, b.Role), cmp.Compare(a.Course, b.Course))
	})
	return gs
}

// sameGrants compares grants, their times as instants.
func sameGrants(t *testing.T, what string, got, want []membership.Grant) {
	t.Helper()
	got, want = sortGrants(got), sortGrants(want)
	if len(got) != len(want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.UserID != w.UserID || g.Role != w.Role || g.Course != w.Course || g.GrantedBy != w.GrantedBy ||
			!g.GrantedAt.Equal(w.GrantedAt) || g.GrantedAt.Location() != time.UTC {
			t.Errorf("%s #%d = %+v, want %+v", what, i, g, w)
		}
	}
}

func testRoles(t *testing.T, s Stores) {
	ctx := t.Context()
	teacher := membership.Grant{UserID: 1, Role: membership.RoleTeacher, Course: "ppt", GrantedBy: 9, GrantedAt: at(1)}
	assistant := membership.Grant{UserID: 1, Role: membership.RoleAssistant, GrantedBy: 9, GrantedAt: at(3)}
	other := membership.Grant{UserID: 2, Role: membership.RoleTeacher, Course: "xls", GrantedBy: 8, GrantedAt: at(4)}
	for _, g := range []membership.Grant{teacher, assistant, other} {
		ok(t, s.GrantRole(ctx, g))
	}
	again := teacher
	again.GrantedBy, again.GrantedAt = 8, at(5)
	ok(t, s.GrantRole(ctx, again)) // a no-op: the first grant stays

	sameGrants(t, "grants of 1", must(s.Grants(ctx, 1))(t), []membership.Grant{teacher, assistant})
	sameGrants(t, "staff", must(s.Staff(ctx))(t), []membership.Grant{teacher, assistant, other})
	sameGrants(t, "grants of a student", must(s.Grants(ctx, 3))(t), nil)

	for _, c := range []struct {
		name   string
		userID int64
		role   membership.Role
		course string
		want   bool
	}{
		{"every course, granted for one", 1, membership.RoleTeacher, "", false},
		{"another role", 1, membership.RoleAssistant, "ppt", false},
		{"granted", 1, membership.RoleTeacher, "ppt", true},
		{"revoked already", 1, membership.RoleTeacher, "ppt", false},
		{"granted for every course", 1, membership.RoleAssistant, "", true},
	} {
		if got := must(s.RevokeRole(ctx, c.userID, c.role, c.course))(t); got != c.want {
			t.Errorf("revoke %s: %v, want %v", c.name, got, c.want)
		}
	}
	sameGrants(t, "grants of 1 after revoking", must(s.Grants(ctx, 1))(t), nil)
	sameGrants(t, "staff after revoking", must(s.Staff(ctx))(t), []membership.Grant{other})
}

func testProfileByUsername(t *testing.T, s Stores) {
	ctx := t.Context()
	for _, p := range []membership.Profile{
		{UserID: 1, Username: "Li_Hua", FirstName: "Li", UpdatedAt: at(1)},
		{UserID: 2, FirstName: "No username", UpdatedAt: at(1)},
		{UserID: 3, Username: "zhang", FirstName: "Zhang", UpdatedAt: at(1)},
	} {
		ok(t, s.SaveProfile(ctx, p))
	}
	for _, name := range []string{"Li_Hua", "li_hua", "LI_HUA"} {
		if got := must(s.ProfileByUsername(ctx, name))(t); got.UserID != 1 || got.Username != "Li_Hua" || got.FirstName != "Li" {
			t.Errorf("profile of %q = %+v", name, got)
		}
	}
	for _, name := range []string{"", "li", "nobody"} {
		_, err := s.ProfileByUsername(ctx, name)
		isErr(t, "profile of "+name, err, membership.ErrNotFound)
	}
	ok(t, s.SaveProfile(ctx, membership.Profile{UserID: 1, Username: "li_new", UpdatedAt: at(2)}))
	_, err := s.ProfileByUsername(ctx, "li_hua")
	isErr(t, "profile of a former username", err, membership.ErrNotFound)
	if got := must(s.ProfileByUsername(ctx, "Li_New"))(t); got.UserID != 1 {
		t.Errorf("profile after renaming = %+v", got)
	}
}

func testDialogues(t *testing.T, s Stores) {
	ctx := t.Context()
	check := func(userID int64, kind, data string, expires time.Time) {
		t.Helper()
		k, d, e, err := s.Dialogue(ctx, userID)
		if err != nil {
			t.Fatal(err)
		}
		if k != kind || d != data {
			t.Errorf("dialogue of %d = %q, %q; want %q, %q", userID, k, d, kind, data)
		}
		sameTime(t, "expires", e, expires)
	}
	check(1, "", "", time.Time{})
	ok(t, s.SetDialogue(ctx, 1, "assign", `{"course":"ppt"}`, at(5)))
	check(1, "assign", `{"course":"ppt"}`, at(5))
	ok(t, s.SetDialogue(ctx, 1, "submit", "42", at(6))) // replaces the open one
	check(1, "submit", "42", at(6))
	ok(t, s.SetDialogue(ctx, 2, "comment", "", at(-10))) // expired: returned all the same
	check(2, "comment", "", at(-10))
	ok(t, s.ClearDialogue(ctx, 1))
	check(1, "", "", time.Time{})
	check(2, "comment", "", at(-10))
	ok(t, s.ClearDialogue(ctx, 1))
}
