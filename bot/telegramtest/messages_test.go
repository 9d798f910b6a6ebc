package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestSendMessageValidation(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	startPrivate(t, srv, bot, bob)
	mustNoErr(t, srv.BlockBot(bob))
	notIn := srv.CreateSupergroup("Bot not here", owner)
	kb := func(data string) tgbotapi.InlineKeyboardMarkup {
		return tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("pay", data)))
	}
	for _, tc := range []struct {
		name   string
		chatID int64
		text   string
		mode   string
		markup any
		code   int    // 0 = success
		desc   string // error prefix
		plain  string // expected text on success
	}{
		{name: "plain", chatID: alice, text: "hello", plain: "hello"},
		{name: "empty", chatID: alice, text: "", code: 400, desc: "Bad Request: message text is empty"},
		{name: "blank", chatID: alice, text: "  \n", code: 400, desc: "Bad Request: message text is empty"},
		{name: "empty after markup", chatID: alice, text: "<b></b>", mode: "HTML", code: 400, desc: "Bad Request: message text is empty"},
		{name: "4096 units", chatID: alice, text: strings.Repeat("😀", 2048), plain: strings.Repeat("😀", 2048)},
		{name: "too long", chatID: alice, text: strings.Repeat("😀", 2048) + "x", code: 400, desc: "Bad Request: message is too long"},
		{name: "markup does not count", chatID: alice, text: "<b>" + strings.Repeat("a", 4096) + "</b>", mode: "HTML", plain: strings.Repeat("a", 4096)},
		{name: "html good", chatID: alice, mode: tgbotapi.ModeHTML,
			text:  `<b>Paid</b> &amp; <i>ok</i> <a href="https://t.me/+abc">join</a> <tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">x</span> <pre><code class="language-go">x := 1</code></pre> 1 &lt; 2 &#33; &#x41;`,
			plain: `Paid & ok join s x x := 1 1 < 2 ! A`},
		{name: "html unknown tag", chatID: alice, mode: "HTML", text: "<div>x</div>", code: 400, desc: `Bad Request: can't parse entities: Unsupported start tag "div" at byte offset 0`},
		{name: "html unclosed", chatID: alice, mode: "HTML", text: "<b>x", code: 400, desc: "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b"},
		{name: "html misnested", chatID: alice, mode: "HTML", text: "<b><i>x</b></i>", code: 400, desc: `Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{name: "html raw <", chatID: alice, mode: "HTML", text: "1 < 2", code: 400, desc: `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{name: "html raw &", chatID: alice, mode: "HTML", text: "Q&A", code: 400, desc: "Bad Request: can't parse entities: Character '&' at byte offset 1"},
		{name: "html unknown entity", chatID: alice, mode: "HTML", text: "&nbsp;", code: 400, desc: "Bad Request: can't parse entities:"},
		{name: "html bad span", chatID: alice, mode: "HTML", text: `<span class="x">a</span>`, code: 400, desc: `Bad Request: can't parse entities: Tag "span" must have class "tg-spoiler"`},
		{name: "html stray end tag", chatID: alice, mode: "HTML", text: "a</b>", code: 400, desc: "Bad Request: can't parse entities: Unexpected end tag at byte offset 1"},
		{name: "markdownv2 good", chatID: alice, mode: "MarkdownV2", text: `*Paid* \- _thanks_\!`, plain: "Paid - thanks!"},
		{name: "markdownv2 reserved", chatID: alice, mode: "MarkdownV2", text: "Paid.", code: 400, desc: `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`},
		{name: "markdownv2 unclosed", chatID: alice, mode: "MarkdownV2", text: "*bold", code: 400, desc: "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0"},
		{name: "markdown legacy", chatID: alice, mode: "Markdown", text: "*a* [b](https://x.org)", plain: "a b"},
		{name: "markdown legacy unclosed", chatID: alice, mode: "Markdown", text: "under_score", code: 400, desc: "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 5"},
		{name: "bad parse mode", chatID: alice, mode: "XML", text: "x", code: 400, desc: "Bad Request: unsupported parse_mode"},
		{name: "button data 64 bytes", chatID: alice, text: "x", markup: kb(strings.Repeat("d", 64)), plain: "x"},
		{name: "button data too long", chatID: alice, text: "x", markup: kb(strings.Repeat("d", 65)), code: 400, desc: "Bad Request: BUTTON_DATA_INVALID"},
		{name: "never started", chatID: charlie, text: "x", code: 403, desc: "Forbidden: bot can't initiate conversation with a user"},
		{name: "blocked", chatID: bob, text: "x", code: 403, desc: "Forbidden: bot was blocked by the user"},
		{name: "bot not in group", chatID: notIn, text: "x", code: 403, desc: "Forbidden: bot is not a member of the supergroup chat"},
		{name: "unknown chat", chatID: -100999, text: "x", code: 400, desc: "Bad Request: chat not found"},
		{name: "unknown user", chatID: 999, text: "x", code: 400, desc: "Bad Request: chat not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tgbotapi.NewMessage(tc.chatID, tc.text)
			cfg.ParseMode = tc.mode
			cfg.ReplyMarkup = tc.markup
			msg, err := bot.Send(cfg)
			if tc.code != 0 {
				wantAPIError(t, err, tc.code, tc.desc)
				return
			}
			mustNoErr(t, err)
			if msg.Text != tc.plain || msg.Chat.ID != tc.chatID || msg.From.ID != bot.Self.ID || msg.MessageID == 0 {
				t.Fatalf("message = %+v (text %q, want %q)", msg, msg.Text, tc.plain)
			}
		})
	}
}

