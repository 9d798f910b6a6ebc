package telegramtest

import (
	"errors"
	"time"
)

// User is a Telegram user known to the fake server. Its JSON form matches the
// Bot API User object.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// ChatPermissions are the permissions of ordinary members of a supergroup (the
// chat's default permissions) or of one restricted member. Its JSON form
// matches the Bot API ChatPermissions object; absent fields decode as false.
type ChatPermissions struct {
	CanSendMessages       bool `json:"can_send_messages"`
	CanSendMediaMessages  bool `json:"can_send_media_messages"`
	CanSendPolls          bool `json:"can_send_polls"`
	CanSendOtherMessages  bool `json:"can_send_other_messages"`
	CanAddWebPagePreviews bool `json:"can_add_web_page_previews"`
	CanChangeInfo         bool `json:"can_change_info"`
	CanInviteUsers        bool `json:"can_invite_users"`
	CanPinMessages        bool `json:"can_pin_messages"`
	CanManageTopics       bool `json:"can_manage_topics"`
}

// AllPermissions returns permissions with every right granted, which is the
// default of a freshly created supergroup.
func AllPermissions() ChatPermissions {
	return ChatPermissions{
		CanSendMessages: true, CanSendMediaMessages: true, CanSendPolls: true,
		CanSendOtherMessages: true, CanAddWebPagePreviews: true, CanChangeInfo: true,
		CanInviteUsers: true, CanPinMessages: true, CanManageTopics: true,
	}
}

// and returns the permissions granted by both p and q.
func (p ChatPermissions) and(q ChatPermissions) ChatPermissions {
	return ChatPermissions{
		CanSendMessages:       p.CanSendMessages && q.CanSendMessages,
		CanSendMediaMessages:  p.CanSendMediaMessages && q.CanSendMediaMessages,
		CanSendPolls:          p.CanSendPolls && q.CanSendPolls,
		CanSendOtherMessages:  p.CanSendOtherMessages && q.CanSendOtherMessages,
		CanAddWebPagePreviews: p.CanAddWebPagePreviews && q.CanAddWebPagePreviews,
		CanChangeInfo:         p.CanChangeInfo && q.CanChangeInfo,
		CanInviteUsers:        p.CanInviteUsers && q.CanInviteUsers,
		CanPinMessages:        p.CanPinMessages && q.CanPinMessages,
		CanManageTopics:       p.CanManageTopics && q.CanManageTopics,
	}
}

// AdminRights are the administrator rights of the bot (or of a promoted user)
// in a supergroup.
type AdminRights struct {
	CanManageChat       bool
	CanDeleteMessages   bool
	CanManageVideoChats bool
	CanRestrictMembers  bool
	CanPromoteMembers   bool
	CanInviteUsers      bool
	CanPinMessages      bool
	CanChangeInfo       bool
}

// FullAdminRights returns AdminRights with every right granted.
func FullAdminRights() AdminRights {
	return AdminRights{
		CanManageChat: true, CanDeleteMessages: true, CanManageVideoChats: true,
		CanRestrictMembers: true, CanPromoteMembers: true, CanInviteUsers: true,
		CanPinMessages: true, CanChangeInfo: true,
	}
}

// MessageEntity is a special entity in a message text (bold, bot_command,
// text_link …). Offset and Length are in UTF-16 code units, as in the Bot API.
type MessageEntity struct {
	Type     string `json:"type"`
	Offset   int    `json:"offset"`
	Length   int    `json:"length"`
	URL      string `json:"url,omitempty"`
	User     *User  `json:"user,omitempty"`
	Language string `json:"language,omitempty"`
}

// Button is one inline keyboard button. Exactly one of CallbackData and URL is
// normally set.
type Button struct {
	Text         string
	CallbackData string
	URL          string
}

// Message is a snapshot of one message stored in a chat, as returned by
// Server.Messages. Service messages (members joining or leaving, pins) have an
// empty Text and NewChatMembers, LeftChatMember or PinnedMessageID set.
type Message struct {
	ID     int
	ChatID int64
	From   User
	// Text is the text as Telegram shows it: markup removed, entities parsed.
	Text string
	// RawText is the text exactly as the sender submitted it.
	RawText   string
	ParseMode string
	Entities  []MessageEntity
	// ReplyMarkup holds the rows of the inline keyboard, nil if none.
	ReplyMarkup      [][]Button
	ReplyToMessageID int
	Date             time.Time
	Pinned           bool
	Deleted          bool
	Edited           bool
	EditDate         time.Time
	NewChatMembers   []User
	LeftChatMember   *User
	PinnedMessageID  int

	// Media: a photo or a document with its caption.
	Caption        string
	PhotoFileID    string
	DocumentFileID string
	DocumentName   string
	// MediaGroupID is the album a photo belongs to; empty when none.
	MediaGroupID string
}

// InviteLink is a snapshot of a chat invite link.
type InviteLink struct {
	Link               string
	ChatID             int64
	Name               string
	Creator            User
	CreatesJoinRequest bool
	IsPrimary          bool
	IsRevoked          bool
	// ExpireDate is zero when the link does not expire.
	ExpireDate time.Time
	// MemberLimit is zero when unlimited.
	MemberLimit             int
	JoinedCount             int
	PendingJoinRequestCount int
}

// BotCommand is one command of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// CommandScope identifies the scope of a command list, as the Bot API
// BotCommandScope object: Type is one of default, all_private_chats,
// all_group_chats, all_chat_administrators, chat, chat_administrators and
// chat_member.
type CommandScope struct {
	Type   string `json:"type"`
	ChatID int64  `json:"chat_id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
}

// CallbackAnswer is what the bot answered to a callback query.
type CallbackAnswer struct {
	Text      string
	ShowAlert bool
	URL       string
}

// Event describes something that happened on the fake server, for building a
// transcript. Kind is one of bot_message, bot_edit, bot_delete, bot_pin,
// user_message, callback, callback_answer, join_request, join, leave, ban,
// unban, restrict, promote, approve, decline, permissions, block, unblock,
// bot_added, bot_removed, invite_link.
type Event struct {
	Kind   string
	ChatID int64
	UserID int64
	Text   string
	Time   time.Time
}

// Errors returned by the driving methods (SendText, Click, RequestJoin …).
// They are wrapped with details; test them with errors.Is.
var (
	ErrUnknownUser     = errors.New("telegramtest: unknown user")
	ErrUnknownChat     = errors.New("telegramtest: unknown chat")
	ErrNotMember       = errors.New("telegramtest: user is not a member of the chat")
	ErrCannotSend      = errors.New("telegramtest: user may not send messages to the chat")
	ErrMessageNotFound = errors.New("telegramtest: message not found")
	ErrNoButton        = errors.New("telegramtest: message has no such callback button")
	ErrInvalidLink     = errors.New("telegramtest: invite link is invalid or revoked")
	ErrLinkExpired     = errors.New("telegramtest: invite link expired")
	ErrLinkLimit       = errors.New("telegramtest: invite link usage limit reached")
	ErrBanned          = errors.New("telegramtest: user is banned in the chat")
	ErrAlreadyMember   = errors.New("telegramtest: user is already a member of the chat")
	ErrRequestPending  = errors.New("telegramtest: join request already pending")
	ErrBotNotInChat    = errors.New("telegramtest: bot is not in the chat")
)
