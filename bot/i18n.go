package bot

import (
	"fmt"
	"html"
	"strings"
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

// T renders the text key in lang with args. String arguments are escaped
// for parse_mode=HTML; pass HTML for pieces that are markup already.
func T(lang Lang, key string, args ...any) string {
	form := textForm(lang, key)
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
	form := html.UnescapeString(textForm(lang, key))
	if len(args) == 0 {
		return form
	}
	return fmt.Sprintf(form, args...)
}

func textForm(lang Lang, key string) string {
	forms, ok := catalog[key]
	if !ok {
		panic("bot: no text " + key)
	}
	if lang == English {
		return forms[1]
	}
	return forms[0]
}
