package telegramtest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The HTML parse mode follows Telegram's parser (tdlib's parse_html): the
// error texts are Telegram's, reported after "can't parse entities: ".

// htmlTags maps the supported HTML tags to entity types.
var htmlTags = map[string]string{
	"a": "text_link", "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
	"u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
	"del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler", "code": "code",
	"pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}

// openTag is an HTML tag waiting for its end tag.
type openTag struct {
	name   string
	arg    string
	offset int // UTF-16 offset of the tag's content
	begin  int // byte offset of the content in the output
}

// textBuilder accumulates parsed text and its length in UTF-16 code units.
type textBuilder struct {
	strings.Builder
	units int
}

// add appends one byte of UTF-8 text, counting UTF-16 units like tdlib.
func (b *textBuilder) add(c byte) {
	if c < 0x80 || c >= 0xC0 {
		b.units++
		if c >= 0xF0 {
			b.units++
		}
	}
	b.WriteByte(c)
}

func (b *textBuilder) addString(s string) {
	for i := 0; i < len(s); i++ {
		b.add(s[i])
	}
}

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isNameChar(c byte) bool {
	return c == '.' || c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// decodeHTMLEntity decodes the character reference at the start of s (which
// begins with '&'), returning the text and the bytes consumed.
func decodeHTMLEntity(s string) (string, int, bool) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return "", 0, false
	}
	name := s[1:end]
	switch name {
	case "lt":
		return "<", end + 1, true
	case "gt":
		return ">", end + 1, true
	case "amp":
		return "&", end + 1, true
	case "quot":
		return `"`, end + 1, true
	}
	if name[0] != '#' || len(name) < 2 {
		return "", 0, false
	}
	var code uint64
	var err error
	if name[1] == 'x' || name[1] == 'X' {
		code, err = strconv.ParseUint(name[2:], 16, 32)
	} else {
		code, err = strconv.ParseUint(name[1:], 10, 32)
	}
	if err != nil || code == 0 || code > utf8.MaxRune || (code >= 0xD800 && code <= 0xDFFF) {
		return "", 0, false
	}
	return string(rune(code)), end + 1, true
}

