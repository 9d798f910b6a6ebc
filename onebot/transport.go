package onebot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Paths where OneBot implementations reach shequn.
const (
	WSPath     = "/onebot/v11/ws"     // reverse WebSocket, Universal client
	EventsPath = "/onebot/v11/events" // HTTP POST of events
)

// maxEventBody bounds an event posted over HTTP or read from the socket.
const maxEventBody = 1 << 20

// ErrNotConnected is returned by Call when actions go over the reverse
// WebSocket and no implementation is connected.
var ErrNotConnected = errors.New("onebot: no implementation connected")

// Transport speaks OneBot v11 with one QQ account: it accepts the reverse
// WebSocket at WSPath (events in, actions and their echoes out on the same
// socket) and events posted to EventsPath, and calls actions over the
// socket, or over HTTP when URL is set.
type Transport struct {
	Token  string // access_token: required of the socket, sent with HTTP actions
	Secret string // HMAC-SHA1 key of events posted over HTTP
	URL    string // the implementation's HTTP API; empty: actions over the socket
	Client *http.Client
	// Events receives every event but heartbeats; an error answers a
	// posted event with 500. It must not block long: over the socket,
	// events are read one after another.
	Events func(ctx context.Context, e Event) error
	Log    *slog.Logger
	// Timeout bounds an action's answer; 30 s when zero.
	Timeout time.Duration

	seq     atomic.Uint64
	mu      sync.Mutex
	conn    *websocket.Conn
	selfID  int64
	pending map[string]chan Response
	writeMu sync.Mutex
	up      chan struct{} // closed while a socket is open
}

// upLocked returns the channel closed while a socket is open. The caller
// holds t.mu.
func (t *Transport) upLocked() chan struct{} {
	if t.up == nil {
		t.up = make(chan struct{})
	}
	return t.up
}

// WaitConnected returns once an implementation holds the socket, or when
// ctx ends.
func (t *Transport) WaitConnected(ctx context.Context) error {
	t.mu.Lock()
	up := t.upLocked()
	t.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SelfID is the QQ number of the account connected last; 0 before any.
func (t *Transport) SelfID() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.selfID
}

// Connected reports whether an implementation holds the socket now.
func (t *Transport) Connected() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.conn != nil
}

// authorized checks the access token of a request: the Authorization
// header, or access_token in the query as the spec allows.
func (t *Transport) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		got, ok = strings.CutPrefix(r.Header.Get("Authorization"), "Token ")
	}
	if !ok {
		got = r.URL.Query().Get("access_token")
	}
	return t.Token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(t.Token)) == 1
}

