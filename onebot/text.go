package onebot

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/groups"
)

// MaxText is how many characters one QQ message carries here. QQ takes
// about 5,000 characters of text in one message, fewer once a client
// counts emoji and line ends its own way; 4,500 leaves room, and a longer
// text is split at line ends into several messages.
const MaxText = 4500

var (
	linkRe = regexp.MustCompile(`(?is)<a\s+href="([^"]*)"[^>]*>(.*?)</a>`)
	tagRe  = regexp.MustCompile(`(?s)<[^>]*>`)
)

// PlainText turns the bot's HTML texts into QQ's plain text: tags go, a
// link keeps its address after its words, entities are unescaped.
func PlainText(h string) string {
	h = linkRe.ReplaceAllStringFunc(h, func(m string) string {
		sub := linkRe.FindStringSubmatch(m)
		href, words := html.UnescapeString(sub[1]), tagRe.ReplaceAllString(sub[2], "")
		if html.UnescapeString(words) == href {
			return words
		}
		return words + " " + html.EscapeString(href)
	})
	return html.UnescapeString(tagRe.ReplaceAllString(h, ""))
}

// Split cuts a text into parts of at most max characters, at line ends
// where it can, else at a space, else anywhere (never inside a character).
func Split(text string, max int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > max {
		cut := byteOffset(text, max)
		head := text[:cut]
		at := strings.LastIndexByte(head, '\n')
		if at < len(head)/2 {
			if sp := strings.LastIndexByte(head, ' '); sp > at {
				at = sp
			}
		}
		if at <= 0 {
			at = cut
		}
		parts = append(parts, strings.TrimRight(text[:at], " \n"))
		text = strings.TrimLeft(text[at:], " \n")
	}
	if text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// byteOffset is where the n-th character of s starts.
func byteOffset(s string, n int) int {
	i := 0
	for at := range s {
		if i == n {
			return at
		}
		i++
	}
	return len(s)
}

// numbered writes choices as lines: those that answer the bot are
// numbered ("[1] 优秀") and their data returned in order; a link is
// written with its address, a QQ group's way in with its number and, in
// a private chat, the reader's join code.
func numbered(choices [][]bot.Choice, chatID int64) (lines []string, data []string) {
	for _, row := range choices {
		for _, c := range row {
			switch {
			case c.URL != "":
				lines = append(lines, c.Label+"："+wayIn(c.URL, chatID))
			case c.Data != "":
				data = append(data, c.Data)
				lines = append(lines, "["+strconv.Itoa(len(data))+"] "+c.Label)
			}
		}
	}
	return lines, data
}

// wayIn writes a link; a QQ group's "link" is its number, followed by the
// reader's join code when the chat is theirs.
func wayIn(url string, chatID int64) string {
	rest, ok := strings.CutPrefix(url, groupLinkPrefix)
	if !ok {
		return url
	}
	number, course, _ := strings.Cut(rest, "/")
	if course == "" || chatID <= 0 {
		return "QQ " + number
	}
	return "QQ " + number + " · " + groups.JoinCode(course, chatID)
}
