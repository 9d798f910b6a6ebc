package bot

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/desk"
)

// faq takes /faq add|list|del.
func (d *qaDesk) faq(ctx context.Context, r *Request) error {
	sub := ""
	if len(r.Args) > 0 {
		sub = strings.ToLower(r.Args[0])
	}
	switch sub {
	case "add":
		return d.faqAdd(ctx, r)
	case "list":
		course := ""
		if len(r.Args) > 1 {
			course = strings.ToLower(r.Args[1])
		}
		return d.faqList(ctx, r, course, 0)
	case "import":
		return d.reply(ctx, r, T(r.Lang, "faq.not_csv"))
	case "del", "delete":
		if len(r.Args) == 2 {
			if id, err := strconv.ParseInt(strings.TrimPrefix(r.Args[1], "#"), 10, 64); err == nil && id > 0 {
				return d.faqDel(ctx, r, id)
			}
		}
	}
	return d.reply(ctx, r, T(r.Lang, "faq.usage"))
}

// faqAdd takes /faq add <course> <keywords> | <answer>.
func (d *qaDesk) faqAdd(ctx context.Context, r *Request) error {
	if len(r.Args) < 2 {
		return d.reply(ctx, r, T(r.Lang, "faq.usage"))
	}
	course := strings.ToLower(r.Args[1])
	kws, answer, ok := strings.Cut(commandText(r, 2), "|")
	if _, known := d.course(course); !known || !ok {
		return d.reply(ctx, r, T(r.Lang, "faq.usage"))
	}
	f, err := d.Desk.AddFAQ(ctx, r.From.ID, course, desk.SplitKeywords(kws), answer)
	if err != nil {
		return d.faqError(ctx, r, err)
	}
	return d.reply(ctx, r, T(r.Lang, "faq.added", f.ID, d.courseTitle(f.Course), strings.Join(f.Keywords, ", ")))
}

// faqError answers a refused entry with the usage, a refused person as
// not staff; the rest goes to the one error handler.
func (d *qaDesk) faqError(ctx context.Context, r *Request, err error) error {
	if shequn.ErrorCode(err) == shequn.CodeInvalid {
		return d.reply(ctx, r, T(r.Lang, "faq.usage"))
	}
	return d.ticketError(ctx, r, err)
}

// faqDel takes /faq del <id>.
func (d *qaDesk) faqDel(ctx context.Context, r *Request, id int64) error {
	f, err := d.Desk.DeleteFAQ(ctx, r.From.ID, id)
	if err != nil {
		return d.ticketError(ctx, r, err)
	}
	return d.reply(ctx, r, T(r.Lang, "faq.deleted", f.ID))
}

// faqList shows a page of the entries the sender keeps.
func (d *qaDesk) faqList(ctx context.Context, r *Request, course string, page int) error {
	fs, err := d.Desk.FAQs(ctx, r.From.ID, course)
	if err != nil {
		return d.ticketError(ctx, r, err)
	}
	if len(fs) == 0 {
		return d.reply(ctx, r, T(r.Lang, "faq.none"))
	}
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = T(r.Lang, "faq.line", f.ID, f.Course, strings.Join(f.Keywords, ", "), quoteLine(f.Answer))
	}
	return d.sendPage(ctx, r, T(r.Lang, "faq.header", len(fs)), lines, page, "fl:"+course)
}

// quoteLine is the first line of an answer, at most 60 characters, for
// a list.
func quoteLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if rs := []rune(s); len(rs) > 60 {
		return string(rs[:60]) + "…"
	}
	return s
}

// faqPageButton shows another page of /faq list: "fl:<course>:<page>".
func (d *qaDesk) faqPageButton(ctx context.Context, r *Request) error {
	course, p, _ := strings.Cut(r.Payload, ":")
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || !r.Private {
		return nil
	}
	return d.faqList(ctx, r, course, n)
}

