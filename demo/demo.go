package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/shequn/shequn/bot/telegramtest"
)

// student is a buyer in the story.
type student struct {
	id   int64
	name string
	lang string
}

var (
	students = []student{
		{2001, "小明", "zh-hans"}, {2002, "Alice", "en"}, {2003, "小红", "zh"},
		{2004, "Bob", "en-US"}, {2005, "小刚", ""}, {2006, "小丽", "zh-CN"},
	}
	latecomer = student{2007, "Carol", "en"}
	stranger  = student{3001, "Mallory", "en"}
)

// Run plays the story of issue #3 on a fake Telegram and prints who saw
// what. It needs no network and no account.
func Run(ctx context.Context, out io.Writer) error { return RunWith(ctx, out) }

// RunWith plays the story on a community changed by setups (another
// store, for one).
func RunWith(ctx context.Context, out io.Writer, setups ...Setup) error {
	h, err := Start(ctx, append([]Setup{WithQQCourse, demoCore}, setups...)...)
	if err != nil {
		return fmt.Errorf("start the community: %w", err)
	}
	t := newTranscript(out, h)
	h.TG.OnEvent(t.event)
	err = story(ctx, h, t)
	if cerr := h.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\n✔ demo finished: every step above went through the real bot, store and webhook handler.")
	return nil
}

func story(ctx context.Context, h *Harness, t *transcript) error {
	full := telegramtest.FullAdminRights()
	noPin := full
	noPin.CanPinMessages = false

	t.act("1. 群主登记两个学员群 / The owner registers two student groups (capacity 3)")
	if err := t.say(ctx, h.Owner, h.Owner, "/help"); err != nil {
		return err
	}
	g1 := h.Group("PPT 学员群 A", noPin)
	t.name(g1, "PPT 学员群 A")
	if err := t.say(ctx, h.Owner, g1, "/register student ppt 3"); err != nil {
		return err
	}
	t.note("the bot lacks a right; the owner grants it and tries again")
	if err := h.TG.SetBotRights(g1, full); err != nil {
		return err
	}
	if err := t.say(ctx, h.Owner, g1, "/register student ppt 3"); err != nil {
		return err
	}
	g2 := h.Group("PPT 学员群 B", full)
	t.name(g2, "PPT 学员群 B")
	if err := t.say(ctx, h.Owner, g2, "/register student ppt 3"); err != nil {
		return err
	}

	t.act("2. 六位学员购买课程并入群 / Six students buy the course and join")
	var sessions []Session
	for i, s := range students {
		h.TG.AddUser(telegramtest.User{ID: s.id, FirstName: s.name, LanguageCode: s.lang})
		t.name(s.id, s.name+" ("+langLabel(s.lang)+")")
		if err := t.say(ctx, s.id, s.id, "/start"); err != nil {
			return err
		}
		t.note(s.name + " taps Buy and pays on the Stripe page")
		if err := t.press(ctx, h, s.id, "buy:ppt"); err != nil {
			return err
		}
		times := 1
		if i == 2 {
			times = 3
			t.note("Stripe delivers this payment's webhook three times")
		}
		sess, err := h.Paid(ctx, s.id, times)
		if err != nil {
			return err
		}
		sessions = append(sessions, sess)
		t.note(s.name + " taps the join button")
		if err := h.Join(ctx, s.id); err != nil {
			return err
		}
	}

	t.act("3. 陌生人想混进学员群 / A stranger who did not pay asks to join")
	h.TG.AddUser(telegramtest.User{ID: stranger.id, FirstName: stranger.name, LanguageCode: stranger.lang})
	t.name(stranger.id, stranger.name)
	link, _ := h.LinkButton(students[0].id, "https://t.me/+")
	if err := h.TG.RequestJoin(stranger.id, link); err != nil {
		return err
	}
	if err := h.Step(ctx); err != nil {
		return err
	}

	t.act("4. 第七位买家进入候补 / The 7th buyer lands on the waitlist")
	h.TG.AddUser(telegramtest.User{ID: latecomer.id, FirstName: latecomer.name, LanguageCode: latecomer.lang})
	t.name(latecomer.id, latecomer.name+" (en)")
	if err := t.say(ctx, latecomer.id, latecomer.id, "/start buy-ppt"); err != nil {
		return err
	}
	if _, err := h.Paid(ctx, latecomer.id, 1); err != nil {
		return err
	}
	t.note("the owner opens a third group, as the bot asked")
	g3 := h.Group("PPT 学员群 C", full)
	t.name(g3, "PPT 学员群 C")
	if err := t.say(ctx, h.Owner, g3, "/register student ppt 3"); err != nil {
		return err
	}
	if err := h.Join(ctx, latecomer.id); err != nil {
		return err
	}

	t.act("5. 一位学员退款 / One student is refunded")
	if err := h.Refunded(ctx, sessions[1]); err != nil {
		return err
	}

	t.act("6. 查看状态 / Checking in")
	if err := t.say(ctx, students[0].id, students[0].id, "/me"); err != nil {
		return err
	}
	if err := t.say(ctx, students[3].id, students[3].id, "/language"); err != nil {
		return err
	}
	if err := t.press(ctx, h, students[3].id, "lang:zh-CN"); err != nil {
		return err
	}
	if err := t.say(ctx, h.Owner, h.Owner, "/groups"); err != nil {
		return err
	}
	if err := t.check(h, g1, g2, g3); err != nil {
		return err
	}
	if err := pyramidAct(ctx, h, t, g1); err != nil {
		return err
	}
	if err := homework(ctx, h, t); err != nil {
		return err
	}
	if err := coreAct(ctx, h, t); err != nil {
		return err
	}
	if err := friday(ctx, h, t, g1, g2, g3); err != nil {
		return err
	}
	if err := qaDesk(ctx, h, t); err != nil {
		return err
	}
	return qqAct(ctx, h, t)
}

