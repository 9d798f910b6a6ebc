package bot_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/sessions"
	"github.com/shequn/shequn/store/sqlite"
)

// The speed goals of Friday sessions, through the whole path: the sessions
// service over a real SQLite store, each step recorded, copyMessage by the
// real client through the sender, against the fake Telegram enforcing
// Telegram's limits ×benchScale.

// sessionRig is the sessions service on a store, a sender and a fake.
type sessionRig struct {
	srv    *telegramtest.Server
	sender *bot.Sender
	db     *sqlite.DB
	svc    *sessions.Service
}

func newSessionRig(b *testing.B) *sessionRig {
	b.Helper()
	srv, s := benchSender(b)
	db, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	tg := &bot.Bot{Sender: s, Location: time.UTC, Now: time.Now, Log: quiet}
	if err := tg.Init(b.Context()); err != nil {
		b.Fatal(err)
	}
	gs := &groups.Service{Store: db, Posts: db, Notifier: tg, Now: time.Now, Log: quiet}
	svc := &sessions.Service{Store: db, Posts: db, Groups: gs, Platform: &bot.SessionPlatform{Sender: s},
		Notifier: tg, Now: time.Now, Log: quiet}
	return &sessionRig{srv: srv, sender: s, db: db, svc: svc}
}

// BenchmarkSessionBroadcastDM broadcasts a message by DM to 10,000 members
// (1,000 with -short) through the broadcast pass while other users get an
// Interactive reply every 10 ms. It checks that every member has it once
// and that Telegram answered no 429, and reports the time against members
// ÷ the global rate and the replies' p99 wait (the 1 s goal is 10 ms at
// this scale).
//
//	go test -run X -bench SessionBroadcastDM -benchtime 1x ./bot
func BenchmarkSessionBroadcastDM(b *testing.B) {
	members := 10_000
	if testing.Short() {
		members = 1_000
	}
	r := newSessionRig(b)
	ctx := b.Context()
	ids := startUsers(b, r.srv, 1_000_000, members)
	askers := startUsers(b, r.srv, 2_000_000, 200)
	r.srv.AddUser(telegramtest.User{ID: 7, FirstName: "Owner"})
	chat := r.srv.CreateSupergroup("学员1群", 7)
	if err := r.srv.AddBotAdmin(chat, telegramtest.FullAdminRights()); err != nil {
		b.Fatal(err)
	}
	if _, err := r.db.AddGroup(ctx, groups.Group{ChatID: chat, Kind: groups.KindStudent, Course: "ppt", Capacity: groups.MaxCapacity}); err != nil {
		b.Fatal(err)
	}
	for i, id := range ids {
		if _, err := r.db.TakeSeat(ctx, groups.SeatRequest{Course: "ppt", UserID: id, Number: i + 1}); err != nil {
			b.Fatal(err)
		}
	}
	const admin = 3_000_000
	src := startUsers(b, r.srv, admin, 1)
	msg, err := r.srv.SendText(src[0], src[0], "周五分享会：今晚 8 点")
	if err != nil {
		b.Fatal(err)
	}
	global := bot.TelegramLimits.Scaled(benchScale).Global.Count
	ideal := time.Duration(float64(members) / float64(global) * float64(time.Second))
	var elapsed time.Duration
	var waits []time.Duration
	for b.Loop() {
		bc, err := r.svc.Announce(ctx, 0, "ppt", true, sessions.MessageRef{ChatID: admin, MessageIDs: []int{msg}})
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{})
		var replies sync.WaitGroup
		replies.Go(func() { waits = append(waits, reply(b, r.sender, askers, done)...) })
		start := time.Now()
		if err := r.svc.Broadcast(ctx, time.Now()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		close(done)
		replies.Wait()
		got, err := r.db.Broadcast(ctx, bc.ID)
		if err != nil || got.Sent != members || got.Blocked != 0 || got.State != sessions.Done {
			b.Fatalf("broadcast %+v, %v: want %d sent", got, err, members)
		}
	}
	for _, id := range ids {
		if n := len(r.srv.BotMessages(id)); n != b.N {
			b.Fatalf("member %d got %d messages, want %d", id, n, b.N)
		}
	}
	if n := r.srv.RateLimited(); n != 0 {
		b.Fatalf("%d answers 429", n)
	}
	per := elapsed / time.Duration(b.N)
	slices.Sort(waits)
	b.ReportMetric(per.Seconds(), "broadcast-s")
	b.ReportMetric(ideal.Seconds(), "ideal-s")
	b.ReportMetric(100*(per.Seconds()/ideal.Seconds()-1), "over-%")
	shared := float64(members+len(waits)/b.N) / float64(global)
	b.ReportMetric(100*(per.Seconds()/shared-1), "over-shared-%")
	b.ReportMetric(float64(r.srv.RateLimited()), "429s")
	if len(waits) > 0 {
		b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds())/1000, "reply-p99-ms")
	}
}