func TestHTMLEntities(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	cfg := tgbotapi.NewMessage(alice, `😀 <b>bold <i>both</i></b> <a href="https://example.org/?a=1&amp;b=2">link</a>`)
	cfg.ParseMode = "HTML"
	msg, err := bot.Send(cfg)
	mustNoErr(t, err)
	want := []tgbotapi.MessageEntity{
		{Type: "bold", Offset: 3, Length: 9},
		{Type: "italic", Offset: 8, Length: 4},
		{Type: "text_link", Offset: 13, Length: 4, URL: "https://example.org/?a=1&b=2"},
	}
	if len(msg.Entities) != len(want) {
		t.Fatalf("entities = %+v", msg.Entities)
	}
	for i, e := range want {
		if msg.Entities[i] != e {
			t.Errorf("entity %d = %+v, want %+v", i, msg.Entities[i], e)
		}
	}
	stored := srv.Messages(alice)
	last := stored[len(stored)-1]
	if last.Text != "😀 bold both link" || last.RawText != cfg.Text || last.ParseMode != "HTML" {
		t.Errorf("stored = %+v", last)
	}
}

func TestReplyMarkupAndEdits(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	cfg := tgbotapi.NewMessage(alice, "Choose")
	cfg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Pay", "pay:1"),
		tgbotapi.NewInlineKeyboardButtonURL("Site", "https://example.org"),
	))
	msg, err := bot.Send(cfg)
	mustNoErr(t, err)
	if msg.ReplyMarkup == nil || *msg.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "pay:1" {
		t.Fatalf("reply markup = %+v", msg.ReplyMarkup)
	}
	m, _ := srv.LastBotMessage(alice)
	if len(m.ReplyMarkup) != 1 || m.ReplyMarkup[0][1] != (Button{Text: "Site", URL: "https://example.org"}) {
		t.Fatalf("stored markup = %+v", m.ReplyMarkup)
	}

	// Same text and markup: not modified.
	edit := tgbotapi.NewEditMessageTextAndMarkup(alice, msg.MessageID, "Choose", *msg.ReplyMarkup)
	_, err = bot.Send(edit)
	wantAPIError(t, err, 400, "Bad Request: message is not modified")

	// Editing the text without reply_markup drops the keyboard.
	edited, err := bot.Send(tgbotapi.NewEditMessageText(alice, msg.MessageID, "Paid"))
	mustNoErr(t, err)
	if edited.Text != "Paid" || edited.ReplyMarkup != nil || edited.EditDate == 0 {
		t.Fatalf("edited = %+v", edited)
	}
	m, _ = srv.LastBotMessage(alice)
	if !m.Edited || m.ReplyMarkup != nil || m.Text != "Paid" {
		t.Fatalf("stored after edit = %+v", m)
	}

	_, err = bot.Send(tgbotapi.NewEditMessageText(alice, 999, "x"))
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")
	_, err = bot.Send(tgbotapi.NewEditMessageText(alice, msg.MessageID, strings.Repeat("作", 4097)))
	wantAPIError(t, err, 400, "Bad Request: MESSAGE_TOO_LONG")
	userMsg, _ := srv.SendText(alice, alice, "mine")
	_, err = bot.Send(tgbotapi.NewEditMessageText(alice, userMsg, "x"))
	wantAPIError(t, err, 400, "Bad Request: message can't be edited")

	// Delete.
	_, err = bot.Request(tgbotapi.NewDeleteMessage(alice, msg.MessageID))
	mustNoErr(t, err)
	_, err = bot.Request(tgbotapi.NewDeleteMessage(alice, msg.MessageID))
	wantAPIError(t, err, 400, "Bad Request: message to delete not found")
	if m, _ := srv.LastBotMessage(alice); !m.Deleted {
		t.Fatalf("not marked deleted: %+v", m)
	}
}