// figures takes /desk.
func (d *qaDesk) figures(ctx context.Context, r *Request) error {
	f, err := d.Desk.Figures(ctx, r.From.ID)
	if err != nil {
		return d.ticketError(ctx, r, err)
	}
	return d.reply(ctx, r, T(r.Lang, "desk.figures", d.date(r.Lang, f.Since), f.Open, f.Asked, f.FAQPct,
		duration(r.Lang, f.Median), duration(r.Lang, f.P90), HTML(answersBy(r.Lang, f))))
}

// answersBy lists who answered how many tickets (HTML).
func answersBy(lang Lang, f desk.Figures) string {
	if len(f.Answers) == 0 {
		return T(lang, "desk.nobody")
	}
	parts := make([]string, len(f.Answers))
	for i, c := range f.Answers {
		name := c.Name
		if name == "" {
			name = strconv.FormatInt(c.UserID, 10)
		}
		parts[i] = T(lang, "desk.by", name, c.N)
	}
	return strings.Join(parts, T(lang, "right.separator"))
}

// duration shows a wait in minutes, or hours and minutes.
func duration(lang Lang, d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return T(lang, "desk.minutes", m)
	}
	return T(lang, "desk.hours", m/60, m%60)
}

// maxImportBytes bounds a CSV import: 2,000 rows of a few hundred
// characters each.
const maxImportBytes = 1 << 20

// maxBadLines is how many refused rows an import names.
const maxBadLines = 20

// importCourse reads "/faq import <course>" from the caption of a document
// sent privately, and whether it is one.
func (d *qaDesk) importCourse(r *Request) (string, bool) {
	if !r.Private || r.Message == nil || r.Message.Document == nil {
		return "", false
	}
	cmd, mention, args, ok := parseCommand(r.Message.Caption)
	if !ok || cmd != "faq" || len(args) == 0 || !strings.EqualFold(args[0], "import") ||
		mention != "" && !strings.EqualFold(mention, d.botName) {
		return "", false
	}
	if len(args) < 2 {
		return "", true
	}
	return strings.ToLower(args[1]), true
}

// importFAQ takes a CSV document captioned "/faq import <course>": every
// row is stored, or, when a row is bad, none, and the bad rows are named.
func (d *qaDesk) importFAQ(ctx context.Context, r *Request) error {
	course, _ := d.importCourse(r)
	if !r.Who.Staff {
		return d.reply(ctx, r, T(r.Lang, "not_reviewer"))
	}
	if _, known := d.course(course); !known || d.Files == nil {
		return d.reply(ctx, r, T(r.Lang, "faq.usage"))
	}
	data, err := d.Files.Fetch(ctx, r.Message.Document.FileID, maxImportBytes)
	if errors.Is(err, ErrFileTooBig) {
		return d.reply(ctx, r, T(r.Lang, "faq.too_big", maxImportBytes>>20))
	}
	if err != nil {
		return err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // the mark spreadsheets put first
	if !utf8.Valid(data) {
		return d.reply(ctx, r, T(r.Lang, "faq.not_csv"))
	}
	n, bad, err := d.Desk.ImportFAQs(ctx, r.From.ID, course, bytes.NewReader(data))
	if err != nil {
		return d.ticketError(ctx, r, err)
	}
	if len(bad) > 0 {
		return d.reply(ctx, r, T(r.Lang, "faq.import_bad", HTML(badLines(r.Lang, bad))))
	}
	return d.reply(ctx, r, T(r.Lang, "faq.imported", n, d.courseTitle(course)))
}

// badLines names the refused rows of an import, the first maxBadLines.
func badLines(lang Lang, bad []desk.LineError) string {
	var lines []string
	for i, l := range bad {
		if i == maxBadLines {
			lines = append(lines, T(lang, "faq.more_lines", len(bad)-i))
			break
		}
		why := T(lang, "faq.row_bad")
		if errors.Is(l.Err, desk.ErrNoKeywords) {
			why = T(lang, "faq.row_empty")
		}
		lines = append(lines, T(lang, "faq.bad_line", l.Line, HTML(why)))
	}
	return strings.Join(lines, "\n")
}
