package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
	"github.com/shequn/shequn/sessions"
)

// sessionDesk is the Friday sessions: scheduling, starting, the question
// window, the end; the speaker's messages relayed while live; questions
// in the groups; check-ins under the reminder.
type sessionDesk struct {
	*core
	Sessions *sessions.Service
	People   *membership.People
	asks     floodGuard // each member's questions a minute
}

// askSession asks for the one line of a new session.
const askSession = "session"

// sessionDraft is the /session new dialogue's payload.
type sessionDraft struct {
	Step string `json:"step"`
}

func (d sessionDraft) valid() bool { return d.Step != "" }

// session runs /session new|start|qa|end.
func (f *sessionDesk) session(ctx context.Context, r *Request) error {
	if len(r.Args) == 0 {
		return f.reply(ctx, r, T(r.Lang, "session.usage"))
	}
	switch strings.ToLower(r.Args[0]) {
	case "new":
		line := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(argText(r)), r.Args[0]))
		if line == "" {
			if err := f.ask(ctx, r.From.ID, askSession, sessionDraft{Step: "line"}); err != nil {
				return err
			}
			return f.reply(ctx, r, T(r.Lang, "session.ask_line"))
		}
		return f.newSession(ctx, r, line)
	case "start":
		return f.start(ctx, r)
	case "qa":
		return f.openQA(ctx, r)
	case "end":
		x, live, err := f.Sessions.Current(ctx)
		if err != nil || !live {
			return f.orNone(ctx, r, err)
		}
		if _, err := f.Sessions.End(ctx, x.ID); err != nil {
			return err
		}
		return f.reply(ctx, r, T(r.Lang, "session.ended", x.ID))
	}
	return f.reply(ctx, r, T(r.Lang, "session.usage"))
}

// argText is the command's text after the command itself.
func argText(r *Request) string {
	if r.Message == nil {
		return strings.Join(r.Args, " ")
	}
	_, rest, _ := strings.Cut(strings.TrimSpace(r.Message.Text), " ")
	return rest
}

func (f *sessionDesk) orNone(ctx context.Context, r *Request, err error) error {
	if err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "session.none"))
}

// sessionLine answers the dialogue with the session's line.
func (f *sessionDesk) sessionLine(ctx context.Context, r *Request, _ sessionDraft) error {
	if err := f.closeDialogue(ctx, r.From.ID); err != nil {
		return err
	}
	return f.newSession(ctx, r, r.Message.Text)
}

// newSession reads "[course] 2026-11-27 20:00 | topic | @speaker".
func (f *sessionDesk) newSession(ctx context.Context, r *Request, line string) error {
	parts := strings.Split(line, "|")
	if len(parts) != 3 {
		return f.reply(ctx, r, T(r.Lang, "session.usage"))
	}
	x := sessions.Session{CreatedBy: r.From.ID, Topic: strings.TrimSpace(parts[1])}
	when := strings.Fields(parts[0])
	if len(when) == 3 {
		if _, ok := f.course(strings.ToLower(when[0])); !ok {
			return f.reply(ctx, r, T(r.Lang, "buy.unknown", when[0]))
		}
		x.Course, when = strings.ToLower(when[0]), when[1:]
	}
	if len(when) != 2 {
		return f.reply(ctx, r, T(r.Lang, "session.bad_when", f.Location.String()))
	}
	start, err := time.ParseInLocation("2006-01-02 15:04", when[0]+" "+when[1], f.Location)
	if err != nil || !start.After(f.Now()) {
		return f.reply(ctx, r, T(r.Lang, "session.bad_when", f.Location.String()))
	}
	x.StartAt = start
	speaker := strings.TrimSpace(parts[2])
	p, name, err := speakerOf(ctx, f.People, speaker)
	var nameErr *membership.NameError
	if errors.As(err, &nameErr) {
		return f.reply(ctx, r, T(r.Lang, "session.bad_speaker", speaker))
	}
	if err != nil {
		return err
	}
	x.Speaker, x.SpeakerName = p.UserID, name
	x, err = f.Sessions.New(ctx, x)
	if err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "session.created", x.ID, f.date(r.Lang, x.StartAt), x.Topic, x.SpeakerName))
}

