package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// pageBudget is how many UTF-16 units of list lines one page holds: well
// under Telegram's 4096, with room for the header.
const pageBudget = 3500

// paginate groups lines into pages of at most pageBudget units. A line
// longer than that (a long comment) gets a page of its own, which the
// sender splits; nothing is cut.
func paginate(lines []string) [][]string {
	var pages [][]string
	var page []string
	used := 0
	for _, l := range lines {
		n := htmlUnits(l, tgbotapi.ModeHTML) + 1
		if len(page) > 0 && used+n > pageBudget {
			pages = append(pages, page)
			page, used = nil, 0
		}
		page = append(page, l)
		used += n
	}
	if len(page) > 0 {
		pages = append(pages, page)
	}
	return pages
}

// sendPage answers with page n (from 0) of a list under its header, with
// buttons to the neighbouring pages; their callback data is prefix:page.
func (c *core) sendPage(ctx context.Context, r *Request, header string, lines []string, n int, prefix string) error {
	pages := paginate(lines)
	if len(pages) == 0 {
		return c.reply(ctx, r, header)
	}
	n = min(max(n, 0), len(pages)-1)
	if len(pages) > 1 {
		header += T(r.Lang, "page.of", n+1, len(pages))
	}
	text := header + "\n" + strings.Join(pages[n], "\n")
	var row []Choice
	if n > 0 {
		row = append(row, Choice{Label: Label(r.Lang, "page.prev"), Data: fmt.Sprintf("%s:%d", prefix, n-1)})
	}
	if n < len(pages)-1 {
		row = append(row, Choice{Label: Label(r.Lang, "page.next"), Data: fmt.Sprintf("%s:%d", prefix, n+1)})
	}
	if len(row) == 0 {
		return c.reply(ctx, r, text)
	}
	return c.reply(ctx, r, text, row)
}

// pageOf reads the page number of a page button.
func pageOf(r *Request) (int, bool) {
	n, err := strconv.Atoi(r.Payload)
	return n, err == nil && n >= 0 && r.Private
}
