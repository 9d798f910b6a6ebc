package onebot

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
)

// Take is the transport's Events: it turns an event into the bot's
// update and hands it to the intake, which stores it before it is
// handled, in order within its chat, exactly like a Telegram update. The
// update is the neutral carrier the router reads: a tgbotapi.Message,
// User and Chat filled with QQ's ids (shequn.QQUser, shequn.QQGroup).
func (q *QQ) Take(ctx context.Context, e Event) error {
	defer q.taken.Add(1)
	if e.NoticeType == "group_card" {
		q.correctCard(e.GroupID, e.UserID, e.CardNew, "", true)
		return nil
	}
	var u tgbotapi.Update
	ok := false
	if e.PostType == "request" && e.RequestType == "friend" {
		q.befriend(e.Flag, e.UserID) // anyone may talk to the bot to buy
		u, ok = q.friended(e), e.UserID != 0
	} else {
		u, ok = q.update(e)
	}
	if !ok {
		return nil
	}
	if e.NoticeType == "group_increase" {
		q.correctCard(e.GroupID, e.UserID, "", "", false)
	}
	if m := u.Message; m != nil && e.MessageType == "group" && e.Sender != nil && m.Text != "" {
		q.correctCard(e.GroupID, e.UserID, e.Sender.Card, e.Sender.Nickname, true)
	}
	if err := q.Accept(ctx, []tgbotapi.Update{u}); err != nil {
		return fmt.Errorf("take QQ event: %w", err)
	}
	return nil
}

// flagPrefix marks a QQ join request's flag in the update that carries it.
const flagPrefix = "qq-flag:"

// remember keeps a join request's flag until it is answered.
func (q *QQ) remember(groupID, userID int64, flag string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.flags == nil {
		q.flags = map[[2]int64]string{}
	}
	q.flags[[2]int64{groupID, userID}] = flag
}

// Handling wraps the intake's handler: a QQ join request read back from
// the store (after a restart, or by another instance) brings its flag
// back before it is handled.
func (q *QQ) Handling(next func(ctx context.Context, u tgbotapi.Update) error) func(ctx context.Context, u tgbotapi.Update) error {
	return func(ctx context.Context, u tgbotapi.Update) error {
		if jr := u.ChatJoinRequest; jr != nil && shequn.IsQQ(jr.Chat.ID) && jr.InviteLink != nil {
			if flag, ok := strings.CutPrefix(jr.InviteLink.InviteLink, flagPrefix); ok {
				q.remember(shequn.QQNumber(jr.Chat.ID), shequn.QQNumber(jr.From.ID), flag)
			}
		}
		if m := u.Message; m != nil && m.Chat != nil && shequn.IsQQ(m.Chat.ID) && m.ReplyToMessage != nil && m.ReplyToMessage.From == nil {
			u.Message = q.replied(ctx, m)
		}
		return next(ctx, u)
	}
}

// replied returns the message with the message it replies to read from
// QQ (get_msg): its author and text. When QQ no longer has it, the person
// the reply @s stands in as its author (QQ's client adds that @);
// without one it is a reply to nothing.
func (q *QQ) replied(ctx context.Context, m *tgbotapi.Message) *tgbotapi.Message {
	var got struct {
		Sender  Author  `json:"sender"`
		Message Message `json:"message"`
	}
	to := *m.ReplyToMessage
	if err := q.API.Call(ctx, "get_msg", map[string]any{"message_id": to.MessageID}, &got); err != nil || got.Sender.UserID == 0 {
		q.Log.InfoContext(ctx, "qq replied-to message not read", "message", to.MessageID, "err", err)
		for _, e := range m.Entities {
			if e.Type == "text_mention" && e.User != nil {
				out := *m
				to.From = e.User // QQ's client @s the author of a reply
				out.ReplyToMessage = &to
				return &out
			}
		}
		return m
	}
	self := q.Self != nil && got.Sender.UserID == q.Self()
	to.From = &tgbotapi.User{ID: shequn.QQUser(got.Sender.UserID), FirstName: got.Sender.Nickname, IsBot: self}
	if !self && got.Sender.Nickname == "" {
		to.From.FirstName = q.known(got.Sender.UserID)
	}
	to.Text = strings.TrimSpace(got.Message.PlainText())
	out := *m
	out.ReplyToMessage = &to
	return &out
}

