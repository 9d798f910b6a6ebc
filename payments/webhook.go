package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// MaxWebhookBody is the largest webhook body accepted; Stripe's events are
// far smaller.
const MaxWebhookBody = 64 << 10

// Receiver stores a translated payment event and reports whether it was
// new. membership.Service implements it.
type Receiver interface {
	Receive(ctx context.Context, e membership.PaymentEvent) (bool, error)
}

// WebhookHandler serves POST /stripe/webhook. It verifies Stripe's
// signature, translates the events shequn cares about into
// membership.PaymentEvent and answers 2xx only once the Receiver has stored
// the event, so that Stripe retries anything not stored. Unsigned, forged,
// stale or malformed deliveries are answered 400 and store nothing. Without
// a signing secret every delivery is answered 503: an event signed with an
// empty key proves nothing, so payments are simply not open.
type WebhookHandler struct {
	// Notify, when set, is called after a new event was stored (to wake
	// the processor).
	Notify func()
	// Now gives the Received time of events; time.Now when nil.
	Now func() time.Time

	secret string
	recv   Receiver
	log    *slog.Logger
}

// NewWebhookHandler returns a handler verifying signatures with the
// endpoint's signing secret (whsec_…) and passing events to recv. log may
// be nil to discard.
func NewWebhookHandler(secret string, recv Receiver, log *slog.Logger) *WebhookHandler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &WebhookHandler{secret: secret, recv: recv, log: log}
}

// ServeHTTP implements http.Handler.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.secret == "" {
		h.log.WarnContext(ctx, "stripe webhook refused: payments are not configured (SHEQUN_STRIPE_WEBHOOK_SECRET is not set)")
		http.Error(w, "payments are not configured", http.StatusServiceUnavailable)
		return
	}
	payload, ok := h.readBody(w, r)
	if !ok {
		return
	}
	// The API version is checked below, after the signature, so that a
	// version mismatch gets its own clear message.
	ev, err := webhook.ConstructEventWithOptions(payload, r.Header.Get("Stripe-Signature"), h.secret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		// These errors name what is wrong, never the signature or secret.
		h.log.WarnContext(ctx, "stripe webhook rejected: bad signature", "err", err)
		http.Error(w, "invalid signature", http.StatusBadRequest)
		return
	}
	if ev.APIVersion != stripe.APIVersion {
		h.log.ErrorContext(ctx, fmt.Sprintf("stripe webhook endpoint sends API version %s but shequn is built for %s: pin the endpoint's API version to %s",
			ev.APIVersion, stripe.APIVersion, stripe.APIVersion), "event", ev.ID, "type", string(ev.Type))
		http.Error(w, "unsupported API version", http.StatusBadRequest)
		return
	}
	pe, ok, err := h.translate(ctx, ev)
	if err != nil {
		h.log.WarnContext(ctx, "stripe webhook rejected: malformed event", "event", ev.ID, "type", string(ev.Type), "err", err)
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	pe.Received = h.now()
	added, err := h.recv.Receive(ctx, pe)
	if err != nil {
		// The error table decides the status; Stripe retries whatever is
		// not 2xx.
		code := shequn.ErrorCode(err)
		if shequn.Internal(code) {
			h.log.ErrorContext(ctx, "stripe webhook not stored; Stripe will retry", "event", ev.ID, "type", string(ev.Type), "err", err)
			http.Error(w, "not stored, retry later", shequn.HTTPStatus(code))
			return
		}
		h.log.WarnContext(ctx, "stripe webhook rejected", "event", ev.ID, "type", string(ev.Type), "code", string(code), "err", err)
		http.Error(w, "rejected: "+string(code), shequn.HTTPStatus(code))
		return
	}
	if added {
		h.log.InfoContext(ctx, "stripe webhook stored", "event", pe.ID, "kind", string(pe.Kind), "course", pe.Course, "user", pe.UserID)
		if h.Notify != nil {
			h.Notify()
		}
	} else {
		h.log.DebugContext(ctx, "stripe webhook duplicate", "event", pe.ID)
	}
	w.WriteHeader(http.StatusOK)
}

