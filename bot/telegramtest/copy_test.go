package telegramtest

import (
	"fmt"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestCopyMessage(t *testing.T) {
	srv, bot := newBot(t)
	group := newGroup(t, srv, AdminRights{})
	startPrivate(t, srv, bot, alice)
	text, err := srv.SendText(alice, alice, "第一讲：封面")
	mustNoErr(t, err)
	photo, _, err := srv.SendPhoto(alice, alice, "a cover")
	mustNoErr(t, err)

	for _, id := range []int{text, photo} {
		got, err := bot.CopyMessage(tgbotapi.NewCopyMessage(group, alice, id))
		mustNoErr(t, err)
		if got.MessageID == 0 {
			t.Fatal("copyMessage answered no message id")
		}
	}
	ms := srv.BotMessages(group)
	if len(ms) != 2 || ms[0].Text != "第一讲：封面" || ms[1].PhotoFileID == "" || ms[1].Caption != "a cover" {
		t.Fatalf("copies = %+v", ms)
	}

	_, err = bot.CopyMessage(tgbotapi.NewCopyMessage(group, alice, 999))
	wantAPIError(t, err, 400, "Bad Request: message to copy not found")
	_, err = bot.CopyMessage(tgbotapi.NewCopyMessage(bob, alice, text))
	wantAPIError(t, err, 403, "Forbidden: bot can't initiate conversation with a user")
	_, err = bot.CopyMessage(tgbotapi.NewCopyMessage(-4242, alice, text))
	wantAPIError(t, err, 400, "Bad Request: chat not found")
	mustNoErr(t, srv.RemoveBot(group, false))
	_, err = bot.CopyMessage(tgbotapi.NewCopyMessage(group, alice, text))
	if err == nil {
		t.Fatal("a copy into a group the bot left was accepted")
	}
}

func TestCopyMessagesKeepsAnAlbum(t *testing.T) {
	clock := newClock()
	srv, bot := newBot(t, WithClock(clock.Now), WithRateLimits())
	group := newGroup(t, srv, AdminRights{})
	startPrivate(t, srv, bot, alice)
	ids, err := srv.SendAlbum(alice, alice, "one", "two", "three")
	mustNoErr(t, err)
	ups := drain(t, bot)
	if len(ups) != 3 || ups[0].Message.MediaGroupID == "" || ups[0].Message.MediaGroupID != ups[2].Message.MediaGroupID {
		t.Fatalf("album updates: %d, media group %q", len(ups), ups[0].Message.MediaGroupID)
	}
	resp, err := bot.MakeRequest("copyMessages", tgbotapi.Params{"chat_id": "-1", "from_chat_id": "1", "message_ids": "[1]"})
	_ = resp
	if err == nil {
		t.Fatal("copyMessages from an unknown chat was accepted")
	}
	p := tgbotapi.Params{}
	p.AddNonZero64("chat_id", group)
	p.AddNonZero64("from_chat_id", alice)
	mustNoErr(t, p.AddInterface("message_ids", ids))
	_, err = bot.MakeRequest("copyMessages", p)
	mustNoErr(t, err)
	ms := srv.BotMessages(group)
	if len(ms) != 3 || ms[0].MediaGroupID == "" || ms[0].MediaGroupID != ms[2].MediaGroupID || ms[0].MediaGroupID == ups[0].Message.MediaGroupID {
		t.Fatalf("copied album = %+v", ms)
	}
	if ms[0].Caption != "one" || ms[2].Caption != "three" {
		t.Errorf("captions %q %q", ms[0].Caption, ms[2].Caption)
	}

	// Each copied message counts: 18 more into the group exceed 20 a minute.
	for range 17 {
		_, err := bot.CopyMessage(tgbotapi.NewCopyMessage(group, alice, ids[0]))
		mustNoErr(t, err)
	}
	_, err = bot.MakeRequest("copyMessages", p)
	wantAPIError(t, err, 429, "Too Many Requests: retry after")
	if got := len(srv.BotMessages(group)); got != 20 {
		t.Errorf("%d messages after a refused album, want 20 (none of it)", got)
	}

	bad := tgbotapi.Params{}
	bad.AddNonZero64("chat_id", group)
	bad.AddNonZero64("from_chat_id", alice)
	mustNoErr(t, bad.AddInterface("message_ids", []int{ids[1], ids[0]}))
	_, err = bot.MakeRequest("copyMessages", bad)
	wantAPIError(t, err, 400, "Bad Request: message identifiers must be in strictly increasing order")
}

func TestSendMediaGroup(t *testing.T) {
	clock := newClock()
	srv, bot := newBot(t, WithClock(clock.Now), WithRateLimits())
	group := newGroup(t, srv, AdminRights{})
	startPrivate(t, srv, bot, alice)
	var photos []string
	for _, c := range []string{"a", "b", "c"} {
		_, id, err := srv.SendPhoto(alice, alice, c)
		mustNoErr(t, err)
		photos = append(photos, id)
	}
	_, doc, err := srv.SendDocument(alice, alice, "notes.pdf", "")
	mustNoErr(t, err)
	album := func(ids ...string) tgbotapi.MediaGroupConfig {
		var media []any
		for i, id := range ids {
			m := tgbotapi.NewInputMediaPhoto(tgbotapi.FileID(id))
			m.Caption = fmt.Sprint("封面 ", i+1)
			media = append(media, m)
		}
		return tgbotapi.NewMediaGroup(group, media)
	}
	sent, err := bot.SendMediaGroup(album(photos...))
	mustNoErr(t, err)
	if len(sent) != 3 || sent[0].MediaGroupID == "" || sent[0].MediaGroupID != sent[2].MediaGroupID || sent[1].Caption != "封面 2" {
		t.Fatalf("album = %+v", sent)
	}
	_, err = bot.SendMediaGroup(album(photos[0]))
	wantAPIError(t, err, 400, "Bad Request: media must include 2-10 items")
	_, err = bot.SendMediaGroup(album(photos[0], "nope"))
	wantAPIError(t, err, 400, "Bad Request: wrong file identifier/HTTP URL specified")
	_, err = bot.SendMediaGroup(album(photos[0], doc))
	wantAPIError(t, err, 400, "Bad Request: can't use file of type Document as Photo")
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = photos[i%3]
	}
	_, err = bot.SendMediaGroup(album(eleven...))
	wantAPIError(t, err, 400, "Bad Request: too much messages to send as an album")
	// Each item counts: 17 more in the minute fill the group's 20, so an
	// album of two is refused whole.
	for range 17 {
		_, err := bot.CopyMessage(tgbotapi.NewCopyMessage(group, alice, 1))
		mustNoErr(t, err)
	}
	_, err = bot.SendMediaGroup(album(photos[0], photos[1]))
	wantAPIError(t, err, 429, "Too Many Requests: retry after")
	if n := len(srv.BotMessages(group)); n != 20 {
		t.Errorf("%d messages in the group, want 20", n)
	}
}