// updateID gives an event an id in QQ's range of update ids (above
// Telegram's, which stay far below 2^53): the same event delivered twice
// gets the same id, so the update log takes it once.
func updateID(e Event) int {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s/%s/%s/%s/%d/%d/%d/%d/%s", e.SelfID, e.PostType, e.MessageType, e.NoticeType, e.SubType,
		e.MessageID, e.UserID, e.GroupID, e.Time, e.Flag)
	return int(int64(1)<<53 | int64(h.Sum64()&(1<<52-1)))
}

func (q *QQ) update(e Event) (tgbotapi.Update, bool) {
	if u, ok := q.botChanged(e); ok {
		return u, true
	}
	if e.UserID == 0 || (q.Self != nil && e.UserID == q.Self()) {
		return tgbotapi.Update{}, false // the account's own doings
	}
	u := tgbotapi.Update{UpdateID: updateID(e)}
	user := tgbotapi.User{ID: shequn.QQUser(e.UserID), LanguageCode: string(languageOfQQ), FirstName: q.nickname(e)}
	chat := &tgbotapi.Chat{ID: user.ID, Type: "private", FirstName: user.FirstName}
	if e.GroupID != 0 {
		chat = &tgbotapi.Chat{ID: shequn.QQGroup(e.GroupID), Type: "group"}
	}
	switch {
	case e.PostType == "message" && (e.MessageType == "private" || e.MessageType == "group"):
		m := q.message(e, &user, chat)
		if n, err := strconv.Atoi(strings.TrimSpace(m.Text)); err == nil && m.Photo == nil && m.Document == nil {
			if data, ok := q.choice(chat.ID, n); ok {
				u.CallbackQuery = &tgbotapi.CallbackQuery{ID: strconv.Itoa(u.UpdateID), From: &user, Message: m, Data: data}
				return u, true
			}
		}
		u.Message = m
	case e.PostType == "request" && e.RequestType == "group" && e.SubType == "add":
		q.remember(e.GroupID, e.UserID, e.Flag)
		// The flag rides in the stored update, so a request handled after
		// a restart can still be answered (see Handling).
		u.ChatJoinRequest = &tgbotapi.ChatJoinRequest{Chat: *chat, From: user, Date: int(e.Time), Bio: e.Comment,
			InviteLink: &tgbotapi.ChatInviteLink{InviteLink: flagPrefix + e.Flag}}
	case e.PostType == "notice" && e.NoticeType == "group_increase":
		u.Message = &tgbotapi.Message{Chat: chat, From: &user, Date: int(e.Time), NewChatMembers: []tgbotapi.User{user}}
	case e.PostType == "notice" && e.NoticeType == "group_decrease" && e.SubType != "kick_me":
		u.Message = &tgbotapi.Message{Chat: chat, From: &user, Date: int(e.Time), LeftChatMember: &user}
	default:
		return tgbotapi.Update{}, false
	}
	return u, true
}

// botChanged carries a change of the account's own standing in a group
// (kicked out, made or unmade an administrator) as Telegram's
// my_chat_member, so the group's rights are read again and its owners
// told of a problem.
func (q *QQ) botChanged(e Event) (tgbotapi.Update, bool) {
	self := e.SelfID
	if q.Self != nil && q.Self() != 0 {
		self = q.Self()
	}
	var was, is string
	switch {
	case e.NoticeType == "group_decrease" && e.SubType == "kick_me":
		was, is = "administrator", "kicked"
	case e.NoticeType == "group_admin" && e.UserID == self && e.SubType == "set":
		was, is = "member", "administrator"
	case e.NoticeType == "group_admin" && e.UserID == self && e.SubType == "unset":
		was, is = "administrator", "member"
	default:
		return tgbotapi.Update{}, false
	}
	by := tgbotapi.User{ID: shequn.QQUser(max(e.OperatorID, 1)), FirstName: q.known(e.OperatorID)}
	me := &tgbotapi.User{ID: shequn.QQUser(self), IsBot: true}
	return tgbotapi.Update{UpdateID: updateID(e), MyChatMember: &tgbotapi.ChatMemberUpdated{
		Chat: tgbotapi.Chat{ID: shequn.QQGroup(e.GroupID), Type: "group"}, From: by, Date: int(e.Time),
		OldChatMember: tgbotapi.ChatMember{User: me, Status: was}, NewChatMember: tgbotapi.ChatMember{User: me, Status: is},
	}}, true
}

