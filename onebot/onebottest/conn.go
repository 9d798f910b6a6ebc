package onebottest

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/coder/websocket"

	"github.com/shequn/shequn/onebot"
)

// wsRequest is an action over the socket.
type wsRequest struct {
	Action string          `json:"action"`
	Params json.RawMessage `json:"params"`
	Echo   json.RawMessage `json:"echo"`
}

// reply builds the OneBot answer of an action.
func reply(a answer, echo json.RawMessage) map[string]any {
	r := map[string]any{"status": "ok", "retcode": 0, "data": a.data}
	if a.retcode != 0 {
		r = map[string]any{"status": "failed", "retcode": a.retcode, "data": nil, "msg": a.msg, "wording": a.msg}
	}
	if echo != nil {
		r["echo"] = echo
	}
	return r
}

// Conn is the fake's reverse WebSocket to shequn.
type Conn struct {
	c    *websocket.Conn
	mu   sync.Mutex // one writer at a time
	done chan struct{}
}

// DialWS connects to shequn's reverse WebSocket URL (ws://host/onebot/v11/ws)
// as a Universal client, as NapCat does, and serves actions until Close.
func (s *Server) DialWS(ctx context.Context, url, token string) (*Conn, error) {
	h := http.Header{}
	h.Set("X-Self-ID", strconv.FormatInt(s.SelfID, 10))
	h.Set("X-Client-Role", "Universal")
	h.Set("User-Agent", "OneBot/11")
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	c, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("dial %s: %s: %w", url, res.Status, err)
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	c.SetReadLimit(1 << 20)
	conn := &Conn{c: c, done: make(chan struct{})}
	s.mu.Lock()
	s.emit = func(ctx context.Context, e onebot.Event) error { return conn.write(ctx, e) }
	s.mu.Unlock()
	go s.serveWS(conn)
	return conn, nil
}

func (c *Conn) write(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c.Write(ctx, websocket.MessageText, b)
}

// serveWS answers actions, one after another, and emits what they caused
// after the answer.
func (s *Server) serveWS(conn *Conn) {
	defer close(conn.done)
	ctx := context.Background()
	for {
		_, b, err := conn.c.Read(ctx)
		if err != nil {
			return
		}
		var req wsRequest
		if err := json.Unmarshal(b, &req); err != nil {
			continue
		}
		a := s.handle(req.Action, req.Params)
		if err := conn.write(ctx, reply(a, req.Echo)); err != nil {
			return
		}
		for _, e := range a.after {
			_ = s.Emit(ctx, e)
		}
	}
}

// Close closes the socket and waits for its reader to end.
func (c *Conn) Close() {
	c.c.Close(websocket.StatusNormalClosure, "bye")
	<-c.done
}

// HTTP serves the OneBot HTTP API (POST /<action> with JSON params) for
// shequn's actions, requiring the access token.
func (s *Server) HTTP(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		switch {
		case auth == "":
			http.Error(w, "", http.StatusUnauthorized)
			return
		case auth != "Bearer "+token:
			http.Error(w, "", http.StatusForbidden)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || (len(body) > 0 && !json.Valid(body)) {
			http.Error(w, "", http.StatusBadRequest)
			return
		}
		a := s.handle(strings.Trim(r.URL.Path, "/"), body)
		if a.retcode == onebot.RetNoAction {
			http.Error(w, "", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(reply(a, nil))
		go func() {
			for _, e := range a.after {
				_ = s.Emit(context.Background(), e)
			}
		}()
	})
}

// PostEvents makes the fake post its events to url (shequn's
// /onebot/v11/events), signed with secret as X-Signature.
func (s *Server) PostEvents(url, secret string, client *http.Client) {
	if client == nil {
		client = http.DefaultClient
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emit = func(ctx context.Context, e onebot.Event) error {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Self-ID", strconv.FormatInt(s.SelfID, 10))
		if secret != "" {
			req.Header.Set("X-Signature", "sha1="+hex.EncodeToString(onebot.Sign(secret, b)))
		}
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode/100 != 2 {
			return fmt.Errorf("onebottest: event posted: %s", res.Status)
		}
		return nil
	}
}
