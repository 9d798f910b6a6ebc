package onebot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

// newQQ is a QQ side over the transport whose accepted updates go to got.
func newQQ(tr *onebot.Transport, got chan tgbotapi.Update) *onebot.QQ {
	return &onebot.QQ{API: tr, Self: tr.SelfID, Now: time.Now, Log: quiet(),
		Out: &onebot.Sender{API: tr, Now: time.Now},
		Accept: func(_ context.Context, us []tgbotapi.Update) error {
			for _, u := range us {
				got <- u
			}
			return nil
		}}
}

// A join request stored before a restart is answered after it: its flag
// rides in the stored update.
func TestJoinRequestsSurviveARestart(t *testing.T) {
	fake := onebottest.New(10001)
	fake.AddGroup(777, "g", "admin")
	tr, stop := connect(t, fake)
	defer stop()
	got := make(chan tgbotapi.Update, 4)
	tr.Events = newQQ(tr, got).Take
	flag, err := fake.AskToJoin(t.Context(), 777, 42, "小明", "PPT-00042")
	if err != nil {
		t.Fatal(err)
	}
	u := <-got
	jr := u.ChatJoinRequest
	if jr == nil || jr.Chat.ID != shequn.QQGroup(777) || jr.From.ID != shequn.QQUser(42) || jr.Bio != "PPT-00042" {
		t.Fatalf("the request as an update: %+v", u)
	}
	// A process that never saw the event cannot answer it …
	fresh := newQQ(tr, got)
	if err := (onebot.Platform{QQ: fresh}).ApproveJoin(t.Context(), jr.Chat.ID, jr.From.ID); !errors.Is(err, groups.ErrJoinRequestGone) {
		t.Fatalf("without the flag: %v", err)
	}
	// … until it reads the stored update back.
	handle := fresh.Handling(func(ctx context.Context, u tgbotapi.Update) error {
		return onebot.Platform{QQ: fresh}.ApproveJoin(ctx, u.ChatJoinRequest.Chat.ID, u.ChatJoinRequest.From.ID)
	})
	if err := handle(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if r := fake.Request(flag); !r.Approved {
		t.Errorf("after the restart the request was not approved: %+v", r)
	}
}
