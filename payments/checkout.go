// Package payments holds all of shequn's Stripe code: creating Checkout
// Sessions for courses and turning Stripe's signed webhooks into
// membership.PaymentEvent values. No other package imports stripe-go.
package payments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// Metadata keys set on every Checkout Session and its PaymentIntent.
const (
	MetaCourse = "course"
	MetaUserID = "telegram_user_id"
)

// Checkout creates Stripe Checkout Sessions.
type Checkout struct {
	// Now is the clock the sessions' expiry is counted from; time.Now
	// when nil. It must be close to Stripe's: Stripe accepts an expiry 30
	// minutes to 24 hours ahead.
	Now func() time.Time

	api        *client.API
	successURL string
	cancelURL  string

	mu     sync.Mutex
	prices map[string]price  // see Price
	ours   map[string]string // payment intent -> course; see Ours
}

// NewCheckout returns a Checkout calling Stripe with secretKey. apiURL
// replaces Stripe's API URL when non-empty (stripe-mock in tests);
// httpClient may be nil for stripe-go's default. stripe-go's own logging is
// switched off: errors are returned, and logged by the caller.
func NewCheckout(secretKey, apiURL string, httpClient *http.Client, successURL, cancelURL string) *Checkout {
	quiet := &stripe.LeveledLogger{Level: stripe.LevelNull}
	cfg := func(url string) *stripe.BackendConfig {
		c := &stripe.BackendConfig{HTTPClient: httpClient, LeveledLogger: quiet}
		if url != "" {
			c.URL = stripe.String(url)
		}
		return c
	}
	backends := &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, cfg(apiURL)),
		Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, cfg("")),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg("")),
	}
	return &Checkout{api: client.New(secretKey, backends), successURL: successURL, cancelURL: cancelURL}
}

// CreateSession creates a one-off payment Checkout Session for course on
// behalf of the Telegram user userID and returns its URL and id. The session
// carries the user id in client_reference_id and both ids in the metadata of
// the session and of its PaymentIntent, where refunds and disputes find them.
//
// Errors are *shequn.Error values with a user-safe message: code
// CodeUnavailable when Stripe could not be reached or failed on its side
// (retry later), CodeInvalid for a course without a price or a bad user id,
// CodeInternal when Stripe rejected the request (a configuration bug). The
// cause, with Stripe's own text, is in the error chain for the log.
func (c *Checkout) CreateSession(ctx context.Context, course membership.Course, userID int64) (url string, id string, err error) {
	s, err := c.Open(ctx, course, userID)
	if err != nil {
		return "", "", err
	}
	return s.URL, s.ID, nil
}

// SessionLifetime is how long a new Checkout Session stays open; Stripe
// accepts 30 minutes to 24 hours.
const SessionLifetime = 23 * time.Hour

// Open is CreateSession returning the whole session, with the time it
// expires, so that it can be handed out again while it is open.
func (c *Checkout) Open(ctx context.Context, course membership.Course, userID int64) (membership.CheckoutSession, error) {
	if userID <= 0 {
		return membership.CheckoutSession{}, shequn.Errorf(shequn.CodeInvalid, "invalid user id %d", userID)
	}
	item := &stripe.CheckoutSessionLineItemParams{Quantity: stripe.Int64(1)}
	switch {
	case course.StripePrice != "":
		item.Price = stripe.String(course.StripePrice)
	case course.Amount > 0 && course.Currency != "":
		item.PriceData = &stripe.CheckoutSessionLineItemPriceDataParams{
			Currency:    stripe.String(course.Currency),
			UnitAmount:  stripe.Int64(course.Amount),
			ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(course.Title)},
		}
	default:
		return membership.CheckoutSession{}, shequn.Errorf(shequn.CodeInvalid, "course %q has no price", course.ID)
	}
	user := shequn.UserRef(userID) // "qq:<number>" for a QQ buyer
	meta := map[string]string{MetaCourse: course.ID, MetaUserID: user}
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		LineItems:         []*stripe.CheckoutSessionLineItemParams{item},
		ClientReferenceID: stripe.String(user),
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{Metadata: meta},
		SuccessURL:        stripe.String(c.successURL),
		CancelURL:         stripe.String(c.cancelURL),
		ExpiresAt:         stripe.Int64(c.now().Add(SessionLifetime).Unix()),
	}
	params.Context = ctx
	for k, v := range meta {
		params.AddMetadata(k, v)
	}
	if len(course.PaymentMethods) > 0 {
		params.PaymentMethodTypes = stripe.StringSlice(course.PaymentMethods)
	}
	if slices.Contains(course.PaymentMethods, "wechat_pay") {
		// Stripe requires the client type for WeChat Pay in Checkout.
		params.PaymentMethodOptions = &stripe.CheckoutSessionPaymentMethodOptionsParams{
			WeChatPay: &stripe.CheckoutSessionPaymentMethodOptionsWeChatPayParams{Client: stripe.String("web")},
		}
	}
	s, err := c.api.CheckoutSessions.New(params)
	if err != nil {
		return membership.CheckoutSession{}, classify("create checkout session", err)
	}
	if s.URL == "" || s.ID == "" {
		return membership.CheckoutSession{}, &shequn.Error{Code: shequn.CodeInternal, Message: "the payment page could not be created",
			Err: fmt.Errorf("stripe returned checkout session %q without url", s.ID)}
	}
	return membership.CheckoutSession{Course: course.ID, UserID: userID, ID: s.ID, URL: s.URL,
		ExpiresAt: time.Unix(s.ExpiresAt, 0).UTC()}, nil
}

func (c *Checkout) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// classify wraps a stripe-go error into a *shequn.Error whose message
// never holds Stripe's text.
func classify(op string, err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		// Transport failure: refused, reset, timed out, cancelled.
		return &shequn.Error{Code: shequn.CodeUnavailable, Message: "the payment service is unreachable, please try again later",
			Err: fmt.Errorf("%s: %w", op, err)}
	}
	cause := &stripeError{se: se, msg: fmt.Sprintf("%s: stripe %s (status %d, code %q, request %s): %s",
		op, se.Type, se.HTTPStatusCode, se.Code, se.RequestID, se.Msg)}
	if se.HTTPStatusCode >= 500 || se.HTTPStatusCode == http.StatusTooManyRequests || se.Type == stripe.ErrorTypeAPI {
		return &shequn.Error{Code: shequn.CodeUnavailable, Message: "the payment service is unavailable, please try again later", Err: cause}
	}
	return &shequn.Error{Code: shequn.CodeInternal, Message: "the payment page could not be created", Err: cause}
}

// stripeError gives a *stripe.Error a readable one-line text (its own Error
// is JSON) while keeping it in the chain for errors.As.
type stripeError struct {
	se  *stripe.Error
	msg string
}

func (e *stripeError) Error() string { return e.msg }
func (e *stripeError) Unwrap() error { return e.se }
