package telegramtest

import (
	"encoding/json"
	"strconv"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// A bot promotes with at most its own rights, sets custom titles (at most
// 16 characters, no emoji) only of administrators it promoted, and edits
// only those.
func TestPromoteAndCustomTitle(t *testing.T) {
	srv, bot := newBot(t)
	chatID := newGroup(t, srv, AdminRights{CanPromoteMembers: true, CanDeleteMessages: true, CanPinMessages: true, CanRestrictMembers: true})
	for _, u := range []int64{alice, bob, charlie} {
		mustNoErr(t, srv.AddMember(chatID, u))
	}
	title := func(user int64, t string) error {
		_, err := bot.MakeRequest("setChatAdministratorCustomTitle", tgbotapi.Params{
			"chat_id": strconv.FormatInt(chatID, 10), "user_id": strconv.FormatInt(user, 10), "custom_title": t})
		return err
	}
	promote := func(user int64) error {
		_, err := bot.Request(tgbotapi.PromoteChatMemberConfig{ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: user},
			CanDeleteMessages: true, CanPinMessages: true, CanRestrictMembers: true})
		return err
	}
	wantAPIError(t, title(alice, "班长"), 400, "Bad Request: user is not an administrator")
	wantAPIError(t, title(owner, "班长"), 400, "Bad Request: only the owner can edit their custom title")

	mustNoErr(t, promote(alice))
	if r, ok := srv.AdminRightsOf(chatID, alice); !ok || r != (AdminRights{CanDeleteMessages: true, CanPinMessages: true, CanRestrictMembers: true}) {
		t.Fatalf("alice's rights %+v %v", r, ok)
	}
	wantAPIError(t, title(alice, "班长😀"), 400, "Bad Request: ADMIN_RANK_EMOJI_NOT_ALLOWED")
	wantAPIError(t, title(alice, "Monitor of group number 3"), 400, "Bad Request: ADMIN_RANK_INVALID")
	mustNoErr(t, title(alice, "班长"))
	mustNoErr(t, title(alice, "Sixteen chars ok"))
	if got := srv.CustomTitle(chatID, alice); got != "Sixteen chars ok" {
		t.Errorf("title %q", got)
	}
	cm, err := bot.MakeRequest("getChatMember", tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "user_id": strconv.FormatInt(alice, 10)})
	mustNoErr(t, err)
	var m map[string]any
	mustNoErr(t, json.Unmarshal(cm.Result, &m))
	if m["custom_title"] != "Sixteen chars ok" || m["can_be_edited"] != true {
		t.Errorf("getChatMember %v", m)
	}

	// An administrator the creator promoted is not the bot's to edit.
	mustNoErr(t, srv.PromoteByCreator(chatID, bob, AdminRights{CanPinMessages: true}))
	wantAPIError(t, title(bob, "班长"), 400, "Bad Request: not enough rights to change custom title of the user")
	wantAPIError(t, promote(bob), 400, "Bad Request: CHAT_ADMIN_REQUIRED")

	// Taking every right back makes a member again, without the title.
	_, err = bot.Request(tgbotapi.PromoteChatMemberConfig{ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: alice}})
	mustNoErr(t, err)
	if st, _ := srv.Member(chatID, alice); st != "member" || srv.CustomTitle(chatID, alice) != "" {
		t.Errorf("alice after demotion: %s %q", st, srv.CustomTitle(chatID, alice))
	}

	// Without the right to add administrators the bot promotes nobody.
	mustNoErr(t, srv.SetBotRights(chatID, AdminRights{CanRestrictMembers: true}))
	wantAPIError(t, promote(charlie), 400, "Bad Request: not enough rights")
}

// A reply names the message it answers.
func TestSendReply(t *testing.T) {
	srv, _ := newBot(t)
	chatID := newGroup(t, srv, FullAdminRights())
	mustNoErr(t, srv.AddMember(chatID, alice))
	first, err := srv.SendText(alice, chatID, "hello")
	mustNoErr(t, err)
	id, err := srv.SendReply(owner, chatID, first, "/warn spam")
	mustNoErr(t, err)
	msgs := srv.Messages(chatID)
	if got := msgs[len(msgs)-1]; got.ID != id || got.ReplyToMessageID != first || len(got.Entities) != 1 {
		t.Errorf("reply %+v", got)
	}
	if _, err := srv.SendReply(owner, chatID, 999, "/warn"); err == nil {
		t.Error("a reply to no message was sent")
	}
}
