package demo

import (
	"context"
	"fmt"
	"sync"

	"github.com/shequn/shequn/membership"
)

// Session is a checkout the demo opened in place of Stripe.
type Session struct {
	ID, PaymentIntent, Course string
	UserID                    int64
}

// Checkout stands in for Stripe Checkout in the demo, which has no Stripe
// account: it hands out session ids that the demo then "pays" by sending
// the signed webhook Stripe would send. The real Checkout is tested against
// stripe-mock in package payments.
type Checkout struct {
	mu       sync.Mutex
	sessions []Session
}

// CreateSession implements bot.Checkout.
func (c *Checkout) CreateSession(_ context.Context, course membership.Course, userID int64) (string, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.sessions) + 1
	s := Session{ID: fmt.Sprintf("cs_demo_%03d", n), PaymentIntent: fmt.Sprintf("pi_demo_%03d", n), Course: course.ID, UserID: userID}
	c.sessions = append(c.sessions, s)
	return "https://checkout.stripe.com/c/pay/" + s.ID, s.ID, nil
}

// Last returns the user's newest session.
func (c *Checkout) Last(userID int64) (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.sessions) - 1; i >= 0; i-- {
		if c.sessions[i].UserID == userID {
			return c.sessions[i], true
		}
	}
	return Session{}, false
}
