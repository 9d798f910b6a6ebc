package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shequn/shequn"
)

// promotedScore puts a teacher's promotion at the head of the queue.
const promotedScore = 1e9

// Promote makes a student a candidate at the head of the core group's
// queue. A candidate rather than a direct invitation: the circle keeps its
// capacity, and the promoted student takes the next free seat (in the same
// pass when one is free) through the same invitation, timeout and join
// approval as everyone else.
func (s *Service) Promote(ctx context.Context, by int64, scope string, userID int64) error {
	other, err := s.CorePlatformMismatch(ctx, scope, userID)
	if err != nil {
		return err
	}
	if other {
		return ErrCoreOtherPlatform
	}
	now := s.Now()
	added, err := s.Core.AddCandidate(ctx, CoreSeat{
		Scope: scope, UserID: userID, State: CoreCandidate, Reason: Reason{Kind: ReasonPromoted, By: by},
		Score: promotedScore, QualifiedAt: now,
	})
	if err != nil {
		return fmt.Errorf("promote: %w", err)
	}
	if !added {
		return shequn.Errorf(shequn.CodeConflict, "user %d is a candidate or member already", userID)
	}
	s.wake()
	return s.event(ctx, CoreEvent{Scope: scope, UserID: userID, At: now, Kind: EventQualified,
		Reason: Reason{Kind: ReasonPromoted, By: by}}, "qualified:"+at(now))
}

// Award adds points a teacher gives a member with a reason.
func (s *Service) Award(ctx context.Context, by int64, scope string, userID int64, points int, reason string) error {
	if points == 0 || reason == "" {
		return shequn.Errorf(shequn.CodeInvalid, "an award needs points and a reason")
	}
	now := s.Now()
	_, err := s.Core.AddContribution(ctx, Contribution{
		Scope: scope, UserID: userID, Period: s.CorePeriod(now), Source: SourceAward, Points: points,
		By: by, Reason: reason, Key: "award:" + strconv.FormatInt(by, 10) + ":" + strconv.FormatInt(now.UnixNano(), 10), At: now,
	})
	if err != nil {
		return fmt.Errorf("award: %w", err)
	}
	return nil
}

// Candidates returns the head of the scope's queue, best first, each with
// the reason they qualified (for /candidates).
func (s *Service) Candidates(ctx context.Context, scope string, limit int) ([]CoreSeat, error) {
	cs, err := s.Core.CoreSeats(ctx, scope, CoreCandidate, limit)
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	return cs, nil
}

// CorePeriod names the contribution period holding t: the month in the
// community's time zone.
func (s *Service) CorePeriod(t time.Time) string {
	return t.In(s.location()).Format("2006-01")
}

// PreviewElimination returns who would leave the scope's core group if
// the period ended now, worst first, with rank and gap.
func (s *Service) PreviewElimination(ctx context.Context, scope string) ([]Decision, error) {
	now := s.Now()
	members, standings, err := s.coreStandings(ctx, scope, s.CorePeriod(now))
	if err != nil {
		return nil, err
	}
	return AtRisk(s.CoreRules, members, standings, now), nil
}

