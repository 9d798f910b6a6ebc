// Package app assembles shequn from its parts: the store, the Telegram
// transport, the domain services, the HTTP endpoints and the background
// workers. Run and Close are kept apart from flag and config parsing so
// that the demo and the end-to-end tests build an App directly.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/desk"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/jobs"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
	"github.com/shequn/shequn/onebot"
	"github.com/shequn/shequn/payments"
	"github.com/shequn/shequn/sessions"
	"github.com/shequn/shequn/store/mongo"
	"github.com/shequn/shequn/store/sqlite"
)

// Store is everything the app keeps: one adapter provides all of it.
type Store interface {
	membership.Store
	membership.Numbers
	membership.EventInbox
	membership.EventLog
	payments.SessionStore
	membership.ProfileStore
	membership.RoleStore
	groups.Store
	assignments.Store
	groups.PostLog
	groups.CoreStore
	groups.Homework
	groups.TaskStore
	groups.ChainStore
	shequn.UpdateLog
	shequn.DialogueStore
	jobs.Leases
	moderation.Store
	desk.Store
	sessions.Store
	Ping(ctx context.Context) error
	Close() error
}

// Options are the seams the demo, tests and benchmarks use; the zero value
// is what `shequn serve` runs with.
type Options struct {
	Now        func() time.Time // clock of every rule; time.Now when nil
	HTTPClient *http.Client     // for Telegram calls; a client with timeouts when nil
	Limits     *bot.Limits      // the configured limits when nil
	// Listener serves HTTP instead of listening on the configured address.
	Listener net.Listener
	// MetricsListener serves /metrics instead of listening on
	// cfg.MetricsAddr.
	MetricsListener net.Listener
	// Manual leaves the stepping to the caller: no poller, no background
	// worker, no schedule; Step takes the waiting updates and runs a pass.
	Manual bool
	// SenderOptions configure the Telegram sender (a test clock).
	SenderOptions []bot.SenderOption
	// Checkout replaces Stripe Checkout (the demo has no Stripe account).
	Checkout bot.Checkout
	// ReconcileEvery is the period of the reconciler; one minute when zero.
	ReconcileEvery time.Duration
	PollTimeout    time.Duration
	// CommandsPerMinute is each user's budget of commands; 20 when zero.
	// Benchmarks that play a very busy teacher raise it.
	CommandsPerMinute int
	// QQLimits replace the configured QQ limits; QQSleep is the QQ
	// sender's wait (a test clock's).
	QQLimits *onebot.Limits
	QQSleep  func(ctx context.Context, d time.Duration) error
}

// App is a running shequn.
type App struct {
	cfg      *config.Config
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	store    Store
	sender   *bot.Sender
	Bot      *bot.Bot
	Members  *membership.Service
	Groups   *groups.Service
	Homework *assignments.Service
	Desk     *desk.Service
	Sessions *sessions.Service
	poller   *bot.Poller // nil in webhook mode
	intake   *bot.Intake // stores and handles every update, per chat
	server   *http.Server
	listener net.Listener
	cron     *cron.Cron
	wake     chan struct{}
	// wakeBroadcasts wakes the broadcast worker (see broadcastLoop).
	wakeBroadcasts chan struct{}
	running        chan struct{} // closed once Run has recovered stored updates and started the workers
	passes         *jobs.Runner  // the reconciler passes, on one instance at a time
	daily          *jobs.Runner  // the daily digest, on one instance a day
	metrics        counters
	jobMu          sync.Mutex // one pass of the jobs at a time

	// stripe calls Stripe's API; nil while payments are not configured.
	stripe *payments.Checkout
	// /metrics on its own address, off the public port; Telegram's recent
	// answers for /healthz.
	metricsServer *http.Server
	metricsLn     net.Listener
	health        *bot.Health
	recovered     time.Time // when a pass last looked for stale updates; under jobMu
	// OneBot and QQ are the QQ transport and side; nil without OneBot.
	OneBot *onebot.Transport
	QQ     *onebot.QQ
}

