package desk

import (
	"context"
	"fmt"
	"slices"

	"github.com/shequn/shequn/membership"
)

// Staff tells who answers the questions of a course and group. It is
// declared here, small, so that per-group assistants (appointed in the
// groups) can widen it without touching the desk.
type Staff interface {
	// Assistants returns the assistants of a course or of the group
	// (groupID 0: no group), each once.
	Assistants(ctx context.Context, course string, groupID int64) ([]int64, error)
	// Teachers returns the teachers of a course, each once.
	Teachers(ctx context.Context, course string) ([]int64, error)
}

// GrantedStaff answers Staff from the granted roles: a grant for every
// course ("") counts for each.
type GrantedStaff struct{ Roles membership.RoleStore }

// Assistants implements Staff with the course's assistants.
func (g GrantedStaff) Assistants(ctx context.Context, course string, _ int64) ([]int64, error) {
	return g.holders(ctx, membership.RoleAssistant, course)
}

// Teachers implements Staff.
func (g GrantedStaff) Teachers(ctx context.Context, course string) ([]int64, error) {
	return g.holders(ctx, membership.RoleTeacher, course)
}

func (g GrantedStaff) holders(ctx context.Context, role membership.Role, course string) ([]int64, error) {
	grants, err := g.Roles.Staff(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the staff: %w", err)
	}
	var ids []int64
	for _, x := range grants {
		if x.Role == role && (x.Course == course || x.Course == "") {
			ids = append(ids, x.UserID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
