package bot

import (
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Telegram's size limits. Texts and captions are measured in UTF-16 code
// units of the text after the HTML is parsed; callback data in bytes.
const (
	MaxTextUnits     = 4096
	MaxCaptionUnits  = 1024
	MaxCallbackBytes = 64
)

// maxParts is how many messages one long text may become; longer texts
// are shortened and the whole text follows as a .txt document.
const maxParts = 3

// ErrCallbackData is returned, before anything is sent, for a button whose
// callback data Telegram would refuse: it is a bug, and no retry fixes it.
var ErrCallbackData = errors.New("callback data must be 1 to 64 bytes")

// fullTextCaption goes with the .txt document of a shortened text; the
// sender does not know the reader's language, so it says it in both.
const fullTextCaption = "📄 全文 · Full text"

// fit turns one outgoing call into calls Telegram accepts: a text over
// 4096 units is split at line ends into at most maxParts messages (the
// keyboard under the last), or shortened with the full text attached as a
// document; a caption over 1024 units follows its file as a text. Every
// message goes through here (Sender.Send), so no caller can exceed a limit.
func fit(c tgbotapi.Chattable) ([]tgbotapi.Chattable, error) {
	switch m := c.(type) {
	case tgbotapi.MessageConfig:
		if err := checkMarkup(m.ReplyMarkup); err != nil {
			return nil, err
		}
		return fitMessage(m), nil
	case tgbotapi.EditMessageTextConfig:
		if m.ReplyMarkup != nil {
			if err := checkMarkup(*m.ReplyMarkup); err != nil {
				return nil, err
			}
		}
		if htmlUnits(m.Text, m.ParseMode) > MaxTextUnits {
			m.Text = shorten(m.Text, m.ParseMode, MaxTextUnits)
		}
		return []tgbotapi.Chattable{m}, nil
	case tgbotapi.PhotoConfig:
		if err := checkMarkup(m.ReplyMarkup); err != nil {
			return nil, err
		}
		if htmlUnits(m.Caption, m.ParseMode) <= MaxCaptionUnits {
			return []tgbotapi.Chattable{m}, nil
		}
		text := captionText(m.Caption, m.ParseMode, m.ChatID, m.ReplyMarkup)
		m.Caption, m.ReplyMarkup = "", nil
		return append([]tgbotapi.Chattable{m}, fitMessage(text)...), nil
	case tgbotapi.DocumentConfig:
		if err := checkMarkup(m.ReplyMarkup); err != nil {
			return nil, err
		}
		if htmlUnits(m.Caption, m.ParseMode) <= MaxCaptionUnits {
			return []tgbotapi.Chattable{m}, nil
		}
		text := captionText(m.Caption, m.ParseMode, m.ChatID, m.ReplyMarkup)
		m.Caption, m.ReplyMarkup = "", nil
		return append([]tgbotapi.Chattable{m}, fitMessage(text)...), nil
	}
	return []tgbotapi.Chattable{c}, nil
}

// captionText is the message that carries a caption too long for its file.
func captionText(caption, mode string, chatID int64, markup any) tgbotapi.MessageConfig {
	msg := tgbotapi.NewMessage(chatID, caption)
	msg.ParseMode, msg.ReplyMarkup, msg.DisableWebPagePreview = mode, markup, true
	return msg
}

// fitMessage splits or shortens a text message.
func fitMessage(m tgbotapi.MessageConfig) []tgbotapi.Chattable {
	if htmlUnits(m.Text, m.ParseMode) <= MaxTextUnits {
		return []tgbotapi.Chattable{m}
	}
	parts := splitText(m.Text, m.ParseMode, MaxTextUnits)
	if len(parts) <= maxParts {
		out := make([]tgbotapi.Chattable, len(parts))
		for i, p := range parts {
			part := m
			part.Text = p
			if i < len(parts)-1 {
				part.ReplyMarkup = nil
			}
			out[i] = part
		}
		return out
	}
	short := m
	short.Text = shorten(m.Text, m.ParseMode, MaxTextUnits)
	doc := tgbotapi.NewDocument(m.ChatID, tgbotapi.FileBytes{Name: "full-text.txt", Bytes: []byte(plainText(m.Text, m.ParseMode))})
	doc.Caption = fullTextCaption
	return []tgbotapi.Chattable{short, doc}
}

// checkMarkup refuses callback data Telegram would refuse.
func checkMarkup(markup any) error {
	var kb *tgbotapi.InlineKeyboardMarkup
	switch v := markup.(type) {
	case tgbotapi.InlineKeyboardMarkup:
		kb = &v
	case *tgbotapi.InlineKeyboardMarkup:
		kb = v
	}
	if kb == nil {
		return nil
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && (len(*b.CallbackData) == 0 || len(*b.CallbackData) > MaxCallbackBytes) {
				return fmt.Errorf("button %q with data %q: %w", b.Text, *b.CallbackData, ErrCallbackData)
			}
		}
	}
	return nil
}

