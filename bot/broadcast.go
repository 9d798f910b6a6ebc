package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shequn/shequn/sessions"
)

// broadcastDesk is the admins' broadcasts: /announce and the message to
// send, /broadcasts with the progress and a cancel button.
type broadcastDesk struct {
	*core
	Sessions *sessions.Service
}

// askBroadcast asks for the message of a broadcast.
const askBroadcast = "announce"

// broadcastDraft is the /announce dialogue's payload: where it goes, and
// the album collected so far.
type broadcastDraft struct {
	Course string `json:"course"` // "" is every course
	DM     bool   `json:"dm,omitempty"`
	Album  string `json:"album,omitempty"` // media_group_id of the album being collected
	IDs    []int  `json:"ids,omitempty"`
	// Items keep each message for a platform that re-sends it (ItemOf).
	Items []string `json:"items,omitempty"`
	Set   bool     `json:"set"`
}

func (d broadcastDraft) valid() bool { return d.Set }

// announce starts a broadcast: "/announce <course|all> [dm]".
func (f *broadcastDesk) announce(ctx context.Context, r *Request) error {
	if len(r.Args) == 0 || len(r.Args) > 2 || (len(r.Args) == 2 && strings.ToLower(r.Args[1]) != "dm") {
		return f.reply(ctx, r, T(r.Lang, "broadcast.usage"))
	}
	d := broadcastDraft{DM: len(r.Args) == 2, Set: true}
	if c := strings.ToLower(r.Args[0]); c != "all" {
		if _, ok := f.course(c); !ok {
			return f.reply(ctx, r, T(r.Lang, "buy.unknown", r.Args[0]))
		}
		d.Course = c
	}
	if err := f.ask(ctx, r.From.ID, askBroadcast, d); err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "broadcast.ask", HTML(f.target(r.Lang, d))))
}

func (f *broadcastDesk) target(lang Lang, d broadcastDraft) string {
	course := T(lang, "session.all_courses")
	if d.Course != "" {
		course = f.courseTitle(d.Course)
	}
	if d.DM {
		return T(lang, "broadcast.target_dm", course)
	}
	return T(lang, "broadcast.target", course)
}

// message takes the broadcast's message: any kind at once, an album item
// by item until /send.
func (f *broadcastDesk) message(ctx context.Context, r *Request, d broadcastDraft) error {
	m := r.Message
	if m.MediaGroupID == "" {
		d.IDs, d.Items = []int{m.MessageID}, []string{ItemOf(m)}
		return f.send(ctx, r, d)
	}
	first := d.Album != m.MediaGroupID
	if first {
		d.Album, d.IDs, d.Items = m.MediaGroupID, nil, nil
	}
	d.IDs, d.Items = append(d.IDs, m.MessageID), append(d.Items, ItemOf(m))
	if err := f.ask(ctx, r.From.ID, askBroadcast, d); err != nil {
		return err
	}
	if first {
		return f.reply(ctx, r, T(r.Lang, "broadcast.album"))
	}
	return nil
}

// sendAlbum is /send: the album collected goes out.
func (f *broadcastDesk) sendAlbum(ctx context.Context, r *Request) error {
	kind, raw, err := f.openDialogue(ctx, r.From.ID)
	if err != nil {
		return err
	}
	d, derr := decodePayload[broadcastDraft](raw)
	if kind != askBroadcast || derr != nil || len(d.IDs) == 0 {
		return f.reply(ctx, r, T(r.Lang, "broadcast.nothing"))
	}
	return f.send(ctx, r, d)
}

func (f *broadcastDesk) send(ctx context.Context, r *Request, d broadcastDraft) error {
	if err := f.closeDialogue(ctx, r.From.ID); err != nil {
		return err
	}
	b, err := f.Sessions.Announce(ctx, r.From.ID, d.Course, d.DM, sessions.MessageRef{ChatID: r.ChatID, MessageIDs: d.IDs, Items: d.Items})
	if err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "broadcast.created", b.ID))
}

