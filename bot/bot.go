package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/desk"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
	"github.com/shequn/shequn/sessions"
)

// Checkout opens a payment for a course; the payments package implements it.
type Checkout interface {
	CreateSession(ctx context.Context, course membership.Course, userID int64) (url, id string, err error)
}

// Bot handles Telegram updates. Build it with its fields set, then call
// Init once before the first update. It holds no handler of its own: Init
// wires the features over the shared core (features.go), and Bot runs the
// middleware, the one error handler and the notices (see doc.go).
type Bot struct {
	Sender   *Sender
	Updates  shequn.UpdateLog
	Members  membership.Store
	Numbers  membership.Numbers // finds people by member number; may be nil
	Profiles membership.ProfileStore
	Groups   *groups.Service
	Checkout Checkout // nil while payments are not configured: Buy says purchases are not open
	Homework *assignments.Service
	Roles    membership.RoleStore
	// Moderation is the pyramid's middle (monitors, moderation, the audit
	// log); nil leaves its commands unanswered.
	Moderation *moderation.Service
	Dialogues  shequn.DialogueStore
	Location   *time.Location      // dates are shown in this zone
	Courses    []membership.Course // in the order they are offered
	Owners     []int64
	GroupLang  Lang // the language of posts into groups; Chinese when empty
	Now        func() time.Time
	Log        *slog.Logger
	Desk       *desk.Service     // the Q&A desk; nil leaves private text to /help
	Files      FileFetcher       // downloads what users send (FAQ imports)
	Sessions   *sessions.Service // nil: no Friday sessions, no broadcasts
	// HandlerTimeout bounds one update's handling; zero means 30 s.
	HandlerTimeout time.Duration
	// CommandsPerMinute is each user's budget of commands; zero means 20.
	CommandsPerMinute int
	// Wake asks the reconciler for a pass soon after a command changed
	// what the chats should look like (a role granted); nil when nobody
	// listens.
	Wake func()
	// QQ is the QQ side (package onebot); nil when QQ is not configured.
	QQ QQSide

	self    tgbotapi.User
	core    *core // the features' shared part, built by wire
	handler HandlerFunc
	seen    sync.Map // user id -> profileSeen, to skip saving unchanged profiles
	flood   floodGuard
}

type profileKey struct{ username, first, lang string }

// profileSeen is what was last saved of a profile, and when.
type profileSeen struct {
	key profileKey
	at  time.Time
}

// profileRefresh is how often an unchanged profile is saved again, so that
// its UpdatedAt tells when the user was last seen (see membership.NameSeenWithin).
const profileRefresh = 24 * time.Hour

// Init learns who the bot is and builds the routes.
func (b *Bot) Init(ctx context.Context) error {
	me, err := b.Sender.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("telegram getMe: %w", err)
	}
	b.self = me
	b.build()
	return nil
}

// build wires the features and the middleware; Init calls it once it
// knows who the bot is.
func (b *Bot) build() {
	textLog.Store(b.Log)
	if b.GroupLang == "" {
		b.GroupLang = Chinese
	}
	timeout := b.HandlerTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	b.wire()
	b.handler = Timeout(timeout)(Recover(b.WithWho(b.routes().Handle)))
}

// Update is a Telegram update.
type Update = tgbotapi.Update

// ID is the bot's Telegram user id.
func (b *Bot) ID() int64 { return b.self.ID }

// Username is the bot's Telegram username.
func (b *Bot) Username() string { return b.self.UserName }

// tables are the features' tables, in the order their commands are listed
// in menus and /help.
func (b *Bot) tables() []Table {
	if b.core == nil {
		b.wire()
	}
	return b.core.tables
}

func (b *Bot) routes() *Router {
	tables := b.tables()
	return buildRouter(tables, b.gate, b.core.fallback)
}

// Handle handles one update: routes it, answers a callback, and answers a
// failure in the user's language. It returns the failure when it was not
// the user's (an internal error, a panic), for the metrics; the Intake
// calls it, once per update.
func (b *Bot) Handle(ctx context.Context, u tgbotapi.Update) error {
	r, ok := b.request(ctx, u)
	if !ok {
		return nil
	}
	r.Chat = conversation(b.QQ, b.Sender, r.ChatID)
	return b.serve(ctx, r)
}

// serve runs a request through admission, the middleware, the routes and
// the one error handler, whatever its transport.
func (b *Bot) serve(ctx context.Context, r *Request) error {
	if !b.admit(ctx, r) {
		return nil
	}
	err := b.handler(ctx, r)
	if cq := r.Update.CallbackQuery; cq != nil && b.Sender != nil && !shequn.IsQQ(r.ChatID) {
		// Every callback must be answered, or the client shows a spinner.
		if _, aerr := b.Sender.Request(ctx, tgbotapi.NewCallback(cq.ID, r.Toast)); aerr != nil {
			b.Log.WarnContext(ctx, "answer callback", "err", aerr)
		}
	}
	if err != nil && b.fail(ctx, r, err) {
		return err
	}
	return nil
}

