package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Request is one update as a handler sees it.
type Request struct {
	Update  tgbotapi.Update
	Message *tgbotapi.Message // the message or the callback's message; may be nil
	From    *tgbotapi.User
	ChatID  int64
	Private bool
	Lang    Lang
	Who     Who          // the sender's standing, resolved once per update
	Chat    Conversation // where replies go: the chat of the update
	Command string       // lower case, without "/" and "@bot"; empty when not a command
	Args    []string     // the command's arguments, split on white space
	Payload string       // callback data after its prefix
	// Addressed is true for commands meant for this bot beyond doubt: in a
	// private chat, or "/cmd@thisbot" in a group.
	Addressed bool
	// Toast is the text a callback's answer shows briefly; empty for none.
	Toast string
}

// HandlerFunc handles a request. An error reaches the one error handler,
// which logs internal causes and answers the user in their language.
type HandlerFunc func(ctx context.Context, r *Request) error

// Middleware wraps a handler.
type Middleware func(HandlerFunc) HandlerFunc

// Predicate selects requests for a route.
type Predicate func(r *Request) bool

type route struct {
	match  Predicate
	handle HandlerFunc
}

// Router sends a request to the first route whose predicate matches.
type Router struct {
	routes   []route
	fallback HandlerFunc
}

// On adds a route.
func (rt *Router) On(p Predicate, h HandlerFunc) { rt.routes = append(rt.routes, route{p, h}) }

// Otherwise sets the handler for requests no route matched.
func (rt *Router) Otherwise(h HandlerFunc) { rt.fallback = h }

// Handle dispatches r.
func (rt *Router) Handle(ctx context.Context, r *Request) error {
	if h, ok := rt.match(r); ok {
		return h(ctx, r)
	}
	if rt.fallback != nil {
		return rt.fallback(ctx, r)
	}
	return nil
}

// match finds the handler of the first route that takes r.
func (rt *Router) match(r *Request) (HandlerFunc, bool) {
	for _, x := range rt.routes {
		if x.match(r) {
			return x.handle, true
		}
	}
	return nil, false
}

// Callback matches callback data with the prefix ("buy" matches "buy:ppt").
func Callback(prefix string) Predicate {
	return func(r *Request) bool {
		cq := r.Update.CallbackQuery
		return cq != nil && strings.HasPrefix(cq.Data, prefix+":")
	}
}

// And matches when every predicate does.
func And(ps ...Predicate) Predicate {
	return func(r *Request) bool {
		for _, p := range ps {
			if !p(r) {
				return false
			}
		}
		return true
	}
}

// InPrivate matches requests from private chats.
func InPrivate(r *Request) bool { return r.Private }

// InGroup matches requests from groups.
func InGroup(r *Request) bool { return !r.Private && r.ChatID < 0 }

// Recover turns a panic in a handler into an error, so one bad update does
// not take the bot down.
func Recover(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, r *Request) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic handling update %d: %v\n%s", r.Update.UpdateID, p, debug.Stack())
			}
		}()
		return next(ctx, r)
	}
}

// Timeout bounds a handler's time.
func Timeout(d time.Duration) Middleware {
	return func(next HandlerFunc) HandlerFunc {
		return func(ctx context.Context, r *Request) error {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			return next(ctx, r)
		}
	}
}

// parseCommand splits "/cmd@bot a b" into ("cmd", "bot", ["a","b"]). It
// reports false when text is not a command.
func parseCommand(text string) (cmd, mention string, args []string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", nil, false
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return "", "", nil, false
	}
	cmd = strings.TrimPrefix(fields[0], "/")
	if i := strings.IndexByte(cmd, '@'); i >= 0 {
		cmd, mention = cmd[:i], cmd[i+1:]
	}
	if cmd == "" {
		return "", "", nil, false
	}
	return strings.ToLower(cmd), mention, fields[1:], true
}
