package groups

import (
	"cmp"
	"slices"
	"time"
)

// Ranked is a core member with their standing and place, best first.
type Ranked struct {
	Seat     CoreSeat
	Standing Standing
	Rank     int  // 1 is the best; equal points share a rank
	Exempt   bool // protected or still in the grace period
}

// RankCore orders members by points, best first. Equal points share a
// rank; among them the member promoted later is listed first, so that when
// a tie straddles the line the one who had less time to contribute stays,
// and then by user id so the order never depends on the store.
// standings must hold one entry per member, in any order.
func RankCore(r CoreRules, members []CoreSeat, standings []Standing, now time.Time) []Ranked {
	by := make(map[int64]Standing, len(standings))
	for _, s := range standings {
		by[s.UserID] = s
	}
	out := make([]Ranked, len(members))
	for i, m := range members {
		st, ok := by[m.UserID]
		if !ok {
			st = Standing{UserID: m.UserID}
		}
		out[i] = Ranked{Seat: m, Standing: st, Exempt: m.Protected || now.Sub(m.JoinedAt) < r.Grace}
	}
	slices.SortFunc(out, func(a, b Ranked) int {
		return cmp.Or(cmp.Compare(b.Standing.Points, a.Standing.Points),
			b.Seat.JoinedAt.Compare(a.Seat.JoinedAt), cmp.Compare(a.Seat.UserID, b.Seat.UserID))
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Standing.Points == out[i-1].Standing.Points {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out
}

// ChooseEliminated picks who leaves from a ranking: the number the rules
// give for the whole group, taken from the bottom, skipping the exempt
// (protected, or promoted less than the grace period ago): an exempt member
// at the bottom does not save the one above him. Each decision carries the
// gap to the worst non-exempt member who stays (0 when nobody stays).
// The result is worst first.
func ChooseEliminated(r CoreRules, ranked []Ranked) []Decision {
	k := r.Eliminated(len(ranked))
	var out []Decision
	safe, found := 0, false
	for i := len(ranked) - 1; i >= 0; i-- {
		m := ranked[i]
		if m.Exempt {
			continue
		}
		if len(out) == k {
			safe, found = m.Standing.Points, true
			break
		}
		out = append(out, Decision{UserID: m.Seat.UserID, Rank: m.Rank, Points: m.Standing.Points})
	}
	if found {
		for i := range out {
			out[i].Gap = safe - out[i].Points + 1
		}
	}
	return out
}

// AtRisk returns the members who would leave if the period ended now,
// for the warning some days before and for the preview; the same rule
// as ChooseEliminated.
func AtRisk(r CoreRules, members []CoreSeat, standings []Standing, now time.Time) []Decision {
	return ChooseEliminated(r, RankCore(r, members, standings, now))
}

// Qualifies applies the promotion rule to a student's record: excellent
// reviews in the window, or a place in the month's top K. It returns the
// reason (as data) and the candidate's score: excellent reviews weigh
// most, then a better place in the month.
func Qualifies(r CoreRules, excellent, monthRank int, month string) (Reason, float64, bool) {
	score := float64(excellent)
	if monthRank > 0 { // below one review: 0.5 for the first place
		score += 1 / float64(monthRank+1)
	}
	switch {
	case r.ExcellentMin > 0 && excellent >= r.ExcellentMin:
		return Reason{Kind: ReasonExcellent, Excellent: excellent, Days: r.ExcellentDays}, score, true
	case r.TopK > 0 && monthRank > 0 && monthRank <= r.TopK:
		return Reason{Kind: ReasonTop, Rank: monthRank, Month: month}, score, true
	}
	return Reason{}, 0, false
}
