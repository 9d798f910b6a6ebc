package onebot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/groups"
)

// ChoiceTTL is how long numbered choices answer: a "2" sent later is an
// ordinary message again.
const ChoiceTTL = 30 * time.Minute

// QQ is the QQ side of the bot: it turns OneBot events into the bot's
// updates (events.go), gives the features a conversation per QQ chat,
// sends the notices, and keeps members' cards showing their numbers.
type QQ struct {
	API    Caller
	Out    *Sender
	Self   func() int64 // the account's QQ number
	Accept func(ctx context.Context, updates []bot.Update) error
	// Numbers finds a member's number in a group, for their card
	// (groups.Service.MemberNumber).
	Numbers interface {
		MemberNumber(ctx context.Context, chatID, userID int64) (string, bool, error)
	}
	Now func() time.Time
	Log *slog.Logger

	mu      sync.Mutex
	choices map[int64]offered   // chat -> the numbered choices shown last
	flags   map[[2]int64]string // (group, user) -> the join request's flag
	names   map[int64]string    // QQ number -> the nickname its messages showed last
	cards   sync.WaitGroup      // card corrections and friend acceptances in flight
	taken   atomic.Int64        // events that reached Take
}

// Taken counts the events that reached Take, for tests and the demo to
// know every event sent is in.
func (q *QQ) Taken() int64 { return q.taken.Load() }

// offered is the numbered choices shown in a chat.
type offered struct {
	data  []string
	until time.Time
}

var _ bot.QQSide = (*QQ)(nil)

// Chat is the conversation of a QQ user or group.
func (q *QQ) Chat(chatID int64) bot.Conversation { return qqChat{q: q, chatID: chatID} }

// qqChat is a QQ chat: plain text in segment arrays, numbered choices.
type qqChat struct {
	q      *QQ
	chatID int64
}

func (c qqChat) Reply(ctx context.Context, text string, choices [][]bot.Choice) error {
	_, err := c.q.send(ctx, Interactive, c.chatID, text, choices)
	return err
}

// SendMedia sends a picture or a file QQ holds, by the reference it
// arrived with (its file or URL).
func (c qqChat) SendMedia(ctx context.Context, kind bot.MediaKind, ref string) error {
	seg := Segment{Type: "image", Data: map[string]any{"file": ref}}
	if kind == bot.MediaDocument {
		seg = Segment{Type: "file", Data: map[string]any{"file": ref}}
	}
	if _, err := c.q.Out.Send(ctx, Interactive, c.chatID, Message{seg}); err != nil {
		return fmt.Errorf("send %s: %w", kind, err)
	}
	return nil
}

// Send sends a notice or a post (bulk traffic: replies go first); see send.
func (q *QQ) Send(ctx context.Context, chatID int64, text string, choices [][]bot.Choice) (int, error) {
	return q.send(ctx, Bulk, chatID, text, choices)
}

// send turns the bot's HTML into plain text with the choices as numbered
// lines, remembers the choices for the chat, and sends it, split at
// MaxText; it returns the first message's id.
func (q *QQ) send(ctx context.Context, pri Priority, chatID int64, text string, choices [][]bot.Choice) (int, error) {
	plain := PlainText(text)
	lines, data := numbered(choices, chatID)
	if len(lines) > 0 {
		plain += "\n\n" + strings.Join(lines, "\n")
	}
	if len(data) > 0 {
		q.mu.Lock()
		if q.choices == nil {
			q.choices = map[int64]offered{}
		}
		q.choices[chatID] = offered{data: data, until: q.Now().Add(ChoiceTTL)}
		q.mu.Unlock()
	}
	first := 0
	for i, part := range Split(plain, MaxText) {
		id, err := q.Out.Send(ctx, pri, chatID, Message{Text(part)})
		if err != nil && chatID < 0 {
			return first, q.diagnose(ctx, chatID, "", err) // the account removed or the group gone: the owners are told
		}
		if err != nil {
			return first, q.unreachable(ctx, chatID, err) // deleted the account: the notice waits for them
		}
		if i == 0 {
			first = int(id)
		}
	}
	return first, nil
}

