package payments

import (
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// Ten taps on Buy for one course create one Checkout Session; a session
// about to expire, or paid, is not handed out again.
func TestTenTapsCreateOneSession(t *testing.T) {
	ct := &countTransport{}
	stripeAPI := NewCheckout("sk_test_123", stripeMockURL(t), &http.Client{Transport: ct}, "https://t.me", "https://t.me")
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	clock := func() time.Time { return now }
	stripeAPI.Now = clock
	r := &ReusingCheckout{Opener: stripeAPI, Store: db, Now: clock}
	created := func() int { return ct.count("POST /v1/checkout/sessions") }
	ctx := t.Context()

	var wg sync.WaitGroup
	urls := make([]string, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			url, _, err := r.CreateSession(ctx, pptCourse, 42)
			if err != nil {
				t.Error(err)
			}
			urls[i] = url
		}()
	}
	wg.Wait()
	if created() != 1 {
		t.Fatalf("10 taps created %d sessions, want 1", created())
	}
	for _, u := range urls {
		if u == "" || u != urls[0] {
			t.Fatalf("taps got different pages: %q", urls)
		}
	}
	if _, _, err := r.CreateSession(ctx, excelCourse, 42); err != nil || created() != 2 {
		t.Errorf("another course: %v, %d sessions, want its own", err, created())
	}
	if _, _, err := r.CreateSession(ctx, pptCourse, 43); err != nil || created() != 3 {
		t.Errorf("another buyer: %v, %d sessions, want their own", err, created())
	}

	// Less than MinRemaining left: a new page.
	s, _ := db.CheckoutSession(ctx, "ppt", 42)
	now = s.ExpiresAt.Add(-MinRemaining + time.Second)
	if _, _, err := r.CreateSession(ctx, pptCourse, 42); err != nil || created() != 4 {
		t.Errorf("near expiry: %v, %d sessions, want a new one", err, created())
	}
	if _, _, err := r.CreateSession(ctx, pptCourse, 42); err != nil || created() != 4 {
		t.Errorf("the new page is reused: %v, %d sessions", err, created())
	}
	// Paid (refunded later, say): a new page for the next purchase.
	s, _ = db.CheckoutSession(ctx, "ppt", 42)
	if _, err := db.RecordPayment(ctx, membership.Order{ID: s.ID, Course: "ppt", UserID: 42, Status: membership.OrderPaid}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.CreateSession(ctx, pptCourse, 42); err != nil || created() != 5 {
		t.Errorf("after paying: %v, %d sessions, want a new one", err, created())
	}
}
