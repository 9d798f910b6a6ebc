package sqlite

import (
	"strings"
	"testing"

	"github.com/shequn/shequn/groups"
)

// TestCoreQueriesUseIndexes checks that the elimination's and the queue's
// queries search an index, so that they cost the same with 100,000
// candidates and a million ledger entries as with a thousand.
func TestCoreQueriesUseIndexes(t *testing.T) {
	db := MustOpen(t)
	for _, c := range []struct {
		name string
		q    string
		args []any
		want string
	}{
		{"queue", qCoreQueue, []any{"", "candidate", 5}, "USING INDEX core_queue (scope=? AND state=?)"},
		{"members", qCoreByState, []any{"member", "", -1}, "USING INDEX core_state (state=? AND scope=?)"},
		{"seats taken", qCoreTaken, []any{""}, "USING COVERING INDEX core_state (state=? AND scope=?)"},
		{"standing", qStandingParts, []any{"", "2026-03", 1}, "USING COVERING INDEX core_contrib_period (scope=? AND period=? AND user_id=?)"},
		{"pending remove", qCorePending[groups.CoreStepRemove], []any{10}, "USING INDEX core_state (state=?)"},
	} {
		p := plan(t, db, c.q, c.args...)
		if !strings.Contains(p, c.want) {
			t.Errorf("%s: plan\n%s\nlacks %q", c.name, p, c.want)
		}
	}
}
