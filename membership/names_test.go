package membership_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// For a grant, a username seen exactly NameSeenWithin ago is still
// trusted; a moment older is not. A revoke trusts any age.
func TestNameSeenWithinBoundary(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := t0.Add(90 * 24 * time.Hour)
	p := &membership.People{Members: db, Profiles: db, Roles: db, Now: func() time.Time { return now }}
	for i, c := range []struct {
		name  string
		age   time.Duration
		fresh bool
		ok    bool
	}{
		{"edge", membership.NameSeenWithin, true, true},
		{"older", membership.NameSeenWithin + time.Second, true, false},
		{"olderrevoke", membership.NameSeenWithin + time.Second, false, true},
		{"young", 29 * 24 * time.Hour, true, true},
		{"month", 31 * 24 * time.Hour, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			user := int64(i + 1)
			if err := db.SaveProfile(ctx, membership.Profile{UserID: user, Username: c.name, UpdatedAt: now.Add(-c.age)}); err != nil {
				t.Fatal(err)
			}
			got, err := p.ByUsername(ctx, c.name, c.fresh)
			var ne *membership.NameError
			if c.ok && (err != nil || got.UserID != user) {
				t.Errorf("seen %v ago: %+v, %v; want user %d", c.age, got, err, user)
			}
			if !c.ok && (!errors.As(err, &ne) || !ne.LastSeen.Equal(now.Add(-c.age))) {
				t.Errorf("seen %v ago: %v, want a NameError with the last sighting", c.age, err)
			}
		})
	}
}

// A NameError says which of its three reasons it is.
func TestNameErrorText(t *testing.T) {
	for _, c := range []struct {
		err  membership.NameError
		want string
	}{
		{membership.NameError{Name: "@x", Unknown: true}, "no user is called @x"},
		{membership.NameError{Name: "@x", IDs: []int64{1, 2}}, "@x was the name of 2 users"},
		{membership.NameError{Name: "@x", IDs: []int64{1}, LastSeen: t0}, "@x was last seen 2026-05-01T09:00:00Z"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.err, got, c.want)
		}
	}
}