func TestReplyTo(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	id, _ := srv.SendText(alice, alice, "question")
	cfg := tgbotapi.NewMessage(alice, "answer")
	cfg.ReplyToMessageID = id
	msg, err := bot.Send(cfg)
	mustNoErr(t, err)
	if msg.ReplyToMessage == nil || msg.ReplyToMessage.Text != "question" {
		t.Fatalf("reply_to_message = %+v", msg.ReplyToMessage)
	}
	cfg.ReplyToMessageID = 999
	_, err = bot.Send(cfg)
	wantAPIError(t, err, 400, "Bad Request: message to be replied not found")
	cfg.AllowSendingWithoutReply = true
	_, err = bot.Send(cfg)
	mustNoErr(t, err)
}

func TestPinRights(t *testing.T) {
	srv, bot := newBot(t)
	chatID := newGroup(t, srv, AdminRights{CanInviteUsers: true})
	msg, err := bot.Send(tgbotapi.NewMessage(chatID, "Rules"))
	mustNoErr(t, err)
	pin := tgbotapi.PinChatMessageConfig{ChatID: chatID, MessageID: msg.MessageID}
	_, err = bot.Request(pin)
	wantAPIError(t, err, 400, "Bad Request: not enough rights to manage pinned messages in the chat")
	mustNoErr(t, srv.SetBotRights(chatID, AdminRights{CanPinMessages: true}))
	_, err = bot.Request(pin)
	mustNoErr(t, err)
	chat, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	mustNoErr(t, err)
	if chat.PinnedMessage == nil || chat.PinnedMessage.Text != "Rules" {
		t.Fatalf("pinned = %+v", chat.PinnedMessage)
	}
	if ms := srv.BotMessages(chatID); len(ms) != 1 || !ms[0].Pinned {
		t.Fatalf("bot messages = %+v", ms)
	}
	_, err = bot.Request(tgbotapi.UnpinChatMessageConfig{ChatID: chatID, MessageID: msg.MessageID})
	mustNoErr(t, err)
	if ms := srv.BotMessages(chatID); ms[0].Pinned {
		t.Fatal("still pinned")
	}
}

func TestCallbackQueries(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	cfg := tgbotapi.NewMessage(alice, "Pay?")
	cfg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Yes", "pay:yes")))
	msg, err := bot.Send(cfg)
	mustNoErr(t, err)

	if _, err := srv.Click(alice, alice, msg.MessageID, "pay:no"); !errors.Is(err, ErrNoButton) {
		t.Fatalf("Click with unknown data: %v", err)
	}
	if _, err := srv.Click(alice, alice, 999, "pay:yes"); !errors.Is(err, ErrMessageNotFound) {
		t.Fatalf("Click on unknown message: %v", err)
	}
	id, err := srv.Click(alice, alice, msg.MessageID, "pay:yes")
	mustNoErr(t, err)
	ups := drain(t, bot)
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates = %+v", ups)
	}
	q := ups[0].CallbackQuery
	if q.ID != id || q.Data != "pay:yes" || q.From.ID != alice || q.Message == nil || q.Message.MessageID != msg.MessageID || q.ChatInstance == "" {
		t.Fatalf("callback query = %+v", q)
	}
	if _, ok := srv.AnsweredCallback(id); ok {
		t.Fatal("answered before answering")
	}
	for i, want := range []string{"", "Bad Request: query is too old and response timeout expired or query ID is invalid"} {
		_, err := bot.Request(tgbotapi.NewCallbackWithAlert(q.ID, "Thanks!"))
		if i == 0 {
			mustNoErr(t, err)
			continue
		}
		wantAPIError(t, err, 400, want)
	}
	if text, ok := srv.AnsweredCallback(id); !ok || text != "Thanks!" {
		t.Fatalf("AnsweredCallback = %q, %v", text, ok)
	}
	if a, _ := srv.CallbackAnswerOf(id); !a.ShowAlert {
		t.Fatal("show_alert not stored")
	}
	_, err = bot.Request(tgbotapi.NewCallback("nope", ""))
	wantAPIError(t, err, 400, "Bad Request: query is too old")
}