// ServeWS accepts the reverse WebSocket of an implementation. A new
// connection replaces the one before it (the implementation reconnected).
func (t *Transport) ServeWS(w http.ResponseWriter, r *http.Request) {
	if !t.authorized(r) {
		t.Log.Warn("onebot: reverse WebSocket refused: wrong or missing access token", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	self, err := strconv.ParseInt(r.Header.Get("X-Self-ID"), 10, 64)
	if err != nil || self <= 0 {
		http.Error(w, "X-Self-ID is not a QQ number", http.StatusBadRequest)
		return
	}
	if role := r.Header.Get("X-Client-Role"); role != "" && !strings.EqualFold(role, "Universal") {
		http.Error(w, "connect as a Universal client (events and actions on one socket)", http.StatusBadRequest)
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		t.Log.Warn("onebot: accept reverse WebSocket", "err", err)
		return
	}
	c.SetReadLimit(maxEventBody)
	t.mu.Lock()
	old := t.conn
	t.conn, t.selfID = c, self
	if old == nil {
		close(t.upLocked())
	}
	t.mu.Unlock()
	if old != nil {
		old.Close(websocket.StatusGoingAway, "replaced by a new connection")
	}
	t.Log.Info("onebot: implementation connected", "self_id", self)
	err = t.read(r.Context(), c)
	t.mu.Lock()
	if t.conn == c {
		t.conn, t.up = nil, nil
	}
	t.mu.Unlock()
	c.CloseNow()
	t.Log.Info("onebot: implementation disconnected", "self_id", self, "err", err)
}

// frame is what comes over the socket: an event or an action's answer.
type frame struct {
	PostType string          `json:"post_type"`
	Echo     json.RawMessage `json:"echo"`
	Status   string          `json:"status"`
}

// read takes frames until the socket closes: answers go to their caller,
// events to Events, one after another.
func (t *Transport) read(ctx context.Context, c *websocket.Conn) error {
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return err
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil {
			t.Log.Warn("onebot: a frame does not decode", "err", err)
			continue
		}
		if f.PostType == "" {
			t.answered(b)
			continue
		}
		var e Event
		if err := json.Unmarshal(b, &e); err != nil {
			t.Log.Warn("onebot: an event does not decode", "err", err)
			continue
		}
		t.event(ctx, e)
	}
}

func (t *Transport) event(ctx context.Context, e Event) error {
	if e.SelfID != 0 {
		t.mu.Lock()
		t.selfID = e.SelfID // over HTTP, events are how the account is known
		t.mu.Unlock()
	}
	if e.PostType == "meta_event" || t.Events == nil {
		return nil
	}
	if err := t.Events(ctx, e); err != nil {
		t.Log.Error("onebot: an event was not taken", "post_type", e.PostType, "err", err)
		return err
	}
	return nil
}

// answered hands an action's answer to its caller.
func (t *Transport) answered(b []byte) {
	var resp Response
	if err := json.Unmarshal(b, &resp); err != nil {
		return
	}
	var echo string
	if json.Unmarshal(resp.Echo, &echo) != nil {
		echo = string(resp.Echo)
	}
	t.mu.Lock()
	ch := t.pending[echo]
	delete(t.pending, echo)
	t.mu.Unlock()
	if ch != nil {
		ch <- resp
	}
}

// ServeEvents takes an event posted over HTTP. The signature is checked
// before the body is parsed; the answer is 204 once the event is taken.
func (t *Transport) ServeEvents(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEventBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !t.signed(r.Header.Get("X-Signature"), body) {
		t.Log.Warn("onebot: an event with a wrong or missing X-Signature was refused", "remote", r.RemoteAddr)
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var e Event
	if err := json.Unmarshal(body, &e); err != nil || e.PostType == "" {
		http.Error(w, "not a OneBot event", http.StatusBadRequest)
		return
	}
	if err := t.event(r.Context(), e); err != nil {
		http.Error(w, "not stored", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// signed checks X-Signature: sha1=<hex HMAC-SHA1 of the body>.
func (t *Transport) signed(header string, body []byte) bool {
	got, ok := strings.CutPrefix(header, "sha1=")
	if !ok || t.Secret == "" {
		return false
	}
	sum, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	return hmac.Equal(sum, Sign(t.Secret, body))
}

// Sign is the HMAC-SHA1 of a posted event's body, as X-Signature carries it.
func Sign(secret string, body []byte) []byte {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

// Call runs an action and decodes its data into out (which may be nil).
func (t *Transport) Call(ctx context.Context, action string, params, out any) error {
	timeout := t.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var resp Response
	var err error
	if t.URL != "" {
		resp, err = t.callHTTP(ctx, action, params)
	} else {
		resp, err = t.callWS(ctx, action, params)
	}
	if err != nil {
		return fmt.Errorf("onebot %s: %w", action, err)
	}
	if resp.Status == "failed" || (resp.Retcode != 0 && resp.Retcode != 1) {
		return &Error{Action: action, Retcode: resp.Retcode, Msg: firstOf(resp.Wording, firstOf(resp.Message, resp.Msg))}
	}
	if out == nil || len(resp.Data) == 0 || string(resp.Data) == "null" {
		return nil
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return fmt.Errorf("onebot %s: decode data: %w", action, err)
	}
	return nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (t *Transport) callWS(ctx context.Context, action string, params any) (Response, error) {
	echo := strconv.FormatUint(t.seq.Add(1), 10)
	b, err := json.Marshal(request{Action: action, Params: params, Echo: echo})
	if err != nil {
		return Response{}, err
	}
	// NapCat and Lagrange reconnect every few seconds after a drop: an
	// action waits for the socket within its timeout instead of failing.
	if err := t.WaitConnected(ctx); err != nil {
		return Response{}, fmt.Errorf("%w (%w)", ErrNotConnected, err)
	}
	ch := make(chan Response, 1)
	t.mu.Lock()
	c := t.conn
	if c != nil {
		if t.pending == nil {
			t.pending = map[string]chan Response{}
		}
		t.pending[echo] = ch
	}
	t.mu.Unlock()
	if c == nil {
		return Response{}, ErrNotConnected
	}
	defer func() {
		t.mu.Lock()
		delete(t.pending, echo)
		t.mu.Unlock()
	}()
	t.writeMu.Lock()
	err = c.Write(ctx, websocket.MessageText, b)
	t.writeMu.Unlock()
	if err != nil {
		return Response{}, fmt.Errorf("write: %w", err)
	}
	select {
	case resp := <-ch:
		return resp, nil
	case <-ctx.Done():
		return Response{}, ctx.Err()
	}
}

func (t *Transport) callHTTP(ctx context.Context, action string, params any) (Response, error) {
	if params == nil {
		params = map[string]any{}
	}
	b, err := json.Marshal(params)
	if err != nil {
		return Response{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(t.URL, "/")+"/"+action, bytes.NewReader(b))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+t.Token)
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
		return Response{Status: "failed", Retcode: 1000 + res.StatusCode, Msg: res.Status}, nil
	}
	var resp Response
	if err := json.NewDecoder(io.LimitReader(res.Body, maxEventBody)).Decode(&resp); err != nil {
		return Response{}, fmt.Errorf("decode answer: %w", err)
	}
	return resp, nil
}

// Close closes the socket, if one is open.
func (t *Transport) Close() {
	t.mu.Lock()
	c := t.conn
	if c != nil {
		t.conn, t.up = nil, nil
	}
	t.mu.Unlock()
	if c != nil {
		c.Close(websocket.StatusNormalClosure, "shequn stops")
	}
}
