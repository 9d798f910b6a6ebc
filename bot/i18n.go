package bot

import (
	"fmt"
	"html"
	"log/slog"
	"strings"
	"sync/atomic"
)

// Lang is a language the bot writes in.
type Lang string

// Languages. Chinese is the default: the community's operators and most
// students are Chinese speakers.
const (
	Chinese Lang = "zh-CN"
	English Lang = "en"
)

// MatchLang maps a Telegram language_code (or a stored choice) to a
// language. Chinese clients report "zh", "zh-hans", "zh-CN" and sometimes
// nothing; everything that is not English falls back to Chinese.
func MatchLang(code string) Lang {
	c := strings.ToLower(strings.TrimSpace(code))
	if c == "en" || strings.HasPrefix(c, "en-") || strings.HasPrefix(c, "en_") {
		return English
	}
	return Chinese
}

// HTML marks text that is already HTML and must not be escaped again.
type HTML string

// textLog logs a missing text; Bot.Init sets it to the bot's logger.
var textLog atomic.Pointer[slog.Logger]

// missingText is shown instead of a text the catalog lacks.
const missingText = "text.missing"

// T renders the text key in lang with args. String arguments are escaped
// for parse_mode=HTML; pass HTML for pieces that are markup already.
//
// A key the catalog lacks (a bug: a key built at run time from a new
// value) never panics, since T runs inside the reconciler and payment
// workers: it is logged and a neutral text is shown instead.
func T(lang Lang, key string, args ...any) string {
	form, ok := textForm(lang, key)
	if !ok {
		args = nil
	}
	if len(args) == 0 {
		return form
	}
	escaped := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case HTML:
			escaped[i] = string(v)
		case string:
			escaped[i] = html.EscapeString(v)
		case fmt.Stringer:
			escaped[i] = html.EscapeString(v.String())
		default:
			escaped[i] = v
		}
	}
	return fmt.Sprintf(form, escaped...)
}

// Label renders the text key in lang for a button. Telegram shows button
// labels as plain text, never parsing HTML, so nothing is escaped: a
// course "PPT & Excel" reads "PPT & Excel", not "PPT &amp; Excel".
func Label(lang Lang, key string, args ...any) string {
	form, ok := textForm(lang, key)
	form = html.UnescapeString(form)
	if !ok || len(args) == 0 {
		return form
	}
	return fmt.Sprintf(form, args...)
}

// textForm returns the form of key in lang. A key the catalog lacks (a
// bug: a key built at run time from a new value) never panics, since texts
// are rendered inside the reconciler and payment workers: it is logged and
// a neutral text stands in; ok is false then.
func textForm(lang Lang, key string) (form string, ok bool) {
	forms, ok := catalog[key]
	if !ok {
		log := textLog.Load()
		if log == nil {
			log = slog.Default()
		}
		log.Error("no text for a key", "key", key, "lang", string(lang))
		forms = catalog[missingText]
	}
	if lang == English {
		return forms[1], ok
	}
	return forms[0], ok
}