// request builds the handler's view of an update; false means the update
// is not for us (a command for another bot, a channel post).
func (b *Bot) request(ctx context.Context, u tgbotapi.Update) (*Request, bool) {
	r := &Request{Update: u}
	switch {
	case u.Message != nil:
		r.Message, r.From, r.ChatID = u.Message, u.Message.From, u.Message.Chat.ID
		r.Private = u.Message.Chat.IsPrivate()
		if cmd, mention, args, ok := parseCommand(u.Message.Text); ok {
			if mention != "" && !strings.EqualFold(mention, b.self.UserName) {
				return nil, false // "/cmd@otherbot" is not ours
			}
			r.Command, r.Args, r.Addressed = cmd, args, mention != "" || r.Private
		}
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		r.From, r.Message = cq.From, cq.Message
		if cq.Message != nil {
			r.ChatID, r.Private = cq.Message.Chat.ID, cq.Message.Chat.IsPrivate()
		}
		if _, p, ok := strings.Cut(cq.Data, ":"); ok {
			r.Payload = p
		}
	case u.ChatJoinRequest != nil:
		r.From, r.ChatID = &u.ChatJoinRequest.From, u.ChatJoinRequest.Chat.ID
	case u.ChatMember != nil:
		r.From, r.ChatID = u.ChatMember.NewChatMember.User, u.ChatMember.Chat.ID
		if r.From == nil {
			r.From = &u.ChatMember.From
		}
	case u.MyChatMember != nil:
		r.From, r.ChatID = &u.MyChatMember.From, u.MyChatMember.Chat.ID
	default:
		return nil, false
	}
	if r.From == nil || r.From.IsBot && u.ChatMember == nil {
		return nil, false
	}
	r.Lang = b.languageOf(ctx, r.From)
	return r, true
}

// languageOf remembers the user's profile and returns their language: their
// own choice, else what Telegram reports.
func (b *Bot) languageOf(ctx context.Context, u *tgbotapi.User) Lang {
	key, now := profileKey{u.UserName, u.FirstName, u.LanguageCode}, b.Now()
	if old, ok := b.seen.Load(u.ID); !ok || old.(profileSeen).key != key || now.Sub(old.(profileSeen).at) > profileRefresh {
		err := b.Profiles.SaveProfile(ctx, membership.Profile{
			UserID: u.ID, Username: u.UserName, FirstName: u.FirstName, LanguageCode: u.LanguageCode, UpdatedAt: now,
		})
		if err != nil {
			b.Log.WarnContext(ctx, "save profile", "user", u.ID, "err", err)
		} else {
			b.seen.Store(u.ID, profileSeen{key, now})
		}
	}
	return b.userLang(ctx, u.ID, u.LanguageCode)
}

func (b *Bot) userLang(ctx context.Context, userID int64, fallback string) Lang {
	p, err := b.Profiles.Profile(ctx, userID)
	switch {
	case err == nil && p.Language != "":
		return MatchLang(p.Language)
	case err == nil && fallback == "":
		return MatchLang(p.LanguageCode)
	}
	return MatchLang(fallback)
}

// fail answers a failed request in the user's language. Only errors that
// are not the user's are logged, with their cause; it reports whether err
// was one.
func (b *Bot) fail(ctx context.Context, r *Request, err error) (internal bool) {
	text, known := errorText(r.Lang, err)
	if !known || shequn.Internal(shequn.ErrorCode(err)) {
		b.Log.ErrorContext(ctx, "update failed", "update", r.Update.UpdateID, "user", r.From.ID, "err", err)
		internal = true
	}
	// Only a person who wrote or tapped something waits for an answer; a
	// failed join request or member update must not chatter in a group.
	if r.ChatID == 0 || (r.Update.Message == nil && r.Update.CallbackQuery == nil) || errors.Is(err, context.Canceled) {
		return internal
	}
	if rerr := b.core.reply(ctx, r, text); rerr != nil {
		b.Log.WarnContext(ctx, "error reply failed", "err", rerr)
	}
	return internal
}

func (b *Bot) isOwner(userID int64) bool { return slices.Contains(b.Owners, userID) }

// groupName names a group in lang: 学员3群, Student group 3, 核心群.
func groupName(lang Lang, g groups.Group) string {
	if g.Kind == groups.KindCore {
		return T(lang, "group.core")
	}
	return T(lang, "group.student", g.Ordinal)
}

// SetWebhook points Telegram at url for webhook mode, with the secret token
// Telegram will send back in every request.
func (b *Bot) SetWebhook(ctx context.Context, url, secret string) error {
	allowed, _ := json.Marshal(DefaultAllowedUpdates)
	params := tgbotapi.Params{"url": url, "secret_token": secret, "allowed_updates": string(allowed)}
	if _, err := b.Sender.Call(ctx, Interactive, 0, "setWebhook", params); err != nil {
		return fmt.Errorf("setWebhook: %w", err)
	}
	return nil
}
