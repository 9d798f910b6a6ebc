package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/moderation"
)

// moderate is /warn, /mute, /unmute and /kick in a student group, in reply
// to the member's message (or with a member number). The command message
// is deleted; the group sees what was done, the member gets a DM with the
// reason.
func (f *pyramidDesk) moderate(action moderation.Action) HandlerFunc {
	return func(ctx context.Context, r *Request) error {
		t, err := f.memberTarget(ctx, r)
		if err != nil || t.refusal != "" {
			return cmpReply(ctx, f.core, r, t.refusal, err)
		}
		act := moderation.Act{By: r.From.ID, ChatID: r.ChatID, Target: t.ID, Action: action}
		args := t.rest
		if action == moderation.ActMute && len(args) > 0 {
			if d, ok := parseLength(args[0]); ok {
				act.For, args = d, args[1:]
			} else if looksLikeLength(args[0]) {
				return f.reply(ctx, r, T(r.Lang, "pyr.mute_usage"))
			}
		}
		if action == moderation.ActKick && len(args) > 0 && strings.EqualFold(args[0], "block") {
			act.Block, args = true, args[1:]
		}
		act.Reason = strings.Join(args, " ")
		out, err := f.Mod.Moderate(ctx, act)
		if errors.Is(err, moderation.ErrAbove) {
			return f.reply(ctx, r, T(r.Lang, "pyr.above", t.label()))
		}
		if errors.Is(err, moderation.ErrDuration) && shequn.IsQQ(r.ChatID) {
			return f.reply(ctx, r, T(r.Lang, "pyr.mute_usage_qq"))
		}
		if text := f.refusal(r.Lang, err, t.person, T(r.Lang, "pyr.rank_moderate")); text != "" {
			return f.reply(ctx, r, text)
		}
		if err != nil {
			return fmt.Errorf("%s %d in %d: %w", action, t.ID, r.ChatID, err)
		}
		f.Log.InfoContext(ctx, "moderated", "action", string(action), "chat", r.ChatID, "user", t.ID, "by", r.From.ID)
		f.deleteCommand(ctx, r)
		g, _ := f.Mod.GroupOf(ctx, r.ChatID)
		f.tellModerated(ctx, act, out, groupName(f.langOf(ctx, t.ID), g))
		return f.reply(ctx, r, f.moderatedText(r.Lang, act, out, t.person))
	}
}

// moderatedText is what the group is told.
func (f *pyramidDesk) moderatedText(lang Lang, a moderation.Act, out moderation.Outcome, p person) string {
	reason := ""
	if a.Reason != "" {
		reason = T(lang, "pyr.reason", a.Reason)
	}
	name := p.FirstName
	if name == "" {
		name = p.label()
	}
	switch {
	case a.Action == moderation.ActWarn && !out.MutedUntil.IsZero():
		return T(lang, "pyr.warn_muted", name, out.Warnings, f.Mod.Policy.WarningsToMute, f.date(lang, out.MutedUntil), HTML(reason))
	case a.Action == moderation.ActWarn:
		return T(lang, "pyr.warned", name, out.Warnings, f.Mod.Policy.WarningsToMute, HTML(reason))
	case a.Action == moderation.ActMute:
		return T(lang, "pyr.muted", name, f.date(lang, out.MutedUntil), HTML(reason))
	case a.Action == moderation.ActUnmute:
		return T(lang, "pyr.unmuted", name)
	case a.Block:
		return T(lang, "pyr.blocked", name, HTML(reason))
	}
	return T(lang, "pyr.kicked", name, HTML(reason))
}