// readBody reads the request body up to MaxWebhookBody; on failure it
// answers the request and reports false.
func (h *WebhookHandler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err == nil {
		return payload, true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		h.log.WarnContext(r.Context(), "stripe webhook rejected: body too large", "limit", MaxWebhookBody)
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	h.log.WarnContext(r.Context(), "stripe webhook rejected: body unreadable", "err", err)
	http.Error(w, "bad request", http.StatusBadRequest)
	return nil, false
}

func (h *WebhookHandler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// translate turns a verified event into a PaymentEvent. ok is false for
// events shequn acknowledges and ignores; err is set when the event's
// object does not parse.
func (h *WebhookHandler) translate(ctx context.Context, ev stripe.Event) (pe membership.PaymentEvent, ok bool, err error) {
	if ev.Data == nil {
		return pe, false, errors.New("event without data")
	}
	pe.ID = ev.ID
	pe.Created = time.Unix(ev.Created, 0)
	switch ev.Type {
	case stripe.EventTypeCheckoutSessionCompleted, stripe.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		var s stripe.CheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &s); err != nil {
			return pe, false, err
		}
		if s.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
			// Delayed methods complete unpaid; async_payment_succeeded follows.
			h.log.InfoContext(ctx, "stripe checkout completed but not paid yet", "event", ev.ID, "session", s.ID, "payment_status", string(s.PaymentStatus))
			return pe, false, nil
		}
		paid, ours := sessionEvent(&s)
		paid.ID, paid.Created = pe.ID, pe.Created
		if !ours {
			// Another product sold on the same Stripe account: kept as a
			// record, dropped when processed.
			h.log.WarnContext(ctx, "stripe checkout paid without shequn course or user recorded as another product's",
				"event", ev.ID, "session", s.ID)
			paid.Kind = membership.EventForeign
		}
		return paid, true, nil
	case stripe.EventTypeChargeRefunded:
		var c stripe.Charge
		if err := json.Unmarshal(ev.Data.Raw, &c); err != nil {
			return pe, false, err
		}
		if !c.Refunded && (c.Amount <= 0 || c.AmountRefunded < c.Amount) {
			h.log.InfoContext(ctx, "stripe partial refund ignored", "event", ev.ID, "charge", c.ID, "amount", c.Amount, "refunded", c.AmountRefunded)
			return pe, false, nil
		}
		pe.Kind, pe.PaymentIntent = membership.EventRefunded, intentID(c.PaymentIntent)
		pe.Course, pe.UserID = c.Metadata[MetaCourse], userID("", c.Metadata)
		pe.Amount, pe.Currency = c.AmountRefunded, string(c.Currency)
		return h.needIntent(ctx, pe, c.ID)
	case stripe.EventTypeChargeDisputeCreated:
		var d stripe.Dispute
		if err := json.Unmarshal(ev.Data.Raw, &d); err != nil {
			return pe, false, err
		}
		pe.Kind, pe.PaymentIntent = membership.EventDisputed, intentID(d.PaymentIntent)
		pe.Amount, pe.Currency = d.Amount, string(d.Currency)
		return h.needIntent(ctx, pe, d.ID)
	}
	h.log.DebugContext(ctx, "stripe webhook event type ignored", "event", ev.ID, "type", string(ev.Type))
	return pe, false, nil
}

// needIntent ignores refunds and disputes of payments made without a
// PaymentIntent: shequn's Checkout Sessions always have one.
func (h *WebhookHandler) needIntent(ctx context.Context, pe membership.PaymentEvent, object string) (membership.PaymentEvent, bool, error) {
	if pe.PaymentIntent == "" {
		h.log.WarnContext(ctx, "stripe refund or dispute without payment intent ignored", "event", pe.ID, "object", object)
		return pe, false, nil
	}
	return pe, true, nil
}

func intentID(pi *stripe.PaymentIntent) string {
	if pi == nil {
		return ""
	}
	return pi.ID
}

// userID reads the buyer from client_reference_id, falling back to the
// metadata: a Telegram user id, or "qq:<number>" for a QQ user; 0 when
// neither holds one.
func userID(ref string, meta map[string]string) int64 {
	for _, s := range []string{ref, meta[MetaUserID]} {
		if id, err := shequn.ParseUserRef(s); err == nil {
			return id
		}
	}
	return 0
}
