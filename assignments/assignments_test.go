package assignments

import (
	"testing"
	"time"
)

func TestKeysAtUsesTheCommunitysTimeZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		at   time.Time
		want PeriodKeys
	}{
		// Sunday 23:30 in Beijing is still week 48; 16:30 UTC the same instant.
		{time.Date(2026, 11, 29, 15, 30, 0, 0, time.UTC), PeriodKeys{"2026-W48", "2026-11", "all"}},
		// Monday 00:30 in Beijing is week 49, though UTC still says Sunday.
		{time.Date(2026, 11, 29, 16, 30, 0, 0, time.UTC), PeriodKeys{"2026-W49", "2026-11", "all"}},
		// 1 December 00:10 in Beijing is December, though UTC says November.
		{time.Date(2026, 11, 30, 16, 10, 0, 0, time.UTC), PeriodKeys{"2026-W49", "2026-12", "all"}},
		// ISO week 53 of 2026 spans into January 2027.
		{time.Date(2027, 1, 2, 4, 0, 0, 0, time.UTC), PeriodKeys{"2026-W53", "2027-01", "all"}},
	}
	for _, c := range cases {
		if got := KeysAt(c.at, shanghai); got != c.want {
			t.Errorf("KeysAt(%v) = %+v, want %+v", c.at, got, c.want)
		}
	}
}

func TestWeekStart(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	got := WeekStart(time.Date(2026, 11, 29, 15, 30, 0, 0, time.UTC), shanghai) // Sunday evening in Beijing
	want := time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai)
	if !got.Equal(want) {
		t.Fatalf("WeekStart = %v, want %v", got, want)
	}
}

func TestScoresAndGrades(t *testing.T) {
	cases := []struct {
		g          Grade
		max, score int
	}{
		{GradeExcellent, 100, 100}, {GradeGood, 100, 80}, {GradePass, 100, 60}, {GradeRedo, 100, 0}, {GradeGood, 5, 4},
	}
	for _, c := range cases {
		if got := DefaultScore(c.g, c.max); got != c.score {
			t.Errorf("DefaultScore(%s, %d) = %d, want %d", c.g, c.max, got, c.score)
		}
	}
	for score, want := range map[int]Grade{100: GradeExcellent, 90: GradeExcellent, 89: GradeGood, 75: GradeGood, 74: GradePass, 0: GradePass} {
		if got := GradeFor(score, 100); got != want {
			t.Errorf("GradeFor(%d) = %s, want %s", score, got, want)
		}
	}
}
