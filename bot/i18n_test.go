package bot

import (
	"strings"
	"testing"
)

func TestMatchLang(t *testing.T) {
	cases := map[string]Lang{
		"": Chinese, "zh": Chinese, "zh-hans": Chinese, "zh-CN": Chinese, "zh-TW": Chinese,
		"en": English, "en-US": English, "EN-gb": English, "ru": Chinese, "zh-CN ": Chinese,
	}
	for code, want := range cases {
		if got := MatchLang(code); got != want {
			t.Errorf("MatchLang(%q) = %s, want %s", code, got, want)
		}
	}
}

// Every text exists in both languages with the same arguments.
func TestCatalogIsComplete(t *testing.T) {
	for key, forms := range catalog {
		if strings.TrimSpace(forms[0]) == "" || strings.TrimSpace(forms[1]) == "" {
			t.Errorf("%s: a language is missing", key)
		}
		if verbs(forms[0]) != verbs(forms[1]) {
			t.Errorf("%s: %d arguments in Chinese, %d in English", key, verbs(forms[0]), verbs(forms[1]))
		}
	}
}

func verbs(s string) int {
	n := 0
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '%' {
			if s[i+1] == '%' {
				i++
				continue
			}
			n++
		}
	}
	return n
}

func TestTEscapesArguments(t *testing.T) {
	got := T(English, "buy.unknown", "<script>&")
	if !strings.Contains(got, "&lt;script&gt;&amp;") {
		t.Fatalf("not escaped: %q", got)
	}
	if got := T(English, "start.courses", HTML("<b>x</b>")); !strings.Contains(got, "<b>x</b>") {
		t.Fatalf("HTML escaped twice: %q", got)
	}
}

func TestParseCommand(t *testing.T) {
	cases := []struct {
		text, cmd, mention string
		args               int
		ok                 bool
	}{
		{"/start", "start", "", 0, true},
		{"/start buy-ppt", "start", "", 1, true},
		{"/Register@shequn_bot student ppt 3", "register", "shequn_bot", 3, true},
		{"hello", "", "", 0, false},
		{"/", "", "", 0, false},
		{"/@bot", "", "", 0, false},
	}
	for _, c := range cases {
		cmd, mention, args, ok := parseCommand(c.text)
		if cmd != c.cmd || mention != c.mention || len(args) != c.args || ok != c.ok {
			t.Errorf("parseCommand(%q) = %q %q %v %v", c.text, cmd, mention, args, ok)
		}
	}
}
