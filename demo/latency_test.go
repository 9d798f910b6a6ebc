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
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/payments/stripetest"
)

// liveClass is a community running as `serve` runs it (poller, background
// worker), whose schedule ticks only once an hour, so that only wakes make
// its effects prompt: one student group, a teacher, and a student with
// work handed in.
type liveClass struct {
	h       *Harness
	group   int64
	teacher int64
	student int64
	sub     assignments.Submission

	mu      sync.Mutex
	waiters []waiter
}

type waiter struct {
	chat int64
	sub  string
	at   chan time.Time
}

func startLive(tb testing.TB, setups ...Setup) *liveClass {
	tb.Helper()
	ctx := context.Background()
	setups = append(setups, func(_ *config.Config, o *app.Options) {
		o.Manual, o.ReconcileEvery = false, time.Hour
		o.CommandsPerMinute = 1 << 20 // the teacher publishes and grades as fast as the benchmark asks
	})
	h, err := Start(ctx, setups...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close() })
	c := &liveClass{h: h, teacher: teacher1, student: 42}
	h.TG.OnEvent(c.event)
	c.group = h.Group("学员群", telegramtest.FullAdminRights())
	if _, err := h.App.Groups.Register(ctx, groups.RegisterRequest{ChatID: c.group, Title: "学员群", Kind: groups.KindStudent, Course: "ppt", Capacity: 200000, By: h.Owner}); err != nil {
		tb.Fatal(err)
	}
	h.TG.AddUser(telegramtest.User{ID: c.teacher, FirstName: "T", LanguageCode: "en"})
	h.TG.AddUser(telegramtest.User{ID: c.student, FirstName: "S", LanguageCode: "en"})
	h.TG.SendText(c.teacher, c.teacher, "/start")
	h.TG.SendText(c.student, c.student, "/start")
	if err := h.App.Store().GrantRole(ctx, membership.Grant{UserID: c.teacher, Role: membership.RoleTeacher, GrantedBy: h.Owner, GrantedAt: time.Now()}); err != nil {
		tb.Fatal(err)
	}
	welcomed := c.await(c.student, "PPT-00001")
	d := stripetest.CheckoutCompleted(WebhookSecret, "evt_live", "cs_live", "pi_live", "ppt", c.student, 19900, time.Now())
	if code, err := h.Deliver(ctx, d); err != nil || code != http.StatusOK {
		tb.Fatalf("webhook: %d %v", code, err)
	}
	c.wait(tb, welcomed)
	a, err := h.App.Homework.Create(ctx, c.teacher, assignments.Assignment{Course: "ppt", Title: "Warm-up", MaxScore: 100, Due: h.Clock.Now().Add(7 * 24 * time.Hour)})
	if err != nil {
		tb.Fatal(err)
	}
	if c.sub, err = h.App.Homework.Submit(ctx, c.student, a.ID, assignments.Content{Kind: assignments.ContentText, Text: "my slide"}); err != nil {
		tb.Fatal(err)
	}
	return c
}

// event wakes the waiters whose chat got a bot message containing their
// text.
func (c *liveClass) event(ev telegramtest.Event) {
	if ev.Kind != "bot_message" {
		return
	}
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waiters = slices.DeleteFunc(c.waiters, func(w waiter) bool {
		if w.chat == ev.ChatID && strings.Contains(ev.Text, w.sub) {
			w.at <- now
			return true
		}
		return false
	})
}

// await returns a channel that receives when the bot writes sub into chat.
func (c *liveClass) await(chat int64, sub string) chan time.Time {
	w := waiter{chat: chat, sub: sub, at: make(chan time.Time, 1)}
	c.mu.Lock()
	c.waiters = append(c.waiters, w)
	c.mu.Unlock()
	return w.at
}

// wait returns when the awaited message arrived; the deadline only stops
// a test whose message never comes.
func (c *liveClass) wait(tb testing.TB, at chan time.Time) time.Time {
	tb.Helper()
	select {
	case t := <-at:
		return t
	case <-time.After(20 * time.Second):
		tb.Fatalf("the awaited message never came\n%s", c.h.Log.String())
		return time.Time{}
	}
}

