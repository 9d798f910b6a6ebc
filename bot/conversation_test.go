package bot

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/store/sqlite"
)

const (
	testOwner   = 1
	testTeacher = 2
	testStudent = 3
)

// notices records the notices the services send, the in-memory side of
// Bot.Tell and Bot.Post.
type notices struct {
	mu   sync.Mutex
	told map[int64][]shequn.Notice
}

func (n *notices) Tell(_ context.Context, userID int64, nt shequn.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.told == nil {
		n.told = map[int64][]shequn.Notice{}
	}
	n.told[userID] = append(n.told[userID], nt)
	return nil
}

func (n *notices) Post(context.Context, int64, shequn.Notice) (int, error) { return 1, nil }
func (n *notices) Pin(context.Context, int64, int) error                   { return nil }

// chatFixture is the bot over the real services and a real SQLite file,
// spoken to through in-memory conversations instead of Telegram.
type chatFixture struct {
	b      *Bot
	db     *sqlite.DB
	told   *notices
	now    time.Time
	update int
}

func newChatFixture(t *testing.T) *chatFixture {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shequn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &chatFixture{db: db, told: &notices{}, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	courses := []membership.Course{{ID: "ppt", Title: "PPT & Excel", Prefix: "PPT", Amount: 19900, Currency: "cny"}}
	byID := map[string]membership.Course{"ppt": courses[0]}
	owners := []int64{testOwner}
	gs := &groups.Service{Store: db, Posts: db, Profiles: db, Notifier: f.told, Owners: owners, Courses: byID, Now: clock, Log: quiet}
	hw := &assignments.Service{Store: db, Members: db, Roles: db, Groups: gs, Notifier: f.told,
		Owners: owners, Courses: byID, Location: time.UTC, Now: clock, Log: quiet}
	f.b = &Bot{Members: db, Profiles: db, Groups: gs, Homework: hw, Roles: db, Dialogues: db, Updates: db,
		Location: time.UTC, Courses: courses, Owners: owners, Now: clock, Log: quiet}
	f.b.build()
	err = db.GrantRole(ctx, membership.Grant{UserID: testTeacher, Role: membership.RoleTeacher, Course: "ppt", GrantedBy: testOwner, GrantedAt: f.now})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// serve hands an update from the user's private chat to the bot and
// returns what the conversation was told.
func (f *chatFixture) serve(t *testing.T, u tgbotapi.Update) []Said {
	t.Helper()
	f.update++
	u.UpdateID = f.update
	r, ok := f.b.request(t.Context(), u)
	if !ok {
		t.Fatal("the update was not taken")
	}
	chat := &MemoryChat{}
	r.Chat = chat
	if err := f.b.serve(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	return chat.Said()
}

func (f *chatFixture) say(t *testing.T, user int64, text string) []Said {
	t.Helper()
	return f.serve(t, tgbotapi.Update{Message: &tgbotapi.Message{
		MessageID: f.update + 1, From: &tgbotapi.User{ID: user, FirstName: "U", LanguageCode: "en"},
		Chat: &tgbotapi.Chat{ID: user, Type: "private"}, Text: text, Date: int(f.now.Unix()),
	}})
}

func (f *chatFixture) tap(t *testing.T, user int64, data string) []Said {
	t.Helper()
	return f.serve(t, tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "cb", From: &tgbotapi.User{ID: user, FirstName: "U", LanguageCode: "en"}, Data: data,
		Message: &tgbotapi.Message{MessageID: 1, Chat: &tgbotapi.Chat{ID: user, Type: "private"}},
	}})
}

// only returns the one thing said, failing otherwise.
func only(t *testing.T, said []Said) Said {
	t.Helper()
	if len(said) != 1 {
		t.Fatalf("said %d things, want 1: %+v", len(said), said)
	}
	return said[0]
}

// Choices are platform-neutral: /start offers the courses, /language the
// languages, and a chosen one comes back as a routed callback.
func TestConversationOffersChoices(t *testing.T) {
	f := newChatFixture(t)
	start := only(t, f.say(t, testStudent, "/start"))
	if len(start.Choices) != 1 || start.Choices[0][0].Data != "buy:ppt" || start.Choices[0][0].Label != "Buy: PPT & Excel" {
		t.Errorf("/start choices = %+v", start.Choices)
	}
	if !strings.Contains(start.Text, "PPT &amp; Excel") {
		t.Errorf("/start text does not escape the title: %q", start.Text)
	}
	lang := only(t, f.say(t, testStudent, "/language"))
	if len(lang.Choices) != 1 || len(lang.Choices[0]) != 2 || lang.Choices[0][0].Data != "lang:zh-CN" {
		t.Fatalf("/language choices = %+v", lang.Choices)
	}
	if got := only(t, f.tap(t, testStudent, lang.Choices[0][0].Data)).Text; got != T(Chinese, "language.set") {
		t.Errorf("after choosing Chinese: %q", got)
	}
}

// /help is generated per audience from the sender's roles, resolved once
// by the middleware; a staff command is refused to a student before its
// handler runs.
func TestHelpFollowsTheSendersRoles(t *testing.T) {
	f := newChatFixture(t)
	for _, c := range []struct {
		user       int64
		has, lacks []string
	}{
		{testStudent, []string{"/start", "/submit", "/cancel"}, []string{"/grade", "/register"}},
		{testTeacher, []string{"/submit", "/grade", "/skip", "/queue"}, []string{"/register", "/grant"}},
		{testOwner, []string{"/grade", "/register", "/grant", "/revoke"}, nil},
	} {
		help := only(t, f.say(t, c.user, "/help")).Text
		for _, s := range c.has {
			if !strings.Contains(help, s+" ") {
				t.Errorf("/help of %d lacks %s:\n%s", c.user, s, help)
			}
		}
		for _, s := range c.lacks {
			if strings.Contains(help, s+" ") {
				t.Errorf("/help of %d lists %s:\n%s", c.user, s, help)
			}
		}
	}
	if got := only(t, f.say(t, testStudent, "/grade 1 90")).Text; got != T(English, "not_reviewer") {
		t.Errorf("a student's /grade: %q", got)
	}
	if got := only(t, f.say(t, testStudent, "/grant teacher @x")).Text; got != T(English, "not_owner") {
		t.Errorf("a student's /grant: %q", got)
	}
}

// A dialogue stored by the old pipe-joined format, or otherwise
// unreadable, is dropped with a polite restart instead of a crash or a
// silent loss.
func TestUnreadableDialogueIsDroppedPolitely(t *testing.T) {
	f := newChatFixture(t)
	ctx := t.Context()
	for _, old := range []struct{ kind, data string }{
		{askComment, "12|good|80"},
		{askSubmission, "7"},
		{askAssignment, `{"step":"nonsense"}`},
		{"a-kind-from-long-ago", "x"},
	} {
		if err := f.db.SetDialogue(ctx, testTeacher, old.kind, old.data, f.now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := only(t, f.say(t, testTeacher, "nice work")).Text; got != T(English, "dialogue.lost") {
			t.Errorf("%s %q: answered %q", old.kind, old.data, got)
		}
		if kind, _, _, err := f.db.Dialogue(ctx, testTeacher); err != nil || kind != "" {
			t.Errorf("%s %q: still open (%q, %v)", old.kind, old.data, kind, err)
		}
	}
	// /skip reads the comment dialogue too.
	if err := f.db.SetDialogue(ctx, testTeacher, askComment, "12|good|80", f.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := only(t, f.say(t, testTeacher, "/skip")).Text; got != T(English, "dialogue.lost") {
		t.Errorf("/skip over an old dialogue: %q", got)
	}
}

// The assignment dialogue keeps its typed draft between answers.
func TestAssignDialogueKeepsATypedDraft(t *testing.T) {
	f := newChatFixture(t)
	steps := []struct{ say, want string }{
		{"/assign", T(English, "assign.ask_title")},
		{strings.Repeat("长", assignments.MaxTitle+1), T(English, "assign.bad_title")},
		{"Lesson 1", T(English, "assign.ask_due", "UTC")},
		{"-", T(English, "assign.ask_max")},
		{"1001", T(English, "assign.bad_max")},
		{"100", T(English, "assign.ask_desc")},
		{"-", T(English, "assign.created", 1, "Lesson 1")},
	}
	for _, s := range steps {
		if got := only(t, f.say(t, testTeacher, s.say)).Text; got != s.want {
			t.Fatalf("%q: answered %q, want %q", s.say, got, s.want)
		}
	}
	a, err := f.db.Assignment(t.Context(), 1)
	if err != nil || a.Title != "Lesson 1" || a.MaxScore != 100 || a.Course != "ppt" {
		t.Fatalf("assignment = %+v, %v", a, err)
	}
}

// The capacity limit is the groups package's rule, which the bot asks.
func TestRegisterAsksTheGroupsCapacityRule(t *testing.T) {
	f := newChatFixture(t)
	for _, capacity := range []string{"0", "200001", "many"} {
		said := f.serve(t, tgbotapi.Update{Message: &tgbotapi.Message{
			MessageID: 5, From: &tgbotapi.User{ID: testOwner, FirstName: "O", LanguageCode: "en"},
			Chat: &tgbotapi.Chat{ID: -100, Type: "supergroup", Title: "G"}, Text: "/register student ppt " + capacity,
		}})
		if got := only(t, said).Text; got != T(English, "register.capacity") {
			t.Errorf("capacity %s: %q", capacity, got)
		}
	}
}

// A whole review over the in-memory conversation: the student hands in a
// photo, the teacher gets the file by reference and the card with its
// choices, picks a grade, and the typed comment dialogue finishes it.
func TestReviewOverTheConversation(t *testing.T) {
	f := newChatFixture(t)
	ctx := t.Context()
	_, err := f.db.RecordPayment(ctx, membership.Order{ID: "cs_1", Course: "ppt", UserID: testStudent, PaymentIntent: "pi_1",
		Amount: 19900, Currency: "cny", Status: membership.OrderPaid, PaidAt: f.now, UpdatedAt: f.now})
	if err != nil {
		t.Fatal(err)
	}
	f.say(t, testTeacher, "/assign ppt - 100 Lesson 1")
	if got := only(t, f.say(t, testStudent, "/submit 1")).Text; got != T(English, "submit.ask", "Lesson 1") {
		t.Fatalf("/submit 1: %q", got)
	}
	photo := f.serve(t, tgbotapi.Update{Message: &tgbotapi.Message{
		MessageID: 9, From: &tgbotapi.User{ID: testStudent, FirstName: "S", LanguageCode: "en"},
		Chat: &tgbotapi.Chat{ID: testStudent, Type: "private"}, Date: int(f.now.Unix()),
		Photo: []tgbotapi.PhotoSize{{FileID: "small"}, {FileID: "big"}}, Caption: "my cover",
	}})
	if got := only(t, photo).Text; got != T(English, "submit.ok", "Lesson 1", 1) {
		t.Fatalf("the photo: %q", got)
	}
	said := f.say(t, testTeacher, "/review")
	if len(said) != 2 || said[0].Media != MediaPhoto || said[0].Ref != "big" {
		t.Fatalf("/review said %+v, want the photo by reference first", said)
	}
	card := said[1]
	if len(card.Choices) != 3 || card.Choices[0][1].Data != "rv:1:g" || card.Choices[2][0].Data != "rk:1" {
		t.Fatalf("the card's choices = %+v", card.Choices)
	}
	if got := only(t, f.tap(t, testTeacher, card.Choices[0][1].Data)).Text; got != T(English, "review.chosen", "good", 80) {
		t.Fatalf("after choosing good: %q", got)
	}
	if kind, data, _, _ := f.db.Dialogue(ctx, testTeacher); kind != askComment || data != `{"submission":1,"grade":"good","score":80}` {
		t.Errorf("stored dialogue = %s %s", kind, data)
	}
	if got := only(t, f.say(t, testTeacher, "Clear and bold.")).Text; got != T(English, "review.done", 1, "good", 80) {
		t.Errorf("after the comment: %q", got)
	}
	if told := f.told.told[testStudent]; len(told) != 1 {
		t.Errorf("the student was told %d notices, want the feedback", len(told))
	}
	subs, err := f.db.Submissions(ctx, testStudent)
	if err != nil || len(subs) != 1 || subs[0].Grade != assignments.GradeGood || subs[0].Comment != "Clear and bold." {
		t.Fatalf("submission = %+v, %v", subs, err)
	}
}
