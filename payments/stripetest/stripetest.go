// Package stripetest builds Stripe webhook deliveries signed the way Stripe
// signs them, for the demo, end-to-end tests and benchmarks. Signatures
// come from stripe-go's own webhook.GenerateTestSignedPayload.
package stripetest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/payments"
)

// Delivery is one signed webhook request.
type Delivery struct {
	Body      []byte
	Signature string // the Stripe-Signature header
}

// Sign wraps object into an event of the type and signs it with secret at
// the time at.
func Sign(secret, eventID, eventType string, object map[string]any, at time.Time) Delivery {
	ev := map[string]any{
		"id": eventID, "object": "event", "type": eventType, "api_version": stripe.APIVersion,
		"created": at.Unix(), "livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": object},
	}
	body, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("stripetest: %v", err))
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: at})
	return Delivery{Body: signed.Payload, Signature: signed.Header}
}

// CheckoutCompleted is a paid checkout.session.completed for a course
// bought by a user (a QQ user's reference is "qq:<number>").
func CheckoutCompleted(secret, eventID, sessionID, paymentIntent, course string, userID, amount int64, at time.Time) Delivery {
	uid := shequn.UserRef(userID)
	return Sign(secret, eventID, "checkout.session.completed", map[string]any{
		"id": sessionID, "object": "checkout.session", "mode": "payment", "status": "complete",
		"payment_status": "paid", "client_reference_id": uid, "payment_intent": paymentIntent,
		"amount_total": amount, "currency": "cny",
		"metadata": map[string]string{payments.MetaCourse: course, payments.MetaUserID: uid},
	}, at)
}

// ChargeRefunded is a charge.refunded for the full amount of a payment.
func ChargeRefunded(secret, eventID, chargeID, paymentIntent string, amount int64, at time.Time) Delivery {
	return Sign(secret, eventID, "charge.refunded", map[string]any{
		"id": chargeID, "object": "charge", "payment_intent": paymentIntent, "amount": amount,
		"amount_refunded": amount, "refunded": true, "currency": "cny",
	}, at)
}

// DisputeCreated is a charge.dispute.created for a payment.
func DisputeCreated(secret, eventID, disputeID, chargeID, paymentIntent string, amount int64, at time.Time) Delivery {
	return Sign(secret, eventID, "charge.dispute.created", map[string]any{
		"id": disputeID, "object": "dispute", "charge": chargeID, "payment_intent": paymentIntent,
		"amount": amount, "currency": "cny", "status": "needs_response",
	}, at)
}
