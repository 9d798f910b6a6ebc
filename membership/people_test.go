package membership_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// A username names one person only when one profile had it, and, for a
// grant, when it was seen within NameSeenWithin.
func TestPeopleByUsername(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := t0.Add(90 * 24 * time.Hour)
	p := &membership.People{Members: db, Profiles: db, Roles: db, Now: func() time.Time { return now }}
	for _, pr := range []membership.Profile{
		{UserID: 1, Username: "fresh", UpdatedAt: now.Add(-time.Hour)},
		{UserID: 2, Username: "old", UpdatedAt: now.Add(-membership.NameSeenWithin - time.Hour)},
		{UserID: 3, Username: "twice", UpdatedAt: now.Add(-2 * time.Hour)},
		{UserID: 4, Username: "twice", UpdatedAt: now.Add(-time.Hour)},
	} {
		if err := db.SaveProfile(ctx, pr); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := p.ByUsername(ctx, "@Fresh", true); err != nil || got.UserID != 1 {
		t.Errorf("@fresh = %+v, %v", got, err)
	}
	var ne *membership.NameError
	if _, err := p.ByUsername(ctx, "@old", true); !errors.As(err, &ne) || ne.LastSeen.IsZero() {
		t.Errorf("@old for a grant: %v", err)
	}
	if got, err := p.ByUsername(ctx, "@old", false); err != nil || got.UserID != 2 {
		t.Errorf("@old for a revoke = %+v, %v", got, err)
	}
	if _, err := p.ByUsername(ctx, "@twice", false); !errors.As(err, &ne) || len(ne.IDs) != 2 {
		t.Errorf("@twice: %v", err)
	}
	if _, err := p.ByUsername(ctx, "@nobody", false); !errors.As(err, &ne) || !ne.Unknown {
		t.Errorf("@nobody: %v", err)
	}
	if err := p.Grant(ctx, membership.Grant{UserID: 1, Role: "janitor"}); shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Errorf("an unknown role: %v", err)
	}
}

func TestParseNumber(t *testing.T) {
	one := []membership.Course{{ID: "ppt", Prefix: "PPT"}}
	two := append(one, membership.Course{ID: "xls", Prefix: "XLS"})
	cases := []struct {
		courses []membership.Course
		in      string
		course  string
		n       int
		ok      bool
	}{
		{one, "PPT-00042", "ppt", 42, true},
		{two, "xls-7", "xls", 7, true},
		{one, "42", "ppt", 42, true},
		{two, "42", "", 0, false}, // a bare number names nobody among two courses
		{two, "DOC-1", "", 0, false},
		{one, "PPT-0", "", 0, false},
		{one, "PPT-x", "", 0, false},
		{one, "@alice", "", 0, false},
	}
	for _, c := range cases {
		course, n, ok := membership.ParseNumber(c.courses, c.in)
		if course != c.course || n != c.n || ok != c.ok {
			t.Errorf("ParseNumber(%q) = %q, %d, %v; want %q, %d, %v", c.in, course, n, ok, c.course, c.n, c.ok)
		}
	}
}
