package desk_test

import (
	"testing"

	"github.com/shequn/shequn/desk"
)

func TestMatch(t *testing.T) {
	idx := desk.NewIndex([]desk.FAQ{
		{ID: 1, Course: "ppt", Keywords: []string{"模板"}},
		{ID: 2, Course: "ppt", Keywords: []string{"PPT模板", "reset password"}},
		{ID: 3, Course: "ppt", Keywords: []string{"pass"}},
		{ID: 4, Course: "xls", Keywords: []string{"公式"}},
		{ID: 5, Course: "ppt", Keywords: []string{"字体"}},
		{ID: 6, Course: "ppt", Keywords: []string{"配色"}},
		{ID: 7, Course: "ppt", Keywords: []string{"色彩"}},
	})
	for _, c := range []struct {
		q    string
		want int64
	}{
		{"模板在哪里下载", 1},
		{"ＰＰＴ 模板在哪里", 2},                 // full width, a space between: the longer keyword wins
		{"how do I Reset  Password?", 2}, // words, any case and spacing
		{"my password is lost", 0},       // "pass" is not a whole word here
		{"I can't pass the test", 3},     // it is here
		{"公式怎么写", 0},                     // another course's entry
		{"字体和配色", 5},                     // two of one length: the lower id
		{"配色彩", 6},                       // overlapping keywords of one length: the lower id
		{"", 0},
	} {
		got, ok := idx.Match([]string{"ppt"}, c.q)
		if ok != (c.want != 0) || got.ID != c.want {
			t.Errorf("Match(%q) = %d, %v; want %d", c.q, got.ID, ok, c.want)
		}
	}
	if got, ok := idx.Match([]string{"ppt", "xls"}, "公式"); !ok || got.ID != 4 {
		t.Errorf("a second course's entry: %d, %v", got.ID, ok)
	}
}

func TestSplitKeywords(t *testing.T) {
	got := desk.SplitKeywords(" 模板，template; reset password、 ,配色|")
	want := []string{"模板", "template", "reset password", "配色"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}