// start makes the next session (or the one named) live now.
func (f *sessionDesk) start(ctx context.Context, r *Request) error {
	var id int64
	if len(r.Args) > 1 {
		n, err := strconv.ParseInt(strings.TrimPrefix(r.Args[1], "#"), 10, 64)
		if err != nil {
			return f.reply(ctx, r, T(r.Lang, "session.usage"))
		}
		id = n
	} else {
		x, err := f.Sessions.Next(ctx)
		if err != nil {
			return err
		}
		id = x.ID
	}
	x, err := f.Sessions.Start(ctx, id)
	if err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "session.started", x.ID))
}

// openQA opens the question window of the live session.
func (f *sessionDesk) openQA(ctx context.Context, r *Request) error {
	minutes := 0
	if len(r.Args) > 1 {
		minutes, _ = strconv.Atoi(r.Args[1])
	}
	if minutes <= 0 {
		return f.reply(ctx, r, T(r.Lang, "session.usage"))
	}
	x, live, err := f.Sessions.Current(ctx)
	if err != nil || !live {
		return f.orNone(ctx, r, err)
	}
	x, err = f.Sessions.OpenQA(ctx, x.ID, time.Duration(minutes)*time.Minute)
	if err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "session.qa_opened", x.QAUntil.In(f.Location).Format("15:04")))
}

// list shows the sessions not closed.
func (f *sessionDesk) list(ctx context.Context, r *Request) error {
	all, err := f.Sessions.Open(ctx)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return f.reply(ctx, r, T(r.Lang, "session.list_empty"))
	}
	lines := make([]string, 0, len(all))
	for _, x := range all {
		n, err := f.Sessions.CheckInCount(ctx, x.ID)
		if err != nil {
			return err
		}
		course := T(r.Lang, "session.all_courses")
		if x.Course != "" {
			course = f.courseTitle(x.Course)
		}
		lines = append(lines, T(r.Lang, "session.list_line", x.ID, f.date(r.Lang, x.StartAt), x.Topic,
			HTML(T(r.Lang, "session.state."+string(x.State))), course, n))
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

// relayOr relays a private message of the speaker or staff while a session
// is live, and hands anything else to next.
func (f *sessionDesk) relayOr(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, r *Request) error {
		staff := r.Who.Staff || r.Who.Owner
		if r.Message != nil && r.Private && (staff || f.isSpeaker(ctx, r)) {
			ref := sessions.MessageRef{ChatID: r.ChatID, MessageIDs: []int{r.Message.MessageID}, Album: r.Message.MediaGroupID,
				Items: []string{ItemOf(r.Message)}}
			ok, err := f.Sessions.Relay(ctx, r.From.ID, staff, ref)
			if err != nil || ok {
				return err
			}
		}
		return next(ctx, r)
	}
}

// isSpeaker reports whether the sender speaks at the live session.
func (f *sessionDesk) isSpeaker(ctx context.Context, r *Request) bool {
	if r.Message == nil || !r.Private {
		return false
	}
	x, live, err := f.Sessions.Current(ctx)
	return err == nil && live && x.Speaker == r.From.ID
}

// question takes a member's text in a group during a question window.
func (f *sessionDesk) question(ctx context.Context, r *Request) error {
	if r.Message == nil || r.Message.Text == "" {
		return nil
	}
	// One member pasting lines into the open group would fill the
	// speaker's private chat (one message a second) before anyone else's
	// question; past the budget their lines stay in the group only.
	if ok, _ := f.asks.take(r.From.ID, questionsPerMinute, f.Now()); !ok {
		return nil
	}
	_, err := f.Sessions.Ask(ctx, r.ChatID, r.From.ID, r.Message.Text)
	return err
}

