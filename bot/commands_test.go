package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/membership"
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
		for _, bc := range personalMenu(tables, lang, whoOf(c.Audience)) {
			listed = listed || bc.Command == c.Name && c.Audience >= Staff
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
// commands included: students see theirs, owners of groups theirs, and
// staff and owners a personal menu with their commands, which follows a
// grant and a revoke.
func TestSetCommandsPublishesTheTables(t *testing.T) {
	const tok = "123:commands-test-token"
	srv := telegramtest.New(tok)
	t.Cleanup(srv.Close)
	f := newChatFixture(t)
	f.b.Sender = NewSender(NewAPI(tok, srv.URL(), nil), Limits{}, f.b.Log)
	for _, id := range []int64{testOwner, testTeacher, testStudent} {
		srv.AddUser(telegramtest.User{ID: id, FirstName: "U"})
		if _, err := srv.SendText(id, id, "hi"); err != nil { // opens the private chat
			t.Fatal(err)
		}
	}
	if err := f.b.SetCommands(t.Context()); err != nil {
		t.Fatal(err)
	}
	names := func(scope telegramtest.CommandScope, lang string) string {
		var out []string
		for _, c := range srv.Commands(scope, lang) {
			out = append(out, c.Command)
		}
		return " " + strings.Join(out, " ") + " "
	}
	private := names(telegramtest.CommandScope{Type: "all_private_chats"}, "en")
	admins := names(telegramtest.CommandScope{Type: "all_chat_administrators"}, "")
	teacher := names(telegramtest.CommandScope{Type: "chat", ChatID: testTeacher}, "en")
	owner := names(telegramtest.CommandScope{Type: "chat", ChatID: testOwner}, "")
	has := func(menu, what string, want bool, cmds ...string) {
		t.Helper()
		for _, c := range cmds {
			if strings.Contains(menu, " "+c+" ") != want {
				t.Errorf("%s menu lists /%s: %v, want %v (%s)", what, c, !want, want, menu)
			}
		}
	}
	has(private, "the students'", true, "start", "submit", "cancel", "help")
	has(private, "the students'", false, "grade", "skip", "register", "grant")
	has(admins, "the administrators'", true, "register", "groups", "grant", "revoke")
	has(teacher, "the teacher's", true, "start", "submit", "review", "grade", "skip", "queue")
	has(teacher, "the teacher's", false, "register", "grant")
	has(owner, "the owner's", true, "grade", "grant", "revoke", "register")
	if got := names(telegramtest.CommandScope{Type: "chat", ChatID: testStudent}, "en"); got != "  " {
		t.Errorf("a student has a personal menu: %s", got)
	}
	// A revoke takes the personal menu away.
	if _, err := f.db.RevokeRole(t.Context(), testTeacher, membership.RoleTeacher, "ppt"); err != nil {
		t.Fatal(err)
	}
	if err := f.b.MenuOf(t.Context(), testTeacher); err != nil {
		t.Fatal(err)
	}
	if got := names(telegramtest.CommandScope{Type: "chat", ChatID: testTeacher}, "en"); got != "  " {
		t.Errorf("after the revoke the teacher's menu is %s", got)
	}
	// A user who never opened a chat cannot have a menu yet; not an error.
	if err := f.b.MenuOf(t.Context(), 999); err != nil {
		t.Errorf("menu of a stranger: %v", err)
	}
}