// New opens the store and builds every part; it asks Telegram who the bot
// is (getMe, with retries), unless only QQ is configured. Nothing runs
// until Run.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, opts Options) (*App, error) {
	if err := cfg.RequireTelegram(); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, opts: opts, log: log, now: opts.Now, wake: make(chan struct{}, 1), running: make(chan struct{}),
		wakeBroadcasts: make(chan struct{}, 1)}
	if a.now == nil {
		a.now = time.Now
	}
	st, err := OpenStore(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	a.store = st
	if err := a.build(ctx); err != nil {
		st.Close()
		return nil, err
	}
	// Bound here, not in Run, so a taken port fails start-up at once.
	a.listener = opts.Listener
	if a.listener == nil {
		if a.listener, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
			st.Close()
			return nil, fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
		}
	}
	a.metricsLn = opts.MetricsListener
	if a.metricsLn == nil {
		if a.metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			a.listener.Close()
			st.Close()
			return nil, fmt.Errorf("listen on %s (metrics): %w", cfg.MetricsAddr, err)
		}
	}
	return a, nil
}

// OpenStore opens the store named by a SHEQUN_STORE value.
func OpenStore(ctx context.Context, uri string) (Store, error) {
	switch {
	case strings.HasPrefix(uri, "sqlite:"):
		db, err := sqlite.Open(ctx, strings.TrimPrefix(uri, "sqlite:"))
		if err != nil {
			return nil, fmt.Errorf("open sqlite store: %w", err)
		}
		return db, nil
	case strings.HasPrefix(uri, "mongodb://"), strings.HasPrefix(uri, "mongodb+srv://"):
		db, err := mongo.Open(ctx, uri)
		if err != nil {
			return nil, fmt.Errorf("open mongodb store: %w", err)
		}
		return db, nil
	}
	return nil, fmt.Errorf("SHEQUN_STORE: unknown store %q (use sqlite:PATH or a mongodb:// URI)", uri)
}

func (a *App) build(ctx context.Context) error {
	cfg := a.cfg
	httpClient := a.opts.HTTPClient
	if httpClient == nil {
		httpClient = bot.NewHTTPClient(0)
	}
	limits := senderLimits(cfg.TelegramLimits)
	if a.opts.Limits != nil {
		limits = *a.opts.Limits
	}
	a.health = &bot.Health{Now: a.now}
	senderOpts := append([]bot.SenderOption{bot.WithHealth(a.health)}, a.opts.SenderOptions...)
	a.sender = bot.NewSender(bot.NewAPI(cfg.TelegramToken, cfg.TelegramAPIURL, httpClient), limits, a.log, senderOpts...)
	b := &bot.Bot{
		Sender: a.sender, Updates: a.store, Members: a.store, Numbers: a.store, Profiles: a.store,
		Roles: a.store, Dialogues: a.store, Location: cfg.Location(),
		Courses: cfg.Courses, Owners: cfg.Owners, Now: a.now, Log: a.log,
		Checkout: a.opts.Checkout, Wake: a.Wake, CommandsPerMinute: a.opts.CommandsPerMinute,
	}
	if cfg.PaymentsEnabled() {
		a.stripe = payments.NewCheckout(cfg.StripeSecretKey, cfg.StripeAPIURL, nil, cfg.StripeSuccessURL, cfg.StripeCancelURL)
		a.stripe.Now = a.now
		if b.Checkout == nil {
			b.Checkout = &payments.ReusingCheckout{Opener: a.stripe, Store: a.store, Now: a.now, Log: a.log}
		}
	}
	a.Groups = &groups.Service{
		Store: a.store, Posts: a.store, Platform: &bot.Platform{Sender: a.sender, BotID: b.ID, Now: a.now}, Notifier: b, Profiles: a.store,
		Owners: cfg.Owners, Courses: cfg.CourseMap(), Now: a.now, Log: a.log, Wake: a.Wake,
		Core: a.store, CoreRules: cfg.Core, Homework: a.store, Tasks: a.store, Chains: a.store, Location: cfg.Location(),
	}
	b.Groups = a.Groups
	a.buildSessions(b)
	a.Homework = &assignments.Service{
		Store: a.store, Members: a.store, Roles: a.store, Groups: a.Groups, Notifier: b,
		Owners: cfg.Owners, Courses: cfg.CourseMap(), Location: cfg.Location(),
		Late: assignments.LatePolicy(cfg.Homework.LatePolicy), LatePenaltyPct: cfg.Homework.LatePenalty,
		HoldFor: cfg.Homework.ReviewHold, Now: a.now, Log: a.log, Wake: a.Wake,
	}
	b.Homework = a.Homework
	b.Moderation = &moderation.Service{
		Store: a.store, Roles: a.store, Groups: a.store, Platform: &bot.ModerationPlatform{Sender: a.sender, Log: a.log},
		Owners: cfg.Owners, Policy: cfg.Moderation, Now: a.now, Log: a.log,
	}
	a.Desk = a.newDesk(b)
	b.Files = &bot.Files{Sender: a.sender, BaseURL: cfg.TelegramAPIURL, Token: cfg.TelegramToken, Client: httpClient}
	b.Desk = a.Desk
	a.Members = &membership.Service{
		Store: a.store, Inbox: a.store, Seats: a.Groups, Courses: cfg.CourseMap(), Now: a.now, Log: a.log,
		Notifier: ownerNotifier{b}, Owners: cfg.Owners,
	}
	if a.stripe != nil {
		a.Members.Prices, a.Members.Origins = a.stripe, a.stripe
	}
	a.Bot = b
	a.intake = &bot.Intake{Log: a.store, Handle: b.Handle, Now: a.now, Logger: a.log, Handled: a.countUpdate}
	holder := instanceName()
	a.passes = &jobs.Runner{Leases: a.store, Holder: holder, TTL: passLease, Now: a.now, Log: a.log}
	a.daily = &jobs.Runner{Leases: a.store, Holder: holder, TTL: time.Hour, Now: a.now, Log: a.log}
	if !cfg.TelegramEnabled() {
		b.InitWithoutTelegram() // a QQ-only community
	} else if err := b.Init(ctx); err != nil {
		return err
	} else if err := b.SetCommands(ctx); err != nil {
		a.log.WarnContext(ctx, "command menus not set", "err", err)
	}
	if cfg.WebhookMode() && cfg.TelegramEnabled() {
		if err := b.SetWebhook(ctx, cfg.TelegramWebhookURL, cfg.TelegramWebhookSecret); err != nil {
			return err
		}
	}

	mux := http.NewServeMux()
	stripeHook := payments.NewWebhookHandler(cfg.StripeWebhookSecret, a.Members, a.log)
	stripeHook.Notify, stripeHook.Now = a.Wake, a.now
	mux.Handle("POST /stripe/webhook", stripeHook)
	if cfg.TelegramEnabled() {
		mux.Handle("POST /telegram/webhook", &bot.WebhookHandler{Secret: cfg.TelegramWebhookSecret, Intake: a.intake, Log: a.log})
	}
	mux.HandleFunc("GET /healthz", a.healthz)
	a.buildQQ(mux)
	a.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	metrics := http.NewServeMux()
	metrics.HandleFunc("GET /metrics", a.serveMetrics)
	a.metricsServer = &http.Server{Handler: metrics, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}

	if !cfg.WebhookMode() && cfg.TelegramEnabled() {
		pollClient := bot.NewHTTPClient(a.pollTimeout())
		if a.opts.HTTPClient != nil {
			pollClient = a.opts.HTTPClient
		}
		a.poller = &bot.Poller{
			API: bot.NewAPI(cfg.TelegramToken, cfg.TelegramAPIURL, pollClient), Intake: a.intake,
			Log: a.log, Timeout: a.pollTimeout(), Health: a.health,
		}
	}
	return nil
}

