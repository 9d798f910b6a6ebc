package telegramtest

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// commandKey identifies one stored command list.
type commandKey struct {
	scope CommandScope
	lang  string
}

var (
	commandRE  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	langCodeRE = regexp.MustCompile(`^[a-z]{2}$`)
)

// commandKeyParam reads the scope and language_code parameters.
func (s *Server) commandKeyParam(p params) (commandKey, *apiError) {
	scope := CommandScope{Type: "default"}
	if ok, err := p.json("scope", &scope); err != nil {
		return commandKey{}, badRequest("can't parse BotCommandScope JSON object")
	} else if !ok {
		scope = CommandScope{Type: "default"}
	}
	switch scope.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		scope.ChatID, scope.UserID = 0, 0
	case "chat", "chat_administrators", "chat_member":
		c := s.chats[scope.ChatID]
		if c == nil {
			return commandKey{}, errChatNotFound
		}
		if scope.Type == "chat_administrators" && !c.isGroup() {
			return commandKey{}, badRequest("can't use chat_administrators scope in private chats")
		}
		if scope.Type != "chat_member" {
			scope.UserID = 0
		} else if !c.isGroup() {
			return commandKey{}, badRequest("can't use chat_member scope in private chats")
		} else if s.users[scope.UserID] == nil {
			return commandKey{}, errUserNotFound
		}
	default:
		return commandKey{}, badRequest("wrong bot command scope type specified")
	}
	lang := p["language_code"]
	if lang != "" && !langCodeRE.MatchString(lang) {
		return commandKey{}, badRequest("invalid language code specified")
	}
	return commandKey{scope: scope, lang: lang}, nil
}

func (s *Server) apiSetMyCommands(p params) (any, *apiError) {
	if !p.has("commands") {
		return nil, badRequest("parameter \"commands\" is required")
	}
	var cmds []BotCommand
	if _, err := p.json("commands", &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for i, c := range cmds {
		c.Command = strings.TrimPrefix(c.Command, "/")
		if !commandRE.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(c.Description)); n == 0 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
		cmds[i] = c
	}
	key, aerr := s.commandKeyParam(p)
	if aerr != nil {
		return nil, aerr
	}
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	return true, nil
}

func (s *Server) apiGetMyCommands(p params) (any, *apiError) {
	key, aerr := s.commandKeyParam(p)
	if aerr != nil {
		return nil, aerr
	}
	out := s.commands[key]
	if out == nil {
		out = []BotCommand{}
	}
	return out, nil
}

func (s *Server) apiDeleteMyCommands(p params) (any, *apiError) {
	key, aerr := s.commandKeyParam(p)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.commands, key)
	return true, nil
}

// Commands returns the command list stored for exactly this scope and
// language code ("" for all languages), nil if none.
func (s *Server) Commands(scope CommandScope, lang string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	if scope.Type == "" {
		scope.Type = "default"
	}
	return slices.Clone(s.commands[commandKey{scope: scope, lang: lang}])
}

// VisibleCommands returns the commands a user with the given language sees
// in a chat (their private chat with the bot when chatID == userID), following
// the documented scope resolution order.
func (s *Server) VisibleCommands(chatID, userID int64, lang string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	var scopes []CommandScope
	if chatID > 0 {
		scopes = []CommandScope{{Type: "chat", ChatID: chatID}, {Type: "all_private_chats"}, {Type: "default"}}
	} else {
		admin := false
		if c := s.chats[chatID]; c != nil {
			st := s.memberOf(c, userID).status
			admin = st == "creator" || st == "administrator"
		}
		scopes = append(scopes, CommandScope{Type: "chat_member", ChatID: chatID, UserID: userID})
		if admin {
			scopes = append(scopes, CommandScope{Type: "chat_administrators", ChatID: chatID})
		}
		scopes = append(scopes, CommandScope{Type: "chat", ChatID: chatID})
		if admin {
			scopes = append(scopes, CommandScope{Type: "all_chat_administrators"})
		}
		scopes = append(scopes, CommandScope{Type: "all_group_chats"}, CommandScope{Type: "default"})
	}
	for _, sc := range scopes {
		for _, l := range []string{lang, ""} {
			if cmds := s.commands[commandKey{scope: sc, lang: l}]; len(cmds) > 0 {
				return slices.Clone(cmds)
			}
			if lang == "" {
				break
			}
		}
	}
	return nil
}
