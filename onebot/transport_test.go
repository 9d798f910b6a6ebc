package onebot_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/onebot/onebottest"
)

// events collects what the transport passed on.
type events struct {
	mu  sync.Mutex
	got []onebot.Event
	ch  chan onebot.Event
}

func newEvents() *events { return &events{ch: make(chan onebot.Event, 100)} }

func (e *events) take(_ context.Context, ev onebot.Event) error {
	e.mu.Lock()
	e.got = append(e.got, ev)
	e.mu.Unlock()
	e.ch <- ev
	return nil
}

func (e *events) next(t *testing.T) onebot.Event {
	t.Helper()
	select {
	case ev := <-e.ch:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event arrived")
		return onebot.Event{}
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// serveWS runs a transport for the reverse WebSocket and returns its ws:// URL.
func serveWS(t testing.TB, tr *onebot.Transport) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+onebot.WSPath, tr.ServeWS)
	mux.HandleFunc("POST "+onebot.EventsPath, tr.ServeEvents)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(tr.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + onebot.WSPath
}

func TestReverseWebSocketCarriesEventsAndActions(t *testing.T) {
	evs := newEvents()
	tr := &onebot.Transport{Token: "tok", Events: evs.take, Log: quiet()}
	url := serveWS(t, tr)
	fake := onebottest.New(10001)
	ctx := context.Background()
	if _, err := fake.DialWS(ctx, url, "wrong"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a wrong token connected: %v", err)
	}
	if _, err := fake.DialWS(ctx, url, ""); err == nil {
		t.Fatal("no token connected")
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := tr.Call(short, "get_login_info", nil, nil); !errors.Is(err, onebot.ErrNotConnected) {
		t.Fatalf("call without a connection: %v", err)
	}
	// An action waits for the implementation to connect (again).
	early := make(chan error, 1)
	go func() { early <- tr.Call(ctx, "get_login_info", nil, nil) }()
	conn, err := fake.DialWS(ctx, url, "tok")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := tr.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-early; err != nil {
		t.Fatalf("an action made before the connection: %v", err)
	}
	var me struct {
		UserID int64 `json:"user_id"`
	}
	if err := tr.Call(ctx, "get_login_info", nil, &me); err != nil || me.UserID != 10001 || tr.SelfID() != 10001 {
		t.Fatalf("get_login_info = %+v, %v; self %d", me, err, tr.SelfID())
	}
	// A name full of CQ codes stays text on the way in.
	if err := fake.PrivateMessage(ctx, 42, "[CQ:at,qq=all]", onebot.Text("hi [CQ:face,id=1]")); err != nil {
		t.Fatal(err)
	}
	ev := evs.next(t)
	if ev.PostType != "message" || ev.UserID != 42 || ev.Message.PlainText() != "hi [CQ:face,id=1]" || ev.Sender.Nickname != "[CQ:at,qq=all]" {
		t.Errorf("event = %+v", ev)
	}
	// Failures carry their retcode; many calls at once get their own answers.
	err = tr.Call(ctx, "set_group_kick", map[string]any{"group_id": 5, "user_id": 6}, nil)
	var oe *onebot.Error
	if !errors.As(err, &oe) || oe.Retcode != onebot.RetBadParams || !strings.Contains(oe.Msg, "GROUP_NOT_FOUND") {
		t.Errorf("kick in an unknown group: %v", err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got struct {
				UserID int64 `json:"user_id"`
			}
			fake.AddGroup(int64(100+i), "g", "admin")
			fake.AddMember(int64(100+i), int64(500+i), "m", "member")
			if err := tr.Call(ctx, "get_group_member_info", map[string]any{"group_id": 100 + i, "user_id": 500 + i}, &got); err != nil || got.UserID != int64(500+i) {
				t.Errorf("call %d: %+v %v", i, got, err)
			}
		}()
	}
	wg.Wait()
}

func TestEventsPostedOverHTTPMustBeSigned(t *testing.T) {
	evs := newEvents()
	tr := &onebot.Transport{Token: "tok", Secret: "s3cret", Events: evs.take, Log: quiet()}
	body := []byte(`{"time":1,"self_id":10001,"post_type":"message","message_type":"private","message_id":7,"user_id":42,"message":[{"type":"text","data":{"text":"/me"}}]}`)
	sig := "sha1=" + hex.EncodeToString(onebot.Sign("s3cret", body))
	for _, tc := range []struct {
		name, sig string
		body      []byte
		want      int
	}{
		{"unsigned", "", body, 403},
		{"other secret", "sha1=" + hex.EncodeToString(onebot.Sign("other", body)), body, 403},
		{"not hex", "sha1=zz", body, 403},
		{"tampered", sig, bytes.Replace(body, []byte("/me"), []byte("/mx"), 1), 403},
		{"signed", sig, body, 204},
	} {
		r := httptest.NewRequest(http.MethodPost, onebot.EventsPath, bytes.NewReader(tc.body))
		if tc.sig != "" {
			r.Header.Set("X-Signature", tc.sig)
		}
		w := httptest.NewRecorder()
		tr.ServeEvents(w, r)
		if w.Code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, w.Code, tc.want)
		}
	}
	if len(evs.got) != 1 || evs.got[0].Message.PlainText() != "/me" {
		t.Errorf("events taken: %+v", evs.got)
	}
	// A signed body that is not an event is refused, and one the intake
	// could not store is answered 500.
	bad := []byte(`{"hello":1}`)
	r := httptest.NewRequest(http.MethodPost, onebot.EventsPath, bytes.NewReader(bad))
	r.Header.Set("X-Signature", "sha1="+hex.EncodeToString(onebot.Sign("s3cret", bad)))
	w := httptest.NewRecorder()
	tr.ServeEvents(w, r)
	if w.Code != 400 {
		t.Errorf("not an event: %d", w.Code)
	}
	tr.Events = func(context.Context, onebot.Event) error { return errors.New("disk full") }
	r = httptest.NewRequest(http.MethodPost, onebot.EventsPath, bytes.NewReader(body))
	r.Header.Set("X-Signature", sig)
	w = httptest.NewRecorder()
	tr.ServeEvents(w, r)
	if w.Code != 500 {
		t.Errorf("not stored: %d", w.Code)
	}
}