// Pin marks a message as the group's essence message, QQ's pin.
func (q *QQ) Pin(ctx context.Context, chatID int64, messageID int) error {
	if err := q.API.Call(ctx, "set_essence_msg", map[string]any{"message_id": messageID}, nil); err != nil {
		return fmt.Errorf("set_essence_msg in %d: %w", shequn.QQNumber(chatID), q.diagnose(ctx, chatID, groups.RightPin, err))
	}
	return nil
}

// Delete recalls a message (delete_msg): an administrator's account
// recalls members' messages, and its own.
func (q *QQ) Delete(ctx context.Context, chatID int64, messageID int) error {
	if err := q.API.Call(ctx, "delete_msg", map[string]any{"message_id": messageID}, nil); err != nil {
		return fmt.Errorf("delete_msg in %d: %w", shequn.QQNumber(chatID), err)
	}
	return nil
}

// choice returns the data of the n-th choice last shown in the chat.
func (q *QQ) choice(chatID int64, n int) (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	o, ok := q.choices[chatID]
	if !ok || n < 1 || n > len(o.data) || q.Now().After(o.until) {
		return "", false
	}
	return o.data[n-1], true
}

// fixCard makes a seated member's card start with their number
// ("PPT-00042 小明"), keeping the name they gave. card is the card as it
// is; known false reads it first.
func (q *QQ) fixCard(ctx context.Context, groupID, userID int64, card, nickname string, known bool) error {
	if q.Numbers == nil {
		return nil // nobody keeps numbers: no cards
	}
	chatID, user := shequn.QQGroup(groupID), shequn.QQUser(userID)
	number, ok, err := q.Numbers.MemberNumber(ctx, chatID, user)
	if err != nil || !ok {
		return err
	}
	if known && strings.HasPrefix(card, number) {
		return nil
	}
	if !known {
		var m struct {
			Nickname string `json:"nickname"`
			Card     string `json:"card"`
		}
		if err := q.API.Call(ctx, "get_group_member_info", map[string]any{"group_id": groupID, "user_id": userID, "no_cache": true}, &m); err != nil {
			return fmt.Errorf("read card: %w", err)
		}
		if strings.HasPrefix(m.Card, number) {
			return nil
		}
		card, nickname = m.Card, m.Nickname
	}
	want := Card(number, card, nickname)
	if err := q.API.Call(ctx, "set_group_card", map[string]any{"group_id": groupID, "user_id": userID, "card": want}, nil); err != nil {
		return fmt.Errorf("set card: %w", err)
	}
	q.Log.InfoContext(ctx, "qq card set", "group", groupID, "user", userID, "card", want)
	return nil
}

// Card is a member's card: their number, then the name they chose (the
// card they wrote, without any number, else their nickname), at most 60
// bytes as QQ allows.
func Card(number, card, nickname string) string {
	name := strings.TrimSpace(card)
	if name == "" {
		name = strings.TrimSpace(nickname)
	}
	if i := strings.IndexByte(name, ' '); i >= 0 && strings.ContainsRune(name[:i], '-') {
		name = strings.TrimSpace(name[i+1:]) // a number put there before
	}
	out := strings.TrimSpace(number + " " + name)
	for len(out) > 60 {
		r := []rune(out)
		out = string(r[:len(r)-1])
	}
	return out
}

// correctCard runs fixCard in the background: events arrive on the
// socket's reader, which must not wait for an action's answer.
func (q *QQ) correctCard(groupID, userID int64, card, nickname string, known bool) {
	q.cards.Add(1)
	go func() {
		defer q.cards.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := q.fixCard(ctx, groupID, userID, card, nickname, known); err != nil {
			q.Log.WarnContext(ctx, "qq card not corrected", "group", groupID, "user", userID, "err", err)
		}
	}()
}

// befriend accepts a friend request in the background: QQ lets the bot
// talk privately to its friends, and a buyer starts by writing to it.
func (q *QQ) befriend(flag string, userID int64) {
	q.cards.Add(1)
	go func() {
		defer q.cards.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := q.API.Call(ctx, "set_friend_add_request", map[string]any{"flag": flag, "approve": true}, nil); err != nil {
			q.Log.WarnContext(ctx, "qq friend request not accepted", "user", userID, "err", err)
		}
	}()
}

// Wait returns when the card corrections and friend acceptances started
// so far are done.
func (q *QQ) Wait() { q.cards.Wait() }
