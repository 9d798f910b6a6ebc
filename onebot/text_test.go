package onebot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/groups"
)

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"<b>PPT-00042</b> &amp; <i>你好</i>":                  "PPT-00042 & 你好",
		`<a href="https://x.example/p?a=1&amp;b=2">付款</a>`:  "付款 https://x.example/p?a=1&b=2",
		`<a href="https://x.example">https://x.example</a>`: "https://x.example",
		"&lt;课程&gt; <code>/register</code>":                 "<课程> /register",
		"[CQ:at,qq=all] stays text":                         "[CQ:at,qq=all] stays text",
	} {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitKeepsEveryCharacter(t *testing.T) {
	long := strings.Repeat("作业第一段，写得很长。\n", 1000) // 12,000 characters
	parts := Split(long, MaxText)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > MaxText || !utf8.ValidString(p) {
			t.Errorf("a part of %d characters (valid %v)", n, utf8.ValidString(p))
		}
		if i < len(parts)-1 && !strings.HasSuffix(p, "。") {
			t.Errorf("part %d was not cut at a line end: …%q", i, p[len(p)-6:])
		}
	}
	if strings.Join(parts, "\n") != long {
		t.Error("characters were lost or changed")
	}
	noBreaks := strings.Repeat("😀", MaxText+10)
	if ps := Split(noBreaks, MaxText); len(ps) != 2 || ps[0]+ps[1] != noBreaks {
		t.Errorf("a text without breaks: %d parts", len(ps))
	}
	if ps := Split("", MaxText); len(ps) != 1 || ps[0] != "" {
		t.Errorf("empty: %q", ps)
	}
}

func TestChoicesAreNumbered(t *testing.T) {
	lines, data := numbered([][]bot.Choice{
		{{Label: "优秀", Data: "grade:1:excellent"}, {Label: "良好", Data: "grade:1:good"}},
		{{Label: "加入学员1群", URL: groupLinkPrefix + "777"}},
		{{Label: "加入学员2群", URL: groupLinkPrefix + "778/xl"}},
		{{Label: "付款", URL: "https://pay.example"}},
		{{Label: "‹", Data: "page:2"}},
	}, shequn.QQUser(42))
	want := []string{"[1] 优秀", "[2] 良好", "加入学员1群：QQ 777", "加入学员2群：QQ 778 · " + groups.JoinCode("xl", shequn.QQUser(42)),
		"付款：https://pay.example", "[3] ‹"}
	if strings.Join(lines, "|") != strings.Join(want, "|") || strings.Join(data, "|") != "grade:1:excellent|grade:1:good|page:2" {
		t.Errorf("lines %q, data %q", lines, data)
	}
}
