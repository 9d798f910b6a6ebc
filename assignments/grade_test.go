package assignments

import (
	"errors"
	"testing"
)

// Choose is the one rule for a reviewer's choice, shown by the bot
// before the comment and applied by Grade.
func TestChooseCompletesTheReviewersChoice(t *testing.T) {
	cases := []struct {
		g         Grade
		score     int
		wantG     Grade
		wantScore int
		err       error
	}{
		{GradeGood, -1, GradeGood, 80, nil},
		{GradeExcellent, -1, GradeExcellent, 100, nil},
		{"", 95, GradeExcellent, 95, nil},
		{"", 60, GradePass, 60, nil},
		{GradeRedo, -1, GradeRedo, 0, nil},
		{GradeRedo, 50, GradeRedo, 0, nil},
		{"", 101, "", 0, ErrScoreTooHigh},
	}
	for _, c := range cases {
		g, score, err := Choose(c.g, c.score, 100)
		if g != c.wantG || score != c.wantScore || !errors.Is(err, c.err) {
			t.Errorf("Choose(%q, %d) = %q, %d, %v; want %q, %d, %v", c.g, c.score, g, score, err, c.wantG, c.wantScore, c.err)
		}
	}
	if _, _, err := Choose("", -1, 100); err == nil {
		t.Error("neither grade nor score: no error")
	}
}

// The title and maximum-score rules, shared by Create and the bot's
// dialogue.
func TestCheckTitleAndMaxScore(t *testing.T) {
	long := string(make([]rune, MaxTitle+1))
	for title, ok := range map[string]bool{"Lesson 1": true, "": false, long: false} {
		if err := CheckTitle(title); (err == nil) != ok || (err != nil && !errors.Is(err, ErrTitle)) {
			t.Errorf("CheckTitle(%d runes) = %v", len([]rune(title)), err)
		}
	}
	for n, ok := range map[int]bool{1: true, MaxScoreLimit: true, 0: false, MaxScoreLimit + 1: false} {
		if err := CheckMaxScore(n); (err == nil) != ok {
			t.Errorf("CheckMaxScore(%d) = %v", n, err)
		}
	}
}
