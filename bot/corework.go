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
	"github.com/shequn/shequn/groups"
)

// coreWork is the core group's shared work (分工协作 and 接龙): tasks split
// among members with their progress, and sign-up chains.
type coreWork struct {
	*corePeople
	groupLang Lang // chains are written in the groups' language
}

// taskPoints is what each assignee of a finished task earns unless the
// task says otherwise.
const taskPoints = 10

// askTask asks a teacher for the next field of a core task.
const askTask = "coretask"

// taskDraft is a task being written through the /task dialogue.
type taskDraft struct {
	Step      string  `json:"step"` // title, who, due
	Scope     string  `json:"scope"`
	Title     string  `json:"title,omitempty"`
	Assignees []int64 `json:"who,omitempty"`
}

func (d taskDraft) valid() bool { return d.Step != "" }

// task creates a task in one line, "/task <title> | @a @b | 2026-12-01
// [| points]", or, in a private chat, through a short dialogue.
func (f *coreWork) task(ctx context.Context, r *Request) error {
	if !r.Private {
		if _, err := f.Groups.CoreGroupOfChat(ctx, r.ChatID); errors.Is(err, shequn.ErrNotFound) {
			return f.reply(ctx, r, T(r.Lang, "core.task_in_core"))
		} else if err != nil {
			return err
		}
	}
	scope, ok, err := f.scope(ctx, r, 0)
	if err != nil || !ok {
		return cmpErr(err, f.reply(ctx, r, T(r.Lang, "core.which_group")))
	}
	_, line, _ := strings.Cut(strings.TrimSpace(r.Message.Text), " ")
	if strings.TrimSpace(line) != "" {
		return f.taskOneLine(ctx, r, scope, line)
	}
	if !r.Private {
		return f.reply(ctx, r, T(r.Lang, "core.task_usage"))
	}
	if err := f.ask(ctx, r.From.ID, askTask, taskDraft{Step: "title", Scope: scope}); err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "core.task_ask_title"))
}

func (f *coreWork) taskOneLine(ctx context.Context, r *Request, scope, line string) error {
	parts := strings.Split(line, "|")
	if len(parts) < 3 || len(parts) > 4 {
		return f.reply(ctx, r, T(r.Lang, "core.task_usage"))
	}
	ids, refusal, err := f.assignees(ctx, r, scope, parts[1])
	if err != nil || refusal != "" {
		return cmpErr(err, f.reply(ctx, r, refusal))
	}
	due, ok := f.parseTaskDue(parts[2])
	if !ok {
		return f.reply(ctx, r, T(r.Lang, "core.task_bad_due"))
	}
	points := taskPoints
	if len(parts) == 4 {
		if points, err = strconv.Atoi(strings.TrimSpace(parts[3])); err != nil {
			return f.reply(ctx, r, T(r.Lang, "core.task_usage"))
		}
	}
	return f.createTask(ctx, r, scope, parts[0], ids, due, points)
}

// assignees resolves "@a @b PPT-00003" to core members of the scope.
func (f *coreWork) assignees(ctx context.Context, r *Request, scope, text string) ([]int64, string, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return nil, T(r.Lang, "core.task_usage"), nil
	}
	ids := make([]int64, 0, len(fields))
	for _, arg := range fields {
		who, refusal, err := f.target(ctx, r, arg)
		if err != nil || refusal != "" {
			return nil, refusal, err
		}
		in, err := f.Groups.IsCoreMember(ctx, scope, who.ID)
		if err != nil {
			return nil, "", err
		}
		if !in {
			return nil, T(r.Lang, "core.not_member", f.label(ctx, who)), nil
		}
		ids = append(ids, who.ID)
	}
	return ids, "", nil
}

// parseTaskDue reads "YYYY-MM-DD" (the end of that day) or "YYYY-MM-DD
// HH:MM" in the community's zone.
func (f *coreWork) parseTaskDue(text string) (time.Time, bool) {
	fields := strings.Fields(text)
	due, used, ok := (&assignDesk{core: f.core}).parseDue(fields)
	return due, ok && used == len(fields) && !due.IsZero()
}

// taskStep takes the answer to the dialogue's current question.
func (f *coreWork) taskStep(ctx context.Context, r *Request, d taskDraft) error {
	answer := strings.TrimSpace(r.Message.Text)
	switch d.Step {
	case "title":
		d.Step, d.Title = "who", answer
		if err := f.ask(ctx, r.From.ID, askTask, d); err != nil {
			return err
		}
		return f.reply(ctx, r, T(r.Lang, "core.task_ask_who"))
	case "who":
		ids, refusal, err := f.assignees(ctx, r, d.Scope, answer)
		if err != nil || refusal != "" {
			return cmpErr(err, f.reply(ctx, r, refusal))
		}
		d.Step, d.Assignees = "due", ids
		if err := f.ask(ctx, r.From.ID, askTask, d); err != nil {
			return err
		}
		return f.reply(ctx, r, T(r.Lang, "core.task_ask_due", f.Location.String()))
	case "due":
		due, ok := f.parseTaskDue(answer)
		if !ok {
			return f.reply(ctx, r, T(r.Lang, "core.task_bad_due"))
		}
		if err := f.closeDialogue(ctx, r.From.ID); err != nil {
			return err
		}
		return f.createTask(ctx, r, d.Scope, d.Title, d.Assignees, due, taskPoints)
	}
	return fmt.Errorf("%w: step %q", errUnreadable, d.Step)
}

