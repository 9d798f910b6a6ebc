package moderation_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/moderation"
)

// fakeStore keeps appointments, the audit log, grants, groups and seats in
// memory: the service's stores in one.
type fakeStore struct {
	mu      sync.Mutex
	appts   []moderation.Appointment
	entries []moderation.Entry
	grants  []membership.Grant
	groups  []groups.Group
	seats   map[[2]int64]bool // group id, user id
	numbers map[string]int64  // "course/number" -> user
	// released are users whose seat was given up (a refund): Seat
	// returns it released, in its old group.
	released map[int64]bool
	// dismissErr makes Dismiss fail.
	dismissErr error
}

func (f *fakeStore) Appoint(_ context.Context, a moderation.Appointment) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.appts {
		if x.ChatID == a.ChatID && x.UserID == a.UserID && x.Role == a.Role {
			return false, nil
		}
	}
	f.appts = append(f.appts, a)
	return true, nil
}

func (f *fakeStore) Dismiss(_ context.Context, chatID, userID int64, role moderation.Role) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dismissErr != nil {
		return false, f.dismissErr
	}
	n := len(f.appts)
	f.appts = slices.DeleteFunc(f.appts, func(x moderation.Appointment) bool {
		return x.ChatID == chatID && x.UserID == userID && x.Role == role
	})
	return len(f.appts) < n, nil
}

func (f *fakeStore) GroupStaff(_ context.Context, chatID int64) ([]moderation.Appointment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []moderation.Appointment
	for _, x := range f.appts {
		if x.ChatID == chatID {
			out = append(out, x)
		}
	}
	return out, nil
}

func (f *fakeStore) Appointments(_ context.Context, userID int64) ([]moderation.Appointment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []moderation.Appointment
	for _, x := range f.appts {
		if x.UserID == userID {
			out = append(out, x)
		}
	}
	return out, nil
}

func (f *fakeStore) Record(_ context.Context, e moderation.Entry) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e.Key != "" && slices.ContainsFunc(f.entries, func(x moderation.Entry) bool { return x.Key == e.Key }) {
		return false, nil
	}
	f.entries = append(f.entries, e)
	return true, nil
}

func (f *fakeStore) EntriesOn(_ context.Context, target int64, since time.Time) ([]moderation.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []moderation.Entry
	for _, e := range f.entries {
		if e.Target == target && !e.At.Before(since) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeStore) Audit(_ context.Context, userID int64, limit int) ([]moderation.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []moderation.Entry
	for i := len(f.entries) - 1; i >= 0 && len(out) < limit; i-- {
		if e := f.entries[i]; e.Target == userID || e.Actor == userID {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeStore) UserByNumber(_ context.Context, course string, number int) (int64, error) {
	if u, ok := f.numbers[fmt.Sprintf("%s/%d", course, number)]; ok {
		return u, nil
	}
	return 0, shequn.ErrNotFound
}

func (f *fakeStore) Grants(_ context.Context, userID int64) ([]membership.Grant, error) {
	var out []membership.Grant
	for _, g := range f.grants {
		if g.UserID == userID {
			out = append(out, g)
		}
	}
	return out, nil
}

func (f *fakeStore) Staff(context.Context) ([]membership.Grant, error) { return f.grants, nil }

func (f *fakeStore) GroupByChat(_ context.Context, chatID int64) (groups.Group, error) {
	for _, g := range f.groups {
		if g.ChatID == chatID {
			return g, nil
		}
	}
	return groups.Group{}, shequn.ErrNotFound
}

func (f *fakeStore) Group(_ context.Context, id int64) (groups.Group, error) {
	for _, g := range f.groups {
		if g.ID == id {
			return g, nil
		}
	}
	return groups.Group{}, shequn.ErrNotFound
}

func (f *fakeStore) Seat(_ context.Context, course string, userID int64) (groups.Seat, error) {
	for k := range f.seats {
		if k[1] == userID {
			state := groups.SeatSeated
			if f.released[userID] {
				state = groups.SeatReleased
			}
			return groups.Seat{Course: course, UserID: userID, GroupID: k[0], State: state}, nil
		}
	}
	return groups.Seat{}, shequn.ErrNotFound
}

func (f *fakeStore) SeatInGroup(_ context.Context, groupID, userID int64) (groups.Seat, error) {
	if f.seats[[2]int64{groupID, userID}] {
		return groups.Seat{GroupID: groupID, UserID: userID}, nil
	}
	return groups.Seat{}, shequn.ErrNotFound
}

// fakePlatform records what was done to whom; fail makes a call fail.
type fakePlatform struct {
	calls  []string
	admins map[int64]bool
	fail   error
}

func (p *fakePlatform) do(call string, chatID, userID int64) error {
	if p.fail != nil {
		return p.fail
	}
	p.calls = append(p.calls, fmt.Sprintf("%s %d %d", call, chatID, userID))
	return nil
}

func (p *fakePlatform) Promote(_ context.Context, chatID, userID int64, title string) error {
	return p.do("promote "+title, chatID, userID)
}

func (p *fakePlatform) Demote(_ context.Context, chatID, userID int64) error {
	return p.do("demote", chatID, userID)
}

func (p *fakePlatform) Restrict(_ context.Context, chatID, userID int64, until time.Time) error {
	return p.do("restrict until "+until.UTC().Format("01-02 15:04"), chatID, userID)
}

func (p *fakePlatform) Unrestrict(_ context.Context, chatID, userID int64) error {
	return p.do("unrestrict", chatID, userID)
}

func (p *fakePlatform) Remove(_ context.Context, chatID, userID int64, block bool) error {
	if p.admins[userID] {
		return fmt.Errorf("ban: %w", moderation.ErrAdmin)
	}
	if block {
		return p.do("block", chatID, userID)
	}
	return p.do("remove", chatID, userID)
}

// The cast of the tests: one student group of course ppt (chat -100,
// group 1) with students 10, 11 and 12 seated, a core group (chat -200),
// an owner, a ppt teacher, an xls teacher, a ppt assistant.
const (
	chat      = -100
	coreChat  = -200
	owner     = 1
	teacher   = 2
	xlsTeach  = 3
	assistant = 4
	alice     = 10
	bob       = 11
	carol     = 12
	stranger  = 99
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

type world struct {
	svc   *moderation.Service
	store *fakeStore
	plat  *fakePlatform
	now   time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{now: t0, plat: &fakePlatform{admins: map[int64]bool{}}}
	w.store = &fakeStore{
		groups: []groups.Group{{ID: 1, ChatID: chat, Kind: groups.KindStudent, Course: "ppt", Ordinal: 1},
			{ID: 2, ChatID: coreChat, Kind: groups.KindCore}},
		seats:   map[[2]int64]bool{{1, alice}: true, {1, bob}: true, {1, carol}: true},
		numbers: map[string]int64{"ppt/10": alice},
		grants: []membership.Grant{{UserID: teacher, Role: membership.RoleTeacher, Course: "ppt"},
			{UserID: xlsTeach, Role: membership.RoleTeacher, Course: "xls"},
			{UserID: assistant, Role: membership.RoleAssistant, Course: "ppt"}},
	}
	w.svc = &moderation.Service{Store: w.store, Roles: w.store, Groups: w.store, Platform: w.plat,
		Owners: []int64{owner}, Policy: moderation.DefaultPolicy, Now: func() time.Time { return w.now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return w
}
