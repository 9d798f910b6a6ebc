package payments

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v76"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// captureTransport records the form body of every request it passes on.
type captureTransport struct {
	mu    sync.Mutex
	forms []url.Values
}

func (c *captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.forms = append(c.forms, form)
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (c *captureTransport) last(t *testing.T) url.Values {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.forms) == 0 {
		t.Fatal("no request captured")
	}
	return c.forms[len(c.forms)-1]
}

var (
	pptCourse = membership.Course{ID: "ppt", Title: "PPT 进阶", Prefix: "PPT", Amount: 9900, Currency: "cny",
		PaymentMethods: []string{"card", "alipay", "wechat_pay"}}
	excelCourse = membership.Course{ID: "excel", Title: "Excel", Prefix: "XL", StripePrice: "price_1OabcExcel",
		PaymentMethods: []string{"card"}}
)

func TestCheckoutStripeMock(t *testing.T) {
	base := stripeMockURL(t)
	capture := &captureTransport{}
	co := NewCheckout("sk_test_123", base, &http.Client{Transport: capture}, "https://t.me/shequn_bot?start=paid", "https://t.me/shequn_bot")

	t.Run("amount and wechat pay", func(t *testing.T) {
		u, id, err := co.CreateSession(context.Background(), pptCourse, 42)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u, "https://") || !strings.HasPrefix(id, "cs_") {
			t.Errorf("url %q id %q", u, id)
		}
		f := capture.last(t)
		want := map[string]string{
			"mode":                                  "payment",
			"client_reference_id":                   "42",
			"metadata[course]":                      "ppt",
			"metadata[telegram_user_id]":            "42",
			"payment_intent_data[metadata][course]": "ppt",
			"payment_intent_data[metadata][telegram_user_id]": "42",
			"line_items[0][quantity]":                         "1",
			"line_items[0][price_data][currency]":             "cny",
			"line_items[0][price_data][unit_amount]":          "9900",
			"line_items[0][price_data][product_data][name]":   "PPT 进阶",
			"payment_method_types[0]":                         "card",
			"payment_method_types[1]":                         "alipay",
			"payment_method_types[2]":                         "wechat_pay",
			"payment_method_options[wechat_pay][client]":      "web",
			"success_url": "https://t.me/shequn_bot?start=paid",
			"cancel_url":  "https://t.me/shequn_bot",
		}
		for k, v := range want {
			if got := f.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
	})

	t.Run("stripe price", func(t *testing.T) {
		_, id, err := co.CreateSession(context.Background(), excelCourse, 7)
		if err != nil {
			t.Fatal(err)
		}
		if id == "" {
			t.Error("no session id")
		}
		f := capture.last(t)
		if f.Get("line_items[0][price]") != "price_1OabcExcel" || f.Has("line_items[0][price_data][currency]") {
			t.Errorf("line item: %v", f)
		}
		if f.Has("payment_method_options[wechat_pay][client]") || f.Get("payment_method_types[0]") != "card" {
			t.Errorf("payment methods: %v", f)
		}
		if f.Get("client_reference_id") != "7" || f.Get("metadata[course]") != "excel" || f.Get("payment_intent_data[metadata][course]") != "excel" {
			t.Errorf("ids: %v", f)
		}
	})
}

func TestCheckoutInvalid(t *testing.T) {
	capture := &captureTransport{}
	co := NewCheckout("sk_test_123", "http://127.0.0.1:1", &http.Client{Transport: capture}, "https://t.me", "https://t.me")
	for _, tt := range []struct {
		name   string
		course membership.Course
		user   int64
	}{
		{"no price", membership.Course{ID: "x", Title: "X", Prefix: "X"}, 1},
		{"no user", pptCourse, 0},
	} {
		if _, _, err := co.CreateSession(context.Background(), tt.course, tt.user); shequn.ErrorCode(err) != shequn.CodeInvalid {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
	if len(capture.forms) != 0 {
		t.Errorf("invalid input reached Stripe: %v", capture.forms)
	}
}

func TestCheckoutStripeDown(t *testing.T) {
	port := freePort(t) // nothing listens there any more
	co := NewCheckout("sk_test_123", "http://127.0.0.1:"+strconv.Itoa(port), nil, "https://t.me", "https://t.me")
	_, _, err := co.CreateSession(context.Background(), pptCourse, 42)
	if shequn.ErrorCode(err) != shequn.CodeUnavailable {
		t.Fatalf("err = %v, code %q", err, shequn.ErrorCode(err))
	}
	var me *shequn.Error
	if !errors.As(err, &me) || me.Err == nil || strings.Contains(me.Message, "refused") || strings.Contains(me.Message, "127.0.0.1") {
		t.Errorf("error %#v: message must be user-safe and the cause kept", me)
	}
}

func TestCheckoutStripeErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   shequn.Code
	}{
		{"bad request is a bug", 400, `{"error":{"type":"invalid_request_error","message":"No such price: 'price_x'","param":"line_items[0][price]"}}`, shequn.CodeInternal},
		{"bad key is a bug", 401, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_***123"}}`, shequn.CodeInternal},
		{"server error", 500, `{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}`, shequn.CodeUnavailable},
		{"rate limited", 429, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`, shequn.CodeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Stripe-Should-Retry", "false")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			co := NewCheckout("sk_test_123", srv.URL, srv.Client(), "https://t.me", "https://t.me")
			_, _, err := co.CreateSession(context.Background(), pptCourse, 42)
			if got := shequn.ErrorCode(err); got != tt.want {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.want, err)
			}
			var me *shequn.Error
			var se *stripe.Error
			if !errors.As(err, &me) || !errors.As(err, &se) || se.HTTPStatusCode != tt.status {
				t.Fatalf("error chain lacks *shequn.Error or *stripe.Error: %v", err)
			}
			if strings.Contains(me.Message, "price_x") || strings.Contains(me.Message, "Stripe's end") || strings.Contains(me.Message, "API Key") {
				t.Errorf("user message holds Stripe's text: %q", me.Message)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}
