package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/sessions"
)

// SessionPlatform is Telegram as the sessions package sees it: copying a
// message (copyMessage, or copyMessages for an album, which keeps it one
// album; both newer than the client library, so by name), opening and
// muting a group, unpinning.
type SessionPlatform struct {
	Sender *Sender
	// Client downloads a QQ picture or file to send it into Telegram
	// again (see resend); nil sends a line naming it instead.
	Client *http.Client
}

var _ sessions.Platform = (*SessionPlatform)(nil)

// Copy copies the message into the chat at the relay's or bulk priority.
func (p *SessionPlatform) Copy(ctx context.Context, chatID int64, ref sessions.MessageRef, relay bool) error {
	pri := Bulk
	if relay {
		pri = Relay
	}
	if shequn.IsQQ(ref.ChatID) {
		return p.resend(ctx, pri, chatID, ref)
	}
	params := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "from_chat_id": strconv.FormatInt(ref.ChatID, 10)}
	method := "copyMessage"
	if len(ref.MessageIDs) == 1 {
		params["message_id"] = strconv.Itoa(ref.MessageIDs[0])
	} else {
		ids, err := json.Marshal(ref.MessageIDs)
		if err != nil {
			return fmt.Errorf("encode message ids: %w", err)
		}
		method, params["message_ids"] = "copyMessages", string(ids)
	}
	_, err := p.Sender.CallN(ctx, pri, chatID, len(ref.MessageIDs), method, params)
	if err == nil {
		return nil
	}
	return copyError(method, chatID, err)
}

// copyError explains a failed copy: the source gone, a member who cannot
// be written to, a group's problem, or a passing failure.
func copyError(method string, chatID int64, err error) error {
	e, ok := apiError(err)
	switch {
	case ok && e.Code == 400 && strings.Contains(e.Message, "message to copy not found"):
		return fmt.Errorf("%s into %d: %s: %w", method, chatID, e.Message, sessions.ErrSourceGone)
	case ok && chatID > 0 && (e.Code == 403 || e.Code == 400 && strings.Contains(e.Message, "chat not found")):
		// Blocked, never started, deleted: retrying will not help. Another
		// 400 is about this message, not the member.
		return fmt.Errorf("%s to %d: %s: %w", method, chatID, e.Message, shequn.ErrUnreachable)
	case chatID > 0:
		return fmt.Errorf("%s to %d: %w", method, chatID, err)
	}
	return fmt.Errorf("%s into %d: %w", method, chatID, groupError(chatID, "", err))
}

// OpenChat lets the members write text (a question window) or mutes them
// again. A group already so (CHAT_NOT_MODIFIED) is done.
func (p *SessionPlatform) OpenChat(ctx context.Context, chatID int64, open bool) error {
	_, err := p.Sender.Request(ctx, tgbotapi.SetChatPermissionsConfig{
		ChatConfig:  tgbotapi.ChatConfig{ChatID: chatID},
		Permissions: &tgbotapi.ChatPermissions{CanSendMessages: open},
	})
	if notModified(err) || err == nil {
		return nil
	}
	return fmt.Errorf("setChatPermissions: %w", groupError(chatID, groups.RightRestrict, err))
}

// Unpin unpins a message the bot pinned; one unpinned or deleted
// meanwhile is done.
func (p *SessionPlatform) Unpin(ctx context.Context, chatID int64, messageID int) error {
	_, err := p.Sender.Request(ctx, tgbotapi.UnpinChatMessageConfig{ChatID: chatID, MessageID: messageID})
	if e, ok := apiError(err); ok && e.Code == 400 && strings.Contains(e.Message, "not found") && !strings.Contains(e.Message, "chat not found") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("unpin in %d: %w", chatID, groupError(chatID, groups.RightPin, err))
	}
	return nil
}