func (s *Service) coreStandings(ctx context.Context, scope, period string) ([]CoreSeat, []Standing, error) {
	members, err := s.Core.CoreSeats(ctx, scope, CoreMember, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("core members: %w", err)
	}
	ids := make([]int64, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	standings, err := s.Core.Standings(ctx, scope, period, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("standings: %w", err)
	}
	if err := s.addHomework(ctx, scope, period, ids, standings); err != nil {
		return nil, nil, err
	}
	return members, standings, nil
}

// addHomework adds to each standing the member's homework points of the
// period, from the homework ranking of each course of the scope: the
// homework ledger stays the one record of homework points, so a corrected
// grade changes the standing too.
func (s *Service) addHomework(ctx context.Context, scope, period string, ids []int64, standings []Standing) error {
	if s.Homework == nil || len(ids) == 0 {
		return nil
	}
	total := map[int64]int{}
	for _, course := range s.courseIDs() {
		if s.CoreRules.Scope(course) != scope {
			continue
		}
		points, err := s.Homework.HomeworkPoints(ctx, course, period, ids)
		if err != nil {
			return fmt.Errorf("homework points of %s: %w", course, err)
		}
		for u, p := range points {
			total[u] += p
		}
	}
	for i := range standings {
		p := total[standings[i].UserID]
		if p == 0 {
			continue
		}
		standings[i].Points += p
		standings[i].Parts = addPart(standings[i].Parts, SourceHomework, p)
	}
	return nil
}

// addPart adds points to the part of a source, keeping parts by source.
func addPart(parts []Part, src Source, p int) []Part {
	for i := range parts {
		if parts[i].Source == src {
			parts[i].Points += p
			return parts
		}
	}
	parts = append(parts, Part{Source: src, Points: p})
	slices.SortFunc(parts, func(a, b Part) int { return strings.Compare(string(a.Source), string(b.Source)) })
	return parts
}

// Eliminate ends the period of the scope's core group: it ranks the
// members, chooses who leaves and records the decisions as one run before
// anything happens in the chat; the reconciler then removes them, tells
// them, fills the freed seats from the queue and posts the summary. A
// period is eliminated once: a second call returns the first run.
func (s *Service) Eliminate(ctx context.Context, scope, period string) (EliminationRun, error) {
	now := s.Now()
	members, standings, err := s.coreStandings(ctx, scope, period)
	if err != nil {
		return EliminationRun{}, err
	}
	ranked := RankCore(s.CoreRules, members, standings, now)
	run := EliminationRun{Scope: scope, Period: period, At: now, Out: ChooseEliminated(s.CoreRules, ranked)}
	for _, r := range ranked[:min(3, len(ranked))] {
		run.TopUsers = append(run.TopUsers, r.Seat.UserID)
	}
	run, err = s.Core.RecordRun(ctx, run)
	if err != nil {
		return EliminationRun{}, fmt.Errorf("record elimination: %w", err)
	}
	s.wake()
	return run, nil
}

// WarnAtRisk tells each member who would leave if the period ended now
// their rank and the gap to safety, once per member and period.
func (s *Service) WarnAtRisk(ctx context.Context, scope string) error {
	now := s.Now()
	period := s.CorePeriod(now)
	members, standings, err := s.coreStandings(ctx, scope, period)
	if err != nil {
		return err
	}
	for _, d := range AtRisk(s.CoreRules, members, standings, now) {
		key := "core-warn:" + scope + ":" + period
		p, err := s.Posts.PostOf(ctx, key, d.UserID)
		if err != nil {
			return fmt.Errorf("read warning log: %w", err)
		}
		if !p.PostedAt.IsZero() {
			continue
		}
		err = s.Notifier.Tell(ctx, d.UserID, CoreWarningNotice{Scope: scope, Period: period, Decision: d})
		if err != nil && !errors.Is(err, shequn.ErrUnreachable) {
			s.Log.WarnContext(ctx, "core warning failed", "user", d.UserID, "err", err)
			continue
		}
		if _, err := s.Posts.MarkPosted(ctx, key, d.UserID, 0, now); err != nil {
			return fmt.Errorf("record warning: %w", err)
		}
	}
	return nil
}

// MemberStanding is a core member's place in the current period: their
// points with the parts, their rank among the members, and the points
// missing to be safe (0 when safe), for /contrib.
type MemberStanding struct {
	Standing Standing
	Rank     int
	Members  int
	AtRisk   bool
	Gap      int
	Exempt   bool // protected or in the grace period
}

// Contribution returns a member's standing in the current period.
// shequn.ErrNotFound when the user is not a member of the scope's core
// group.
func (s *Service) Contribution(ctx context.Context, scope string, userID int64) (MemberStanding, error) {
	now := s.Now()
	members, standings, err := s.coreStandings(ctx, scope, s.CorePeriod(now))
	if err != nil {
		return MemberStanding{}, err
	}
	ranked := RankCore(s.CoreRules, members, standings, now)
	for _, r := range ranked {
		if r.Seat.UserID != userID {
			continue
		}
		ms := MemberStanding{Standing: r.Standing, Rank: r.Rank, Members: len(ranked), Exempt: r.Exempt}
		for _, d := range ChooseEliminated(s.CoreRules, ranked) {
			if d.UserID == userID {
				ms.AtRisk, ms.Gap = true, d.Gap
			}
		}
		return ms, nil
	}
	return MemberStanding{}, fmt.Errorf("standing of %d: %w", userID, shequn.ErrNotFound)
}
