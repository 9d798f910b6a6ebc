package demo

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// BenchmarkQQJoins asks b.N seated QQ buyers to join a QQ group with
// their join codes, 8 at a time, through the fake OneBot implementation
// over the real reverse WebSocket, and measures each from the request
// until the member's card shows the number: the request stored, the
// seat checked, the approval, the group_increase stored and handled, the
// card read and set. QQ's send limits are off (no message is sent on the
// way); the figure is shequn's own time plus the fake's and the socket's.
//
//	go test -run X -bench QQJoins -benchtime 1000x ./demo
func BenchmarkQQJoins(b *testing.B) {
	ctx := context.Background()
	h, qq := qqBench(b, ctx)
	defer h.Close()
	defer qq.Close()
	carded := watchCards(qq, b.N)
	const askers = 4
	latencies := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range askers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += askers {
				user := int64(500_000 + i)
				t0 := time.Now()
				code := groups.JoinCode("xl", shequn.QQUser(user))
				if _, err := qq.AskToJoin(ctx, qqGroupNo, user, fmt.Sprint("学员", i), code); err != nil {
					b.Error(err)
					return
				}
				select {
				case <-carded[i]:
					latencies[i] = time.Since(t0)
				case <-time.After(30 * time.Second):
					b.Errorf("buyer %d was not carded", i)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	for i := range b.N {
		m, in := qq.Member(qqGroupNo, int64(500_000+i))
		if want := fmt.Sprintf("XL-%05d 学员%d", i+1, i); !in || m.Card != want {
			b.Fatalf("buyer %d: in %v, card %q, want %q", i, in, m.Card, want)
		}
	}
	p99 := reportLatencies(b, latencies, elapsed)
	if !testing.Short() && b.N >= 100 && p99 > 50*time.Millisecond {
		b.Errorf("p99 %s, want under 50 ms", p99)
	}
}

// qqBench starts a community with a QQ group of the largest capacity and
// b.N QQ buyers seated in it (numbers 1…b.N, QQ 500000 on).
func qqBench(b *testing.B, ctx context.Context) (*Harness, *QQ) {
	h, err := Start(ctx, WithQQCourse)
	if err != nil {
		b.Fatal(err)
	}
	qq, err := h.ConnectQQ(ctx, qqSelf)
	if err != nil {
		b.Fatal(err)
	}
	qq.AddGroup(qqGroupNo, "bench", "admin")
	if _, err := h.App.Groups.Register(ctx, groups.RegisterRequest{ChatID: shequn.QQGroup(qqGroupNo), Title: "bench", Kind: groups.KindStudent,
		Course: "xl", Capacity: groups.MaxCapacity, By: shequn.QQUser(qqOwner)}); err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		e := membership.Enrollment{Course: "xl", UserID: shequn.QQUser(int64(500_000 + i)), Number: i + 1, Status: membership.EnrollmentActive}
		if err := h.App.Groups.Seat(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	return h, qq
}

// watchCards returns, per buyer, a channel closed when their card is set.
func watchCards(qq *QQ, n int) []chan struct{} {
	carded := make([]chan struct{}, n)
	for i := range carded {
		carded[i] = make(chan struct{})
	}
	var once sync.Map
	qq.OnAction(func(action string, _, user int64) {
		i := int(user - 500_000)
		if action != "set_group_card" || i < 0 || i >= n {
			return
		}
		if _, done := once.LoadOrStore(i, true); !done {
			close(carded[i])
		}
	})
	return carded
}

// reportLatencies reports the rate, the median and the 99th percentile,
// and returns the latter.
func reportLatencies(b *testing.B, latencies []time.Duration, elapsed time.Duration) time.Duration {
	slices.Sort(latencies)
	p := func(q float64) time.Duration { return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))] }
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "joins/s")
	b.ReportMetric(float64(p(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
	return p(0.99)
}
