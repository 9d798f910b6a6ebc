package bot

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shequn/shequn/bot/telegramtest"
)

// whoOf is a sender who belongs to the audience and to no wider one.
func whoOf(a Audience) Who {
	switch a {
	case Owners:
		return Who{Owner: true, Staff: true, StaffAll: true}
	case Staff:
		return Who{Staff: true, StaffOf: []string{"ppt"}}
	case Students:
		return Who{StudentOf: []string{"ppt"}}
	}
	return Who{}
}

// Every command of the tables is routed in the chats it works in, listed
// in a menu of its audience, shown in /help to its audience and only to
// it, and described in both languages.
func TestEveryCommandIsRoutedListedAndDescribed(t *testing.T) {
	b := &Bot{}
	tables := b.tables()
	rt := b.routes()
	seen := map[string]bool{}
	n := 0
	for _, tb := range tables {
		for _, c := range tb.Commands {
			n++
			if seen[c.Name] {
				t.Errorf("/%s is declared twice", c.Name)
			}
			seen[c.Name] = true
			checkRouted(t, rt, c)
			checkListed(t, tables, c)
			checkDescribed(t, c)
			for _, lang := range []Lang{Chinese, English} {
				for _, a := range []Audience{Anyone, Students, Staff, Owners} {
					listed := strings.Contains(helpText(tables, lang, whoOf(a)), "\n/"+c.Name+" ")
					if want := whoOf(a).Is(c.Audience); listed != want {
						t.Errorf("/help in %s for %v lists /%s: %v, want %v", lang, a, c.Name, listed, want)
					}
				}
			}
		}
	}
	// The commands the menus used to miss.
	for _, name := range []string{"grade", "skip", "cancel", "grant", "revoke"} {
		if !seen[name] {
			t.Errorf("/%s is in no table", name)
		}
	}
	if n < 15 {
		t.Fatalf("only %d commands in the tables", n)
	}
}

func checkRouted(t *testing.T, rt *Router, c Command) {
	t.Helper()
	for _, place := range []Place{Private, Group} {
		r := &Request{Command: c.Name, Private: place == Private, ChatID: 5}
		if place == Group {
			r.ChatID = -100
		}
		_, routed := rt.match(r)
		if want := c.Where&place != 0; routed != want {
			t.Errorf("/%s routed in %v: %v, want %v", c.Name, place, routed, want)
		}
	}
}

func checkListed(t *testing.T, tables []Table, c Command) {
	t.Helper()
	for _, lang := range []Lang{Chinese, English} {
		listed := false
		for _, m := range menuScopes {
			if !hasAudience(m.audiences, c.Audience) {
				continue
			}
			for _, bc := range m.menu(tables, lang) {
				listed = listed || bc.Command == c.Name
			}
		}
		if !listed {
			t.Errorf("/%s is in no %s menu of its audience", c.Name, lang)
		}
	}
}

func checkDescribed(t *testing.T, c Command) {
	t.Helper()
	for i, lang := range []Lang{Chinese, English} {
		menu, help := strings.TrimSpace(c.Menu[i]), strings.TrimSpace(c.Help[i])
		if menu == "" || help == "" {
			t.Errorf("/%s has no menu or help text in %s", c.Name, lang)
		}
		if utf8.RuneCountInString(menu) > 256 || strings.ContainsAny(menu, "<>&") {
			t.Errorf("/%s: the %s menu text must be plain and at most 256 characters: %q", c.Name, lang, menu)
		}
	}
}

// Callback prefixes and dialogue kinds are declared once each, short
// enough for Telegram's 64-byte callback data.
func TestCallbacksAndDialoguesAreDeclaredOnce(t *testing.T) {
	prefixes, kinds := map[string]bool{}, map[string]bool{}
	for _, tb := range (&Bot{}).tables() {
		for _, cb := range tb.Callbacks {
			if prefixes[cb.Prefix] || len(cb.Prefix) > 8 || strings.Contains(cb.Prefix, ":") {
				t.Errorf("callback prefix %q is doubled, long or holds a colon", cb.Prefix)
			}
			prefixes[cb.Prefix] = true
		}
		for _, d := range tb.Dialogues {
			if kinds[d.Kind] || d.Answer == nil {
				t.Errorf("dialogue %q is doubled or has no answer", d.Kind)
			}
			kinds[d.Kind] = true
		}
	}
	for _, k := range []string{askSubmission, askComment, askAssignment} {
		if !kinds[k] {
			t.Errorf("dialogue %q is in no table", k)
		}
	}
}

// The menus reach Telegram per scope and language, the once-missing
// commands included.
func TestSetCommandsPublishesTheTables(t *testing.T) {
	const tok = "123:commands-test-token"
	srv := telegramtest.New(tok)
	t.Cleanup(srv.Close)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := &Bot{Sender: NewSender(NewAPI(tok, srv.URL(), nil), Limits{}, quiet)}
	if err := b.SetCommands(t.Context()); err != nil {
		t.Fatal(err)
	}
	names := func(scope, lang string) string {
		var out []string
		for _, c := range srv.Commands(telegramtest.CommandScope{Type: scope}, lang) {
			out = append(out, c.Command)
		}
		return " " + strings.Join(out, " ") + " "
	}
	private, admins := names("all_private_chats", "en"), names("all_chat_administrators", "")
	for _, name := range []string{"start", "grade", "skip", "cancel", "help"} {
		if !strings.Contains(private, " "+name+" ") {
			t.Errorf("the private menu lacks /%s: %s", name, private)
		}
	}
	for _, name := range []string{"register", "groups", "grant", "revoke"} {
		if !strings.Contains(admins, " "+name+" ") {
			t.Errorf("the administrators' menu lacks /%s: %s", name, admins)
		}
		if strings.Contains(private, " "+name+" ") {
			t.Errorf("the students' menu lists the owners' /%s", name)
		}
	}
}