func (f *coreWork) createTask(ctx context.Context, r *Request, scope, title string, ids []int64, due time.Time, points int) error {
	t, err := f.Groups.NewTask(ctx, r.From.ID, scope, title, ids, due, points)
	if shequn.ErrorCode(err) == shequn.CodeInvalid {
		return f.reply(ctx, r, T(r.Lang, "core.task_invalid"))
	}
	if err != nil {
		return err
	}
	names := make([]string, len(t.Parts))
	for i, p := range t.Parts {
		names[i] = f.labelOf(ctx, p.UserID)
	}
	return f.reply(ctx, r, T(r.Lang, "core.task_created", t.ID, t.Title, strings.Join(names, T(r.Lang, "right.separator")),
		f.date(r.Lang, t.Due), t.Points, t.ID))
}

// done marks the sender's part of a task: "/done 7".
func (f *coreWork) done(ctx context.Context, r *Request) error {
	if len(r.Args) != 1 {
		return f.reply(ctx, r, T(r.Lang, "core.done_usage"))
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Args[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return f.reply(ctx, r, T(r.Lang, "core.done_usage"))
	}
	t, err := f.Groups.PartDone(ctx, id, r.From.ID)
	if errors.Is(err, shequn.ErrNotFound) {
		return f.reply(ctx, r, T(r.Lang, "core.done_not_yours", r.Args[0]))
	}
	if err != nil {
		return err
	}
	if !t.FinishedAt.IsZero() {
		return f.reply(ctx, r, T(r.Lang, "core.task_finished", t.ID, t.Title, t.Points))
	}
	return f.reply(ctx, r, T(r.Lang, "core.done", t.ID, t.Title, t.Done(), len(t.Parts)))
}

// tasks shows the open tasks' progress, and who has a part left.
func (f *coreWork) tasks(ctx context.Context, r *Request) error {
	scope, ok, err := f.scope(ctx, r, r.From.ID)
	if err != nil || !ok {
		return cmpErr(err, f.reply(ctx, r, T(r.Lang, "core.which_group")))
	}
	ts, err := f.Groups.OpenTasks(ctx, scope)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		return f.reply(ctx, r, T(r.Lang, "core.tasks_none"))
	}
	lines := []string{T(r.Lang, "core.tasks_header", len(ts))}
	for _, t := range ts {
		var left []string
		for _, p := range t.Parts {
			if p.DoneAt.IsZero() {
				left = append(left, f.labelOf(ctx, p.UserID))
			}
		}
		lines = append(lines, T(r.Lang, "core.tasks_line", t.ID, t.Title, t.Done(), len(t.Parts), f.date(r.Lang, t.Due),
			strings.Join(left, T(r.Lang, "right.separator"))))
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

// chain posts a sign-up chain (接龙) in the core group: the title and a
// Join button; the list grows in the same message.
func (f *coreWork) chain(ctx context.Context, r *Request) error {
	g, err := f.Groups.CoreGroupOfChat(ctx, r.ChatID)
	if errors.Is(err, shequn.ErrNotFound) {
		return f.reply(ctx, r, T(r.Lang, "core.chain_in_core"))
	}
	if err != nil {
		return err
	}
	_, title, _ := strings.Cut(strings.TrimSpace(r.Message.Text), " ")
	if strings.TrimSpace(title) == "" {
		return f.reply(ctx, r, T(r.Lang, "core.chain_usage"))
	}
	if in, err := f.Groups.IsCoreMember(ctx, g.Course, r.From.ID); err != nil || !(in || r.Who.Staff) {
		return cmpErr(err, f.reply(ctx, r, T(r.Lang, "core.chain_members")))
	}
	c, err := f.Groups.NewChain(ctx, r.From.ID, g.Course, title)
	if shequn.ErrorCode(err) == shequn.CodeInvalid {
		return f.reply(ctx, r, T(r.Lang, "core.chain_usage"))
	}
	if err != nil {
		return err
	}
	text, kb := f.chainMessage(ctx, f.groupLang, c)
	sent, err := f.postChain(ctx, r.ChatID, text, kb)
	if err != nil {
		return fmt.Errorf("post chain %d: %w", c.ID, err)
	}
	return f.Groups.ChainPosted(ctx, c.ID, r.ChatID, sent)
}

// postChain posts a chain's message and returns its id: on QQ as text
// with the Join button as a numbered choice (reply "1").
func (f *coreWork) postChain(ctx context.Context, chatID int64, text string, kb tgbotapi.InlineKeyboardMarkup) (int, error) {
	if shequn.IsQQ(chatID) {
		if f.qq == nil || f.qq() == nil {
			return 0, fmt.Errorf("post to QQ %d: QQ is not configured: %w", shequn.QQNumber(chatID), shequn.ErrUnreachable)
		}
		return f.qq().Send(ctx, chatID, text, choicesOf(&kb))
	}
	msg := tgbotapi.NewMessage(chatID, text)
	msg.ParseMode, msg.ReplyMarkup = tgbotapi.ModeHTML, kb
	sent, err := f.Sender.Send(ctx, Interactive, chatID, msg)
	return sent.MessageID, err
}

// chainMessage is a chain's text, with the list so far, and its button.
func (f *coreWork) chainMessage(ctx context.Context, lang Lang, c groups.Chain) (string, tgbotapi.InlineKeyboardMarkup) {
	names := map[int64]string{}
	for _, id := range chainUsers(c) {
		if p, err := f.People.Profile(ctx, id); err == nil {
			names[id] = p.FirstName
		}
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(Label(lang, "core.chain_join"), "ch:"+strconv.FormatInt(c.ID, 10))))
	return chainText(lang, c, names), kb
}

// chainUsers lists who joined a chain, in order.
func chainUsers(c groups.Chain) []int64 {
	ids := make([]int64, len(c.Members))
	for i, m := range c.Members {
		ids[i] = m.UserID
	}
	return ids
}

// chainText renders a chain: its title and the numbered list.
func chainText(lang Lang, c groups.Chain, names map[int64]string) string {
	lines := []string{T(lang, "core.chain", c.Title)}
	for i, id := range chainUsers(c) {
		lines = append(lines, T(lang, "core.chain_line", i+1, mention(lang, id, names[id])))
	}
	if len(c.Members) == 0 {
		lines = append(lines, T(lang, "core.chain_empty"))
	}
	return strings.Join(lines, "\n")
}

// chainJoin takes the Join button: a core member is added once and the
// message is edited in place to show the list (on QQ, which cannot edit,
// the list is posted again). Others change nothing.
func (f *coreWork) chainJoin(ctx context.Context, r *Request) error {
	id, err := strconv.ParseInt(r.Payload, 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	c, added, err := f.Groups.JoinChain(ctx, id, r.From.ID)
	if shequn.ErrorCode(err) == shequn.CodeForbidden || errors.Is(err, shequn.ErrNotFound) {
		return nil // the answer to the callback is enough
	}
	if err != nil || !added || c.MessageID == 0 {
		return err
	}
	text, kb := f.chainMessage(ctx, f.groupLang, c)
	if shequn.IsQQ(c.ChatID) {
		// QQ cannot edit a message: the list is posted again, with the
		// choice, so the next one replies to the newest.
		if _, err := f.postChain(ctx, c.ChatID, text, kb); err != nil {
			return fmt.Errorf("re-post chain %d: %w", c.ID, err)
		}
		return nil
	}
	edit := tgbotapi.NewEditMessageTextAndMarkup(c.ChatID, c.MessageID, text, kb)
	edit.ParseMode = tgbotapi.ModeHTML
	if _, err := f.Sender.Send(ctx, Interactive, c.ChatID, edit); err != nil && !notModified(err) {
		return fmt.Errorf("edit chain %d: %w", c.ID, err)
	}
	return nil
}

// workTable declares the tasks' and chains' commands, button and dialogue.
func (f *coreWork) workTable() Table {
	return Table{
		Commands: []Command{
			{Name: "task", Audience: Staff, Where: Anywhere, Handle: f.task,
				Menu: [2]string{"给核心成员分配任务（老师）", "Give core members a task (teachers)"},
				Help: [2]string{"&lt;标题&gt; | @成员 @成员 | &lt;截止日期&gt; [| 分数] — 分配核心任务（私聊发送 /task 可一步步填写）",
					"&lt;title&gt; | @member @member | &lt;due date&gt; [| points] — give core members a task (send /task privately for a dialogue)"}},
			{Name: "done", Audience: Students, Where: Anywhere, Handle: f.done,
				Menu: [2]string{"完成我的任务部分", "My part of a task is done"},
				Help: [2]string{"&lt;任务编号&gt; — 标记我负责的部分已完成", "&lt;task id&gt; — mark my part of a core task done"}},
			{Name: "tasks", Audience: Students, Where: Anywhere, Handle: f.tasks,
				Menu: [2]string{"核心任务进度", "Core tasks' progress"},
				Help: [2]string{"— 核心群进行中的任务和进度", "— the core group's open tasks and their progress"}},
			{Name: "chain", Audience: Students, Where: Anywhere, Handle: f.chain,
				Menu: [2]string{"发起接龙（核心群）", "Start a sign-up chain (core group)"},
				Help: [2]string{"&lt;标题&gt; — 在核心群发起接龙", "&lt;title&gt; — start a sign-up chain in the core group"}},
		},
		Callbacks: []CallbackRoute{{"ch", f.chainJoin}},
		Dialogues: []Dialogue{{Kind: askTask, Answer: answerWith(f.taskStep)}},
	}
}
