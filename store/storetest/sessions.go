package storetest

import (
	"slices"
	"sync"
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/sessions"
)

func testSessions(t *testing.T, s Stores) {
	ctx := t.Context()
	x := sessions.Session{Course: "ppt", StartAt: at(60), Topic: "封面", Speaker: 7, SpeakerName: "Ann",
		State: sessions.Scheduled, CreatedBy: 1, CreatedAt: at(0)}
	a := must(s.AddSession(ctx, x))(t)
	if a.ID == 0 {
		t.Fatal("AddSession gave no id")
	}
	_, err := s.AddSession(ctx, x)
	isErr(t, "same course and start", err, shequn.ErrConflict)
	x.Course = ""
	b := must(s.AddSession(ctx, x))(t)
	x.StartAt = at(30)
	c := must(s.AddSession(ctx, x))(t)
	_, err = s.Session(ctx, 999)
	isErr(t, "unknown session", err, shequn.ErrNotFound)

	got := must(s.Session(ctx, a.ID))(t)
	sameTime(t, "StartAt", got.StartAt, at(60))
	sameTime(t, "CreatedAt", got.CreatedAt, at(0))
	sameTime(t, "QAUntil", got.QAUntil, got.QAUntil.UTC())
	if got.Topic != "封面" || got.Speaker != 7 || got.SpeakerName != "Ann" || got.State != sessions.Scheduled || got.Course != "ppt" {
		t.Errorf("Session = %+v", got)
	}

	live := got
	live.State = sessions.Live
	if !must(s.MoveSession(ctx, a.ID, sessions.Scheduled, live, at(61)))(t) {
		t.Fatal("move scheduled → live refused")
	}
	if must(s.MoveSession(ctx, a.ID, sessions.Scheduled, live, at(62)))(t) {
		t.Error("a second move from scheduled was accepted")
	}
	qa := live
	qa.State, qa.QARound, qa.QAUntil = sessions.QA, 1, at(70)
	if !must(s.MoveSession(ctx, a.ID, sessions.Live, qa, at(65)))(t) {
		t.Fatal("move live → qa refused")
	}
	got = must(s.Session(ctx, a.ID))(t)
	sameTime(t, "StartedAt", got.StartedAt, at(61))
	sameTime(t, "QAUntil", got.QAUntil, at(70))
	if got.State != sessions.QA || got.QARound != 1 {
		t.Errorf("after qa: %+v", got)
	}
	live.State, live.QARound = sessions.Live, 1
	must(s.MoveSession(ctx, a.ID, sessions.QA, live, at(70)))(t)
	ended := live
	ended.State = sessions.Ended
	must(s.MoveSession(ctx, a.ID, sessions.Live, ended, at(80)))(t)
	got = must(s.Session(ctx, a.ID))(t)
	sameTime(t, "StartedAt kept", got.StartedAt, at(61))
	sameTime(t, "EndedAt", got.EndedAt, at(80))
	sameTime(t, "QAUntil cleared", got.QAUntil, got.QAUntil)
	if got.QARound != 1 {
		t.Errorf("QARound = %d, want 1", got.QARound)
	}

	open := must(s.OpenSessions(ctx))(t)
	if ids := sessionIDs(open); !slices.Equal(ids, []int64{c.ID, a.ID, b.ID}) {
		t.Errorf("OpenSessions = %v, want %v", ids, []int64{c.ID, a.ID, b.ID})
	}
	closed := ended
	closed.State = sessions.Closed
	must(s.MoveSession(ctx, a.ID, sessions.Ended, closed, at(81)))(t)
	if ids := sessionIDs(must(s.OpenSessions(ctx))(t)); !slices.Equal(ids, []int64{c.ID, b.ID}) {
		t.Errorf("OpenSessions after close = %v", ids)
	}
}

func sessionIDs(all []sessions.Session) []int64 {
	ids := make([]int64, len(all))
	for i, x := range all {
		ids[i] = x.ID
	}
	return ids
}