// The teachers of the homework act.
var (
	teacherWang = student{4001, "王老师", "zh-hans"}
	teacherLi   = student{4002, "Ms Li", "en"}
)

// homework is the story's second half: a teacher publishes an assignment,
// three students hand in work (one replaces theirs, one is late), two
// teachers review at the same time, one work is sent back for a redo, and
// the students see their places.
func homework(ctx context.Context, h *Harness, t *transcript) error {
	t.act("7. 老师布置作业 / The owner names two teachers; one publishes an assignment")
	for _, tc := range []student{teacherWang, teacherLi} {
		h.TG.AddUser(telegramtest.User{ID: tc.id, FirstName: tc.name, Username: fmt.Sprint("teacher", tc.id), LanguageCode: tc.lang})
		t.name(tc.id, tc.name+" ("+tc.lang+")")
		if err := t.say(ctx, tc.id, tc.id, "/start"); err != nil {
			return err
		}
		if err := t.say(ctx, h.Owner, h.Owner, fmt.Sprintf("/grant teacher @teacher%d", tc.id)); err != nil {
			return err
		}
	}
	due := h.Clock.Now().Add(3 * 24 * time.Hour).In(h.Config.Location()).Format("2006-01-02")
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/assign ppt "+due+" 100 第一课：封面设计 | 做一页课程封面，配色不超过三种"); err != nil {
		return err
	}

	t.act("8. 学员交作业 / Students hand in work (one replaces it, one is late)")
	first, second, late := students[0], students[2], students[3]
	submit := func(s student, text string) error {
		if err := t.say(ctx, s.id, s.id, "/submit 1"); err != nil {
			return err
		}
		return t.say(ctx, s.id, s.id, text)
	}
	if err := submit(first, "https://example.com/xiaoming-cover-v1"); err != nil {
		return err
	}
	if err := submit(first, "https://example.com/xiaoming-cover-v2"); err != nil {
		return err
	}
	if err := t.say(ctx, second.id, second.id, "/submit 1"); err != nil {
		return err
	}
	fmt.Fprintf(t.out, "%s sends a photo of the slide\n", t.who(second.id))
	if _, _, err := h.TG.SendPhoto(second.id, second.id, "封面"); err != nil {
		return err
	}
	if err := h.Step(ctx); err != nil {
		return err
	}
	t.note("four days pass: the due date is behind us")
	h.Clock.Advance(4 * 24 * time.Hour)
	if err := submit(late, "Sorry, here is my cover: a blue title on white."); err != nil {
		return err
	}

	t.act("9. 两位老师同时批改 / Two teachers review at the same time")
	fmt.Fprintf(t.out, "%s and %s both send /review at once\n", t.who(teacherWang.id), t.who(teacherLi.id))
	h.TG.SendText(teacherWang.id, teacherWang.id, "/review")
	h.TG.SendText(teacherLi.id, teacherLi.id, "/review")
	if err := h.Step(ctx); err != nil {
		return err
	}
	// Each got a different submission (the holds keep them apart); 小明's
	// link is sent back for a redo, the other is graded good.
	for _, tc := range []student{teacherWang, teacherLi} {
		card, _ := h.LastBotMessage(tc.id)
		var id int
		fmt.Sscanf(card.Text, "#%d", &id)
		grade, comment := "rv:%d:g", map[bool]string{true: "Clear structure; make the title bigger.", false: "结构清楚，标题可以再大一点。"}
		if strings.Contains(card.Text, "PPT-00001") {
			grade, comment = "rv:%d:r", map[bool]string{true: "Please add the course name to the cover.", false: "请在封面上加上课程名称。"}
		}
		if err := t.press(ctx, h, tc.id, fmt.Sprintf(grade, id)); err != nil {
			return err
		}
		if err := t.say(ctx, tc.id, tc.id, comment[tc.lang == "en"]); err != nil {
			return err
		}
	}
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/review"); err != nil {
		return err
	}
	card, _ := h.LastBotMessage(teacherWang.id)
	var lateID int
	fmt.Sscanf(card.Text, "#%d", &lateID)
	if err := t.say(ctx, teacherWang.id, teacherWang.id, fmt.Sprintf("/grade %d 90 Nice colours", lateID)); err != nil {
		return err
	}

	t.act("10. 重做与排名 / The redo, and the rankings")
	if err := submit(first, "https://example.com/cover-with-course-name"); err != nil {
		return err
	}
	if err := t.say(ctx, teacherLi.id, teacherLi.id, "/review"); err != nil {
		return err
	}
	card, _ = h.LastBotMessage(teacherLi.id)
	var redoID int
	fmt.Sscanf(card.Text, "#%d", &redoID)
	if err := t.press(ctx, h, teacherLi.id, fmt.Sprintf("rv:%d:e", redoID)); err != nil {
		return err
	}
	if err := t.say(ctx, teacherLi.id, teacherLi.id, "/skip"); err != nil {
		return err
	}
	for _, s := range []student{first, second, late} {
		if err := t.say(ctx, s.id, s.id, "/rank"); err != nil {
			return err
		}
	}
	if err := t.say(ctx, teacherWang.id, teacherWang.id, "/top ppt all"); err != nil {
		return err
	}
	return t.say(ctx, teacherWang.id, teacherWang.id, "/queue")
}

