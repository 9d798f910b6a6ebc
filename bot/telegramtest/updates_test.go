package telegramtest

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestAuthAndRouting(t *testing.T) {
	srv, bot := newBot(t, WithBotUsername("course_bot"))
	if bot.Self.UserName != "course_bot" || bot.Self.ID != 123456 || !bot.Self.IsBot {
		t.Fatalf("getMe = %+v", bot.Self)
	}
	_, err := tgbotapi.NewBotAPIWithClient("999:wrong", srv.URL()+"/bot%s/%s", http.DefaultClient)
	wantAPIError(t, err, 401, "Unauthorized")
	_, err = bot.MakeRequest("noSuchMethod", nil)
	wantAPIError(t, err, 404, "Not Found")
	// Method names are case-insensitive.
	if _, err := bot.MakeRequest("GETME", nil); err != nil {
		t.Fatal(err)
	}
	if got := srv.Calls("getMe"); got != 2 {
		t.Fatalf("Calls(getMe) = %d, want 2", got)
	}
}

func TestGetUpdatesOffsets(t *testing.T) {
	for _, tc := range []struct {
		name string
		// cfg builds the request from the ids of the three queued updates.
		cfg     func(ids []int) tgbotapi.UpdateConfig
		want    []int // indexes into ids
		pending int   // queued updates afterwards
	}{
		{"no offset returns all unconfirmed", func([]int) tgbotapi.UpdateConfig { return tgbotapi.UpdateConfig{} }, []int{0, 1, 2}, 3},
		{"limit", func([]int) tgbotapi.UpdateConfig { return tgbotapi.UpdateConfig{Limit: 2} }, []int{0, 1}, 3},
		{"offset confirms earlier", func(ids []int) tgbotapi.UpdateConfig { return tgbotapi.UpdateConfig{Offset: ids[1]} }, []int{1, 2}, 2},
		{"offset past the end confirms all", func(ids []int) tgbotapi.UpdateConfig { return tgbotapi.UpdateConfig{Offset: ids[2] + 1} }, nil, 0},
		{"negative offset keeps the last ones", func([]int) tgbotapi.UpdateConfig { return tgbotapi.UpdateConfig{Offset: -1} }, []int{2}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, bot := newBot(t)
			for _, u := range []int64{alice, bob, charlie} {
				if _, err := srv.SendText(u, u, "hello"); err != nil {
					t.Fatal(err)
				}
			}
			ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
			mustNoErr(t, err)
			if len(ups) != 3 || ups[0].UpdateID != 100000 || ups[2].UpdateID != 100002 {
				t.Fatalf("initial updates = %+v", ups)
			}
			ids := []int{ups[0].UpdateID, ups[1].UpdateID, ups[2].UpdateID}
			got, err := bot.GetUpdates(tc.cfg(ids))
			mustNoErr(t, err)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d updates, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				if got[i].UpdateID != ids[w] {
					t.Errorf("update %d id = %d, want %d", i, got[i].UpdateID, ids[w])
				}
			}
			if p := srv.PendingUpdates(); p != tc.pending {
				t.Errorf("pending = %d, want %d", p, tc.pending)
			}
		})
	}
}

func TestUpdateContents(t *testing.T) {
	srv, bot := newBot(t)
	if _, err := srv.SendText(alice, alice, "/start@shequn_bot promo"); err != nil {
		t.Fatal(err)
	}
	ups := drain(t, bot)
	if len(ups) != 1 || ups[0].Message == nil {
		t.Fatalf("updates = %+v", ups)
	}
	m := ups[0].Message
	if !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "promo" {
		t.Errorf("command = %q args %q entities %+v", m.Command(), m.CommandArguments(), m.Entities)
	}
	if m.Chat.ID != alice || m.Chat.Type != "private" || m.From.FirstName != "Alice" || m.From.LanguageCode != "en" {
		t.Errorf("message = %+v chat %+v from %+v", m, m.Chat, m.From)
	}
}

func TestLongPoll(t *testing.T) {
	srv, bot := newBot(t, WithPollUnit(50*time.Millisecond))

	start := time.Now()
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	mustNoErr(t, err)
	if len(ups) != 0 || time.Since(start) < 40*time.Millisecond {
		t.Fatalf("empty long poll returned %d updates after %v", len(ups), time.Since(start))
	}

	go func() {
		if srv.WaitPolling(t.Context()) == nil {
			_, _ = srv.SendText(alice, alice, "hi")
		}
	}()
	start = time.Now()
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 100}) // 5s
	mustNoErr(t, err)
	if len(ups) != 1 || time.Since(start) > 3*time.Second {
		t.Fatalf("long poll returned %d updates after %v", len(ups), time.Since(start))
	}
}

func TestLongPollConflict(t *testing.T) {
	srv, bot := newBot(t, WithPollUnit(50*time.Millisecond))
	var wg sync.WaitGroup
	var firstErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, firstErr = bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 100})
	}()
	mustNoErr(t, srv.WaitPolling(t.Context()))
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	wantAPIError(t, firstErr, 409, "Conflict: terminated by other getUpdates request")
}

func TestLongPollEndsOnClose(t *testing.T) {
	srv, bot := newBot(t)
	done := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		done <- err
	}()
	mustNoErr(t, srv.WaitPolling(t.Context()))
	srv.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not end on Close")
	}
}

