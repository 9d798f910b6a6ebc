package bot

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/assignments"
	"github.com/shequn/shequn/groups"
)

var _ shequn.Notifier = (*Bot)(nil)

// Tell renders a notice in the user's language and sends it privately.
func (b *Bot) Tell(ctx context.Context, userID int64, n shequn.Notice) error {
	lang := b.userLang(ctx, userID, "")
	if shequn.IsQQ(userID) {
		_, err := sendQQ(ctx, b, userID, userID, lang, n)
		return err
	}
	text, kb, err := render(b.core, lang, n)
	if err != nil {
		return err
	}
	msg := tgbotapi.NewMessage(userID, text)
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	if kb != nil {
		msg.ReplyMarkup = *kb
	}
	_, err = b.Sender.Send(ctx, Bulk, userID, msg)
	if e, ok := apiError(err); ok && e.Code == 403 {
		return fmt.Errorf("tell %d: %s: %w", userID, e.Message, shequn.ErrUnreachable)
	}
	if err != nil {
		return fmt.Errorf("tell %d: %w", userID, err)
	}
	return nil
}

// Post renders a notice in the groups' language, sends it into the chat
// and returns its message id. A failure only a person can fix (the bot
// removed, the chat gone) is a *groups.GroupError.
func (b *Bot) Post(ctx context.Context, chatID int64, n shequn.Notice) (int, error) {
	if shequn.IsQQ(chatID) {
		return sendQQ(ctx, b, chatID, 0, b.GroupLang, n)
	}
	text, kb, err := render(b.core, b.GroupLang, n)
	if err != nil {
		return 0, err
	}
	msg := tgbotapi.NewMessage(chatID, text)
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	if kb != nil {
		msg.ReplyMarkup = *kb
	}
	sent, err := b.Sender.Send(ctx, Bulk, chatID, msg)
	if err != nil {
		return 0, fmt.Errorf("post to %d: %w", chatID, groupError(chatID, "", err))
	}
	return sent.MessageID, nil
}

// Pin pins a message the bot posted, without notifying the members; one
// pinned already counts as pinned.
func (b *Bot) Pin(ctx context.Context, chatID int64, messageID int) error {
	if shequn.IsQQ(chatID) && b.QQ != nil {
		return b.QQ.Pin(ctx, chatID, messageID)
	}
	_, err := b.Sender.Request(ctx, tgbotapi.PinChatMessageConfig{ChatID: chatID, MessageID: messageID, DisableNotification: true})
	if notModified(err) {
		return nil // pinned already
	}
	if err != nil {
		return fmt.Errorf("pin in %d: %w", chatID, groupError(chatID, groups.RightPin, err))
	}
	return nil
}

func render(c *core, lang Lang, n shequn.Notice) (string, *tgbotapi.InlineKeyboardMarkup, error) {
	text, kb := renderGroups(c, lang, n)
	if text == "" {
		text, kb = renderHomework(c, lang, n)
	}
	if text == "" {
		text, kb = renderDesk(c, lang, n)
	}
	if text == "" {
		text, kb = renderCore(c, lang, n)
	}
	if text == "" {
		text = renderPayments(c, lang, n)
	}
	if text == "" {
		text, kb = renderSessions(c, lang, n)
	}
	if text == "" {
		return "", nil, fmt.Errorf("bot: no rendering for notice %q (%T)", n.NoticeName(), n)
	}
	return text, kb, nil
}

