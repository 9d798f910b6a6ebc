package bot

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Only what a person says in a group is checked for a seat: not commands,
// members coming and going, bots, or messages sent on behalf of a chat.
func TestPlainGroupMessage(t *testing.T) {
	person := &tgbotapi.User{ID: 7}
	for _, c := range []struct {
		name string
		r    Request
		want bool
	}{
		{"a person speaks", Request{From: person, ChatID: -1, Update: tgbotapi.Update{Message: &tgbotapi.Message{Text: "hi"}}}, true},
		{"a command", Request{From: person, ChatID: -1, Command: "warn", Update: tgbotapi.Update{Message: &tgbotapi.Message{}}}, false},
		{"in private", Request{From: person, ChatID: 7, Private: true, Update: tgbotapi.Update{Message: &tgbotapi.Message{}}}, false},
		{"a bot", Request{From: &tgbotapi.User{ID: 8, IsBot: true}, ChatID: -1, Update: tgbotapi.Update{Message: &tgbotapi.Message{}}}, false},
		{"a linked channel", Request{From: &tgbotapi.User{ID: 777000}, ChatID: -1,
			Update: tgbotapi.Update{Message: &tgbotapi.Message{SenderChat: &tgbotapi.Chat{ID: -5}}}}, false},
		{"someone joins", Request{From: person, ChatID: -1,
			Update: tgbotapi.Update{Message: &tgbotapi.Message{NewChatMembers: []tgbotapi.User{*person}}}}, false},
		{"a button", Request{From: person, ChatID: -1, Update: tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{}}}, false},
	} {
		if got := plainGroupMessage(&c.r); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Mute lengths: Go's form or days; anything else is no length.
func TestParseLength(t *testing.T) {
	for in, want := range map[string]bool{"90m": true, "2h30m": true, "3d": true, "3D": true, "0d": false, "-1h": false, "soon": false, "10x": false} {
		if _, ok := parseLength(in); ok != want {
			t.Errorf("parseLength(%q) ok = %v, want %v", in, ok, want)
		}
	}
}
