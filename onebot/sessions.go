package onebot

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/sessions"
)

// Most a picture or a file fetched from Telegram may weigh to be sent
// into QQ as base64 (OneBot carries it inside the action): Telegram's
// pictures stay well below; a larger file is named instead.
const (
	MaxImage = 10 << 20
	MaxFile  = 20 << 20
)

// SessionPlatform is QQ as the sessions package sees it. QQ has no
// copyMessage, so a message is sent again from what the bot kept of it
// (bot.RelayItem): text as text, a QQ picture or file by QQ's reference,
// a Telegram one fetched (Files) and sent as base64; the question window
// is the whole-group ban lifted and set again; the reminder's "pin" is
// the essence message, taken back by delete_essence_msg.
type SessionPlatform struct {
	QQ *QQ
	// Files downloads Telegram's pictures and files; nil in a QQ-only
	// community, where a Telegram message never comes.
	Files bot.FileFetcher
	// Parts keeps a copy retried after a failure part-way from sending
	// its first messages again; nil keeps nothing.
	Parts *PartLog
}

var _ sessions.Platform = SessionPlatform{}

// Copy sends the message (an album: each item, in order) again into the
// QQ group or to the QQ member, the live relay after replies and before
// bulk traffic. A member QQ does not let the account write to is
// shequn.ErrUnreachable.
func (p SessionPlatform) Copy(ctx context.Context, chatID int64, ref sessions.MessageRef, relay bool) error {
	if len(ref.Items) == 0 {
		// Kept before QQ could take it: nothing can send it here.
		return fmt.Errorf("copy into QQ %d: nothing kept of the message: %w", shequn.QQNumber(chatID), sessions.ErrSourceGone)
	}
	pri := Bulk
	if relay {
		pri = Relay
	}
	items := make([]bot.RelayItem, len(ref.Items))
	for i, raw := range ref.Items {
		it, ok := bot.ParseItem(raw)
		if !ok {
			return fmt.Errorf("copy into QQ %d: unreadable item: %w", shequn.QQNumber(chatID), sessions.ErrSourceGone)
		}
		items[i] = it
	}
	msgs, ok := p.album(ctx, items)
	if !ok {
		msgs = nil
		for _, it := range items {
			msgs = append(msgs, p.messages(ctx, it)...)
		}
	}
	key := partKey(chatID, ref)
	for i := p.Parts.done(key); i < len(msgs); i++ {
		if _, err := p.QQ.Out.Send(ctx, pri, chatID, msgs[i]); err != nil {
			return p.failed(ctx, chatID, err)
		}
		p.Parts.mark(key, i+1)
	}
	p.Parts.forget(key)
	return nil
}

// album sends an album of pictures as QQ shows one: the pictures in one
// message, their captions after them. false when the items are not all
// pictures that can be sent (one item, a file, a picture not fetched):
// they go one by one.
func (p SessionPlatform) album(ctx context.Context, items []bot.RelayItem) ([]Message, bool) {
	if len(items) < 2 {
		return nil, false
	}
	var msg Message
	var captions []string
	for _, it := range items {
		if it.Photo == "" {
			return nil, false
		}
		seg := p.media(ctx, "image", it.Photo, "", it.QQ, MaxImage)
		if seg == nil {
			return nil, false
		}
		msg = append(msg, *seg)
		if it.Text != "" {
			captions = append(captions, it.Text)
		}
	}
	out := []Message{msg}
	if text := strings.Join(captions, "\n"); text != "" {
		parts := Split(text, MaxText)
		out[0] = append(out[0], Text(parts[0]))
		for _, part := range parts[1:] {
			out = append(out, Message{Text(part)})
		}
	}
	return out, true
}

// messages are the QQ messages that carry an item: a picture with its
// caption in one; a file alone (QQ sends a file as a message of its own)
// and its caption after; a text split at QQ's length.
func (p SessionPlatform) messages(ctx context.Context, it bot.RelayItem) []Message {
	if whole, ok := p.original(ctx, it); ok {
		return []Message{whole}
	}
	var out []Message
	var media *Segment
	switch {
	case it.Photo != "":
		media = p.media(ctx, "image", it.Photo, "", it.QQ, MaxImage)
	case it.Document != "":
		media = p.media(ctx, "file", it.Document, it.Name, it.QQ, MaxFile)
	}
	text := it.Text
	if media == nil && (it.Photo != "" || it.Document != "") {
		// Not fetched: a line says what came, the caption follows.
		text = joinLines(p.placeholder(it), text)
	}
	parts := Split(text, MaxText)
	if text == "" {
		parts = nil
	}
	if media != nil && media.Type == "image" {
		first := Message{*media}
		if len(parts) > 0 {
			first, parts = append(first, Text(parts[0])), parts[1:]
		}
		out = append(out, first)
	} else if media != nil {
		out = append(out, Message{*media})
	}
	for _, part := range parts {
		out = append(out, Message{Text(part)})
	}
	return out
}

// original reads a QQ message whole again (get_msg), so that all its
// pictures go, not only the first the item kept; false when QQ no longer
// has it, when it holds a file (sent as a message of its own) or
// anything but text, pictures and QQ faces, or more text than one
// message takes: the item is sent as kept.
func (p SessionPlatform) original(ctx context.Context, it bot.RelayItem) (Message, bool) {
	if !it.QQ || it.ID == 0 {
		return nil, false
	}
	var got struct {
		Message Message `json:"message"`
	}
	if err := p.QQ.API.Call(ctx, "get_msg", map[string]any{"message_id": it.ID}, &got); err != nil {
		p.QQ.Log.InfoContext(ctx, "qq message not read again; sent as kept", "message", it.ID, "err", err)
		return nil, false
	}
	var out Message
	for _, seg := range got.Message {
		switch seg.Type {
		case "text":
			out = append(out, Text(seg.Str("text")))
		case "image":
			out = append(out, Segment{Type: "image", Data: map[string]any{"file": firstOf(seg.Str("url"), seg.Str("file"))}})
		case "face":
			out = append(out, Segment{Type: "face", Data: map[string]any{"id": seg.Str("id")}})
		case "at", "reply":
			// Meant for the private chat with the bot, not the groups.
		default:
			return nil, false
		}
	}
	if len(out) == 0 || len([]rune(out.PlainText())) > MaxText {
		return nil, false
	}
	return out, true
}

