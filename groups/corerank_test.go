package groups_test

import (
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
)

var coreNow = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// member is a core member promoted days before coreNow.
func member(user int64, days int) groups.CoreSeat {
	return groups.CoreSeat{UserID: user, State: groups.CoreMember, JoinedAt: coreNow.AddDate(0, 0, -days)}
}

func out(ds []groups.Decision) []int64 {
	var ids []int64
	for _, d := range ds {
		ids = append(ids, d.UserID)
	}
	return ids
}

func TestChooseEliminated(t *testing.T) {
	rules := groups.DefaultCoreRules()
	rules.BottomN = 2
	protected := member(4, 90)
	protected.Protected = true
	cases := []struct {
		name    string
		rules   func(r *groups.CoreRules)
		members []groups.CoreSeat
		points  map[int64]int
		want    []int64
		gaps    []int
	}{
		{name: "bottom two, worst first",
			members: []groups.CoreSeat{member(1, 90), member(2, 90), member(3, 90), member(4, 90)},
			points:  map[int64]int{1: 10, 2: 3, 3: 7, 4: 1},
			want:    []int64{4, 2}, gaps: []int{7, 5}},
		{name: "grace: promoted 10 days ago stays, the one above goes",
			members: []groups.CoreSeat{member(1, 90), member(2, 90), member(3, 90), member(4, 10)},
			points:  map[int64]int{1: 10, 2: 3, 3: 7, 4: 1},
			want:    []int64{2, 3}, gaps: []int{8, 4}},
		{name: "grace ends at exactly the grace period",
			members: []groups.CoreSeat{member(1, 90), member(2, 90), member(3, 90), member(4, 30)},
			points:  map[int64]int{1: 10, 2: 3, 3: 7, 4: 1},
			want:    []int64{4, 2}, gaps: []int{7, 5}},
		{name: "protected by an owner",
			members: []groups.CoreSeat{member(1, 90), member(2, 90), member(3, 90), protected},
			points:  map[int64]int{1: 10, 2: 3, 3: 7, 4: 1},
			want:    []int64{2, 3}, gaps: []int{8, 4}},
		{name: "tie on the line: the later promoted stays",
			members: []groups.CoreSeat{member(1, 90), member(2, 60), member(3, 40), member(4, 90)},
			points:  map[int64]int{1: 10, 2: 5, 3: 5, 4: 1},
			want:    []int64{4, 2}, gaps: []int{5, 1}},
		{name: "nobody without points stands above zero",
			members: []groups.CoreSeat{member(1, 90), member(2, 90)},
			points:  map[int64]int{},
			want:    []int64{2, 1}},
		{name: "empty group", want: nil},
		{name: "bottom 10% of 25 is 2; equal points and promotion: by user id",
			rules:   func(r *groups.CoreRules) { r.BottomPercent = 10; r.BottomN = 0 },
			members: seq(25),
			points:  map[int64]int{},
			want:    []int64{25, 24}, gaps: []int{1, 1}},
		{name: "bottom 10% of 5 is still 1",
			rules:   func(r *groups.CoreRules) { r.BottomPercent = 10; r.BottomN = 0 },
			members: seq(5),
			points:  map[int64]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5},
			want:    []int64{1}, gaps: []int{2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rules
			if c.rules != nil {
				c.rules(&r)
			}
			var st []groups.Standing
			for u, p := range c.points {
				st = append(st, groups.Standing{UserID: u, Points: p})
			}
			got := groups.AtRisk(r, c.members, st, coreNow)
			if !slices.Equal(out(got), c.want) {
				t.Fatalf("out = %v, want %v (%+v)", out(got), c.want, got)
			}
			for i, g := range c.gaps {
				if got[i].Gap != g {
					t.Errorf("gap of %d = %d, want %d", got[i].UserID, got[i].Gap, g)
				}
			}
		})
	}
}

// seq is n members promoted long ago, users 1..n.
func seq(n int) []groups.CoreSeat {
	var ms []groups.CoreSeat
	for u := 1; u <= n; u++ {
		ms = append(ms, member(int64(u), 90))
	}
	return ms
}

func TestRankSharesTies(t *testing.T) {
	r := groups.RankCore(groups.DefaultCoreRules(), seq(3), []groups.Standing{{UserID: 1, Points: 5}, {UserID: 2, Points: 5}, {UserID: 3, Points: 1}}, coreNow)
	if r[0].Rank != 1 || r[1].Rank != 1 || r[2].Rank != 3 {
		t.Fatalf("ranks = %d %d %d, want 1 1 3", r[0].Rank, r[1].Rank, r[2].Rank)
	}
}

func TestQualifies(t *testing.T) {
	r := groups.DefaultCoreRules()
	cases := []struct {
		excellent, rank int
		want            groups.ReasonKind
	}{
		{3, 0, groups.ReasonExcellent},
		{2, 0, ""},
		{2, 10, groups.ReasonTop},
		{0, 11, ""},
		{5, 1, groups.ReasonExcellent},
	}
	for _, c := range cases {
		reason, _, ok := groups.Qualifies(r, c.excellent, c.rank, "2026-03")
		if ok != (c.want != "") || reason.Kind != c.want {
			t.Errorf("Qualifies(%d excellent, rank %d) = %v %v, want %q", c.excellent, c.rank, reason.Kind, ok, c.want)
		}
	}
	_, a, _ := groups.Qualifies(r, 4, 0, "")
	_, b, _ := groups.Qualifies(r, 3, 1, "")
	if a <= b {
		t.Errorf("score of 4 excellent (%v) not above 3 excellent and first place (%v)", a, b)
	}
}