// BenchmarkSessionRelay relays a 20-message talk into 40 groups through
// the session pass (the header is posted before the clock starts) and
// checks that every group has the talk complete and in order, with no
// 429. A group's limit (20 in any minute) lets the talk into one group at
// once, so the global limit sets the least time: 800 ÷ the global rate.
//
//	go test -run X -bench SessionRelay -benchtime 1x ./bot
func BenchmarkSessionRelay(b *testing.B) {
	const nGroups, talk = 40, 20
	r := newSessionRig(b)
	ctx := b.Context()
	r.srv.AddUser(telegramtest.User{ID: 7, FirstName: "Speaker"})
	chats := make([]int64, nGroups)
	for i := range chats {
		chats[i] = r.srv.CreateSupergroup(fmt.Sprint("g", i), 7)
		if err := r.srv.AddBotAdmin(chats[i], telegramtest.FullAdminRights()); err != nil {
			b.Fatal(err)
		}
		if _, err := r.db.AddGroup(ctx, groups.Group{ChatID: chats[i], Kind: groups.KindStudent, Course: "ppt", Capacity: 2000}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := r.srv.SendText(7, 7, "/start"); err != nil {
		b.Fatal(err)
	}
	var lines []int
	for i := range talk {
		id, err := r.srv.SendText(7, 7, fmt.Sprint("page ", i+1))
		if err != nil {
			b.Fatal(err)
		}
		lines = append(lines, id)
	}
	least := time.Duration(float64(nGroups*talk) / float64(bot.TelegramLimits.Scaled(benchScale).Global.Count) * float64(time.Second))
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		x, err := r.svc.New(ctx, sessions.Session{Course: "ppt", StartAt: time.Now().Add(time.Duration(i+1) * time.Hour), Topic: "t", Speaker: 7})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.svc.Start(ctx, x.ID); err != nil {
			b.Fatal(err)
		}
		if err := r.svc.Pass(ctx, time.Now()); err != nil { // the header
			b.Fatal(err)
		}
		for _, id := range lines {
			if ok, err := r.svc.Relay(ctx, 7, false, sessions.MessageRef{ChatID: 7, MessageIDs: []int{id}}); err != nil || !ok {
				b.Fatalf("relay: %v %v", ok, err)
			}
		}
		start := time.Now()
		if err := r.svc.Pass(ctx, time.Now()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		if _, err := r.svc.End(ctx, x.ID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := r.svc.Pass(ctx, time.Now()); err != nil { // the recap, outside the measure
			b.Fatal(err)
		}
		b.StartTimer()
		for _, g := range chats {
			var got []string
			for _, m := range r.srv.BotMessages(g) {
				if len(m.Text) > 5 && m.Text[:5] == "page " {
					got = append(got, m.Text)
				}
			}
			for j := range talk {
				if got[len(got)-talk+j] != fmt.Sprint("page ", j+1) {
					b.Fatalf("group %d: %q", g, got[len(got)-talk:])
				}
			}
			if len(got) != (i+1)*talk {
				b.Fatalf("group %d has %d pages, want %d", g, len(got), (i+1)*talk)
			}
		}
	}
	if n := r.srv.RateLimited(); n != 0 {
		b.Fatalf("%d answers 429", n)
	}
	per := elapsed / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "relay-ms")
	b.ReportMetric(float64(least.Microseconds())/1000, "least-ms")
	b.ReportMetric(100*(per.Seconds()/least.Seconds()-1), "over-%")
	b.ReportMetric(float64(r.srv.RateLimited()), "429s")
}