func testSessionRelays(t *testing.T, s Stores) {
	ctx := t.Context()
	a := must(s.AddSession(ctx, sessions.Session{StartAt: at(60), Topic: "t", Speaker: 7, State: sessions.Live, CreatedAt: at(0)}))(t)
	b := must(s.AddSession(ctx, sessions.Session{StartAt: at(90), Topic: "u", Speaker: 7, State: sessions.Live, CreatedAt: at(0)}))(t)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.AddRelay(ctx, a.ID, sessions.MessageRef{ChatID: 7, MessageIDs: []int{100 + i}}, at(61)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	album := must(s.AddRelay(ctx, a.ID, sessions.MessageRef{ChatID: 7, MessageIDs: []int{200, 201, 202}, Album: "13579"}, at(62)))(t)
	if album.Seq != 11 {
		t.Errorf("album seq = %d, want 11", album.Seq)
	}
	must(s.AddRelay(ctx, b.ID, sessions.MessageRef{ChatID: 8, MessageIDs: []int{1}}, at(62)))(t)
	rs := must(s.Relays(ctx, a.ID))(t)
	if len(rs) != 11 {
		t.Fatalf("%d relays, want 11", len(rs))
	}
	for i, r := range rs {
		if r.Seq != i+1 || r.SessionID != a.ID || r.Ref.ChatID != 7 {
			t.Errorf("relay %d = %+v", i, r)
		}
	}
	if last := rs[10]; !slices.Equal(last.Ref.MessageIDs, []int{200, 201, 202}) || last.Ref.Album != "13579" {
		t.Errorf("album = %v (%q)", last.Ref.MessageIDs, last.Ref.Album)
	}
	if rs[0].Ref.Album != "" {
		t.Errorf("a single message has album %q", rs[0].Ref.Album)
	}
	sameTime(t, "relay at", rs[10].At, at(62))
	if rs := must(s.Relays(ctx, b.ID))(t); len(rs) != 1 || rs[0].Seq != 1 {
		t.Errorf("other session's relays = %+v", rs)
	}

	for i := range 3 {
		q := must(s.AddQuestion(ctx, sessions.Question{SessionID: a.ID, ChatID: -1, UserID: int64(20 + i), Course: "ppt", Number: 42 + i, Text: "为什么?", At: at(63 + i)}))(t)
		if q.Seq != i+1 {
			t.Errorf("question seq = %d, want %d", q.Seq, i+1)
		}
	}
	qs := must(s.Questions(ctx, a.ID))(t)
	if len(qs) != 3 || qs[2].UserID != 22 || qs[2].Number != 44 || qs[2].Text != "为什么?" || qs[2].Course != "ppt" || qs[2].ChatID != -1 {
		t.Errorf("Questions = %+v", qs)
	}
	sameTime(t, "question at", qs[0].At, at(63))

	checkIn := func(id, user, chat int64, minute int) sessions.CheckIn {
		return sessions.CheckIn{SessionID: id, UserID: user, ChatID: chat, At: at(minute)}
	}
	for _, c := range []sessions.CheckIn{checkIn(a.ID, 5, -1, 50), checkIn(a.ID, 6, -2, 49), checkIn(a.ID, 5, -2, 51), checkIn(b.ID, 5, -1, 52)} {
		must(s.AddCheckIn(ctx, c))(t)
	}
	if added := must(s.AddCheckIn(ctx, checkIn(a.ID, 6, -1, 53)))(t); added {
		t.Error("a second check-in was counted")
	}
	cs := must(s.CheckIns(ctx, a.ID))(t)
	if len(cs) != 2 || cs[0].UserID != 6 || cs[0].ChatID != -2 || cs[1].UserID != 5 || cs[1].ChatID != -1 {
		t.Errorf("CheckIns = %+v, want users 6 (chat -2) then 5 (chat -1)", cs)
	}
	sameTime(t, "check-in at", cs[0].At, at(49))
}

func testBroadcasts(t *testing.T, s Stores) {
	ctx := t.Context()
	ref := sessions.MessageRef{ChatID: 1, MessageIDs: []int{5, 6}}
	a := must(s.AddBroadcast(ctx, sessions.Broadcast{Course: "ppt", DM: true, Ref: ref, By: 1, State: sessions.Sending, CreatedAt: at(0)}))(t)
	b := must(s.AddBroadcast(ctx, sessions.Broadcast{Ref: ref, By: 2, State: sessions.Sending, CreatedAt: at(1)}))(t)
	_, err := s.Broadcast(ctx, 999)
	isErr(t, "unknown broadcast", err, shequn.ErrNotFound)
	ok(t, s.CountBroadcast(ctx, a.ID, 3, 1))
	ok(t, s.CountBroadcast(ctx, a.ID, 2, 0))
	got := must(s.Broadcast(ctx, a.ID))(t)
	if got.Sent != 5 || got.Blocked != 1 || !got.DM || got.Course != "ppt" || !slices.Equal(got.Ref.MessageIDs, []int{5, 6}) || got.State != sessions.Sending {
		t.Errorf("Broadcast = %+v", got)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, at(0))
	if !must(s.FinishBroadcast(ctx, a.ID, sessions.Cancelled, at(3)))(t) {
		t.Error("cancel refused")
	}
	if must(s.FinishBroadcast(ctx, a.ID, sessions.Done, at(4)))(t) {
		t.Error("a cancelled broadcast was finished")
	}
	list := must(s.Broadcasts(ctx, 10))(t)
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID || list[1].State != sessions.Cancelled {
		t.Errorf("Broadcasts = %+v", list)
	}
	sameTime(t, "FinishedAt", list[1].FinishedAt, at(3))
	if l := must(s.Broadcasts(ctx, 1))(t); len(l) != 1 {
		t.Errorf("limit 1 gave %d", len(l))
	}
}

func testAudience(t *testing.T, s Stores) {
	ctx := t.Context()
	addGroup(t, s, "ppt", -1, 3)
	addGroup(t, s, "xls", -2, 10)
	for _, u := range []int64{30, 10, 20, 40} { // 40 waits: ppt is full
		take(t, s, "ppt", u, 1)
	}
	for _, u := range []int64{20, 50} {
		take(t, s, "xls", u, 1)
	}
	must(s.ReleaseSeat(ctx, "xls", 50, at(2)))(t)
	if got := must(s.Audience(ctx, "ppt", 0, 10))(t); !slices.Equal(got, []int64{10, 20, 30}) {
		t.Errorf("ppt audience = %v", got)
	}
	if got := must(s.Audience(ctx, "ppt", 10, 1))(t); !slices.Equal(got, []int64{20}) {
		t.Errorf("ppt audience after 10, 1 = %v", got)
	}
	if got := must(s.Audience(ctx, "", 0, 10))(t); !slices.Equal(got, []int64{10, 20, 30}) {
		t.Errorf("every course = %v", got)
	}
	if got := must(s.Audience(ctx, "", 20, 10))(t); !slices.Equal(got, []int64{30}) {
		t.Errorf("every course after 20 = %v", got)
	}
	if n := must(s.AudienceSize(ctx, ""))(t); n != 3 {
		t.Errorf("AudienceSize all = %d, want 3", n)
	}
	if n := must(s.AudienceSize(ctx, "xls"))(t); n != 1 {
		t.Errorf("AudienceSize xls = %d, want 1", n)
	}
}

func testPostedTo(t *testing.T, s Stores) {
	ctx := t.Context()
	for _, c := range []int64{10, 30, -5} {
		must(s.MarkPosted(ctx, "b1", c, 0, at(1)))(t)
	}
	must(s.MarkPosted(ctx, "b2", 20, 0, at(1)))(t)
	got := must(s.PostedTo(ctx, "b1", []int64{10, 20, 30, 40, -5}))(t)
	slices.Sort(got)
	if !slices.Equal(got, []int64{-5, 10, 30}) {
		t.Errorf("PostedTo(b1) = %v, want [-5 10 30]", got)
	}
	if got := must(s.PostedTo(ctx, "b2", []int64{10, 30}))(t); len(got) != 0 {
		t.Errorf("PostedTo(b2, 10 30) = %v, want none", got)
	}
	if got := must(s.PostedTo(ctx, "b1", nil))(t); len(got) != 0 {
		t.Errorf("PostedTo of no chats = %v", got)
	}
}
