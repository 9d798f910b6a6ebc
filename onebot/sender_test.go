package onebot_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

// clock is a virtual clock: sleeping moves it on.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return nil
}

func TestSenderKeepsQQsRatesExactly(t *testing.T) {
	for _, lim := range []onebot.Limits{
		onebot.DefaultLimits,
		{Group: onebot.Rate{Count: 1, Per: time.Second}, Private: onebot.Rate{Count: 1, Per: time.Second}, Global: onebot.Rate{Count: 30, Per: time.Second}},
		{Group: onebot.Rate{Count: 3, Per: 10 * time.Second}, Global: onebot.Rate{Count: 20, Per: time.Minute}, Jitter: time.Second},
	} {
		clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		fake := onebottest.New(10001)
		fake.Now = clk.Now
		fake.Limits = onebottest.Limits{Group: onebottest.Rate(lim.Group), Private: onebottest.Rate(lim.Private), Global: onebottest.Rate(lim.Global)}
		tr, stop := connect(t, fake)
		out := &onebot.Sender{API: tr, Limits: lim, Now: clk.Now, Sleep: clk.Sleep}
		for g := int64(1); g <= 40; g++ {
			fake.AddGroup(g, "g", "admin")
		}
		start := clk.Now()
		// Three rounds into 40 groups, and a few private messages between.
		for round := 0; round < 3; round++ {
			for g := int64(1); g <= 40; g++ {
				if _, err := out.Send(t.Context(), onebot.Bulk, shequn.QQGroup(g), onebot.Message{onebot.Text("公告")}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := out.Send(t.Context(), onebot.Bulk, shequn.QQUser(42), onebot.Message{onebot.Text("hi")}); err != nil {
				t.Fatal(err)
			}
		}
		stop()
		sent := fake.Sent()
		if len(sent) != 123 {
			t.Fatalf("%d sent", len(sent))
		}
		if b := fake.Bursts(); len(b) != 0 {
			t.Errorf("limits %+v: %d messages broke a limit, the first at %s", lim, len(b), b[0].At.Sub(start))
		}
		took := clk.Now().Sub(start)
		floor := time.Duration(123-lim.Global.Count) * lim.Global.Per / time.Duration(lim.Global.Count)
		if took < floor || took > floor*13/10+lim.Global.Per+123*lim.Jitter {
			t.Errorf("limits %+v: 123 messages took %s, want about %s", lim, took, floor)
		}
		if fake.StringMessages() != 0 {
			t.Error("a message went out as a CQ-code string")
		}
	}
}

// connect serves a transport and connects the fake to it.
func connect(t *testing.T, fake *onebottest.Server) (*onebot.Transport, func()) {
	t.Helper()
	tr := &onebot.Transport{Token: "tok", Log: quiet()}
	url := serveWS(t, tr)
	conn, err := fake.DialWS(t.Context(), url, "tok")
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.WaitConnected(t.Context()); err != nil {
		t.Fatal(err)
	}
	return tr, conn.Close
}

// The fake refuses what QQ's risk control would: a sender without limits
// bursts, and the fake says so.
func TestFakeRefusesBursts(t *testing.T) {
	clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	fake := onebottest.New(10001)
	fake.Now = clk.Now
	fake.Limits = onebottest.Limits{Group: onebottest.Rate{Count: 1, Per: time.Second}, Global: onebottest.Rate{Count: 20, Per: time.Minute}}
	fake.AddGroup(1, "g", "admin")
	tr, stop := connect(t, fake)
	defer stop()
	out := &onebot.Sender{API: tr, Now: clk.Now, Sleep: clk.Sleep} // no limits
	if _, err := out.Send(t.Context(), onebot.Bulk, shequn.QQGroup(1), onebot.Message{onebot.Text("1")}); err != nil {
		t.Fatal(err)
	}
	_, err := out.Send(t.Context(), onebot.Bulk, shequn.QQGroup(1), onebot.Message{onebot.Text("2")})
	var oe *onebot.Error
	if !errors.As(err, &oe) || oe.Retcode != onebottest.RetRiskControl || len(fake.Bursts()) != 1 || len(fake.Sent()) != 1 {
		t.Fatalf("a burst: %v; bursts %d, sent %d", err, len(fake.Bursts()), len(fake.Sent()))
	}
}

// A reply overtakes a broadcast in line, and the broadcast still gets
// its share while replies keep coming.
func TestRepliesGoBeforeBulk(t *testing.T) {
	fake := onebottest.New(10001)
	lim := onebot.Limits{Group: onebot.Rate{Count: 1, Per: time.Second}, Private: onebot.Rate{Count: 1, Per: time.Second}, Global: onebot.Rate{Count: 50, Per: time.Second}}
	fake.Limits = onebottest.Limits{Group: onebottest.Rate(lim.Group), Private: onebottest.Rate(lim.Private), Global: onebottest.Rate(lim.Global)}
	tr, stop := connect(t, fake)
	defer stop()
	out := &onebot.Sender{API: tr, Limits: lim, Now: time.Now}
	const groups = 30
	var wg sync.WaitGroup
	for g := int64(1); g <= groups; g++ {
		fake.AddGroup(g, "g", "admin")
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := out.Send(t.Context(), onebot.Bulk, shequn.QQGroup(g), onebot.Message{onebot.Text("公告")}); err != nil {
				t.Error(err)
			}
		}()
	}
	for out.Waiting(onebot.Bulk) < groups-5 {
		runtime.Gosched() // the broadcast is queueing up
	}
	if _, err := out.Send(t.Context(), onebot.Interactive, shequn.QQUser(42), onebot.Message{onebot.Text("reply")}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	sent := fake.Sent()
	at := slices.IndexFunc(sent, func(m onebottest.Sent) bool { return m.UserID == 42 })
	// At most five were out before the reply queued, one may be in hand.
	if at < 0 || at > 6 {
		t.Errorf("the reply went out %d-th of %d", at+1, len(sent))
	}
	if b := fake.Bursts(); len(b) != 0 {
		t.Errorf("%d bursts", len(b))
	}
}

// A live session's talk waits for the replies and goes before a
// broadcast: in line together, a reply goes first, then the talk, then
// the broadcast.
func TestRelayGoesAfterRepliesBeforeBulk(t *testing.T) {
	fake := onebottest.New(10001)
	tr, stop := connect(t, fake)
	defer stop()
	// One message every 100 ms: the three below are in line before the
	// first one's moment comes, and each is sent long before the next's.
	out := &onebot.Sender{API: tr, Limits: onebot.Limits{Global: onebot.Rate{Count: 1, Per: 100 * time.Millisecond}}, Now: time.Now}
	fake.AddGroup(1, "g", "admin")
	if _, err := out.Send(t.Context(), onebot.Bulk, shequn.QQGroup(1), onebot.Message{onebot.Text("first")}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	send := func(pri onebot.Priority, text string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := out.Send(t.Context(), pri, shequn.QQGroup(1), onebot.Message{onebot.Text(text)}); err != nil {
				t.Error(err)
			}
		}()
		for out.Waiting(pri) == 0 {
			runtime.Gosched()
		}
	}
	send(onebot.Bulk, "broadcast")
	send(onebot.Relay, "talk")
	send(onebot.Interactive, "reply")
	wg.Wait()
	var got []string
	for _, m := range fake.Sent() {
		got = append(got, m.Text)
	}
	if want := []string{"first", "reply", "talk", "broadcast"}; !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q", got, want)
	}
}
