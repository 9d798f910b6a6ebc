package bot_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
)

// benchScale runs Telegram's limits this many times faster on both sides:
// the fake allows 3000 messages a second in all, 100 a second into a
// private chat and 2000 a minute into a group, and the sender keeps the
// same. Times that the limits set shrink by the scale; so does the bound on
// a reply's wait (1 s becomes 10 ms).
const benchScale = 100

func benchSender(b *testing.B) (*telegramtest.Server, *bot.Sender) {
	b.Helper()
	srv := telegramtest.New(token, telegramtest.WithRateLimitsScaled(benchScale))
	b.Cleanup(srv.Close)
	return srv, bot.NewSender(bot.NewAPI(token, srv.URL(), nil), bot.TelegramLimits.Scaled(benchScale), quiet)
}

func startUsers(b *testing.B, srv *telegramtest.Server, from int64, n int) []int64 {
	b.Helper()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = from + int64(i)
		srv.AddUser(telegramtest.User{ID: ids[i], FirstName: "U"})
		if _, err := srv.SendText(ids[i], ids[i], "/start"); err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

// BenchmarkSenderBroadcast sends one DM to each of 10,000 members at Bulk
// priority (8 at a time, as a broadcast job would) while other users get
// an Interactive reply every 10 ms (one a second, unscaled). It reports the broadcast's time against
// 10,000 ÷ the global rate, the 429 answers, and the replies' p99 wait.
//
//	go test -run X -bench SenderBroadcast -benchtime 1x ./bot
func BenchmarkSenderBroadcast(b *testing.B) {
	const members, workers = 10_000, 8
	srv, s := benchSender(b)
	ids := startUsers(b, srv, 1_000_000, members)
	askers := startUsers(b, srv, 2_000_000, 200)
	ideal := time.Duration(float64(members) / float64(bot.TelegramLimits.Scaled(benchScale).Global.Count) * float64(time.Second))
	var elapsed time.Duration
	var waits []time.Duration
	for b.Loop() {
		queue := make(chan int64)
		done := make(chan struct{})
		var replies sync.WaitGroup
		replies.Go(func() { waits = append(waits, reply(b, s, askers, done)...) })
		start := time.Now()
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for id := range queue {
					if _, err := s.Send(b.Context(), bot.Bulk, id, tgbotapi.NewMessage(id, "announcement")); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for _, id := range ids {
			queue <- id
		}
		close(queue)
		wg.Wait()
		elapsed += time.Since(start)
		close(done)
		replies.Wait()
	}
	per := elapsed / time.Duration(b.N)
	slices.Sort(waits)
	b.ReportMetric(per.Seconds(), "broadcast-s")
	b.ReportMetric(ideal.Seconds(), "ideal-s")
	b.ReportMetric(100*(per.Seconds()/ideal.Seconds()-1), "over-%")
	// The replies take slots of the same global limit.
	shared := float64(members+len(waits)/b.N) / float64(bot.TelegramLimits.Scaled(benchScale).Global.Count)
	b.ReportMetric(100*(per.Seconds()/shared-1), "over-shared-%")
	b.ReportMetric(float64(srv.RateLimited()), "429s")
	b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds())/1000, "reply-p99-ms")
	b.ReportMetric(float64(len(waits)), "replies")
}

// reply sends an Interactive message every 10 ms, each to the next asker,
// until done, and returns how long each took.
func reply(b *testing.B, s *bot.Sender, askers []int64, done chan struct{}) []time.Duration {
	var waits []time.Duration
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-done:
			return waits
		case <-tick.C:
		}
		id := askers[i%len(askers)]
		t0 := time.Now()
		if _, err := s.Send(b.Context(), bot.Interactive, id, tgbotapi.NewMessage(id, "reply")); err != nil {
			b.Error(err)
		}
		waits = append(waits, time.Since(t0))
	}
}

// BenchmarkSenderRelay relays a 20-message talk into 40 groups at Relay
// priority, each group's messages one after another, and checks that every
// group has them all in order. A group's limit (20 in any minute) lets the
// whole talk into one group at once, so the global limit sets the least
// time: 800 messages ÷ the global rate.
//
//	go test -run X -bench SenderRelay -benchtime 1x ./bot
func BenchmarkSenderRelay(b *testing.B) {
	const groups, talk = 40, 20
	srv, s := benchSender(b)
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "Owner"})
	ids := make([]int64, groups)
	for i := range ids {
		ids[i] = srv.CreateSupergroup(fmt.Sprint("g", i), 7)
		if err := srv.AddBotAdmin(ids[i], telegramtest.FullAdminRights()); err != nil {
			b.Fatal(err)
		}
	}
	least := time.Duration(float64(groups*talk) / float64(bot.TelegramLimits.Scaled(benchScale).Global.Count) * float64(time.Second))
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		var wg sync.WaitGroup
		for _, g := range ids {
			wg.Go(func() {
				for i := range talk {
					if _, err := s.Send(b.Context(), bot.Relay, g, tgbotapi.NewMessage(g, fmt.Sprint(i))); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
		elapsed += time.Since(start)
	}
	for _, g := range ids {
		msgs := srv.BotMessages(g)
		for i, m := range msgs[len(msgs)-talk:] {
			if m.Text != fmt.Sprint(i) {
				b.Fatalf("group %d: message %d is %q", g, i, m.Text)
			}
		}
	}
	per := elapsed / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "relay-ms")
	b.ReportMetric(float64(least.Microseconds())/1000, "least-ms")
	b.ReportMetric(100*(per.Seconds()/least.Seconds()-1), "over-%")
	b.ReportMetric(float64(srv.RateLimited()), "429s")
}
