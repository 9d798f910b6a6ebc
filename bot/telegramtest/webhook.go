package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// webhookState is the current webhook.
type webhookState struct {
	url            string
	secret         string
	maxConnections int
	lastErrorDate  int64
	lastErrorMsg   string
	stop           chan struct{}
}

var secretTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) apiSetWebhook(p params) (any, *apiError) {
	raw := strings.TrimSpace(p["url"])
	if raw == "" {
		was := s.webhook != nil
		s.stopWebhookLocked(p.bool("drop_pending_updates"))
		if !was {
			return described{true, "Webhook is already deleted"}, nil
		}
		return described{true, "Webhook was deleted"}, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, badRequest("bad webhook: Failed to resolve host: Name or service not known")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := p["secret_token"]
	if secret != "" && !secretTokenRE.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn, aerr := p.int("max_connections")
	if aerr != nil {
		return nil, aerr
	}
	if maxConn <= 0 {
		maxConn = 40
	}
	if aerr := s.setAllowedParam(p); aerr != nil {
		return nil, aerr
	}
	if p.bool("drop_pending_updates") {
		s.updates = nil
	}
	if s.webhook != nil && s.webhook.url == raw && s.webhook.secret == secret {
		return described{true, "Webhook is already set"}, nil
	}
	s.stopWebhookLocked(false)
	wh := &webhookState{url: raw, secret: secret, maxConnections: maxConn, stop: make(chan struct{})}
	s.webhook = wh
	s.notifyLocked() // ends a running long poll with 409
	if !s.closed {
		s.wg.Add(1)
		go s.deliverLoop(wh)
	}
	return described{true, "Webhook was set"}, nil
}

func (s *Server) apiDeleteWebhook(p params) (any, *apiError) {
	was := s.webhook != nil
	s.stopWebhookLocked(p.bool("drop_pending_updates"))
	if !was {
		return described{true, "Webhook is already deleted"}, nil
	}
	return described{true, "Webhook was deleted"}, nil
}

func (s *Server) stopWebhookLocked(drop bool) {
	if s.webhook != nil {
		close(s.webhook.stop)
		s.webhook = nil
	}
	if drop {
		s.updates = nil
	}
}

func (s *Server) apiGetWebhookInfo(params) (any, *apiError) {
	s.pruneLocked()
	out := map[string]any{"url": "", "has_custom_certificate": false, "pending_update_count": len(s.updates)}
	if wh := s.webhook; wh != nil {
		out["url"] = wh.url
		out["max_connections"] = wh.maxConnections
		out["allowed_updates"] = s.allowedList()
		if wh.lastErrorDate != 0 {
			out["last_error_date"] = wh.lastErrorDate
			out["last_error_message"] = wh.lastErrorMsg
		}
	}
	return out, nil
}

// WebhookURL returns the URL of the current webhook, "" if none is set.
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook == nil {
		return ""
	}
	return s.webhook.url
}

// deliverLoop POSTs queued updates to the webhook one at a time until the
// webhook is removed or the server closes. A failed delivery keeps the update
// queued and is retried after the retry delay.
func (s *Server) deliverLoop(wh *webhookState) {
	defer s.wg.Done()
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		s.mu.Lock()
		if s.closed || s.webhook != wh {
			s.mu.Unlock()
			return
		}
		s.pruneLocked()
		if len(s.updates) == 0 {
			ch := s.signal
			s.mu.Unlock()
			select {
			case <-ch:
			case <-wh.stop:
			case <-s.ctx.Done():
			}
			continue
		}
		u := s.updates[0]
		body, err := json.Marshal(u)
		s.mu.Unlock()
		if err != nil {
			panic(fmt.Sprintf("telegramtest: encoding update: %v", err))
		}
		status, reply, derr := s.post(client, wh, body)
		s.mu.Lock()
		ok := derr == nil && status >= 200 && status < 300
		if ok {
			for i, q := range s.updates {
				if q.seq == u.seq {
					s.updates = append(s.updates[:i:i], s.updates[i+1:]...)
					break
				}
			}
			s.notifyLocked() // for WaitUpdatesTaken
		} else {
			wh.lastErrorDate = s.now().Unix()
			if derr != nil {
				wh.lastErrorMsg = "Connection refused"
			} else {
				wh.lastErrorMsg = fmt.Sprintf("Wrong response from the webhook: %d %s", status, http.StatusText(status))
			}
		}
		s.mu.Unlock()
		if !ok {
			if reply != nil {
				_, _ = io.Copy(io.Discard, reply.Body)
				reply.Body.Close()
			}
			select {
			case <-time.After(s.retryDelay):
			case <-wh.stop:
			case <-s.ctx.Done():
			}
			continue
		}
		s.replyMethod(reply)
	}
}

// post sends one update to the webhook.
func (s *Server) post(client *http.Client, wh *webhookState, body []byte) (int, *http.Response, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, wh.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if wh.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", wh.secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, resp, nil
}

// replyMethod runs a Bot API method the webhook answered with, as Telegram
// allows ({"method":"sendMessage","chat_id":…}). Its result is discarded.
func (s *Server) replyMethod(resp *http.Response) {
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || ct != "application/json" || len(bytes.TrimSpace(body)) == 0 {
		return
	}
	req, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	p, err := parseParams(req)
	if err != nil || p["method"] == "" || strings.EqualFold(p["method"], "getUpdates") {
		return
	}
	_, _ = s.call(s.ctx, p["method"], p)
	s.flushEvents()
}
