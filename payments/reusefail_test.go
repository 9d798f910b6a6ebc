package payments

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

// unsaving is the real store whose record of a new session fails.
type unsaving struct {
	*sqlite.DB
	fail bool
}

func (u *unsaving) SaveCheckoutSession(ctx context.Context, s membership.CheckoutSession) error {
	if u.fail {
		return errors.New("database or disk is full")
	}
	return u.DB.SaveCheckoutSession(ctx, s)
}

// A session that cannot be stored for reuse still gives the buyer their
// payment page: the failure is logged (when there is a log), and only the
// next tap opens another page. A stored one logs nothing.
func TestSessionNotStoredStillServed(t *testing.T) {
	for _, c := range []struct {
		name   string
		fail   bool
		log    bool
		logged int
		pages  int // sessions created by two taps
	}{
		{"stored", false, true, 0, 1},
		{"not stored", true, true, 2, 2},
		{"not stored, no log", true, false, 0, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			ct := &countTransport{}
			api := NewCheckout("sk_test_123", stripeMockURL(t), &http.Client{Transport: ct}, "https://t.me", "https://t.me")
			db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "shequn.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			now := time.Now()
			api.Now = func() time.Time { return now }
			var buf bytes.Buffer
			r := &ReusingCheckout{Opener: api, Store: &unsaving{DB: db, fail: c.fail}, Now: api.Now}
			if c.log {
				r.Log = slog.New(slog.NewTextHandler(&buf, nil))
			}
			for range 2 {
				url, id, err := r.CreateSession(t.Context(), pptCourse, 42)
				if err != nil || url == "" || id == "" {
					t.Fatalf("tap: %q, %q, %v; want a payment page", url, id, err)
				}
			}
			if n := ct.count("POST /v1/checkout/sessions"); n != c.pages {
				t.Errorf("two taps created %d sessions, want %d", n, c.pages)
			}
			if n := strings.Count(buf.String(), "checkout session not stored for reuse"); n != c.logged {
				t.Errorf("logged %d failures, want %d:\n%s", n, c.logged, buf.String())
			}
		})
	}
}
