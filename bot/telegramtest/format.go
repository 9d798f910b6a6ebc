package telegramtest

import (
	"encoding/json"
	"strings"
	"unicode/utf16"
)

// wireMarkup returns the InlineKeyboardMarkup object of a keyboard.
func wireMarkup(rows [][]Button) map[string]any {
	out := [][]map[string]any{}
	for _, row := range rows {
		r := []map[string]any{}
		for _, b := range row {
			btn := map[string]any{"text": b.Text}
			if b.CallbackData != "" {
				btn["callback_data"] = b.CallbackData
			}
			if b.URL != "" {
				btn["url"] = b.URL
			}
			r = append(r, btn)
		}
		out = append(out, r)
	}
	return map[string]any{"inline_keyboard": out}
}

// parseMarkup decodes reply_markup. Only inline keyboards are stored; reply
// keyboards, keyboard removal and force replies are accepted and dropped.
func parseMarkup(raw string) ([][]Button, *apiError) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var m struct {
		InlineKeyboard *[][]map[string]json.RawMessage `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if m.InlineKeyboard == nil {
		return nil, nil
	}
	rows := [][]Button{}
	for _, row := range *m.InlineKeyboard {
		var r []Button
		for _, fields := range row {
			var b Button
			str := func(k string) (string, bool) {
				v, ok := fields[k]
				if !ok {
					return "", false
				}
				var sv string
				_ = json.Unmarshal(v, &sv)
				return sv, true
			}
			b.Text, _ = str("text")
			if b.Text == "" {
				return nil, badRequest("can't parse inline keyboard button: Text must be non-empty")
			}
			data, hasData := str("callback_data")
			url, hasURL := str("url")
			other := false
			for k := range fields {
				switch k {
				case "login_url", "switch_inline_query", "switch_inline_query_current_chat", "callback_game", "pay", "web_app", "copy_text", "switch_inline_query_chosen_chat":
					other = true
				}
			}
			switch {
			case hasData:
				if len(data) == 0 || len(data) > 64 {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
				b.CallbackData = data
			case hasURL:
				if !validButtonURL(url) {
					return nil, badRequest("BUTTON_URL_INVALID")
				}
				b.URL = url
			case !other:
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			r = append(r, b)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func validButtonURL(u string) bool {
	for _, p := range []string{"http://", "https://", "tg://"} {
		if strings.HasPrefix(strings.ToLower(u), p) && len(u) > len(p) {
			return true
		}
	}
	return false
}

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// formatText applies parse_mode (or explicit entities) to a text and checks
// that the result is non-empty and not too long.
func formatText(text, parseMode, entitiesJSON string) (string, []MessageEntity, *apiError) {
	if strings.TrimSpace(text) == "" {
		return "", nil, badRequest("message text is empty")
	}
	var plain string
	var ents []MessageEntity
	var err error
	switch strings.ToLower(parseMode) {
	case "":
		plain = text
		if entitiesJSON != "" {
			if json.Unmarshal([]byte(entitiesJSON), &ents) != nil {
				return "", nil, badRequest("can't parse entities JSON object")
			}
		}
	case "html":
		plain, ents, err = parseHTML(text)
	case "markdownv2":
		plain, ents, err = parseMarkdownV2(text)
	case "markdown":
		plain, ents, err = parseMarkdown(text)
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	if err != nil {
		return "", nil, badRequest("can't parse entities: %v", err)
	}
	plain, ents = trimText(plain, ents)
	if plain == "" {
		return "", nil, badRequest("message text is empty")
	}
	if utf16Len(plain) > maxTextLength {
		return "", nil, badRequest("message is too long")
	}
	return plain, ents, nil
}

// trimText strips leading and trailing white space like Telegram does,
// keeping entity offsets in step.
func trimText(text string, ents []MessageEntity) (string, []MessageEntity) {
	trimmed := strings.TrimLeft(text, " \t\r\n")
	shift := utf16Len(text[:len(text)-len(trimmed)])
	trimmed = strings.TrimRight(trimmed, " \t\r\n")
	total := utf16Len(trimmed)
	var out []MessageEntity
	for _, e := range ents {
		start, end := max(e.Offset-shift, 0), min(e.Offset+e.Length-shift, total)
		if end <= start {
			continue
		}
		e.Offset, e.Length = start, end-start
		out = append(out, e)
	}
	return trimmed, out
}
