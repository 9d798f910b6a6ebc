package onebot_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

// BenchmarkQQBroadcast posts an announcement into 40 QQ groups b.N times
// through the QQ side (HTML to text, the sender at the default limits: 1
// a second per group, 20 a minute in all, jitter) over the real reverse
// WebSocket to the fake, on a virtual clock the sender's waits move. The
// fake checks every message against the same limits: bursts must be 0,
// and the virtual time a round takes shows the rates are used to the full.
//
//	go test -run X -bench QQBroadcast -benchtime 10x ./onebot
func BenchmarkQQBroadcast(b *testing.B) {
	clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	fake := onebottest.New(10001)
	lim := onebot.DefaultLimits
	fake.Now = clk.Now
	fake.Limits = onebottest.Limits{Group: onebottest.Rate(lim.Group), Private: onebottest.Rate(lim.Private), Global: onebottest.Rate(lim.Global)}
	tr := &onebot.Transport{Token: "tok", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	url := serveWS(b, tr)
	conn, err := fake.DialWS(context.Background(), url, "tok")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if err := tr.WaitConnected(context.Background()); err != nil {
		b.Fatal(err)
	}
	q := &onebot.QQ{API: tr, Self: tr.SelfID, Now: clk.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Out: &onebot.Sender{API: tr, Limits: lim, Now: clk.Now, Sleep: clk.Sleep}}
	const groups = 40
	for g := int64(1); g <= groups; g++ {
		fake.AddGroup(g, "g", "admin")
	}
	start := clk.Now()
	b.ResetTimer()
	for range b.N {
		for g := int64(1); g <= groups; g++ {
			if _, err := q.Send(context.Background(), shequn.QQGroup(g), "📚 <b>新作业</b>《封面》", [][]bot.Choice{{{Label: "提交", URL: "https://t.me/x?start=submit-1"}}}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	virtual := clk.Now().Sub(start)
	bursts := len(fake.Bursts())
	b.ReportMetric(float64(bursts), "bursts")
	b.ReportMetric(virtual.Seconds()/float64(b.N), "virtual-s/broadcast")
	b.ReportMetric(float64(len(fake.Sent()))/virtual.Minutes(), "msgs/virtual-min")
	if bursts != 0 {
		b.Errorf("%d messages broke QQ's limits", bursts)
	}
	if len(fake.Sent()) != groups*b.N {
		b.Errorf("%d messages arrived, want %d", len(fake.Sent()), groups*b.N)
	}
}
