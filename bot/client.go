package bot

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// NewAPI builds a client for the Bot API at baseURL (e.g.
// https://api.telegram.org) without calling getMe, so that start-up does not
// fail when Telegram is briefly unreachable; the sender's GetMe does it
// with retries.
func NewAPI(token, baseURL string, client *http.Client) *tgbotapi.BotAPI {
	if client == nil {
		client = NewHTTPClient(0)
	}
	api := &tgbotapi.BotAPI{Token: token, Client: client, Buffer: 100}
	api.SetAPIEndpoint(strings.TrimRight(baseURL, "/") + "/bot%s/%s")
	return api
}

// NewHTTPClient returns a client with timeouts fit for the Bot API; longPoll
// is the getUpdates timeout the client must outlast.
func NewHTTPClient(longPoll time.Duration) *http.Client {
	return &http.Client{
		Timeout: longPoll + 15*time.Second,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   100,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: longPoll + 10*time.Second,
		},
	}
}

// redact strips the token from errors of net/http, whose messages carry the
// request URL, so that the token never reaches a log line.
func redact(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(ue.URL, token) {
		return &url.Error{Op: ue.Op, URL: strings.ReplaceAll(ue.URL, token, "<token>"), Err: ue.Err}
	}
	return err
}

// apiError returns the Bot API's error in err, if it is one.
func apiError(err error) (*tgbotapi.Error, bool) {
	var e *tgbotapi.Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
