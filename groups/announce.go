package groups

import (
	"context"
	"fmt"
	"time"

	"github.com/shequn/shequn"
)

// Announce posts the notice into every student group of the course and
// pins it, each step once per group; key names the post (e.g.
// "assignment:7"). A group that fails waits: one with a problem until a
// person acts, one with a passing error until its backoff ends; the others
// get the notice. done reports whether every group without a problem has
// it pinned now. Other domains announce through it (homework), so that
// what a group is and how its effects are settled stays here.
func (s *Service) Announce(ctx context.Context, course, key string, n shequn.Notice, now time.Time) (done bool, err error) {
	all, err := s.Store.Groups(ctx)
	if err != nil {
		return false, fmt.Errorf("list groups: %w", err)
	}
	done = true
	for _, g := range all {
		if g.Kind != KindStudent || g.Course != course {
			continue
		}
		if err := fenced(ctx); err != nil {
			return false, err
		}
		effect := fmt.Sprintf("%s:%d", key, g.ID)
		if g.Problem != "" || !s.backoff.Ready(effect, now) {
			done = false
			continue
		}
		err := PostPinned(ctx, s.Posts, s.Notifier, key, g.ChatID, n, now)
		if !s.settle(ctx, &g, effect, err, now) {
			done = false
		}
	}
	return done, nil
}