// list shows the last broadcasts with their progress and the expected
// finish from the global limit, with a cancel button for each one sending.
func (f *broadcastDesk) list(ctx context.Context, r *Request) error {
	if len(r.Args) == 2 && strings.ToLower(r.Args[0]) == "cancel" {
		r.Payload = strings.TrimPrefix(r.Args[1], "#")
		return f.cancel(ctx, r)
	}
	all, sizes, err := f.Sessions.Recent(ctx, 5)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return f.reply(ctx, r, T(r.Lang, "broadcast.none"))
	}
	var lines []string
	var buttons [][]Choice
	for i, b := range all {
		progress := T(r.Lang, "broadcast.groups")
		if b.DM {
			left := max(sizes[i]-b.Sent-b.Blocked, 0)
			eta := f.Now().Add(f.perDM() * time.Duration(left))
			progress = T(r.Lang, "broadcast.progress", b.Sent+b.Blocked, sizes[i], b.Blocked, f.date(r.Lang, eta))
		}
		course := T(r.Lang, "session.all_courses")
		if b.Course != "" {
			course = f.courseTitle(b.Course)
		}
		lines = append(lines, T(r.Lang, "broadcast.line", b.ID, HTML(T(r.Lang, "broadcast.state."+string(b.State))), course, HTML(progress)))
		if b.State == sessions.Sending {
			buttons = append(buttons, []Choice{{Label: Label(r.Lang, "broadcast.cancel", b.ID), Data: fmt.Sprintf("bx:%d", b.ID)}})
		}
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"), buttons...)
}

// perDM is how long one DM takes at the global limit.
func (f *broadcastDesk) perDM() time.Duration {
	if f.Sender == nil || f.Sender.limits.Global.Count == 0 {
		return time.Second / 30
	}
	g := f.Sender.limits.Global
	return g.Window / time.Duration(g.Count)
}

// cancel is the cancel button of a broadcast.
func (f *broadcastDesk) cancel(ctx context.Context, r *Request) error {
	id, err := strconv.ParseInt(r.Payload, 10, 64)
	if err != nil {
		return f.reply(ctx, r, T(r.Lang, "broadcast.usage"))
	}
	if err := f.Sessions.Cancel(ctx, id); err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "broadcast.cancelled", id))
}

// broadcastTable declares the broadcasts.
func (f *broadcastDesk) broadcastTable() Table {
	return Table{
		Commands: []Command{
			{Name: "announce", Audience: Staff, Where: Private, Handle: f.announce,
				Menu: [2]string{"群发（管理员）", "Broadcast (admins)"},
				Help: [2]string{"课程|all [dm] — 把下一条消息发到学员群（加 dm 同时私信每位学员）", "course|all [dm] — send your next message to the student groups (with dm, to every member too)"}},
			{Name: "send", Audience: Staff, Where: Private, Handle: f.sendAlbum,
				Menu: [2]string{"发送收到的相册（群发）", "Send the album (broadcast)"},
				Help: [2]string{"— 群发刚才发来的相册", "— broadcast the album you just sent"}},
			{Name: "broadcasts", Audience: Staff, Where: Private, Handle: f.list,
				Menu: [2]string{"群发进度（管理员）", "Broadcasts' progress (admins)"},
				Help: [2]string{"[cancel 编号] — 群发进度、预计完成时间；取消一个群发", "[cancel id] — progress and expected finish; cancel a broadcast"}},
		},
		Callbacks: []CallbackRoute{{"bx", f.cancel}},
		Dialogues: []Dialogue{{Kind: askBroadcast, Answer: answerWith(f.message)}},
	}
}

// blockedOrNot follows a member blocking and restarting the bot (Telegram
// tells it in a my_chat_member update of the private chat), so that
// broadcasts skip them while blocked and reach them again after.
func (f *broadcastDesk) blockedOrNot(ctx context.Context, r *Request) error {
	switch r.Update.MyChatMember.NewChatMember.Status {
	case "kicked":
		return f.Sessions.Blocked(ctx, r.Update.MyChatMember.Chat.ID)
	case "member":
		return f.Sessions.Unblocked(ctx, r.Update.MyChatMember.Chat.ID)
	}
	return nil
}

// privateChatTable follows the private chat's state; it comes before the
// groups' table, which takes every other my_chat_member update.
func (f *broadcastDesk) privateChatTable() Table {
	return Table{Events: []EventRoute{{func(r *Request) bool {
		return r.Update.MyChatMember != nil && r.Update.MyChatMember.Chat.IsPrivate()
	}, f.blockedOrNot}}}
}
