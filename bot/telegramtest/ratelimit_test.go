package telegramtest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestRateLimits(t *testing.T) {
	// step is one action of a scenario: advance the clock, then send count
	// messages to chat (an index into the scenario's chats) expecting the
	// last one to fail with retry_after (0 = success).
	type step struct {
		advance    time.Duration
		chat       int
		count      int
		retryAfter int
	}
	for _, tc := range []struct {
		name  string
		group bool // chat 0 is a group rather than a private chat
		users int  // started users, chats 1..users are their private chats
		steps []step
	}{
		{name: "private chat 1/s", users: 1, steps: []step{
			{chat: 1, count: 1},
			{chat: 1, count: 1, retryAfter: 1},
			{advance: 999 * time.Millisecond, chat: 1, count: 1, retryAfter: 1},
			{advance: time.Millisecond, chat: 1, count: 1},
		}},
		{name: "group 20/min", group: true, steps: []step{
			{chat: 0, count: 20},
			{chat: 0, count: 1, retryAfter: 60},
			{advance: 30 * time.Second, chat: 0, count: 1, retryAfter: 30},
			{advance: 30 * time.Second, chat: 0, count: 1},
		}},
		{name: "global 30/s", users: 31, steps: []step{
			{chat: 1, count: 1}, {chat: 2, count: 1}, {chat: 3, count: 1}, {chat: 4, count: 1}, {chat: 5, count: 1},
			{chat: 6, count: 1}, {chat: 7, count: 1}, {chat: 8, count: 1}, {chat: 9, count: 1}, {chat: 10, count: 1},
			{chat: 11, count: 1}, {chat: 12, count: 1}, {chat: 13, count: 1}, {chat: 14, count: 1}, {chat: 15, count: 1},
			{chat: 16, count: 1}, {chat: 17, count: 1}, {chat: 18, count: 1}, {chat: 19, count: 1}, {chat: 20, count: 1},
			{chat: 21, count: 1}, {chat: 22, count: 1}, {chat: 23, count: 1}, {chat: 24, count: 1}, {chat: 25, count: 1},
			{chat: 26, count: 1}, {chat: 27, count: 1}, {chat: 28, count: 1}, {chat: 29, count: 1}, {chat: 30, count: 1},
			{chat: 31, count: 1, retryAfter: 1},
			{advance: time.Second, chat: 31, count: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			srv, bot := newBot(t, WithClock(clock.Now), WithRateLimits())
			chats := []int64{0}
			if tc.group {
				chats[0] = newGroup(t, srv, AdminRights{})
			}
			for i := 1; i <= tc.users; i++ {
				id := int64(1000 + i)
				srv.AddUser(User{ID: id, FirstName: fmt.Sprint("U", i)})
				if _, err := srv.SendText(id, id, "/start"); err != nil {
					t.Fatal(err)
				}
				chats = append(chats, id)
			}
			for si, st := range tc.steps {
				clock.Advance(st.advance)
				for i := 0; i < st.count; i++ {
					_, err := bot.Send(tgbotapi.NewMessage(chats[st.chat], "x"))
					if i < st.count-1 || st.retryAfter == 0 {
						if err != nil {
							t.Fatalf("step %d message %d: %v", si, i, err)
						}
						continue
					}
					var apiErr *tgbotapi.Error
					if !errors.As(err, &apiErr) || apiErr.Code != 429 || apiErr.RetryAfter != st.retryAfter ||
						apiErr.Message != fmt.Sprintf("Too Many Requests: retry after %d", st.retryAfter) {
						t.Fatalf("step %d: error = %#v, want 429 retry after %d", si, err, st.retryAfter)
					}
				}
			}
		})
	}
}

func TestNoRateLimitsByDefault(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	for i := 0; i < 50; i++ {
		if _, err := bot.Send(tgbotapi.NewMessage(alice, "x")); err != nil {
			t.Fatal(err)
		}
	}
}

// Scaled limits hold k times the messages in the same windows, and every
// refusal is counted.
func TestRateLimitsScaled(t *testing.T) {
	clock := newClock()
	srv, bot := newBot(t, WithClock(clock.Now), WithRateLimitsScaled(2))
	group := newGroup(t, srv, AdminRights{})
	var users []int64
	for i := range 61 {
		id := int64(2000 + i)
		srv.AddUser(User{ID: id, FirstName: "U"})
		if _, err := srv.SendText(id, id, "/start"); err != nil {
			t.Fatal(err)
		}
		users = append(users, id)
	}
	send := func(chat int64) int {
		t.Helper()
		_, err := bot.Send(tgbotapi.NewMessage(chat, "x"))
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && apiErr.Code == 429 {
			return apiErr.RetryAfter
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	// Two a second into a private chat.
	if send(users[0]) != 0 || send(users[0]) != 0 || send(users[0]) != 1 {
		t.Fatal("a private chat did not take exactly 2 messages a second")
	}
	// 60 a second in all: 58 more fit, the 61st waits.
	for _, u := range users[1:59] {
		if send(u) != 0 {
			t.Fatalf("message to %d refused under the global limit", u)
		}
	}
	if send(users[59]) != 1 {
		t.Fatal("the 61st message of the second was taken")
	}
	// 40 a minute into a group.
	clock.Advance(time.Second)
	for i := range 40 {
		if send(group) != 0 {
			t.Fatalf("group message %d refused", i)
		}
	}
	if send(group) != 60 {
		t.Fatal("the 41st group message of the minute was taken")
	}
	if n := srv.RateLimited(); n != 3 {
		t.Fatalf("RateLimited() = %d, want 3", n)
	}
}