func TestResetUpdateIDs(t *testing.T) {
	srv, bot := newBot(t)
	if _, err := srv.SendText(alice, alice, "a"); err != nil {
		t.Fatal(err)
	}
	ups := drain(t, bot)
	oldOffset := ups[0].UpdateID + 1

	srv.ResetUpdateIDs(7)
	if _, err := srv.SendText(alice, alice, "b"); err != nil {
		t.Fatal(err)
	}
	// Without offset the new, lower id is returned.
	got, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	mustNoErr(t, err)
	if len(got) != 1 || got[0].UpdateID != 7 {
		t.Fatalf("updates after reset = %+v", got)
	}
	// As documented, an offset above its id confirms it.
	got, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: oldOffset})
	mustNoErr(t, err)
	if len(got) != 0 || srv.PendingUpdates() != 0 {
		t.Fatalf("stale offset: got %d updates, %d pending", len(got), srv.PendingUpdates())
	}
	if srv.NextUpdateID() != 8 {
		t.Fatalf("NextUpdateID = %d", srv.NextUpdateID())
	}
}

func TestAllowedUpdates(t *testing.T) {
	srv, bot := newBot(t)
	chatID := newGroup(t, srv, FullAdminRights())
	drain(t, bot)

	// Default: chat_member is not delivered.
	mustNoErr(t, srv.AddMember(chatID, alice))
	for _, u := range drain(t, bot) {
		if u.ChatMember != nil {
			t.Fatal("chat_member delivered by default")
		}
	}
	// Explicitly allowed; the setting is remembered by later calls.
	_, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{"chat_member", "message"}})
	mustNoErr(t, err)
	mustNoErr(t, srv.AddMember(chatID, bob))
	ups := drain(t, bot)
	if len(ups) != 2 || ups[0].ChatMember == nil || ups[1].Message == nil {
		t.Fatalf("updates = %+v", ups)
	}
	cm := ups[0].ChatMember
	if cm.NewChatMember.Status != "member" || cm.OldChatMember.Status != "left" || cm.NewChatMember.User.ID != bob {
		t.Errorf("chat_member = %+v", cm)
	}
	if len(ups[1].Message.NewChatMembers) != 1 || ups[1].Message.NewChatMembers[0].ID != bob {
		t.Errorf("service message = %+v", ups[1].Message)
	}
	// Callback queries are now filtered out.
	msg, err := bot.Send(tgbotapi.MessageConfig{BaseChat: tgbotapi.BaseChat{ChatID: chatID, ReplyMarkup: tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("ok", "ok")))}, Text: "press"})
	mustNoErr(t, err)
	if _, err := srv.Click(bob, chatID, msg.MessageID, "ok"); err != nil {
		t.Fatal(err)
	}
	if n := srv.PendingUpdates(); n != 0 {
		t.Fatalf("filtered callback queued: %d pending", n)
	}
	// An empty list restores the default.
	_, err = bot.MakeRequest("getUpdates", tgbotapi.Params{"allowed_updates": "[]"})
	mustNoErr(t, err)
	mustNoErr(t, srv.Leave(bob, chatID))
	for _, u := range drain(t, bot) {
		if u.ChatMember != nil {
			t.Fatal("chat_member delivered after reset to default")
		}
	}
}

func TestPrivacyMode(t *testing.T) {
	srv, bot := newBot(t)
	chatID := srv.CreateSupergroup("G", owner)
	mustNoErr(t, srv.AddBotMember(chatID))
	mustNoErr(t, srv.AddMember(chatID, alice))
	drain(t, bot)
	for _, text := range []string{"just chatting", "/help", "/help@other_bot", "/help@shequn_bot"} {
		if _, err := srv.SendText(alice, chatID, text); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, u := range drain(t, bot) {
		got = append(got, u.Message.Text)
	}
	if len(got) != 2 || got[0] != "/help" || got[1] != "/help@shequn_bot" {
		t.Fatalf("plain member bot got %q", got)
	}
	// As an administrator it sees everything.
	mustNoErr(t, srv.SetBotRights(chatID, AdminRights{CanDeleteMessages: true}))
	drain(t, bot)
	if _, err := srv.SendText(alice, chatID, "just chatting"); err != nil {
		t.Fatal(err)
	}
	if ups := drain(t, bot); len(ups) != 1 {
		t.Fatalf("admin bot got %d updates", len(ups))
	}
}

func TestConcurrentUse(t *testing.T) {
	srv, bot := newBot(t, WithPollUnit(10*time.Millisecond))
	chatID := newGroup(t, srv, FullAdminRights())
	var mu sync.Mutex
	events := 0
	srv.OnEvent(func(Event) { mu.Lock(); events++; mu.Unlock() })
	stop := make(chan struct{})
	polled := make(chan int)
	go func() {
		n, offset := 0, 0
		for {
			select {
			case <-stop:
				polled <- n
				return
			default:
			}
			ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Timeout: 1})
			if err != nil {
				continue
			}
			for _, u := range ups {
				offset = u.UpdateID + 1
				n++
			}
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		id := int64(500 + i)
		srv.AddUser(User{ID: id, FirstName: "U"})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if _, err := srv.SendText(id, id, "ping"); err != nil {
					t.Error(err)
				}
				if _, err := bot.Send(tgbotapi.NewMessage(id, "pong")); err != nil {
					t.Error(err)
				}
				_, _ = bot.Send(tgbotapi.NewMessage(chatID, "broadcast"))
				_ = srv.Messages(id)
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	mustNoErr(t, srv.WaitUpdatesTaken(ctx)) // the poller caught up
	close(stop)
	if n := <-polled; n < 80 {
		t.Fatalf("poller saw %d updates, want >= 80", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if events != 8*10*3 {
		t.Fatalf("events = %d, want %d", events, 8*10*3)
	}
}
