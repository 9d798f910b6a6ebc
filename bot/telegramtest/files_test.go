package telegramtest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// A user's document reaches the bot with its file id; getFile names its
// path, and the file is downloaded from /file/bot<token>/<path>, as on
// Telegram. A reply carries the message it replies to.
func TestUserFilesAndReplies(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	_, fileID, err := srv.SendDocumentData(alice, alice, "faq.csv", "/faq import ppt", []byte("模板,在公告里\n"))
	mustNoErr(t, err)
	ups := drain(t, bot)
	if len(ups) != 1 || ups[0].Message.Document == nil || ups[0].Message.Document.FileID != fileID || ups[0].Message.Caption != "/faq import ppt" {
		t.Fatalf("updates %+v", ups)
	}
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: fileID})
	mustNoErr(t, err)
	if f.FileSize != len("模板,在公告里\n") || !strings.HasSuffix(f.FilePath, ".csv") {
		t.Fatalf("getFile = %+v", f)
	}
	res, err := http.Get(srv.URL() + "/file/bot" + srv.Token() + "/" + f.FilePath)
	mustNoErr(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "模板,在公告里\n" {
		t.Fatalf("download: %d %q", res.StatusCode, body)
	}
	if res, _ := http.Get(srv.URL() + "/file/botWRONG/" + f.FilePath); res.StatusCode != 404 {
		t.Fatalf("download with another token: %d", res.StatusCode)
	}
	_, err = bot.GetFile(tgbotapi.FileConfig{FileID: "nope"})
	wantAPIError(t, err, 400, "Bad Request: wrong file_id or the file is temporarily unavailable")

	sent, err := bot.Send(tgbotapi.NewMessage(alice, "📮 a card"))
	mustNoErr(t, err)
	_, err = srv.ReplyText(alice, alice, sent.MessageID, "my answer")
	mustNoErr(t, err)
	ups = drain(t, bot)
	if len(ups) != 1 || ups[0].Message.ReplyToMessage == nil || ups[0].Message.ReplyToMessage.Text != "📮 a card" ||
		ups[0].Message.ReplyToMessage.From == nil || !ups[0].Message.ReplyToMessage.From.IsBot {
		t.Fatalf("reply update %+v", ups)
	}
	if _, err := srv.ReplyText(alice, alice, 9999, "x"); err == nil {
		t.Fatal("a reply to no message was sent")
	}
}
