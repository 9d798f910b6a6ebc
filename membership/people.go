package membership

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shequn/shequn"
)

// NameSeenWithin is how recently a username must have been seen to be
// trusted for a grant: Telegram usernames change hands, and a name not
// seen for long may belong to someone else now.
const NameSeenWithin = 30 * 24 * time.Hour

// People answers what the bot asks about users other than the sender:
// their enrollments and profile, whom a username names. It also keeps the
// staff's roles. Handlers go through it and never reach a store, and the
// rule for trusting a username lives here.
type People struct {
	Members  Store
	Profiles ProfileStore
	Roles    RoleStore
	// Numbers finds people by member number; nil when the transport has
	// no such lookup (ByNumber then finds nobody).
	Numbers Numbers
	Now     func() time.Time
}

// Numbers finds an enrollment by its member number. Both stores implement
// it over the unique index of (course, number).
type Numbers interface {
	// EnrollmentByNumber returns the enrollment holding the number in the
	// course, active or not, or shequn.ErrNotFound.
	EnrollmentByNumber(ctx context.Context, course string, number int) (Enrollment, error)
}

// ParseNumber reads a member number as people write it: "PPT-00042",
// "ppt-42", or a bare "42" when there is one course. It returns the
// course and the sequence number.
func ParseNumber(courses []Course, s string) (course string, n int, ok bool) {
	prefix, digits, dashed := strings.Cut(strings.TrimSpace(s), "-")
	if !dashed {
		prefix, digits = "", prefix
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n <= 0 {
		return "", 0, false
	}
	if prefix == "" {
		if len(courses) != 1 {
			return "", 0, false
		}
		return courses[0].ID, n, true
	}
	for _, c := range courses {
		if strings.EqualFold(c.Prefix, prefix) {
			return c.ID, n, true
		}
	}
	return "", 0, false
}

// ByNumber returns the enrollment of a member number (see ParseNumber),
// or shequn.ErrNotFound when it names nobody.
func (p *People) ByNumber(ctx context.Context, courses []Course, s string) (Enrollment, error) {
	course, n, ok := ParseNumber(courses, s)
	if !ok || p.Numbers == nil {
		return Enrollment{}, fmt.Errorf("member number %q: %w", s, shequn.ErrNotFound)
	}
	return p.Numbers.EnrollmentByNumber(ctx, course, n)
}

// NameError says why a username does not name one person the bot can
// trust: nobody had it (Unknown), several did (IDs), or it was last seen
// too long ago (LastSeen, for a grant).
type NameError struct {
	Name     string
	Unknown  bool
	IDs      []int64
	LastSeen time.Time
}

func (e *NameError) Error() string {
	switch {
	case e.Unknown:
		return fmt.Sprintf("no user is called %s", e.Name)
	case len(e.IDs) > 1:
		return fmt.Sprintf("%s was the name of %d users", e.Name, len(e.IDs))
	}
	return fmt.Sprintf("%s was last seen %s", e.Name, e.LastSeen.Format(time.RFC3339))
}

// ByUsername finds the one person the username names, or a *NameError. For
// a grant (fresh) the name must have been seen within NameSeenWithin, so
// that the role reaches the person the owner means.
func (p *People) ByUsername(ctx context.Context, name string, fresh bool) (Profile, error) {
	ps, err := p.Roles.ProfilesByUsername(ctx, name)
	if err != nil {
		return Profile{}, fmt.Errorf("find user %s: %w", name, err)
	}
	switch {
	case len(ps) == 0:
		return Profile{}, &NameError{Name: name, Unknown: true}
	case len(ps) > 1:
		ids := make([]int64, len(ps))
		for i, x := range ps {
			ids[i] = x.UserID
		}
		return Profile{}, &NameError{Name: name, IDs: ids}
	}
	if fresh && p.Now().Sub(ps[0].UpdatedAt) > NameSeenWithin {
		return Profile{}, &NameError{Name: name, LastSeen: ps[0].UpdatedAt}
	}
	return ps[0], nil
}

// Enrollments returns the user's enrollments, cancelled ones too.
func (p *People) Enrollments(ctx context.Context, userID int64) ([]Enrollment, error) {
	return p.Members.Enrollments(ctx, userID)
}

// Enrollment returns the user's enrollment in the course, or shequn.ErrNotFound.
func (p *People) Enrollment(ctx context.Context, course string, userID int64) (Enrollment, error) {
	return p.Members.Enrollment(ctx, course, userID)
}

// Profile returns the user's profile, or shequn.ErrNotFound.
func (p *People) Profile(ctx context.Context, userID int64) (Profile, error) {
	return p.Profiles.Profile(ctx, userID)
}

// SetLanguage records the user's own choice of language.
func (p *People) SetLanguage(ctx context.Context, userID int64, lang string) error {
	return p.Profiles.SetLanguage(ctx, userID, lang)
}

// Grant gives a role; granting it again changes nothing.
func (p *People) Grant(ctx context.Context, g Grant) error {
	if !g.Role.Valid() {
		return shequn.Errorf(shequn.CodeInvalid, "unknown role %q", g.Role)
	}
	if g.GrantedAt.IsZero() {
		g.GrantedAt = p.Now()
	}
	return p.Roles.GrantRole(ctx, g)
}

// Revoke takes a role back; it reports whether the user had it.
func (p *People) Revoke(ctx context.Context, userID int64, role Role, course string) (bool, error) {
	return p.Roles.RevokeRole(ctx, userID, role, course)
}
