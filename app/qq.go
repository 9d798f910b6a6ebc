package app

import (
	"context"
	"net/http"
	"time"

	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/onebot"
)

// qqLimits are the QQ sender's limits from the configuration.
func qqLimits(l config.QQLimits) onebot.Limits {
	return onebot.Limits{
		Group:   onebot.Rate{Count: l.Group.Count, Per: l.Group.Per},
		Private: onebot.Rate{Count: l.Private.Count, Per: l.Private.Per},
		Global:  onebot.Rate{Count: l.Global.Count, Per: l.Global.Per},
		Jitter:  l.Jitter,
	}
}

// buildQQ puts QQ beside Telegram when OneBot is configured: the
// transport's endpoints, its events into the same intake, the QQ side of
// the bot, and QQ's groups and moderation platforms in front of
// Telegram's.
func (a *App) buildQQ(mux *http.ServeMux) {
	cfg := a.cfg.OneBot
	if !cfg.Enabled() {
		return
	}
	t := &onebot.Transport{Token: cfg.Token, Secret: cfg.Secret, URL: cfg.URL, Log: a.log}
	limits := qqLimits(cfg.Limits)
	if a.opts.QQLimits != nil {
		limits = *a.opts.QQLimits
	}
	q := &onebot.QQ{
		API: t, Self: t.SelfID, Accept: a.intake.Accept, Numbers: a.Groups, Now: a.now, Log: a.log,
		Out: &onebot.Sender{API: t, Limits: limits, Now: a.now, Sleep: a.opts.QQSleep},
	}
	t.Events = q.Take
	a.intake.Handle = q.Handling(a.intake.Handle)
	a.Bot.QQ = q
	a.Groups.Platform = onebot.Platforms{Telegram: a.Groups.Platform, QQ: onebot.Platform{QQ: q}}
	if m := a.Bot.Moderation; m != nil {
		m.Platform = onebot.ModerationPlatforms{Telegram: m.Platform, QQ: onebot.ModerationPlatform{QQ: q}}
	}
	if a.Sessions != nil {
		a.Sessions.Platform = onebot.SessionPlatforms{Telegram: a.Sessions.Platform, QQ: onebot.SessionPlatform{QQ: q, Files: &onebot.FileCache{Files: a.Bot.Files}, Parts: &onebot.PartLog{}}}
	}
	a.OneBot, a.QQ = t, q
	mux.HandleFunc("GET "+onebot.WSPath, t.ServeWS)
	if cfg.Secret != "" {
		mux.HandleFunc("POST "+onebot.EventsPath, t.ServeEvents)
	}
}

// closeQQ closes the reverse WebSocket and waits for the card
// corrections under way.
func (a *App) closeQQ() {
	if a.OneBot == nil {
		return
	}
	a.OneBot.Close()
	done := make(chan struct{})
	go func() { a.QQ.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// WaitQQ returns once a OneBot implementation holds the reverse
// WebSocket (the demo and tests wait for it before they talk).
func (a *App) WaitQQ(ctx context.Context) error {
	if a.OneBot == nil {
		return nil
	}
	return a.OneBot.WaitConnected(ctx)
}

// qqHealth says whether the OneBot implementation holds the reverse
// WebSocket ("ok" or "disconnected"); ok is false when QQ is off or its
// actions go over HTTP, where there is no connection to report.
func (a *App) qqHealth() (string, bool) {
	if a.OneBot == nil || a.cfg.OneBot.URL != "" {
		return "", false
	}
	if a.OneBot.Connected() {
		return "ok", true
	}
	return "disconnected", true
}