// token is one piece of an HTML text: a tag, a character reference or one
// character, with the UTF-16 units it adds to the parsed text.
type token struct {
	raw   string
	units int
	tag   string // lower-case tag name; "" for text
	end   bool   // an end tag
	space bool   // white space: a place to break
	line  bool   // a line end: the best place to break
}

// tokens cuts a text into tokens; in HTML mode tags and references are
// kept whole. The texts are the bot's own, so the HTML is well formed.
func tokens(text, mode string) []token {
	isHTML := strings.EqualFold(mode, tgbotapi.ModeHTML)
	var out []token
	for i := 0; i < len(text); {
		c := text[i]
		if isHTML && c == '<' {
			if j := strings.IndexByte(text[i:], '>'); j > 0 {
				raw := text[i : i+j+1]
				name := strings.TrimPrefix(raw[1:len(raw)-1], "/")
				name, _, _ = strings.Cut(name, " ")
				out = append(out, token{raw: raw, tag: strings.ToLower(name), end: raw[1] == '/'})
				i += j + 1
				continue
			}
		}
		if isHTML && c == '&' {
			if j := strings.IndexByte(text[i:], ';'); j > 0 && j <= 10 {
				raw := text[i : i+j+1]
				out = append(out, token{raw: raw, units: utf16Units(html.UnescapeString(raw))})
				i += j + 1
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		out = append(out, token{raw: text[i : i+size], units: utf16.RuneLen(r), space: r == ' ' || r == '\t', line: r == '\n'})
		i += size
	}
	return out
}

func utf16Units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// htmlUnits is the length Telegram measures: UTF-16 units after parsing.
func htmlUnits(text, mode string) int {
	if !strings.EqualFold(mode, tgbotapi.ModeHTML) {
		return utf16Units(text)
	}
	return utf16Units(plainText(text, mode))
}

// plainText is the text a reader sees, without markup.
func plainText(text, mode string) string {
	if !strings.EqualFold(mode, tgbotapi.ModeHTML) {
		return text
	}
	var b strings.Builder
	for _, t := range tokens(text, mode) {
		if t.tag == "" {
			b.WriteString(html.UnescapeString(t.raw))
		}
	}
	return b.String()
}

// splitText cuts text into parts of at most limit units each, preferably at
// a line end, else at a space, in the second half of a part. Tags open at
// a cut are closed at its end and opened again in the next part.
func splitText(text, mode string, limit int) []string {
	toks := tokens(text, mode)
	var parts []string
	var open []token // tags open at the start of the current part
	for start := 0; start < len(toks); {
		cut, stack := nextCut(toks, start, open, limit)
		var b strings.Builder
		for _, t := range open {
			b.WriteString(t.raw)
		}
		for _, t := range toks[start:cut] {
			b.WriteString(t.raw)
		}
		for i := len(stack) - 1; i >= 0; i-- {
			b.WriteString("</" + stack[i].tag + ">")
		}
		if strings.TrimSpace(plainText(b.String(), mode)) != "" {
			parts = append(parts, b.String())
		}
		start, open = cut, stack
	}
	return parts
}

// nextCut finds where the part starting at toks[start] ends, and the tags
// open there. Stacks are never changed in place, so a saved one stays
// valid.
func nextCut(toks []token, start int, open []token, limit int) (int, []token) {
	stack := slices.Clip(open)
	type mark struct {
		at    int
		stack []token
	}
	var line, space mark
	units := 0
	for i := start; i < len(toks); i++ {
		t := toks[i]
		if units+t.units > limit {
			switch {
			case line.at > 0:
				return line.at, line.stack
			case space.at > 0:
				return space.at, space.stack
			case i == start: // a token longer than a part cannot happen
				return i + 1, stack
			}
			return i, stack
		}
		units += t.units
		switch {
		case t.tag != "" && t.end && len(stack) > 0:
			stack = slices.Clip(stack[:len(stack)-1])
		case t.tag != "" && !t.end:
			stack = append(slices.Clip(stack), t)
		case t.line && units > limit/2:
			line = mark{i + 1, stack}
		case t.space && units > limit/2:
			space = mark{i + 1, stack}
		}
	}
	return len(toks), stack
}

// shorten keeps the beginning of text that fits in limit units, ending
// with an ellipsis.
func shorten(text, mode string, limit int) string {
	const more = "\n…"
	parts := splitText(text, mode, limit-utf16Units(more))
	if len(parts) == 0 {
		return text
	}
	return parts[0] + more
}