// nickname is the sender's QQ nickname; notices and requests carry none,
// so the last one a message showed stands in (an empty name would replace
// the stored profile's).
func (q *QQ) nickname(e Event) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.names == nil {
		q.names = map[int64]string{}
	}
	if e.Sender != nil && e.Sender.Nickname != "" {
		if len(q.names) > 100_000 {
			clear(q.names)
		}
		q.names[e.UserID] = e.Sender.Nickname
	}
	return q.names[e.UserID]
}

// known is the nickname last seen of a QQ number.
func (q *QQ) known(n int64) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.names[n]
}

// message carries a message's text, and a picture or a file by the
// reference QQ gave it (its URL when there is one).
func (q *QQ) message(e Event, user *tgbotapi.User, chat *tgbotapi.Chat) *tgbotapi.Message {
	m := &tgbotapi.Message{MessageID: int(e.MessageID), From: user, Chat: chat, Date: int(e.Time)}
	var text strings.Builder
	for _, seg := range e.Message {
		switch seg.Type {
		case "text":
			text.WriteString(seg.Str("text"))
		case "image":
			if m.Photo == nil {
				m.Photo = []tgbotapi.PhotoSize{{FileID: firstOf(seg.Str("url"), seg.Str("file"))}}
			}
		case "at":
			// "/grant teacher @某人": the person named is carried as the
			// message replied to, as on Telegram; an @ of the bot only
			// addresses it.
			n, err := strconv.ParseInt(seg.Str("qq"), 10, 64)
			if err != nil || n <= 0 || (q.Self != nil && n == q.Self()) {
				break
			}
			named := &tgbotapi.User{ID: shequn.QQUser(n), FirstName: q.known(n)}
			if m.ReplyToMessage == nil {
				m.ReplyToMessage = &tgbotapi.Message{Chat: chat, From: named}
			}
			// Kept as a mention too: a reply whose message QQ lost falls
			// back to the person named (see replied).
			m.Entities = append(m.Entities, tgbotapi.MessageEntity{Type: "text_mention", User: named})
		case "reply":
			// A reply names the message by id only; Handling reads it
			// (get_msg) off the socket's reader, so a command answering
			// a member's message acts on its author, as on Telegram.
			if id, err := strconv.Atoi(seg.Str("id")); err == nil {
				m.ReplyToMessage = &tgbotapi.Message{MessageID: id, Chat: chat}
			}
		case "file":
			if m.Document == nil {
				m.Document = &tgbotapi.Document{FileID: firstOf(seg.Str("url"), seg.Str("file")), FileName: seg.Str("name")}
			}
		}
	}
	t := strings.TrimSpace(text.String())
	if m.Photo != nil || m.Document != nil {
		m.Caption = t
	} else {
		m.Text = t
	}
	return m
}

// friended carries a friend request, which the account accepts, as
// Telegram's my_chat_member of a private chat the user (re)started: a
// member who had deleted the account is reached by broadcasts again.
func (q *QQ) friended(e Event) tgbotapi.Update {
	user := tgbotapi.User{ID: shequn.QQUser(e.UserID), FirstName: q.known(e.UserID)}
	self := e.SelfID
	if q.Self != nil && q.Self() != 0 {
		self = q.Self()
	}
	me := &tgbotapi.User{ID: shequn.QQUser(self), IsBot: true}
	return tgbotapi.Update{UpdateID: updateID(e), MyChatMember: &tgbotapi.ChatMemberUpdated{
		Chat: tgbotapi.Chat{ID: user.ID, Type: "private", FirstName: user.FirstName}, From: user, Date: int(e.Time),
		OldChatMember: tgbotapi.ChatMember{User: me, Status: "kicked"}, NewChatMember: tgbotapi.ChatMember{User: me, Status: "member"},
	}}
}
