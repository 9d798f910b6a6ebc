package bot

import (
	"fmt"
	"html"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// renderCore renders the core group's notices: the congratulation with the
// way in, the welcome line, the at-risk warning, the respectful goodbye
// with the way back, and the period's summary.
func renderCore(c *core, lang Lang, n shequn.Notice) (string, *tgbotapi.InlineKeyboardMarkup) {
	switch n := n.(type) {
	case groups.CoreInviteNotice:
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonURL(Label(lang, "core.invite_button"), n.Link)))
		return T(lang, "core.invite", HTML(reasonText(lang, n.Reason)), c.date(lang, n.Expires)), &kb
	case groups.CoreWelcomeNotice:
		return T(lang, "core.welcome", mention(lang, n.UserID, n.Name), HTML(reasonText(lang, n.Reason))), nil
	case groups.CoreWarningNotice:
		d := n.Decision
		return T(lang, "core.warning", n.Period, d.Points, d.Rank, d.Gap), nil
	case groups.CoreEliminatedNotice:
		d := n.Decision
		return T(lang, "core.eliminated", n.Period, d.Points, d.Rank, d.Gap, c.date(lang, n.Back)), nil
	case groups.CoreSummaryNotice:
		invited := T(lang, "core.summary_nobody")
		if len(n.Invited) > 0 {
			invited = mentions(lang, n.Invited, n.Names)
		}
		top := T(lang, "core.summary_nobody")
		if len(n.Top) > 0 {
			top = mentions(lang, n.Top, n.Names)
		}
		return T(lang, "core.summary", n.Period, HTML(invited), n.Left, HTML(top)), nil
	}
	return "", nil
}

// reasonText says why someone became a candidate.
func reasonText(lang Lang, r groups.Reason) string {
	switch r.Kind {
	case groups.ReasonExcellent:
		return T(lang, "core.reason_excellent", r.Days, r.Excellent)
	case groups.ReasonTop:
		return T(lang, "core.reason_top", r.Month, r.Rank)
	case groups.ReasonPromoted:
		return T(lang, "core.reason_promoted")
	}
	return T(lang, "core.reason_unknown")
}

// mention links a user's name to their profile (an HTML mention), so the
// core group sees who is meant; the id stands in for an unknown name. A
// QQ user is named in plain text: QQ has no such links.
func mention(lang Lang, userID int64, name string) HTML {
	name = strings.TrimSpace(name)
	switch {
	case name == "" && shequn.IsQQ(userID):
		return HTML(T(lang, "core.someone", shequn.QQNumber(userID)))
	case name == "":
		name = T(lang, "core.someone", userID)
	default:
		name = html.EscapeString(name)
	}
	if shequn.IsQQ(userID) {
		return HTML(name)
	}
	return HTML(fmt.Sprintf(`<a href="tg://user?id=%s">%s</a>`, strconv.FormatInt(userID, 10), name))
}

// mentions lists users as mentions, in the order given.
func mentions(lang Lang, ids []int64, names map[int64]string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = string(mention(lang, id, names[id]))
	}
	return strings.Join(parts, T(lang, "right.separator"))
}