// transcript prints what each person saw.
type transcript struct {
	out   io.Writer
	h     *Harness
	mu    sync.Mutex
	names map[int64]string
	acts  int // acts told so far: each file's act numbers its own scenes
}

func newTranscript(out io.Writer, h *Harness) *transcript {
	return &transcript{out: out, h: h, names: map[int64]string{h.Owner: "Owner (zh)"}}
}

func (t *transcript) name(id int64, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.names[id] = name
}

func (t *transcript) who(id int64) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := t.names[id]; ok {
		return n
	}
	return fmt.Sprint(id)
}

// act starts a scene, numbered in the order told; a number the title was
// written with (the acts live in several files) gives way to it.
func (t *transcript) act(title string) {
	t.acts++
	fmt.Fprintf(t.out, "\n━━ %d. %s ━━\n", t.acts, actNumber.ReplaceAllString(title, ""))
}

var actNumber = regexp.MustCompile(`^\d+[a-z]?\. `)

func (t *transcript) note(s string) { fmt.Fprintf(t.out, "   (%s)\n", s) }

func (t *transcript) say(ctx context.Context, from, chat int64, text string) error {
	where := ""
	if chat != from {
		where = " in " + t.who(chat)
	}
	fmt.Fprintf(t.out, "%s%s: %s\n", t.who(from), where, text)
	return t.h.Say(ctx, from, chat, text)
}

func (t *transcript) press(ctx context.Context, h *Harness, user int64, data string) error {
	fmt.Fprintf(t.out, "%s taps [%s]\n", t.who(user), data)
	return h.Press(ctx, user, user, data)
}

func (t *transcript) event(e telegramtest.Event) {
	switch e.Kind {
	case "bot_message":
		// The fake reports the text as Telegram shows it: markup parsed
		// away, "&lt;id&gt;" already "<id>". Nothing is left to strip.
		text := strings.ReplaceAll(e.Text, "\n", "\n      ")
		fmt.Fprintf(t.out, "  🤖 → %s: %s\n", t.who(e.ChatID), text)
	case "approve", "decline", "join_request", "join", "ban", "unban", "leave":
		fmt.Fprintf(t.out, "  · %s: %s, %s\n", t.who(e.ChatID), e.Kind, t.who(e.UserID))
	case "permissions":
		if t.h.TG.Permissions(e.ChatID).CanSendMessages {
			fmt.Fprintf(t.out, "  · %s: members may write\n", t.who(e.ChatID))
			break
		}
		fmt.Fprintf(t.out, "  · %s: members muted\n", t.who(e.ChatID))
	}
}

// check confirms the story's end state on the fake Telegram.
func (t *transcript) check(h *Harness, groups ...int64) error {
	var errs []error
	in := func(chat, user int64, want bool) {
		if h.TG.IsMember(chat, user) != want {
			errs = append(errs, fmt.Errorf("%s in %s: want %v", t.who(user), t.who(chat), want))
		}
	}
	in(groups[0], students[0].id, true)
	in(groups[0], students[1].id, false) // refunded
	in(groups[1], students[5].id, true)
	in(groups[2], latecomer.id, true)
	for _, g := range groups {
		in(g, stranger.id, false)
	}
	return errors.Join(errs...)
}

func langLabel(code string) string {
	if code == "" {
		return "no language"
	}
	return code
}
