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

// The profiles that had a username, latest first: two of them mean the
// name alone cannot say who is meant.
func testProfilesByUsername(t *testing.T, s Stores) {
	ctx := t.Context()
	for _, p := range []membership.Profile{
		{UserID: 1, Username: "Li_Hua", FirstName: "Li", UpdatedAt: at(1)},
		{UserID: 2, FirstName: "No username", UpdatedAt: at(1)},
		{UserID: 3, Username: "zhang", FirstName: "Zhang", UpdatedAt: at(1)},
	} {
		ok(t, s.SaveProfile(ctx, p))
	}
	ids := func(ps []membership.Profile) []int64 {
		var out []int64
		for _, p := range ps {
			out = append(out, p.UserID)
		}
		return out
	}
	for _, name := range []string{"Li_Hua", "li_hua", "@LI_HUA"} {
		got := must(s.ProfilesByUsername(ctx, name))(t)
		if len(got) != 1 || got[0].UserID != 1 || got[0].Username != "Li_Hua" || got[0].FirstName != "Li" {
			t.Errorf("profiles of %q = %+v", name, got)
		}
		sameTime(t, "UpdatedAt", got[0].UpdatedAt, at(1))
	}
	for _, name := range []string{"", "@", "li", "nobody"} {
		if got := must(s.ProfilesByUsername(ctx, name))(t); len(got) != 0 {
			t.Errorf("profiles of %q = %+v, want none", name, got)
		}
	}
	ok(t, s.SaveProfile(ctx, membership.Profile{UserID: 1, Username: "li_new", UpdatedAt: at(2)}))
	if got := must(s.ProfilesByUsername(ctx, "li_hua"))(t); len(got) != 0 {
		t.Errorf("profiles of a former username = %+v", got)
	}
	if got := ids(must(s.ProfilesByUsername(ctx, "Li_New"))(t)); !slices.Equal(got, []int64{1}) {
		t.Errorf("profiles after renaming = %v", got)
	}
	// Someone else took "zhang" while the old profile was not seen again.
	ok(t, s.SaveProfile(ctx, membership.Profile{UserID: 4, Username: "Zhang", FirstName: "New", UpdatedAt: at(5)}))
	if got := ids(must(s.ProfilesByUsername(ctx, "zhang"))(t)); !slices.Equal(got, []int64{4, 3}) {
		t.Errorf("profiles of a name two people had = %v, want [4 3] (latest first)", got)
	}
	for i := range membership.MaxNameMatches + 2 {
		ok(t, s.SaveProfile(ctx, membership.Profile{UserID: int64(10 + i), Username: "many", UpdatedAt: at(10 + i)}))
	}
	if got := must(s.ProfilesByUsername(ctx, "many"))(t); len(got) != membership.MaxNameMatches || got[0].UserID != int64(11+membership.MaxNameMatches) {
		t.Errorf("profiles of a common name: %d, first %d", len(got), got[0].UserID)
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