// checkIn counts the member who tapped the reminder's button.
func (f *sessionDesk) checkIn(ctx context.Context, r *Request) error {
	id, err := strconv.ParseInt(r.Payload, 10, 64)
	if err != nil {
		return fmt.Errorf("check-in button %q: %w", r.Payload, err)
	}
	added, err := f.Sessions.CheckIn(ctx, id, r.ChatID, r.From.ID)
	switch {
	case shequn.ErrorCode(err) == shequn.CodeConflict:
		r.Toast = Label(r.Lang, "session.over")
	case err != nil:
		return err
	case added:
		r.Toast = Label(r.Lang, "session.checked_in")
	default:
		r.Toast = Label(r.Lang, "session.checked_dup")
	}
	return nil
}

// sessionsTable declares the sessions' commands and the check-in button;
// the questions in groups reach question through the pyramid's route of
// what is said in a group (wire).
func (f *sessionDesk) sessionsTable() Table {
	return Table{
		Commands: []Command{
			{Name: "session", Audience: Staff, Where: Private, Handle: f.session,
				Menu: [2]string{"周五分享会（管理员）", "Friday sessions (admins)"},
				Help: [2]string{"new|start|qa|end — 安排、开始分享会，开放提问，结束", "new|start|qa|end — schedule or start a session, open questions, end it"}},
			{Name: "sessions", Audience: Staff, Where: Private, Handle: f.list,
				Menu: [2]string{"分享会列表（管理员）", "Sessions (admins)"},
				Help: [2]string{"— 安排中和进行中的分享会", "— sessions scheduled and live"}},
		},
		Callbacks: []CallbackRoute{{"ci", f.checkIn}},
		Dialogues: []Dialogue{{Kind: askSession, Answer: answerWith(f.sessionLine)}},
	}
}

// renderSessions renders the sessions' notices.
func renderSessions(c *core, lang Lang, n shequn.Notice) (string, *tgbotapi.InlineKeyboardMarkup) {
	switch n := n.(type) {
	case sessions.ReminderNotice:
		x := n.Session
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(Label(lang, "session.checkin_button"), fmt.Sprintf("ci:%d", x.ID))))
		return T(lang, "session.reminder", x.Topic, x.SpeakerName, c.date(lang, x.StartAt), shortDuration(n.Before)), &kb
	case sessions.HeaderNotice:
		return T(lang, "session.header", n.Session.Topic, n.Session.SpeakerName), nil
	case sessions.QAOpenNotice:
		return T(lang, "session.qa_open", n.Session.QAUntil.In(c.Location).Format("15:04")), nil
	case sessions.QAClosedNotice:
		return T(lang, "session.qa_closed"), nil
	case sessions.QuestionNotice:
		q := n.Question
		who := T(lang, "session.no_number")
		if q.Number > 0 {
			who = c.memberNumber(q.Course, q.Number)
		}
		return T(lang, "session.question", q.Seq, who, q.Text), nil
	case sessions.RecapNotice:
		x := n.Session
		return T(lang, "session.recap", x.Topic, x.SpeakerName, n.GroupCheckIns, n.CheckIns, n.Questions, n.Relayed), nil
	case sessions.SpeakerUnreachableNotice:
		return T(lang, "session.speaker_unreachable", n.Session.SpeakerName, n.Session.ID), nil
	case sessions.BroadcastDoneNotice:
		b := n.Broadcast
		if b.State != sessions.Done {
			return T(lang, "broadcast.stopped", b.ID, HTML(T(lang, "broadcast.state."+string(b.State)))), nil
		}
		return T(lang, "broadcast.done", b.ID, b.Sent, b.Blocked), nil
	}
	return "", nil
}

// shortDuration writes 24h, 1h or 30m rather than 24h0m0s.
func shortDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}
