package telegramtest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The Markdown and MarkdownV2 parse modes follow Telegram's parsers (tdlib's
// parse_markdown and parse_markdown_v2), error texts included. Custom emoji
// and the ">" block quotes of MarkdownV2 are not supported: a ">" at the start
// of a line is dropped without creating an entity.

// mdOpen is a MarkdownV2 entity waiting for its end.
type mdOpen struct {
	typ      string // tdlib's name: Bold, Italic, Underline, …
	arg      string
	offset   int // UTF-16 offset of the content
	byteOff  int // byte offset of the start marker in the input
	beginOut int // byte offset of the content in the output
}

var mdEntityTypes = map[string]string{
	"Bold": "bold", "Italic": "italic", "Underline": "underline", "Strikethrough": "strikethrough",
	"Spoiler": "spoiler", "Code": "code", "Pre": "pre", "PreCode": "pre", "TextUrl": "text_link",
}

func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// skipPreNewline skips one line break after the opening of a pre block.
func skipPreNewline(text string, i int) int {
	if c := at(text, i); c == '\n' || c == '\r' {
		if d := at(text, i+1); (d == '\n' || d == '\r') && d != c {
			return i + 2
		}
		return i + 1
	}
	return i
}

// preLanguage reads the language after "```", returning it and the new index.
func preLanguage(text string, i int) (string, int) {
	end := i
	for end < len(text) && !isHTMLSpace(text[end]) && text[end] != '`' {
		end++
	}
	if end != i && end < len(text) && text[end] != '`' {
		return text[i:end], end
	}
	return "", i
}

// linkEntity makes a text_link (or text_mention) entity; ok is false when the
// URL is not acceptable, in which case Telegram drops the entity.
func linkEntity(offset, length int, url string) (MessageEntity, bool) {
	if id, ok := strings.CutPrefix(url, "tg://user?id="); ok {
		uid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return MessageEntity{}, false
		}
		return MessageEntity{Type: "text_mention", Offset: offset, Length: length, User: &User{ID: uid}}, true
	}
	if !looksLikeURL(url) {
		return MessageEntity{}, false
	}
	return MessageEntity{Type: "text_link", Offset: offset, Length: length, URL: url}, true
}

