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

	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// Checkout opens a payment for a course; the payments package implements it.
type Checkout interface {
	CreateSession(ctx context.Context, course membership.Course, userID int64) (url, id string, err error)
}

// Bot handles Telegram updates. Build it with its fields set, then call
// Init once before the first update.
type Bot struct {
	Sender    *Sender
	Updates   UpdateLog
	Members   membership.Store
	Profiles  membership.ProfileStore
	Groups    *groups.Service
	Checkout  Checkout
	Homework  *assignments.Service
	Roles     membership.RoleStore
	Dialogues DialogueStore
	Location  *time.Location      // dates are shown in this zone
	Courses   []membership.Course // in the order they are offered
	Owners    []int64
	GroupLang Lang // the language of posts into groups; Chinese when empty
	Now       func() time.Time
	Log       *slog.Logger
	// HandlerTimeout bounds one update's handling; zero means 30 s.
	HandlerTimeout time.Duration
	// Wake asks the reconciler for a pass soon after a command changed
	// what the chats should look like (a role granted); nil when nobody
	// listens.
	Wake func()

	self    tgbotapi.User
	handler HandlerFunc
	seen    sync.Map // user id -> profileKey, to skip saving unchanged profiles
}

type profileKey struct{ username, first, lang string }

// Init learns who the bot is and builds the routes.
func (b *Bot) Init(ctx context.Context) error {
	me, err := b.Sender.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("telegram getMe: %w", err)
	}
	b.self = me
	if b.GroupLang == "" {
		b.GroupLang = Chinese
	}
	timeout := b.HandlerTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	b.handler = Timeout(timeout)(Recover(b.routes().Handle))
	return nil
}

// Update is a Telegram update.
type Update = tgbotapi.Update

// ID is the bot's Telegram user id.
func (b *Bot) ID() int64 { return b.self.ID }

// Username is the bot's Telegram username.
func (b *Bot) Username() string { return b.self.UserName }

func (b *Bot) routes() *Router {
	rt := &Router{}
	// Everyone, private chats.
	rt.On(And(InPrivate, Command("start")), b.start)
	rt.On(And(InPrivate, Command("me")), b.me)
	rt.On(Command("language"), b.language)
	rt.On(Command("help"), b.help)
	rt.On(Callback("buy"), b.buyCallback)
	rt.On(Callback("lang"), b.languageChosen)
	rt.On(Command("cancel"), b.cancel)
	// Homework: students.
	rt.On(And(InPrivate, Command("assignments")), b.listAssignments)
	rt.On(And(InPrivate, Command("submit")), b.submitCommand)
	rt.On(Callback("sub"), b.submitChosen)
	rt.On(And(InPrivate, Command("mywork")), b.myWork)
	rt.On(And(InPrivate, Command("rank")), b.rank)
	// Homework: teachers and assistants (checked in the service).
	rt.On(And(InPrivate, Command("assign")), b.assign)
	rt.On(And(InPrivate, Command("review")), b.review)
	rt.On(And(InPrivate, Command("grade")), b.gradeCommand)
	rt.On(And(InPrivate, Command("skip")), b.skipComment)
	rt.On(Callback("rv"), b.reviewGrade)
	rt.On(Callback("rs"), b.reviewScore)
	rt.On(Callback("rk"), b.reviewSkip)
	rt.On(And(InPrivate, Command("top")), b.top)
	rt.On(And(InPrivate, Command("queue")), b.queue)
	// Owners.
	rt.On(Command("register"), b.ownersOnly(b.register))
	rt.On(Command("groups"), b.ownersOnly(b.listGroups))
	rt.On(Command("grant"), b.ownersOnly(b.grant))
	rt.On(Command("revoke"), b.ownersOnly(b.revoke))
	// An answer to a question the bot asked.
	rt.On(func(r *Request) bool { return r.Private && r.Command == "" && r.Update.Message != nil }, b.answer)
	// Group life.
	rt.On(func(r *Request) bool { return r.Update.ChatJoinRequest != nil }, b.joinRequest)
	rt.On(func(r *Request) bool { return r.Update.ChatMember != nil }, b.memberUpdate)
	rt.On(func(r *Request) bool { return r.Update.MyChatMember != nil }, b.botMemberUpdate)
	rt.On(func(r *Request) bool {
		m := r.Update.Message
		return m != nil && (len(m.NewChatMembers) > 0 || m.LeftChatMember != nil)
	}, b.serviceMessage)
	rt.Otherwise(b.fallback)
	return rt
}

// HandleUpdate handles one update at most once: an update seen and
// finished before (Telegram delivering it again) is skipped.
func (b *Bot) HandleUpdate(ctx context.Context, u tgbotapi.Update) error {
	return Once(b.Updates, b.Now, func(ctx context.Context, u tgbotapi.Update) error {
		b.handle(ctx, u)
		return nil
	})(ctx, u)
}

