package membership

import (
	"context"
	"time"
)

// Role is what a person may do beyond being a student. Owners come from
// the configuration; teachers and assistants are granted by an owner.
type Role string

// Roles. Teachers and assistants both review homework and answer
// questions; only the name differs, as in the model community.
const (
	RoleTeacher   Role = "teacher"
	RoleAssistant Role = "assistant"
)

// Valid reports whether r is a role that can be granted.
func (r Role) Valid() bool { return r == RoleTeacher || r == RoleAssistant }

// Grant is one role held by a user, for one course or ("") for all.
type Grant struct {
	UserID    int64
	Role      Role
	Course    string
	GrantedBy int64
	GrantedAt time.Time
}

// RoleStore keeps granted roles.
type RoleStore interface {
	// GrantRole stores g; granting the same role and course again is a
	// no-op.
	GrantRole(ctx context.Context, g Grant) error
	// RevokeRole removes the user's role for the course ("" for all
	// courses); it reports whether there was one.
	RevokeRole(ctx context.Context, userID int64, role Role, course string) (bool, error)
	// Grants returns the user's roles.
	Grants(ctx context.Context, userID int64) ([]Grant, error)
	// Staff returns every grant of every user, for digests.
	Staff(ctx context.Context) ([]Grant, error)
	// ProfilesByUsername finds the profiles that had the username (with or
	// without "@", any case), the latest updated first, at most
	// MaxNameMatches of them; none is not an error. Two profiles mean one
	// was renamed since, and the name alone cannot say whose it is now.
	ProfilesByUsername(ctx context.Context, username string) ([]Profile, error)
}

// MaxNameMatches bounds ProfilesByUsername: telling one person from
// several needs two.
const MaxNameMatches = 5

// StaffCourses returns the courses a user's grants cover, and whether they
// cover every course.
func StaffCourses(gs []Grant) (courses []string, all bool) {
	for _, g := range gs {
		if g.Course == "" {
			return nil, true
		}
		courses = append(courses, g.Course)
	}
	return courses, false
}
