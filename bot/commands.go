package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
)

// Audience is whom a command is for. It decides the menu that lists the
// command, the /help section that describes it, and who the router lets
// use it (staff and owner commands are refused to others before the
// handler runs; the services check again).
type Audience int

// Audiences, from the widest.
const (
	Anyone   Audience = iota
	Students          // buyers of a course; the services decide what each may do
	Staff             // teachers and assistants of a course, and owners
	Owners            // the community's owners
)

// Place is where a command works: a private chat, a group, or both.
type Place uint8

// Places.
const (
	Private  Place = 1 << iota // a private chat with the bot
	Group                      // a group or supergroup
	Anywhere = Private | Group
)

// Command is one entry of a feature's command table. Routes, the menus
// set with setMyCommands and /help are all generated from the tables, so
// a command cannot be routed yet missing from a menu, or the reverse.
type Command struct {
	Name     string // without "/", lower case
	Audience Audience
	Where    Place
	Handle   HandlerFunc
	// Menu is the menu line (plain text, at most 256 characters), in
	// zh-CN and English.
	Menu [2]string
	// Help is the /help line after "/name": its arguments, then " — " and
	// what it does (HTML), in zh-CN and English.
	Help [2]string
}

// CallbackRoute sends a button's callback data "prefix:payload" to its
// handler. Prefixes are short: callback data holds at most 64 bytes.
type CallbackRoute struct {
	Prefix string
	Handle HandlerFunc
}

// EventRoute handles updates that are neither commands nor buttons: a
// join request, a member coming or going, the answer to a question.
type EventRoute struct {
	Match  Predicate
	Handle HandlerFunc
}

// Table is what a feature declares: its commands, buttons and events.
type Table struct {
	Commands  []Command
	Callbacks []CallbackRoute
	Events    []EventRoute
	Dialogues []Dialogue
}

// text picks the form of a two-language pair.
func text(lang Lang, forms [2]string) string {
	if lang == English {
		return forms[1]
	}
	return forms[0]
}

// matches reports whether the command works in the request's chat.
func (c Command) matches(r *Request) bool {
	if r.Command != c.Name {
		return false
	}
	if r.Private {
		return c.Where&Private != 0
	}
	return c.Where&Group != 0
}

// buildRouter generates the routes of the tables; fallback takes what no
// route matched.
func buildRouter(tables []Table, gate func(Audience, HandlerFunc) HandlerFunc, fallback HandlerFunc) *Router {
	rt := &Router{}
	for _, t := range tables {
		for _, c := range t.Commands {
			rt.On(c.matches, gate(c.Audience, c.Handle))
		}
		for _, cb := range t.Callbacks {
			rt.On(Callback(cb.Prefix), cb.Handle)
		}
		for _, e := range t.Events {
			rt.On(e.Match, e.Handle)
		}
	}
	rt.Otherwise(fallback)
	return rt
}

// menuScope is one command list Telegram shows: the commands of some
// audiences that work in the scope's kind of chat.
type menuScope struct {
	scope     string
	place     Place
	audiences []Audience
}

// menuScopes are the menus everyone sees: students' in private chats,
// everyone's in groups, and the owners' commands for the administrators of
// groups. Staff and owners also get a menu of their own in their private
// chat (personalMenu).
var menuScopes = []menuScope{
	{"all_private_chats", Private, []Audience{Anyone, Students}},
	{"all_group_chats", Group, []Audience{Anyone}},
	{"all_chat_administrators", Group, []Audience{Owners, Anyone}},
}

// menu lists the commands of the tables that belong in the scope, by
// audience in the scope's order, then in the tables' order.
func (m menuScope) menu(tables []Table, lang Lang) []tgbotapi.BotCommand {
	var cmds []tgbotapi.BotCommand
	for _, a := range m.audiences {
		for _, t := range tables {
			for _, c := range t.Commands {
				if c.Where&m.place != 0 && c.Audience == a {
					cmds = append(cmds, tgbotapi.BotCommand{Command: c.Name, Description: text(lang, c.Menu)})
				}
			}
		}
	}
	return cmds
}