func (a *App) pollTimeout() time.Duration {
	if a.opts.PollTimeout > 0 {
		return a.opts.PollTimeout
	}
	return 30 * time.Second
}

// HandleUpdate stores one Telegram update and handles it before it
// returns, unless it was stored before (tests call it).
func (a *App) HandleUpdate(ctx context.Context, u bot.Update) error {
	return a.intake.HandleNow(ctx, u)
}

// countUpdate counts a handled update, and a failed one.
func (a *App) countUpdate(err error) {
	a.metrics.updates.Add(1)
	if err != nil {
		a.metrics.updateFailures.Add(1)
	}
}

// staleUpdate is how long a stored update may stay unfinished before any
// instance takes it over: one that crashed or lost its store meanwhile.
const staleUpdate = 5 * time.Minute

// Running is closed once Run has taken over the updates a previous
// process left and started the workers, so that callers who feed updates
// in (tests, the demo) do not race that recovery.
func (a *App) Running() <-chan struct{} { return a.running }

// Wake asks the workers for a pass soon.
func (a *App) Wake() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Addr is the address HTTP is served on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// MetricsAddr is the address /metrics is served on.
func (a *App) MetricsAddr() string { return a.metricsLn.Addr().String() }

// Store returns the app's store.
func (a *App) Store() Store { return a.store }

// RunJobs runs one pass of the background work at now. Stored payment
// events are applied by whichever instance runs the pass (every step is
// atomic and idempotent); making the chats match the stored state (sending
// invites, removing members, announcing homework) runs on the one instance
// holding the reconciler's lease, so nothing is sent twice.
func (a *App) RunJobs(ctx context.Context, now time.Time) error {
	_, err := a.runJobs(ctx, now)
	return err
}

