package assignments_test

import (
	"testing"

	"github.com/shequn/shequn/assignments"
)

// A score of zero named alone is a score, not "no score": it earns a pass
// with zero points. Only a negative score means none was named.
func TestChooseZeroScoreAlone(t *testing.T) {
	for _, max := range []int{1, 10, 100} {
		g, score, err := assignments.Choose("", 0, max)
		if err != nil || g != assignments.GradePass || score != 0 {
			t.Errorf("Choose(\"\", 0, %d) = %q, %d, %v; want pass, 0", max, g, score, err)
		}
	}
}