func TestFailNext(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	srv.FailNext("sendMessage", 2, 500, "Internal Server Error")
	for i := 0; i < 2; i++ {
		_, err := bot.Send(tgbotapi.NewMessage(alice, "x"))
		wantAPIError(t, err, 500, "Internal Server Error")
	}
	_, err := bot.Send(tgbotapi.NewMessage(alice, "x"))
	mustNoErr(t, err)
	if n := srv.Calls("sendMessage"); n != 3 {
		t.Fatalf("Calls = %d", n)
	}
	if n := len(srv.BotMessages(alice)); n != 1 {
		t.Fatalf("%d messages stored", n)
	}

	srv.FailNext("getUpdates", 1, 429, "Too Many Requests: retry after 7")
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	if e := wantAPIError(t, err, 429, "Too Many Requests"); e.RetryAfter != 7 {
		t.Fatalf("retry_after = %d", e.RetryAfter)
	}
}

// TestRequestEncodings sends raw JSON, multipart and GET requests.
func TestRequestEncodings(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	base := srv.URL() + "/bot" + srv.Token() + "/"
	decode := func(resp *http.Response, err error) map[string]any {
		t.Helper()
		mustNoErr(t, err)
		defer resp.Body.Close()
		var out map[string]any
		mustNoErr(t, json.NewDecoder(resp.Body).Decode(&out))
		if resp.StatusCode != 200 || out["ok"] != true {
			t.Fatalf("status %d body %v", resp.StatusCode, out)
		}
		return out
	}

	body := `{"chat_id": 21, "text": "<b>json</b>", "parse_mode": "HTML", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}}`
	out := decode(http.Post(base+"sendMessage", "application/json", strings.NewReader(body)))
	if res := out["result"].(map[string]any); res["text"] != "json" || res["reply_markup"] == nil {
		t.Fatalf("json result = %v", res)
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("chat_id", "21")
	_ = mw.WriteField("text", "multipart")
	mustNoErr(t, mw.Close())
	out = decode(http.Post(base+"sendMessage", mw.FormDataContentType(), &buf))
	if res := out["result"].(map[string]any); res["text"] != "multipart" {
		t.Fatalf("multipart result = %v", res)
	}

	out = decode(http.Get(base + "getChatMember?chat_id=21&user_id=21"))
	if res := out["result"].(map[string]any); res["status"] != "member" {
		t.Fatalf("GET result = %v", res)
	}

	resp, err := http.Post(srv.URL()+"/botWRONG/getMe", "application/json", strings.NewReader("{}"))
	mustNoErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("wrong token status %d", resp.StatusCode)
	}
}

func TestEvents(t *testing.T) {
	srv, bot := newBot(t)
	var kinds []string
	srv.OnEvent(func(e Event) {
		kinds = append(kinds, e.Kind)
		_ = srv.Messages(e.ChatID) // callbacks may call back into the server
	})
	_, _ = srv.SendText(alice, alice, "/start")
	_, err := bot.Send(tgbotapi.NewMessage(alice, "Welcome"))
	mustNoErr(t, err)
	mustNoErr(t, srv.BlockBot(alice))
	got := strings.Join(kinds, ",")
	if got != "user_message,bot_message,block" {
		t.Fatalf("events = %s", got)
	}
}