// runJobs is RunJobs, reporting whether this instance held the
// reconciler's lease and ran the pass.
func (a *App) runJobs(ctx context.Context, now time.Time) (bool, error) {
	a.jobMu.Lock()
	defer a.jobMu.Unlock()
	a.metrics.passes.Add(1)
	if now.Sub(a.recovered) >= time.Minute || now.Before(a.recovered) {
		// Not on every wake: a pass runs for every stored payment.
		a.recovered = now
		if err := a.intake.Recover(ctx, now.Add(-staleUpdate)); err != nil {
			a.log.ErrorContext(ctx, "recovering stored updates", "err", err)
		}
	}
	ran := false
	err := a.Members.ProcessPending(ctx, now)
	if err == nil {
		ran, err = a.passes.RunOnce(ctx, jobs.Job{ID: "reconcile", Run: a.reconcile}, now)
	}
	if err == nil && a.opts.Manual { // else broadcastLoop runs them
		err = a.RunBroadcasts(ctx, now)
	}
	if err != nil {
		a.metrics.passFailures.Add(1)
	}
	return ran, err
}

func (a *App) reconcile(ctx context.Context, now time.Time) error {
	return errors.Join(a.Groups.Reconcile(ctx, now), a.Homework.Reconcile(ctx, now), a.Desk.Escalate(ctx, now), a.Sessions.Pass(ctx, now))
}

// RunDigest sends the daily digest to reviewers, on one instance.
func (a *App) RunDigest(ctx context.Context, now time.Time) error {
	_, err := a.daily.RunOnce(ctx, jobs.Job{ID: "digest", Run: a.Homework.Digest}, now)
	return err
}

// RunCoreTick runs the core group's cycle at now, on one instance: new
// candidates queued, members at risk warned, a period's elimination
// recorded (the reconciler's pass then removes, tells and refills). The
// schedule runs it every hour and once at start.
func (a *App) RunCoreTick(ctx context.Context, now time.Time) error {
	_, err := a.daily.RunOnce(ctx, jobs.Job{ID: "core-tick", Run: a.Groups.CoreTick}, now)
	return err
}

// keepUpdates is how long the update log remembers a handled update.
// Telegram redelivers an update for at most a day, and restarts its ids
// only after a week of silence, which the content hash tells apart anyway.
const keepUpdates = 7 * 24 * time.Hour

// PruneUpdates forgets updates handled more than a week before now, on
// one instance a day; the schedule runs it daily.
func (a *App) PruneUpdates(ctx context.Context, now time.Time) error {
	_, err := a.daily.RunOnce(ctx, jobs.Job{ID: "prune-updates", Run: func(ctx context.Context, now time.Time) error {
		return a.store.PruneUpdates(ctx, now.Add(-keepUpdates))
	}}, now)
	return err
}

// passLease is how long the reconciler's lease lasts without renewal; the
// instance holding it renews it every third of that (jobs.Runner.Keep),
// and every effect checks it first.
const passLease = 10 * time.Second

func (a *App) every() time.Duration {
	if a.opts.ReconcileEvery > 0 {
		return a.opts.ReconcileEvery
	}
	return time.Minute
}

// instanceName names this process among several instances.
func instanceName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%x", host, os.Getpid(), b)
}

// Step takes every waiting update and runs background passes until
// nothing is left to do: the deterministic stepping of Manual mode.
func (a *App) Step(ctx context.Context) error {
	if err := a.intake.Wait(ctx); err != nil { // updates recovered or posted by webhook
		return err
	}
	if a.poller == nil { // webhook mode: updates arrive by HTTP
		return a.RunJobs(ctx, a.now())
	}
	for range 20 {
		n, err := a.poller.Drain(ctx)
		if err != nil {
			return err
		}
		if err := a.RunJobs(ctx, a.now()); err != nil {
			return err
		}
		if n == 0 {
			if n, err = a.poller.Drain(ctx); err != nil || n == 0 {
				return err
			}
		}
	}
	return errors.New("step: updates keep coming")
}

// senderLimits are the configured flood limits in the sender's terms.
func senderLimits(l config.TelegramLimits) bot.Limits {
	limit := func(r config.Rate) bot.Limit { return bot.Limit{Count: r.Count, Window: r.Per} }
	return bot.Limits{Global: limit(l.Global), Private: limit(l.Private), Group: limit(l.Group)}
}
