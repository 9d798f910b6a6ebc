package demo

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
)

// BenchmarkStartUnderFlood measures how long a user waits for the answer
// to /start while another user floods the bot: 200 commands in a private
// chat and 200 in a group he added the bot to, which nobody registered.
// Telegram's real limits are on, in the fake (429 past them) and in the
// sender; the app runs as in production (long polling, background work).
// Each op is one new user's /start, from the update's arrival at the fake
// to the bot's reply in the fake; it reports the p50 and p99 of that.
//
//	go test -run X -bench StartUnderFlood -benchtime 200x ./demo
func BenchmarkStartUnderFlood(b *testing.B) {
	ctx := context.Background()
	h, err := StartWith(ctx, []telegramtest.Option{telegramtest.WithRateLimits()}, func(_ *config.Config, o *app.Options) {
		o.Manual = false
		o.Limits = &bot.TelegramLimits
	})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	const flooder = 666
	h.TG.AddUser(telegramtest.User{ID: flooder, FirstName: "Flood", LanguageCode: "en"})
	group := h.TG.CreateSupergroup("spam", flooder)
	if err := h.TG.AddBotMember(group); err != nil {
		b.Fatal(err)
	}
	for range 200 {
		h.TG.SendText(flooder, flooder, "/help")
		h.TG.SendText(flooder, group, "/help@shequn_bot")
	}
	// A new user every 50 ms, each answered while the flood is handled:
	// 20 answers a second stay inside Telegram's 30 messages a second, so
	// what is measured is the flood's effect, not the global cap.
	var (
		mu        sync.Mutex
		started   = map[int64]time.Time{}
		latencies []time.Duration
		answered  = make(chan struct{}, b.N)
	)
	h.TG.OnEvent(func(e telegramtest.Event) {
		if e.Kind != "bot_message" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if t0, ok := started[e.ChatID]; ok {
			latencies = append(latencies, time.Since(t0))
			delete(started, e.ChatID)
			answered <- struct{}{}
		}
	})
	b.ResetTimer()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for i := range b.N {
		uid := int64(2_000_000 + i)
		h.TG.AddUser(telegramtest.User{ID: uid, FirstName: "U"})
		mu.Lock()
		started[uid] = time.Now()
		mu.Unlock()
		if _, err := h.TG.SendText(uid, uid, "/start"); err != nil {
			b.Fatal(err)
		}
		<-tick.C
	}
	for range b.N {
		select {
		case <-answered:
		case <-time.After(30 * time.Second):
			b.Fatal("a user got no answer in 30 s")
		}
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(h.TG.BotMessages(flooder))), "flood-replies")
	b.ReportMetric(float64(len(h.TG.BotMessages(group))), "group-replies")
}