// parseMarkdownV2 parses text in the MarkdownV2 parse mode.
func parseMarkdownV2(text string) (string, []MessageEntity, error) {
	if !utf8.ValidString(text) {
		return "", nil, errors.New("strings must be encoded in UTF-8")
	}
	var out textBuilder
	var stack []mdOpen
	var ents []MessageEntity
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && at(text, i+1) > 0 && at(text, i+1) <= 126 {
			i++
			out.add(text[i])
			continue
		}
		reserved := "_*[]()~`>#+-=|{}.!"
		if len(stack) > 0 {
			if t := stack[len(stack)-1].typ; t == "Code" || t == "Pre" || t == "PreCode" {
				reserved = "`"
			}
		}
		if !strings.ContainsRune(reserved, rune(c)) {
			out.add(c)
			continue
		}
		if c == '>' && (i == 0 || text[i-1] == '\n') && reserved != "`" {
			continue
		}
		isEnd := false
		if len(stack) > 0 {
			switch stack[len(stack)-1].typ {
			case "Bold":
				isEnd = c == '*'
			case "Italic":
				isEnd = c == '_' && at(text, i+1) != '_'
			case "Code":
				isEnd = c == '`'
			case "Pre", "PreCode":
				isEnd = c == '`' && at(text, i+1) == '`' && at(text, i+2) == '`'
			case "TextUrl":
				isEnd = c == ']'
			case "Underline":
				isEnd = c == '_' && at(text, i+1) == '_'
			case "Strikethrough":
				isEnd = c == '~'
			case "Spoiler":
				isEnd = c == '|' && at(text, i+1) == '|'
			}
		}
		if !isEnd {
			o := mdOpen{byteOff: i}
			switch c {
			case '_':
				o.typ = "Italic"
				if at(text, i+1) == '_' {
					o.typ = "Underline"
					i++
				}
			case '*':
				o.typ = "Bold"
			case '~':
				o.typ = "Strikethrough"
			case '|':
				if at(text, i+1) != '|' {
					return "", nil, fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
				}
				o.typ = "Spoiler"
				i++
			case '[':
				o.typ = "TextUrl"
			case '`':
				o.typ = "Code"
				if at(text, i+1) == '`' && at(text, i+2) == '`' {
					o.typ = "Pre"
					i += 3
					var lang string
					if lang, i = preLanguage(text, i); lang != "" {
						o.typ, o.arg = "PreCode", lang
					}
					i = skipPreNewline(text, i) - 1
				}
			default:
				return "", nil, fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
			}
			o.offset, o.beginOut = out.units, out.Len()
			stack = append(stack, o)
			continue
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		skip := out.units == top.offset
		e := MessageEntity{Type: mdEntityTypes[top.typ], Offset: top.offset, Length: out.units - top.offset}
		switch top.typ {
		case "Underline", "Spoiler":
			i++
		case "Pre", "PreCode":
			i += 2
			e.Language = top.arg
		case "TextUrl":
			url := out.String()[top.beginOut:]
			if at(text, i+1) == '(' {
				i += 2
				begin := i
				var b strings.Builder
				for i < len(text) && text[i] != ')' {
					if text[i] == '\\' && at(text, i+1) > 0 && at(text, i+1) <= 126 {
						b.WriteByte(text[i+1])
						i += 2
						continue
					}
					b.WriteByte(text[i])
					i++
				}
				if i >= len(text) {
					return "", nil, fmt.Errorf("Can't find end of a URL at byte offset %d", begin)
				}
				url = b.String()
			}
			var ok bool
			if e, ok = linkEntity(e.Offset, e.Length, url); !ok {
				skip = true
			}
		}
		if !skip {
			ents = append(ents, e)
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return "", nil, fmt.Errorf("Can't find end of %s entity at byte offset %d", top.typ, top.byteOff)
	}
	sortEntities(ents)
	return out.String(), ents, nil
}

// parseMarkdown parses text in the legacy Markdown parse mode.
func parseMarkdown(text string) (string, []MessageEntity, error) {
	if !utf8.ValidString(text) {
		return "", nil, errors.New("strings must be encoded in UTF-8")
	}
	var out textBuilder
	var ents []MessageEntity
	size := len(text)
	for i := 0; i < size; i++ {
		c := text[i]
		if d := at(text, i+1); c == '\\' && (d == '_' || d == '*' || d == '`' || d == '[') {
			i++
			out.add(text[i])
			continue
		}
		if c != '_' && c != '*' && c != '`' && c != '[' {
			out.add(c)
			continue
		}
		begin := i
		endChar := c
		if c == '[' {
			endChar = ']'
		}
		i++
		isPre := false
		lang := ""
		if c == '`' && at(text, i) == '`' && at(text, i+1) == '`' {
			i += 2
			isPre = true
			lang, i = preLanguage(text, i)
			i = skipPreNewline(text, i)
		}
		offset, beginOut := out.units, out.Len()
		for i < size && (text[i] != endChar || (isPre && !(at(text, i+1) == '`' && at(text, i+2) == '`'))) {
			out.add(text[i])
			i++
		}
		if i >= size {
			return "", nil, fmt.Errorf("Can't find end of the entity starting at byte offset %d", begin)
		}
		if length := out.units - offset; length > 0 {
			e := MessageEntity{Offset: offset, Length: length}
			ok := true
			switch c {
			case '_':
				e.Type = "italic"
			case '*':
				e.Type = "bold"
			case '[':
				url := out.String()[beginOut:]
				if at(text, i+1) == '(' {
					i += 2
					var b strings.Builder
					for i < size && text[i] != ')' {
						b.WriteByte(text[i])
						i++
					}
					url = b.String()
				}
				e, ok = linkEntity(offset, length, url)
			case '`':
				e.Type = "code"
				if isPre {
					e.Type, e.Language = "pre", lang
				}
			}
			if ok {
				ents = append(ents, e)
			}
		}
		if isPre {
			i += 2
		}
	}
	sortEntities(ents)
	return out.String(), ents, nil
}