// media is the segment of a picture or a file: QQ's own by its
// reference, Telegram's fetched and sent as base64; nil when it cannot be.
func (p SessionPlatform) media(ctx context.Context, typ, ref, name string, fromQQ bool, max int64) *Segment {
	data := map[string]any{"file": ref}
	if !fromQQ {
		if p.Files == nil {
			return nil
		}
		b, err := p.Files.Fetch(ctx, ref, max)
		if err != nil {
			p.QQ.Log.WarnContext(ctx, "telegram file not fetched for QQ", "kind", typ, "err", err)
			return nil
		}
		data["file"] = "base64://" + base64.StdEncoding.EncodeToString(b)
	}
	if typ == "file" && name != "" {
		data["name"] = name
	}
	return &Segment{Type: typ, Data: data}
}

func (p SessionPlatform) placeholder(it bot.RelayItem) string {
	if it.Photo != "" {
		return bot.Label(languageOfQQ, "qq.session.photo")
	}
	return bot.Label(languageOfQQ, "qq.session.file") + " " + it.Name
}

func joinLines(a, b string) string {
	if b == "" {
		return a
	}
	return a + "\n" + b
}

// failed explains a send QQ refused: in a group by the account's
// standing; to a member, unreachable when they are not the account's
// friend (deleted it, or never added it), else passing.
func (p SessionPlatform) failed(ctx context.Context, chatID int64, err error) error {
	if chatID < 0 {
		return fmt.Errorf("copy into QQ %d: %w", shequn.QQNumber(chatID), p.QQ.diagnose(ctx, chatID, "", err))
	}
	return fmt.Errorf("copy to QQ %d: %w", shequn.QQNumber(chatID), p.QQ.unreachable(ctx, chatID, err))
}

// unreachable explains a private message QQ refused: the user is
// shequn.ErrUnreachable when QQ answered that the send failed (go-cqhttp's
// codes) and they are not the account's friend (they deleted it, or never
// added it). Anything else passes, to be tried again: a timeout (NapCat
// answers 200 for one) says nothing about the person.
func (q *QQ) unreachable(ctx context.Context, userID int64, err error) error {
	var oe *Error
	if !errors.As(err, &oe) || oe.Retcode != RetFailed && oe.Retcode != RetBadParams {
		return err
	}
	if friend, ferr := q.friend(ctx, shequn.QQNumber(userID)); ferr == nil && !friend {
		return fmt.Errorf("%w: %w", err, shequn.ErrUnreachable)
	}
	return err
}

// OpenChat lifts the whole-group ban for a question window, or sets it
// again.
func (p SessionPlatform) OpenChat(ctx context.Context, chatID int64, open bool) error {
	err := p.QQ.API.Call(ctx, "set_group_whole_ban", map[string]any{"group_id": shequn.QQNumber(chatID), "enable": !open}, nil)
	if err != nil {
		return fmt.Errorf("set_group_whole_ban: %w", p.QQ.diagnose(ctx, chatID, groups.RightRestrict, err))
	}
	return nil
}

// Unpin takes the essence mark off the reminder (delete_essence_msg). One
// no longer essence, or recalled, while the account is an administrator
// is done.
func (p SessionPlatform) Unpin(ctx context.Context, chatID int64, messageID int) error {
	err := p.QQ.API.Call(ctx, "delete_essence_msg", map[string]any{"message_id": messageID}, nil)
	if err == nil {
		return nil
	}
	if d := p.QQ.diagnose(ctx, chatID, groups.RightPin, err); isGroupError(d) || !refused(err) {
		return fmt.Errorf("delete_essence_msg in QQ %d: %w", shequn.QQNumber(chatID), d)
	}
	return nil
}

// friend reports whether the QQ number is the account's friend
// (get_friend_list), whom it may write to privately.
func (q *QQ) friend(ctx context.Context, user int64) (bool, error) {
	var list []struct {
		UserID int64 `json:"user_id"`
	}
	if err := q.API.Call(ctx, "get_friend_list", nil, &list); err != nil {
		return false, fmt.Errorf("get_friend_list: %w", err)
	}
	for _, f := range list {
		if f.UserID == user {
			return true, nil
		}
	}
	return false, nil
}

// SessionPlatforms puts QQ beside Telegram for the sessions package: each
// call goes to the platform of its chat's id range.
type SessionPlatforms struct {
	Telegram sessions.Platform
	QQ       SessionPlatform
}

var _ sessions.Platform = SessionPlatforms{}

func (p SessionPlatforms) of(chatID int64) sessions.Platform {
	if shequn.IsQQ(chatID) {
		return p.QQ
	}
	return p.Telegram
}

func (p SessionPlatforms) Copy(ctx context.Context, chatID int64, ref sessions.MessageRef, relay bool) error {
	return p.of(chatID).Copy(ctx, chatID, ref, relay)
}

func (p SessionPlatforms) OpenChat(ctx context.Context, chatID int64, open bool) error {
	return p.of(chatID).OpenChat(ctx, chatID, open)
}

func (p SessionPlatforms) Unpin(ctx context.Context, chatID int64, messageID int) error {
	return p.of(chatID).Unpin(ctx, chatID, messageID)
}
