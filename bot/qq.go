package bot

import (
	"context"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/sessions"
)

// QQSide is the QQ transport as the bot sees it (package onebot): a
// conversation per QQ chat, and sending and pinning for the notices. The
// features never see it: Bot picks the side by the chat's id range
// (shequn.IsQQ), so every feature works on QQ with the same handlers.
type QQSide interface {
	// Chat is the conversation of a QQ chat (a user's or a group's id).
	Chat(chatID int64) Conversation
	// Send sends a text (HTML, as the texts are) with choices and returns
	// the message's id.
	Send(ctx context.Context, chatID int64, text string, choices [][]Choice) (int, error)
	// Pin marks a message the bot sent as the group's essence message.
	Pin(ctx context.Context, chatID int64, messageID int) error
	// Delete recalls a message in a QQ chat (a moderation command).
	Delete(ctx context.Context, chatID int64, messageID int) error
}

// InitWithoutTelegram builds the bot of a QQ-only community: Telegram is
// not configured, so nobody is asked who the bot is there (Init's getMe).
func (b *Bot) InitWithoutTelegram() { b.build() }

// conversation is where replies to a chat go: QQ's side for QQ ids, the
// Telegram chat otherwise.
func conversation(qq QQSide, sender *Sender, chatID int64) Conversation {
	if shequn.IsQQ(chatID) && qq != nil {
		return qq.Chat(chatID)
	}
	return telegramChat{sender: sender, chatID: chatID}
}

// sendQQ renders a notice for a QQ user or group and sends it. The way
// into a QQ group is its number and the buyer's join code, not a link.
func sendQQ(ctx context.Context, b *Bot, chatID, userID int64, lang Lang, n shequn.Notice) (int, error) {
	if b.QQ == nil {
		return 0, fmt.Errorf("send to QQ %d: QQ is not configured: %w", shequn.QQNumber(chatID), shequn.ErrUnreachable)
	}
	if inv, ok := n.(groups.InviteNotice); ok && userID != 0 && shequn.IsQQ(inv.Group.ChatID) {
		text := T(lang, "qq.invite", b.core.courseTitle(inv.Course), b.core.memberNumber(inv.Course, inv.Number),
			groupName(lang, inv.Group), shequn.QQNumber(inv.Group.ChatID), groups.JoinCode(inv.Course, userID))
		return b.QQ.Send(ctx, chatID, text, nil)
	}
	if inv, ok := n.(groups.CoreInviteNotice); ok && userID != 0 && shequn.IsQQ(inv.Group.ChatID) {
		// The core group's way in on QQ: its number and the invitee's code.
		text := T(lang, "qq.core_invite", HTML(reasonText(lang, inv.Reason)), shequn.QQNumber(inv.Group.ChatID),
			groups.CoreJoinCode(inv.Scope, userID), b.core.date(lang, inv.Expires))
		return b.QQ.Send(ctx, chatID, text, nil)
	}
	if an, ok := n.(assignments.AssignmentNotice); ok {
		// No deep links on QQ: the students send /submit to the bot.
		a := an.Assignment
		text := T(lang, "qq.assign.announce", a.Title, a.Description, a.MaxScore, b.core.date(lang, a.Due), a.ID)
		return b.QQ.Send(ctx, chatID, text, nil)
	}
	text, kb, err := render(b.core, lang, n)
	if err != nil {
		return 0, err
	}
	if rn, ok := n.(sessions.ReminderNotice); ok {
		// No button on QQ, and the group is muted: a numbered reply, or /checkin privately.
		x := rn.Session
		text = T(lang, "qq.session.reminder", x.Topic, x.SpeakerName, b.core.date(lang, x.StartAt), shortDuration(rn.Before))
	}
	return b.QQ.Send(ctx, chatID, text, choicesOf(kb))
}

// choicesOf turns an inline keyboard back into choices.
func choicesOf(kb *tgbotapi.InlineKeyboardMarkup) [][]Choice {
	if kb == nil {
		return nil
	}
	rows := make([][]Choice, 0, len(kb.InlineKeyboard))
	for _, row := range kb.InlineKeyboard {
		cs := make([]Choice, 0, len(row))
		for _, btn := range row {
			c := Choice{Label: btn.Text}
			if btn.URL != nil {
				c.URL = *btn.URL
			}
			if btn.CallbackData != nil {
				c.Data = *btn.CallbackData
			}
			cs = append(cs, c)
		}
		rows = append(rows, cs)
	}
	return rows
}