// assign has the teacher publish an assignment by command and returns
// when it was sent and when the group got it.
func (c *liveClass) assign(tb testing.TB, title string) (sent, posted time.Time) {
	due := c.h.Clock.Now().Add(7 * 24 * time.Hour).In(c.h.Config.Location()).Format("2006-01-02")
	at := c.await(c.group, title)
	sent = time.Now()
	if _, err := c.h.TG.SendText(c.teacher, c.teacher, fmt.Sprintf("/assign ppt %s 100 %s | one slide", due, title)); err != nil {
		tb.Fatal(err)
	}
	return sent, c.wait(tb, at)
}

// grade has the teacher grade the work by command and returns when it was
// sent and when the student got the feedback.
func (c *liveClass) grade(tb testing.TB, score int) (sent, told time.Time) {
	at := c.await(c.student, fmt.Sprintf("%d / 100", score))
	sent = time.Now()
	if _, err := c.h.TG.SendText(c.teacher, c.teacher, fmt.Sprintf("/grade %d %d", c.sub.ID, score)); err != nil {
		tb.Fatal(err)
	}
	return sent, c.wait(tb, at)
}

// An assignment published by command reaches the group at once: the
// command wakes the reconciler, which would otherwise wait an hour for
// its tick here.
func TestPublishingWakesTheReconciler(t *testing.T) {
	c := startLive(t)
	c.assign(t, "Prompt cover")
	// The first may have ridden on a pass the set-up started; this one
	// has only its own wake.
	c.assign(t, "Prompt chart")
	c.grade(t, 87)
}

// BenchmarkEffectLatency measures, with the app running as in production
// (poller, background worker; the schedule only hourly), how long after a
// teacher's command its effect shows: /assign until the pinned
// announcement is in the group ("post"), /grade until the student has the
// feedback DM ("dm"). "idle" has nothing else to do; "burst" runs an
// enrollment burst (signed webhooks from 8 senders, each buyer invited by
// DM) alongside. Telegram's rate limits are off in the fake and the
// sender, as in BenchmarkEnrollment:
//
//	go test -run X -bench EffectLatency -benchtime 50x ./demo
func BenchmarkEffectLatency(b *testing.B) {
	b.Run("load=idle", func(b *testing.B) { benchEffectLatency(b, 0) })
	b.Run("load=burst", func(b *testing.B) { benchEffectLatency(b, 2000) })
}

func benchEffectLatency(b *testing.B, buyers int) {
	c := startLive(b)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if buyers > 0 {
		deliveries := make([]stripetest.Delivery, buyers)
		for i := range deliveries {
			uid := int64(2_000_000 + i)
			c.h.TG.AddUser(telegramtest.User{ID: uid, FirstName: "B"})
			c.h.TG.SendText(uid, uid, "hi")
			deliveries[i] = stripetest.CheckoutCompleted(WebhookSecret, fmt.Sprint("evt_l", i), fmt.Sprint("cs_l", i), fmt.Sprint("pi_l", i), "ppt", uid, 19900, time.Now())
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		const senders = 8
		for w := range senders {
			wg.Go(func() {
				for i := w; ; i += senders {
					select {
					case <-stop:
						return
					default:
					}
					d := deliveries[i%buyers] // after the first round, duplicates: still work for the handler
					req, _ := http.NewRequest(http.MethodPost, c.h.baseURL+"/stripe/webhook", bytesReader(d.Body))
					req.Header.Set("Stripe-Signature", d.Signature)
					if resp, err := client.Do(req); err == nil {
						resp.Body.Close()
					}
				}
			})
		}
	}
	post := make([]time.Duration, b.N)
	dm := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		sent, posted := c.assign(b, fmt.Sprintf("Bench %d", i))
		post[i] = posted.Sub(sent)
		sent, told := c.grade(b, 1+i%100)
		dm[i] = told.Sub(sent)
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	report := func(name string, d []time.Duration) {
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(d[(len(d)*99)/100].Microseconds())/1000, name+"-p99-ms")
	}
	report("post", post)
	report("dm", dm)
}