func TestActionsOverHTTPAndEventsBack(t *testing.T) {
	fake := onebottest.New(10001)
	fake.AddGroup(777, "学员1群", "admin")
	api := httptest.NewServer(fake.HTTP("tok"))
	defer api.Close()
	evs := newEvents()
	tr := &onebot.Transport{Token: "tok", Secret: "s3cret", URL: api.URL, Events: evs.take, Log: quiet()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+onebot.EventsPath, tr.ServeEvents)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	fake.PostEvents(srv.URL+onebot.EventsPath, "s3cret", nil)
	ctx := context.Background()
	if err := tr.Call(ctx, "set_group_whole_ban", map[string]any{"group_id": 777, "enable": true}, nil); err != nil {
		t.Fatal(err)
	}
	if g, _ := fake.Group(777); !g.WholeBan {
		t.Error("the group is not muted")
	}
	flag, err := fake.AskToJoin(ctx, 777, 42, "小明", "PPT-00042")
	if err != nil {
		t.Fatal(err)
	}
	if ev := evs.next(t); ev.PostType != "request" || ev.Flag != flag || ev.Comment != "PPT-00042" {
		t.Errorf("request event = %+v", ev)
	}
	if err := tr.Call(ctx, "set_group_add_request", map[string]any{"flag": flag, "sub_type": "add", "approve": true}, nil); err != nil {
		t.Fatal(err)
	}
	if ev := evs.next(t); ev.NoticeType != "group_increase" || ev.UserID != 42 {
		t.Errorf("after approval = %+v", ev)
	}
	var oe *onebot.Error
	if err := (&onebot.Transport{Token: "nope", URL: api.URL}).Call(ctx, "get_login_info", nil, nil); !errors.As(err, &oe) || oe.Retcode != onebot.RetForbidden {
		t.Errorf("wrong token: %v", err)
	}
	if err := tr.Call(ctx, "no_such_action", nil, nil); !errors.As(err, &oe) || oe.Retcode != onebot.RetNoAction {
		t.Errorf("unknown action: %v", err)
	}
}
