// Package onebot is the QQ transport: OneBot v11 (NapCat, LLOneBot,
// Lagrange.OneBot) over reverse WebSocket or HTTP. It turns OneBot events
// into the bot's requests, through the same durable intake as Telegram's
// updates, gives the features a Conversation that speaks in message
// segments and numbered choices, sends through its own rate limits, and
// acts on QQ group members for the groups package. Telegram and OneBot
// types meet only here and in package bot; the domain sees int64 ids, QQ's
// in their own range (shequn.QQUser, shequn.QQGroup).
package onebot

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Event is one OneBot v11 event (message, notice, request or meta event),
// with the fields shequn reads of each.
type Event struct {
	Time          int64   `json:"time"`
	SelfID        int64   `json:"self_id"`
	PostType      string  `json:"post_type"`
	MessageType   string  `json:"message_type,omitempty"`
	NoticeType    string  `json:"notice_type,omitempty"`
	RequestType   string  `json:"request_type,omitempty"`
	MetaEventType string  `json:"meta_event_type,omitempty"`
	SubType       string  `json:"sub_type,omitempty"`
	MessageID     int64   `json:"message_id,omitempty"`
	UserID        int64   `json:"user_id,omitempty"`
	GroupID       int64   `json:"group_id,omitempty"`
	OperatorID    int64   `json:"operator_id,omitempty"`
	Message       Message `json:"message,omitempty"`
	RawMessage    string  `json:"raw_message,omitempty"`
	Sender        *Author `json:"sender,omitempty"`
	Comment       string  `json:"comment,omitempty"`  // a join request's 验证信息
	Flag          string  `json:"flag,omitempty"`     // a request's handle for set_group_add_request
	CardNew       string  `json:"card_new,omitempty"` // notice group_card (go-cqhttp, NapCat, Lagrange)
	CardOld       string  `json:"card_old,omitempty"`
}

// Author is who sent a message: nickname, and in groups their card and role.
type Author struct {
	UserID   int64  `json:"user_id"`
	Nickname string `json:"nickname"`
	Card     string `json:"card,omitempty"`
	Role     string `json:"role,omitempty"` // owner, admin, member
}

// Segment is one part of a message: text, at, image, file, reply …
// Data values are strings in the array format; numbers are read too.
type Segment struct {
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
}

// Str reads a data field as text.
func (s Segment) Str(key string) string {
	switch v := s.Data[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// Text is a text segment. Whatever it holds stays text: a segment array
// is never parsed for CQ codes, so a name or a comment cannot inject one.
func Text(s string) Segment { return Segment{Type: "text", Data: map[string]any{"text": s}} }

// Message is a message as a segment array. An implementation set to the
// string format sends a string; it is taken as one text segment, never
// parsed for CQ codes.
type Message []Segment

// UnmarshalJSON reads the array format, and the string format as text.
func (m *Message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*m = Message{Text(s)}
		return nil
	}
	var segs []Segment
	if err := json.Unmarshal(b, &segs); err != nil {
		return err
	}
	*m = segs
	return nil
}

// PlainText joins the message's text segments; other segments are left out.
func (m Message) PlainText() string {
	var s string
	for _, seg := range m {
		if seg.Type == "text" {
			s += seg.Str("text")
		}
	}
	return s
}

// Response is the answer to an action, over HTTP or WebSocket.
type Response struct {
	Status  string          `json:"status"`
	Retcode int             `json:"retcode"`
	Data    json.RawMessage `json:"data"`
	Msg     string          `json:"msg,omitempty"`     // go-cqhttp
	Message string          `json:"message,omitempty"` // NapCat, LLOneBot
	Wording string          `json:"wording,omitempty"` // the same, for people
	Echo    json.RawMessage `json:"echo,omitempty"`
}

// Error is a failed action: status "failed" with its retcode, or an HTTP
// status the API answered with (401, 403, 404 as 1401, 1403, 1404).
type Error struct {
	Action  string
	Retcode int
	Msg     string
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("onebot %s: retcode %d", e.Action, e.Retcode)
	}
	return fmt.Sprintf("onebot %s: retcode %d: %s", e.Action, e.Retcode, e.Msg)
}

// Retcodes of OneBot v11 (the HTTP statuses over the socket), and two of
// go-cqhttp's that the fake answers with. Beyond "refused or not" shequn
// reads no retcode of a failed action: implementations differ, so a
// refusal is explained by asking QQ (see diagnose).
const (
	RetBadRequest   = 1400 // HTTP 400
	RetUnauthorized = 1401
	RetForbidden    = 1403
	RetNoAction     = 1404
	RetBadParams    = 100 // go-cqhttp: bad parameters, or a member or group not found
	RetFailed       = 102 // go-cqhttp: the operation failed (no rights, not in the group)
)

// request is an action over WebSocket.
type request struct {
	Action string `json:"action"`
	Params any    `json:"params,omitempty"`
	Echo   string `json:"echo"`
}