// parseHTML parses text in the HTML parse mode into plain text and entities.
func parseHTML(text string) (string, []MessageEntity, error) {
	if !utf8.ValidString(text) {
		return "", nil, errors.New("strings must be encoded in UTF-8")
	}
	var out textBuilder
	var stack []openTag
	var ents []MessageEntity
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		if c == '&' {
			dec, size, ok := decodeHTMLEntity(text[i:])
			if !ok {
				return "", nil, fmt.Errorf("Character '&' at byte offset %d is not a part of an HTML entity; replace it with \"&amp;\"", i)
			}
			out.addString(dec)
			i += size
			continue
		}
		if c != '<' {
			out.add(c)
			i++
			continue
		}
		begin := i
		if i+1 < n && text[i+1] == '/' {
			// End tag.
			if len(stack) == 0 {
				return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
			}
			i += 2
			for i < n && !isHTMLSpace(text[i]) && text[i] != '>' {
				i++
			}
			endName := strings.ToLower(text[begin+2 : i])
			for i < n && isHTMLSpace(text[i]) {
				i++
			}
			if i >= n || text[i] != '>' {
				return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
			}
			i++
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if endName != "" && endName != top.name {
				return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, endName)
			}
			if top.name == "code" && top.arg != "" && len(stack) > 0 && stack[len(stack)-1].name == "pre" {
				stack[len(stack)-1].arg = top.arg
				continue
			}
			if e, ok := htmlEntity(top, out.String()[top.begin:], out.units); ok {
				ents = append(ents, e)
			}
			continue
		}
		// Start tag.
		i++
		for i < n && !isHTMLSpace(text[i]) && text[i] != '>' {
			i++
		}
		if i >= n {
			return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
		}
		name := strings.ToLower(text[begin+1 : i])
		if _, ok := htmlTags[name]; !ok {
			return "", nil, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
		}
		tag := openTag{name: name, offset: out.units, begin: out.Len()}
		for text[i] != '>' {
			for i < n && isHTMLSpace(text[i]) {
				i++
			}
			if i >= n {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			if text[i] == '>' {
				break
			}
			attrBegin := i
			for i < n && !isHTMLSpace(text[i]) && text[i] != '=' && text[i] != '>' {
				i++
			}
			attr := strings.ToLower(text[attrBegin:i])
			if attr == "" {
				return "", nil, fmt.Errorf("Empty attribute name in the tag \"%s\" at byte offset %d", name, begin)
			}
			for i < n && isHTMLSpace(text[i]) {
				i++
			}
			if i < n && text[i] != '=' && name == "blockquote" && attr == "expandable" {
				tag.arg = "expandable"
				continue
			}
			if i >= n || text[i] != '=' {
				return "", nil, fmt.Errorf("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", name, begin)
			}
			i++
			for i < n && isHTMLSpace(text[i]) {
				i++
			}
			if i >= n {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			var value strings.Builder
			if q := text[i]; q == '"' || q == '\'' {
				i++
				for i < n && text[i] != q {
					if text[i] == '&' {
						if dec, size, ok := decodeHTMLEntity(text[i:]); ok {
							value.WriteString(dec)
							i += size
							continue
						}
					}
					value.WriteByte(text[i])
					i++
				}
				if i < n {
					i++
				}
			} else {
				for i < n && isNameChar(text[i]) {
					value.WriteByte(text[i])
					i++
				}
				if value.Len() == 0 {
					return "", nil, fmt.Errorf("Expected quote at byte offset %d", i)
				}
			}
			if i >= n {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			v := value.String()
			switch {
			case name == "a" && attr == "href":
				tag.arg = v
			case name == "code" && attr == "class" && strings.HasPrefix(v, "language-"):
				tag.arg = v[len("language-"):]
			case name == "span" && attr == "class" && strings.HasPrefix(v, "tg-"):
				tag.arg = v[len("tg-"):]
			case name == "tg-emoji" && attr == "emoji-id":
				tag.arg = v
			}
		}
		if name == "span" && tag.arg != "spoiler" {
			return "", nil, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
		}
		i++ // '>'
		stack = append(stack, tag)
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag %s", stack[len(stack)-1].name)
	}
	sortEntities(ents)
	return out.String(), ents, nil
}

// htmlEntity builds the entity of a closed tag; empty tags give none.
func htmlEntity(t openTag, content string, end int) (MessageEntity, bool) {
	e := MessageEntity{Type: htmlTags[t.name], Offset: t.offset, Length: end - t.offset}
	if e.Length == 0 {
		return e, false
	}
	switch t.name {
	case "a":
		url := t.arg
		if url == "" {
			url = content
		}
		if id, ok := strings.CutPrefix(url, "tg://user?id="); ok {
			uid, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return e, false
			}
			e.Type, e.User = "text_mention", &User{ID: uid}
			return e, true
		}
		if !looksLikeURL(url) {
			return e, false
		}
		e.URL = url
	case "pre":
		e.Language = t.arg
	case "blockquote":
		if t.arg == "expandable" {
			e.Type = "expandable_blockquote"
		}
	case "tg-emoji":
		if t.arg == "" {
			return e, false
		}
	}
	return e, true
}

// looksLikeURL accepts what Telegram would accept as a link target.
func looksLikeURL(u string) bool {
	l := strings.ToLower(u)
	for _, p := range []string{"http://", "https://", "tg://", "ton://", "mailto:"} {
		if strings.HasPrefix(l, p) {
			return len(l) > len(p)
		}
	}
	return !strings.ContainsAny(u, " \n") && strings.Contains(u, ".") && !strings.HasPrefix(u, ".")
}

// sortEntities orders entities by offset, outer ones first.
func sortEntities(ents []MessageEntity) {
	slices.SortStableFunc(ents, func(a, b MessageEntity) int {
		if a.Offset != b.Offset {
			return a.Offset - b.Offset
		}
		return b.Length - a.Length
	})
}
