package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
)

// Enroller is what the enrollment benchmarks need of a store.
type Enroller interface {
	membership.Store
	groups.Store
}

// BenchmarkEnroll measures one full enrollment (RecordPayment, then
// TakeSeat) per op on a store with student groups of 2,000 seats and
// overflow room, as the seed's community has them: one after the other,
// and with concurrent callers as when webhooks and the event processor run
// at once.
func BenchmarkEnroll(b *testing.B, open func(tb testing.TB) Enroller) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	b.Run("serial", func(b *testing.B) {
		db := benchStore(b, open)
		var i int64
		for b.Loop() {
			i++
			if n := enroll(b, db, i, at); n != int(i) {
				b.Fatalf("the %d-th buyer got number %d", i, n)
			}
		}
		b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "enrollments/s")
		checkEnrolled(b, db, i)
	})
	b.Run("parallel", func(b *testing.B) {
		db := benchStore(b, open)
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				enroll(b, db, n.Add(1), at)
			}
		})
		b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "enrollments/s")
		checkEnrolled(b, db, n.Load())
	})
}

func benchStore(b *testing.B, open func(tb testing.TB) Enroller) Enroller {
	db := open(b)
	for i, c := range []int{2000, 2000, 2000, 2000, 2000, 2000, 1500, 1000, 1 << 30} {
		if _, err := db.AddGroup(b.Context(), groups.Group{ChatID: int64(-1 - i), Kind: groups.KindStudent, Course: "ppt", Capacity: c}); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// checkEnrolled fails unless buyers 1 to n hold the numbers 1 to n, each
// once, and every one of them a seat.
func checkEnrolled(b *testing.B, db Enroller, n int64) {
	ctx := b.Context()
	seen := make([]bool, n+1)
	for u := int64(1); u <= n; u++ {
		e, err := db.Enrollment(ctx, "ppt", u)
		if err != nil {
			b.Fatal(err)
		}
		if e.Number < 1 || int64(e.Number) > n || seen[e.Number] || !e.Active() {
			b.Fatalf("buyer %d of %d holds %+v: numbers must be 1 to %d, each once", u, n, e, n)
		}
		seen[e.Number] = true
	}
	gs, err := db.Groups(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var seated int64
	for _, g := range gs {
		if g.SeatsUsed > g.Capacity {
			b.Fatalf("group %d holds %d seats of %d", g.ID, g.SeatsUsed, g.Capacity)
		}
		seated += int64(g.SeatsUsed)
	}
	if seated != n {
		b.Fatalf("%d seats taken for %d buyers", seated, n)
	}
}

// enroll records the i-th buyer's payment, seats them and returns their
// number.
func enroll(b *testing.B, db Enroller, i int64, at time.Time) int {
	ctx := b.Context()
	e, err := db.RecordPayment(ctx, membership.Order{
		ID: fmt.Sprintf("cs_%d", i), Course: "ppt", UserID: i, PaymentIntent: fmt.Sprintf("pi_%d", i),
		Amount: 19900, Currency: "cny", Status: membership.OrderPaid, PaidAt: at, UpdatedAt: at,
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.TakeSeat(ctx, groups.SeatRequest{Course: "ppt", UserID: i, Number: e.Number, At: at}); err != nil {
		b.Fatal(err)
	}
	return e.Number
}
