package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

// qqToken is the demo's OneBot access token.
const qqToken = "demo-onebot-token"

// QQ is the fake OneBot implementation connected to the harness's app
// over the real reverse WebSocket.
type QQ struct {
	*onebottest.Server
	h    *Harness
	conn *onebottest.Conn
}

// ConnectQQ starts a fake QQ account and connects it to the app as NapCat
// would.
func (h *Harness) ConnectQQ(ctx context.Context, self int64) (*QQ, error) {
	fake := onebottest.New(self)
	fake.Now = h.Clock.Now
	conn, err := fake.DialWS(ctx, "ws"+strings.TrimPrefix(h.baseURL, "http")+onebot.WSPath, qqToken)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := h.App.WaitQQ(wctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("the app did not see the QQ connection: %w", err)
	}
	return &QQ{Server: fake, h: h, conn: conn}, nil
}

// Close disconnects the fake.
func (q *QQ) Close() { q.conn.Close() }

// Step lets the app take every event the fake sent (those its actions
// caused too) and finish its work.
func (q *QQ) Step(ctx context.Context) error {
	for range 20 {
		if err := q.settle(ctx); err != nil {
			return err
		}
		if err := q.h.Step(ctx); err != nil {
			return err
		}
		q.h.App.QQ.Wait()
		if q.Emitted() == q.h.App.QQ.Taken() {
			return nil
		}
	}
	return fmt.Errorf("qq step: events keep coming")
}

// settle waits until the app took every event the fake sent.
func (q *QQ) settle(ctx context.Context) error {
	deadline := time.Now().Add(5 * time.Second)
	for q.Emitted() != q.h.App.QQ.Taken() {
		if time.Now().After(deadline) {
			return fmt.Errorf("qq: %d events sent, %d taken", q.Emitted(), q.h.App.QQ.Taken())
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// Say sends text from a QQ user, privately (group 0) or in a group, and
// steps.
func (q *QQ) Say(ctx context.Context, user int64, nickname string, group int64, text string) error {
	var err error
	if group == 0 {
		err = q.PrivateMessage(ctx, user, nickname, onebot.Text(text))
	} else {
		err = q.GroupMessage(ctx, group, user, onebot.Text(text))
	}
	if err != nil {
		return err
	}
	return q.Step(ctx)
}

// LastTo is the newest text sent to a QQ user (group 0) or group.
func (q *QQ) LastTo(user, group int64) string {
	texts := q.SentTo(user, group)
	if len(texts) == 0 {
		return ""
	}
	return texts[len(texts)-1]
}

// UserID is the domain id of a QQ user, as Stripe and the store see it.
func UserID(qq int64) int64 { return shequn.QQUser(qq) }
