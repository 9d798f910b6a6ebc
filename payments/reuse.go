package payments

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// SessionStore keeps each buyer's newest Checkout Session per course; both
// stores implement it.
//
// The session is stored rather than looked up in Stripe: Stripe's list of
// Checkout Sessions cannot be filtered by client_reference_id or metadata,
// so finding one buyer's open session there means paging through every
// open session of the account on each tap.
type SessionStore interface {
	// CheckoutSession returns the newest session, or ErrNotFound.
	CheckoutSession(ctx context.Context, course string, userID int64) (membership.CheckoutSession, error)
	// SaveCheckoutSession replaces the buyer's session for the course.
	SaveCheckoutSession(ctx context.Context, s membership.CheckoutSession) error
	// Orders returns the buyer's orders: a paid session is not reused.
	Orders(ctx context.Context, userID int64) ([]membership.Order, error)
}

// MinRemaining is how long a stored session must still be open to be
// handed out again: time enough to pay.
const MinRemaining = 30 * time.Minute

// Opener creates Checkout Sessions; Checkout implements it.
type Opener interface {
	Open(ctx context.Context, course membership.Course, userID int64) (membership.CheckoutSession, error)
}

// ReusingCheckout gives a buyer who taps Buy again for the same course the
// payment page opened before while it is open and unpaid, instead of
// creating a session per tap. It implements the bot's Checkout.
type ReusingCheckout struct {
	Opener Opener
	Store  SessionStore
	Now    func() time.Time // the injected clock; time.Now when nil
	Log    *slog.Logger     // may be nil

	seed  maphash.Seed
	once  sync.Once
	locks [64]sync.Mutex // taps of one buyer and course take turns
}

// CreateSession returns the buyer's open session for the course, or opens
// and stores a new one.
func (r *ReusingCheckout) CreateSession(ctx context.Context, course membership.Course, userID int64) (string, string, error) {
	mu := r.lock(course.ID, userID)
	mu.Lock()
	defer mu.Unlock()
	s, err := r.Store.CheckoutSession(ctx, course.ID, userID)
	switch {
	case err == nil:
		open, err := r.reusable(ctx, s)
		if err != nil {
			return "", "", err
		}
		if open {
			return s.URL, s.ID, nil
		}
	case !errors.Is(err, shequn.ErrNotFound):
		return "", "", fmt.Errorf("read checkout session: %w", err)
	}
	s, err = r.Opener.Open(ctx, course, userID)
	if err != nil {
		return "", "", err
	}
	if err := r.Store.SaveCheckoutSession(ctx, s); err != nil && r.Log != nil {
		// The page works; only the next tap will open another.
		r.Log.WarnContext(ctx, "checkout session not stored for reuse", "session", s.ID, "err", err)
	}
	return s.URL, s.ID, nil
}

// reusable reports whether a stored session is open long enough and not
// paid already.
func (r *ReusingCheckout) reusable(ctx context.Context, s membership.CheckoutSession) (bool, error) {
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	if !s.ExpiresAt.After(now.Add(MinRemaining)) {
		return false, nil
	}
	orders, err := r.Store.Orders(ctx, s.UserID)
	if err != nil {
		return false, fmt.Errorf("read orders: %w", err)
	}
	return !slices.ContainsFunc(orders, func(o membership.Order) bool { return o.ID == s.ID }), nil
}

func (r *ReusingCheckout) lock(course string, userID int64) *sync.Mutex {
	r.once.Do(func() { r.seed = maphash.MakeSeed() })
	h := maphash.String(r.seed, course+"/"+strconv.FormatInt(userID, 10))
	return &r.locks[h%uint64(len(r.locks))]
}