// tellModerated sends the member a DM saying what was done and why. One
// who never opened a chat with the bot cannot be told: that is logged.
func (f *pyramidDesk) tellModerated(ctx context.Context, a moderation.Act, out moderation.Outcome, group string) {
	lang := f.langOf(ctx, a.Target)
	reason := ""
	if a.Reason != "" {
		reason = T(lang, "pyr.reason", a.Reason)
	}
	var text string
	switch {
	case a.Action == moderation.ActWarn && out.MutedUntil.IsZero():
		text = T(lang, "pyr.dm.warn", group, out.Warnings, f.Mod.Policy.WarningsToMute, HTML(reason), f.Mod.Policy.WarningsToMute)
	case a.Action == moderation.ActWarn, a.Action == moderation.ActMute:
		text = T(lang, "pyr.dm.muted", group, f.date(lang, out.MutedUntil), HTML(reason))
	case a.Action == moderation.ActUnmute:
		text = T(lang, "pyr.dm.unmuted", group)
	case a.Block:
		text = T(lang, "pyr.dm.blocked", group, HTML(reason))
	default:
		text = T(lang, "pyr.dm.kicked", group, HTML(reason))
	}
	f.send(ctx, a.Target, text)
}

// deleteCommand deletes the command's message from the group (on QQ,
// recalls it); the message it answered stays. A failure only leaves it
// there.
func (f *pyramidDesk) deleteCommand(ctx context.Context, r *Request) {
	if r.Message == nil {
		return
	}
	var err error
	switch {
	case shequn.IsQQ(r.ChatID) && f.qq != nil && f.qq() != nil:
		err = f.qq().Delete(ctx, r.ChatID, r.Message.MessageID)
	case shequn.IsQQ(r.ChatID) || f.Sender == nil:
		return
	default:
		_, err = f.Sender.Request(ctx, tgbotapi.NewDeleteMessage(r.ChatID, r.Message.MessageID))
	}
	if err != nil {
		f.Log.WarnContext(ctx, "command not deleted", "chat", r.ChatID, "message", r.Message.MessageID, "err", err)
	}
}

// parseLength reads a mute's length: Go's form (90m, 2h30m) or days (3d).
func parseLength(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(strings.ToLower(s), "d"); ok {
		n, err := strconv.Atoi(days)
		return time.Duration(n) * 24 * time.Hour, err == nil && n > 0
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

// looksLikeLength reports whether a word starts like a length (a digit),
// so that "/mute 10x" is answered with the usage rather than taken as a
// reason.
func looksLikeLength(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// send writes a text to a user's private chat, now, on their platform. A
// user who never opened one, or blocked the bot, is not told; that is
// only logged.
func (f *pyramidDesk) send(ctx context.Context, userID int64, text string) {
	chat := f.chatOf(userID)
	if chat == nil {
		return
	}
	if err := chat.Reply(ctx, text, nil); err != nil {
		f.Log.InfoContext(ctx, "private message not delivered", "user", userID, "err", err)
	}
}

// langOf is a user's language: their choice, else Telegram's report.
func (f *pyramidDesk) langOf(ctx context.Context, userID int64) Lang {
	p, err := f.People.Profile(ctx, userID)
	switch {
	case err != nil:
		return Chinese
	case p.Language != "":
		return MatchLang(p.Language)
	}
	return MatchLang(p.LanguageCode)
}

// intruder removes a person found in a student group without a seat
// there (a leaked way in), and tells the owners the first time. A removal
// that fails (a right missing) is logged, never answered in the group:
// the next message or arrival tries again.
func (f *pyramidDesk) intruder(ctx context.Context, chatID, userID int64) error {
	first, err := f.Mod.Intruder(ctx, chatID, userID)
	if err != nil {
		f.Log.WarnContext(ctx, "intruder not removed", "chat", chatID, "user", userID, "err", err)
		return nil
	}
	if !first {
		return nil
	}
	g, err := f.Mod.GroupOf(ctx, chatID)
	if err != nil {
		return err
	}
	who := f.personOf(ctx, userID)
	for _, owner := range f.Owners {
		lang := f.langOf(ctx, owner)
		f.send(ctx, owner, T(lang, "pyr.intruder", groupName(lang, g), who.label()))
	}
	return nil
}

// spoke checks the author of a plain message in a group.
func (f *pyramidDesk) spoke(ctx context.Context, r *Request) error {
	return f.intruder(ctx, r.ChatID, r.From.ID)
}