// Once wraps an update handler so that each update id is handled once,
// however often Telegram delivers it: an update finished before is skipped,
// one claimed but never finished (a crash mid-way) is handled again.
func Once(log UpdateLog, now func() time.Time, handle func(context.Context, tgbotapi.Update) error) func(context.Context, tgbotapi.Update) error {
	return func(ctx context.Context, u tgbotapi.Update) error {
		fresh, err := log.ClaimUpdate(ctx, int64(u.UpdateID), now())
		if err != nil {
			return fmt.Errorf("claim update %d: %w", u.UpdateID, err)
		}
		if !fresh {
			return nil
		}
		if err := handle(ctx, u); err != nil {
			return err
		}
		if err := log.FinishUpdate(ctx, int64(u.UpdateID), now()); err != nil {
			return fmt.Errorf("finish update %d: %w", u.UpdateID, err)
		}
		return nil
	}
}

func (b *Bot) handle(ctx context.Context, u tgbotapi.Update) {
	r, ok := b.request(ctx, u)
	if !ok {
		return
	}
	err := b.handler(ctx, r)
	if cq := u.CallbackQuery; cq != nil {
		// Every callback must be answered, or the client shows a spinner.
		if _, aerr := b.Sender.Request(ctx, tgbotapi.NewCallback(cq.ID, "")); aerr != nil {
			b.Log.WarnContext(ctx, "answer callback", "err", aerr)
		}
	}
	if err != nil {
		b.fail(ctx, r, err)
	}
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
	key := profileKey{u.UserName, u.FirstName, u.LanguageCode}
	if old, ok := b.seen.Load(u.ID); !ok || old.(profileKey) != key {
		err := b.Profiles.SaveProfile(ctx, membership.Profile{
			UserID: u.ID, Username: u.UserName, FirstName: u.FirstName, LanguageCode: u.LanguageCode, UpdatedAt: b.Now(),
		})
		if err != nil {
			b.Log.WarnContext(ctx, "save profile", "user", u.ID, "err", err)
		} else {
			b.seen.Store(u.ID, key)
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
// are not the user's are logged, with their cause.
func (b *Bot) fail(ctx context.Context, r *Request, err error) {
	code := membership.ErrorCode(err)
	key := "error." + string(code)
	if _, ok := catalog[key]; !ok || code == membership.CodeInternal || code == membership.CodeUnavailable {
		b.Log.ErrorContext(ctx, "update failed", "update", r.Update.UpdateID, "user", r.From.ID, "err", err)
	}
	if _, ok := catalog[key]; !ok {
		key = "error.internal"
	}
	// Only a person who wrote or tapped something waits for an answer; a
	// failed join request or member update must not chatter in a group.
	if r.ChatID == 0 || (r.Update.Message == nil && r.Update.CallbackQuery == nil) || errors.Is(err, context.Canceled) {
		return
	}
	if rerr := b.reply(ctx, r, T(r.Lang, key), nil); rerr != nil {
		b.Log.WarnContext(ctx, "error reply failed", "err", rerr)
	}
}

// reply answers in the request's chat.
func (b *Bot) reply(ctx context.Context, r *Request, text string, kb *tgbotapi.InlineKeyboardMarkup) error {
	msg := tgbotapi.NewMessage(r.ChatID, text)
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	if kb != nil {
		msg.ReplyMarkup = *kb
	}
	_, err := b.Sender.Send(ctx, Interactive, r.ChatID, msg)
	return err
}

func (b *Bot) isOwner(userID int64) bool { return slices.Contains(b.Owners, userID) }

func (b *Bot) ownersOnly(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, r *Request) error {
		if !b.isOwner(r.From.ID) {
			return b.reply(ctx, r, T(r.Lang, "not_owner"), nil)
		}
		return next(ctx, r)
	}
}

func (b *Bot) course(id string) (membership.Course, bool) {
	for _, c := range b.Courses {
		if c.ID == id {
			return c, true
		}
	}
	return membership.Course{}, false
}

// memberNumber formats a member number of a course.
func (b *Bot) memberNumber(course string, n int) string {
	c, ok := b.course(course)
	if !ok {
		return membership.FormatNumber(strings.ToUpper(course), n)
	}
	return c.MemberNumber(n)
}

func (b *Bot) courseTitle(id string) string {
	if c, ok := b.course(id); ok {
		return c.Title
	}
	return id
}

// groupName names a group in lang: 学员3群, Student group 3, 核心群.
func groupName(lang Lang, g groups.Group) string {
	if g.Kind == groups.KindCore {
		return T(lang, "group.core")
	}
	return T(lang, "group.student", g.Ordinal)
}

// Ping checks that Telegram answers.
func (b *Bot) Ping(ctx context.Context) error { return b.Sender.Ping(ctx) }

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