func renderGroups(c *core, lang Lang, n shequn.Notice) (string, *tgbotapi.InlineKeyboardMarkup) {
	switch n := n.(type) {
	case groups.InviteNotice:
		name := groupName(lang, n.Group)
		if shequn.IsQQ(n.Group.ChatID) {
			// A QQ group has no link a Telegram button could open.
			return T(lang, "qq.invite.elsewhere", c.courseTitle(n.Course), c.memberNumber(n.Course, n.Number), name, shequn.QQNumber(n.Group.ChatID)), nil
		}
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonURL(Label(lang, "invite.button", name), n.Link)))
		return T(lang, "invite", c.courseTitle(n.Course), c.memberNumber(n.Course, n.Number), name), &kb
	case groups.WaitlistNotice:
		return T(lang, "waitlist", c.courseTitle(n.Course), c.memberNumber(n.Course, n.Number)), nil
	case groups.RemovedNotice:
		name := T(lang, "removed.nogroup")
		if n.Group.ID != 0 {
			name = groupName(lang, n.Group)
		}
		return T(lang, "removed", c.courseTitle(n.Course), c.memberNumber(n.Course, n.Number), name), nil
	case groups.ArrivalNotice:
		if len(n.Arrivals) == 1 {
			a := n.Arrivals[0]
			number := c.memberNumber(n.Course, a.Number)
			return T(lang, "arrival", cmp.Or(strings.TrimSpace(a.FirstName), number), number), nil
		}
		names := make([]string, len(n.Arrivals))
		for i, a := range n.Arrivals {
			number := c.memberNumber(n.Course, a.Number)
			names[i] = T(lang, "arrival.member", cmp.Or(strings.TrimSpace(a.FirstName), number), number)
		}
		return T(lang, "arrivals", HTML(strings.Join(names, T(lang, "right.separator")))), nil
	case groups.RulesNotice:
		if n.Group.Kind == groups.KindCore {
			return T(lang, "rules.core"), nil
		}
		return T(lang, "rules", c.courseTitle(n.Group.Course), groupName(lang, n.Group)), nil
	case groups.WaitlistAlert:
		return T(lang, "waitlist.alert", c.courseTitle(n.Course), n.Waiting, n.Course), nil
	case groups.GroupProblemAlert:
		return renderProblem(c, lang, n), nil
	case groups.GroupReadyNotice:
		return T(lang, "group.ready", groupTitle(lang, n.Group)), nil
	}
	return "", nil
}

// renderHomework renders the notices of package assignments.
func renderHomework(c *core, lang Lang, n shequn.Notice) (string, *tgbotapi.InlineKeyboardMarkup) {
	switch n := n.(type) {
	case assignments.AssignmentNotice:
		a := n.Assignment
		link := fmt.Sprintf("https://t.me/%s?start=submit-%d", c.botName, a.ID)
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonURL(Label(lang, "assign.submit_button"), link)))
		return T(lang, "assign.announce", a.Title, a.Description, a.MaxScore, c.date(lang, a.Due)), &kb
	case assignments.FeedbackNotice:
		s, a := n.Submission, n.Assignment
		comment := ""
		if s.Comment != "" {
			comment = T(lang, "feedback.comment", s.Comment)
		}
		if s.State == assignments.StateRedo {
			return T(lang, "feedback.redo", a.Title, s.Version, HTML(comment)), nil
		}
		if s.PenaltyPct > 0 {
			comment = T(lang, "feedback.penalty", s.PenaltyPct) + comment
		}
		return T(lang, "feedback", a.Title, s.Version, gradeName(lang, s.Grade), s.Score, a.MaxScore, HTML(comment)), nil
	case assignments.DigestNotice:
		oldest := ""
		if !n.Oldest.IsZero() {
			oldest = T(lang, "queue.oldest", c.date(lang, n.Oldest))
		}
		return T(lang, "digest", n.Pending, HTML(oldest)), nil
	}
	return "", nil
}

// renderProblem names what the owners must do about a group's problem.
func renderProblem(c *core, lang Lang, n groups.GroupProblemAlert) string {
	name := groupTitle(lang, n.Group)
	if r, ok := n.Problem.Right(); ok {
		return T(lang, "group.problem.right", name, T(lang, "right."+string(r)))
	}
	if n.Problem == groups.ProblemChatGone {
		return T(lang, "group.problem.gone", name)
	}
	return T(lang, "group.problem.removed", name)
}

// groupTitle names a group for its owners: its number and the chat's title.
func groupTitle(lang Lang, g groups.Group) HTML {
	if g.Title == "" {
		return HTML(html.EscapeString(groupName(lang, g)))
	}
	return HTML(T(lang, "group.titled", groupName(lang, g), g.Title))
}
