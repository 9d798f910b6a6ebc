package bot_test

import (
	"errors"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/bot/telegramtest"
)

func units(s string) int { return len(utf16.Encode([]rune(s))) }

// collapse drops white space, which Telegram trims at the ends of each
// part, so parts can be compared with the whole.
func collapse(s string) string { return strings.Join(strings.Fields(s), "") }

func htmlMessage(chatID int64, text string, kb *tgbotapi.InlineKeyboardMarkup) tgbotapi.MessageConfig {
	m := tgbotapi.NewMessage(chatID, text)
	m.ParseMode = tgbotapi.ModeHTML
	if kb != nil {
		m.ReplyMarkup = *kb
	}
	return m
}

// A text over 4096 UTF-16 units (CJK, emoji, escaped characters) reaches
// the reader whole, in parts Telegram accepts, with the buttons under the
// last part and the markup intact in each.
func TestSenderSplitsLongTexts(t *testing.T) {
	student := map[string]string{
		"cjk":     strings.Repeat("作业很认真，", 4096/6) + "作业很",
		"emoji":   strings.Repeat("😀", 2048),
		"escaped": strings.Repeat("a<b & c>d ", 409) + "a<b&c>",
		"lines":   strings.Repeat("第一行 line\n", 4096/9) + strings.Repeat("第", 4096%9),
	}
	for name, work := range student {
		t.Run(name, func(t *testing.T) {
			if units(work) > bot.MaxTextUnits || units(work) < 4090 {
				t.Fatalf("the student's text has %d units", units(work))
			}
			srv, s, _ := newSender(t, bot.Limits{})
			srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
			srv.SendText(7, 7, "/start")
			text := "<b>#12 《封面 &amp; 配色》</b> · PPT-00042\n\n<i>" + html.EscapeString(work) + "</i>"
			kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("优秀", "rv:12:e")))
			if _, err := s.Send(t.Context(), bot.Interactive, 7, htmlMessage(7, text, &kb)); err != nil {
				t.Fatal(err)
			}
			got := srv.BotMessages(7)
			if len(got) != 2 {
				t.Fatalf("sent %d messages, want 2", len(got))
			}
			var whole string
			for i, m := range got {
				whole += m.Text
				if units(m.Text) > bot.MaxTextUnits {
					t.Errorf("part %d has %d units", i, units(m.Text))
				}
				if (m.ReplyMarkup != nil) != (i == len(got)-1) {
					t.Errorf("part %d keyboard = %v", i, m.ReplyMarkup)
				}
				if i > 0 && (len(m.Entities) == 0 || m.Entities[0].Type != "italic" || m.Entities[0].Offset != 0) {
					t.Errorf("part %d lost the markup: %+v", i, m.Entities)
				}
			}
			if collapse(whole) != collapse("#12 《封面 & 配色》 · PPT-00042"+work) {
				t.Error("the parts do not add up to the text")
			}
		})
	}
}

// A text too long for a few messages is shortened, and the whole text
// follows as a .txt document.
func TestSenderSendsVeryLongTextsAsDocument(t *testing.T) {
	srv, s, _ := newSender(t, bot.Limits{})
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
	srv.SendText(7, 7, "/start")
	long := strings.Repeat("评语 &amp; comment ", 2000)
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("next", "mw:2")))
	if _, err := s.Send(t.Context(), bot.Interactive, 7, htmlMessage(7, "<b>"+long+"</b>", &kb)); err != nil {
		t.Fatal(err)
	}
	got := srv.BotMessages(7)
	if len(got) != 2 || got[1].DocumentFileID == "" {
		t.Fatalf("sent %+v, want a shortened text and a document", got)
	}
	if !strings.HasSuffix(got[0].Text, "…") || got[0].ReplyMarkup == nil || units(got[0].Text) > bot.MaxTextUnits {
		t.Errorf("shortened text: %d units, ends %q, keyboard %v", units(got[0].Text), got[0].Text[len(got[0].Text)-10:], got[0].ReplyMarkup)
	}
	up, ok := srv.Upload(got[1].DocumentFileID)
	if !ok || !strings.HasSuffix(up.Name, ".txt") || string(up.Data) != html.UnescapeString(long) {
		t.Errorf("document %q holds %d bytes, want the full text", up.Name, len(up.Data))
	}
}

// A caption over 1024 units follows its file as a text.
func TestSenderMovesLongCaptions(t *testing.T) {
	srv, s, _ := newSender(t, bot.Limits{})
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
	_, photo, err := srv.SendPhoto(7, 7, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := tgbotapi.NewPhoto(7, tgbotapi.FileID(photo))
	cfg.Caption, cfg.ParseMode = "<b>"+strings.Repeat("😀", 513)+"</b>", tgbotapi.ModeHTML
	if _, err := s.Send(t.Context(), bot.Interactive, 7, cfg); err != nil {
		t.Fatal(err)
	}
	got := srv.BotMessages(7)
	if len(got) != 2 || got[0].PhotoFileID != photo || got[0].Caption != "" || got[1].Text != strings.Repeat("😀", 513) {
		t.Fatalf("sent %+v", got)
	}
}

// Callback data over 64 bytes is a bug: it is refused before anything is
// sent, with an error no retry hides.
func TestSenderRefusesLongCallbackData(t *testing.T) {
	srv, s, _ := newSender(t, bot.Limits{})
	srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
	srv.SendText(7, 7, "/start")
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("x", strings.Repeat("数", 22))))
	_, err := s.Send(t.Context(), bot.Interactive, 7, htmlMessage(7, "hi", &kb))
	if !errors.Is(err, bot.ErrCallbackData) {
		t.Fatalf("err = %v, want ErrCallbackData", err)
	}
	if n := len(srv.BotMessages(7)); n != 0 {
		t.Fatalf("sent %d messages", n)
	}
}

// Whatever the shape of a long text, every part is one Telegram accepts
// and together they say all of it.
func TestSenderSplitsAnyShape(t *testing.T) {
	for name, text := range map[string]string{
		"one long word":   strings.Repeat("x", 9000),
		"link":            `<a href="https://example.org/?a=1&amp;b=2">` + strings.Repeat("链接 ", 3000) + "</a>",
		"nested":          "<b>" + strings.Repeat("<i>粗斜</i> <code>a&lt;b</code>\n", 700) + "</b>",
		"white tail":      strings.Repeat("作", 4000) + strings.Repeat(" \n", 3000),
		"emoji no breaks": strings.Repeat("👍🏽", 2100),
		"pre":             "<pre>" + strings.Repeat("func f() {}\n", 600) + "</pre>",
	} {
		t.Run(name, func(t *testing.T) {
			srv, s, _ := newSender(t, bot.Limits{})
			srv.AddUser(telegramtest.User{ID: 7, FirstName: "A"})
			srv.SendText(7, 7, "/start")
			if _, err := s.Send(t.Context(), bot.Interactive, 7, htmlMessage(7, text, nil)); err != nil {
				t.Fatal(err)
			}
			var whole string
			for _, m := range srv.BotMessages(7) {
				whole += m.Text
			}
			plain := html.UnescapeString(regexpTags.ReplaceAllString(text, ""))
			if collapse(whole) != collapse(plain) {
				t.Errorf("the parts hold %d units, the text %d", units(collapse(whole)), units(collapse(plain)))
			}
		})
	}
}

var regexpTags = regexp.MustCompile(`<[^>]+>`)
