package demo

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/payments/stripetest"
)

// BenchmarkEnrollment pushes b.N signed checkout.session.completed events
// through the real HTTP handler, with the app running as in production
// (background worker woken by each stored event), into the SQLite store
// and the fake Telegram, until every buyer has their welcome DM. It
// reports enrollments per second end to end and the handler's latency.
// Telegram's rate limits are off: they would cap it at 30/s. It runs on
// both stores, side by side:
//
//	go test -run X -bench Enrollment -benchtime 2000x ./demo
func BenchmarkEnrollment(b *testing.B) {
	b.Run("store=sqlite", func(b *testing.B) { benchEnrollment(b) })
	b.Run("store=mongo", func(b *testing.B) { benchEnrollment(b, onMongo(b)) })
}

func benchEnrollment(b *testing.B, setups ...Setup) {
	ctx := context.Background()
	setups = append(setups, func(_ *config.Config, o *app.Options) { o.Manual = false })
	h, err := Start(ctx, setups...)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	chat := h.Group("bench", telegramtest.FullAdminRights())
	if _, err := h.App.Groups.Register(ctx, groups.RegisterRequest{ChatID: chat, Title: "bench", Kind: groups.KindStudent, Course: "ppt", Capacity: 200000, By: h.Owner}); err != nil {
		b.Fatal(err)
	}
	deliveries := make([]stripetest.Delivery, b.N)
	now := time.Now()
	for i := range deliveries {
		uid := int64(1_000_000 + i)
		h.TG.AddUser(telegramtest.User{ID: uid, FirstName: "B"})
		h.TG.SendText(uid, uid, "hi") // opens the private chat, as /start does
		deliveries[i] = stripetest.CheckoutCompleted(WebhookSecret, fmt.Sprint("evt_b", i), fmt.Sprint("cs_b", i), fmt.Sprint("pi_b", i), "ppt", uid, 19900, now)
	}
	// Let the bot answer those openings before the clock starts.
	for h.TG.PendingUpdates() > 0 || h.App.UpdatesHandled() < int64(b.N) {
		time.Sleep(time.Millisecond) // waiting for the bot's progress, not for a rule
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	const senders = 8
	latencies := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += senders {
				d := deliveries[i]
				t0 := time.Now()
				req, _ := http.NewRequest(http.MethodPost, h.baseURL+"/stripe/webhook", bytesReader(d.Body))
				req.Header.Set("Stripe-Signature", d.Signature)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				latencies[i] = time.Since(t0)
				if resp.StatusCode != http.StatusOK {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	// Wait until every buyer was welcomed: the background worker's work.
	for {
		pending, err := h.App.Store().PendingSeats(ctx, groups.StageInvite, 1)
		if err != nil {
			b.Fatal(err)
		}
		events, err := h.App.Store().PendingEvents(ctx, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(pending) == 0 && len(events) == 0 {
			break
		}
		time.Sleep(time.Millisecond) // waiting for the worker's progress, not for a rule
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "enrollments/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	checkWelcomed(b, h, b.N)
}

// checkWelcomed fails unless the n buyers hold the numbers 1 to n, each
// once, and each got exactly one welcome DM naming their number.
func checkWelcomed(b *testing.B, h *Harness, n int) {
	ctx := context.Background()
	seen := make([]bool, n+1)
	for i := range n {
		uid := int64(1_000_000 + i)
		en, err := h.App.Store().Enrollment(ctx, "ppt", uid)
		if err != nil {
			b.Fatalf("buyer %d: %v", uid, err)
		}
		if en.Number < 1 || en.Number > n || seen[en.Number] || !en.Active() {
			b.Fatalf("buyer %d of %d holds %+v: numbers must be 1 to %d, each once", uid, n, en, n)
		}
		seen[en.Number] = true
		number := membership.FormatNumber("PPT", en.Number)
		welcomes := 0
		for _, m := range h.TG.BotMessages(uid) {
			if strings.Contains(m.Text, number) {
				welcomes++
			}
		}
		if welcomes != 1 {
			b.Fatalf("buyer %d got %d welcomes naming %s, want 1", uid, welcomes, number)
		}
	}
}