// personalMenu is the private-chat menu of a staff member or owner: every
// command that works in a private chat, of every audience they belong to.
func personalMenu(tables []Table, lang Lang, who Who) []tgbotapi.BotCommand {
	var audiences []Audience
	for _, a := range []Audience{Anyone, Students, Staff, Owners} {
		if who.Is(a) {
			audiences = append(audiences, a)
		}
	}
	return menuScope{place: Private, audiences: audiences}.menu(tables, lang)
}

func hasAudience(list []Audience, a Audience) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// helpText is /help for the sender: the commands of every audience they
// belong to, under a heading per audience.
func helpText(tables []Table, lang Lang, who Who) string {
	var sb strings.Builder
	section := func(head string, audiences ...Audience) {
		sb.WriteString(T(lang, head))
		for _, t := range tables {
			for _, c := range t.Commands {
				if hasAudience(audiences, c.Audience) {
					sb.WriteString("\n/" + c.Name + " " + text(lang, c.Help))
				}
			}
		}
	}
	section("help.header", Anyone, Students)
	if who.Staff {
		section("help.staff", Staff)
	}
	if who.Owner {
		section("help.owner", Owners)
	}
	return sb.String()
}

// menuLangs are the menus' languages: Chinese as the default and English
// for clients set to English.
var menuLangs = []struct {
	code string
	lang Lang
}{{"", Chinese}, {"zh", Chinese}, {"en", English}}

// SetCommands publishes the command menus generated from the tables, and
// the personal menus of the owners and the staff.
func (b *Bot) SetCommands(ctx context.Context) error {
	tables := b.tables()
	for _, m := range menuScopes {
		scope, _ := json.Marshal(map[string]string{"type": m.scope})
		for _, l := range menuLangs {
			if err := b.setMenu(ctx, string(scope), l.code, m.menu(tables, l.lang)); err != nil {
				return fmt.Errorf("setMyCommands %s %s: %w", m.scope, l.code, err)
			}
		}
	}
	users := slices.Clone(b.Owners)
	staff, err := b.Roles.Staff(ctx)
	if err != nil {
		return fmt.Errorf("list the staff: %w", err)
	}
	for _, g := range staff {
		users = append(users, g.UserID)
	}
	slices.Sort(users)
	for _, id := range slices.Compact(users) {
		if err := b.MenuOf(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// MenuOf sets the personal menu of a user who is staff or an owner, and
// removes it from one who is not any more, who then sees the students'
// menu. A user who never opened a chat with the bot cannot have one yet
// (Telegram answers "chat not found"): that is not an error; the menu
// comes with the next grant or start.
func (b *Bot) MenuOf(ctx context.Context, userID int64) error {
	if shequn.IsQQ(userID) {
		return nil // QQ has no command menus: /help lists the commands
	}
	who := Who{Owner: b.isOwner(userID)}
	scope, all, ok, err := b.Homework.ReviewScope(ctx, userID)
	if err != nil {
		return err
	}
	who.Staff, who.StaffAll, who.StaffOf = ok, all, scope
	chat, _ := json.Marshal(map[string]any{"type": "chat", "chat_id": userID})
	for _, l := range menuLangs {
		var cmds []tgbotapi.BotCommand
		if who.Staff || who.Owner {
			cmds = personalMenu(b.tables(), l.lang, who)
		}
		err := b.setMenu(ctx, string(chat), l.code, cmds)
		if e, ok := apiError(err); ok && strings.Contains(e.Message, "chat not found") {
			return nil
		}
		if err != nil {
			return fmt.Errorf("menu of %d: %w", userID, err)
		}
	}
	return nil
}

// setMenu sets the commands of a scope and language, or deletes them when
// there are none.
func (b *Bot) setMenu(ctx context.Context, scope, lang string, cmds []tgbotapi.BotCommand) error {
	params := tgbotapi.Params{"scope": scope}
	params.AddNonEmpty("language_code", lang)
	method := "deleteMyCommands"
	if len(cmds) > 0 {
		list, _ := json.Marshal(cmds)
		params["commands"], method = string(list), "setMyCommands"
	}
	_, err := b.Sender.Call(ctx, Interactive, 0, method, params)
	return err
}
