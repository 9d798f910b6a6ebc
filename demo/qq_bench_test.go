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
	h, err := Start(ctx, WithQQCourse)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	qq, err := h.ConnectQQ(ctx, qqSelf)
	if err != nil {
		b.Fatal(err)
	}
	defer qq.Close()
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
	var mu sync.Mutex
	carded := map[int64]chan struct{}{}
	for i := range b.N {
		carded[int64(500_000+i)] = make(chan struct{})
	}
	qq.OnAction(func(action string, _, user int64) {
		if action != "set_group_card" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if ch, ok := carded[user]; ok {
			close(ch)
			delete(carded, user)
		}
	})
	const askers = 8
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
				mu.Lock()
				ch := carded[user]
				mu.Unlock()
				t0 := time.Now()
				code := groups.JoinCode("xl", shequn.QQUser(user))
				if _, err := qq.AskToJoin(ctx, qqGroupNo, user, fmt.Sprint("学员", i), code); err != nil {
					b.Error(err)
					return
				}
				select {
				case <-ch:
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
	slices.Sort(latencies)
	p := func(q float64) time.Duration { return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))] }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "joins/s")
	b.ReportMetric(float64(p(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
	if !testing.Short() && b.N >= 100 && p(0.99) > 50*time.Millisecond {
		b.Errorf("p99 %s, want under 50 ms", p(0.99))
	}
}
