package telegramtest

import (
	"errors"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestMuteGroup(t *testing.T) {
	srv, bot := newBot(t)
	chatID := newGroup(t, srv, AdminRights{CanRestrictMembers: true})
	weak := newGroup(t, srv, AdminRights{CanInviteUsers: true})
	mustNoErr(t, srv.AddMember(chatID, alice))
	mustNoErr(t, srv.AddMember(chatID, bob))

	_, err := bot.Request(tgbotapi.SetChatPermissionsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: weak}, Permissions: &tgbotapi.ChatPermissions{}})
	wantAPIError(t, err, 400, "Bad Request: not enough rights to change chat permissions")

	mute := tgbotapi.SetChatPermissionsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, Permissions: &tgbotapi.ChatPermissions{}}
	_, err = bot.Request(mute)
	mustNoErr(t, err)
	_, err = bot.Request(mute)
	wantAPIError(t, err, 400, "Bad Request: CHAT_NOT_MODIFIED")
	if p := srv.Permissions(chatID); p != (ChatPermissions{}) {
		t.Fatalf("permissions = %+v", p)
	}
	chat, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	mustNoErr(t, err)
	if chat.Permissions == nil || chat.Permissions.CanSendMessages {
		t.Fatalf("getChat permissions = %+v", chat.Permissions)
	}

	for _, tc := range []struct {
		name string
		user int64
		err  error
	}{
		{"member is muted", alice, ErrCannotSend},
		{"creator may send", owner, nil},
		{"non-member", charlie, ErrNotMember},
		{"unknown user", 4242, ErrUnknownUser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := srv.SendText(tc.user, chatID, "hi")
			if !errors.Is(err, tc.err) {
				t.Fatalf("SendText = %v, want %v", err, tc.err)
			}
		})
	}

	// Unmute the group but restrict bob personally.
	_, err = bot.Request(tgbotapi.SetChatPermissionsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID},
		Permissions: &tgbotapi.ChatPermissions{CanSendMessages: true, CanInviteUsers: true}})
	mustNoErr(t, err)
	_, err = bot.Request(tgbotapi.RestrictChatMemberConfig{ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: bob},
		Permissions: &tgbotapi.ChatPermissions{}})
	mustNoErr(t, err)
	if _, err := srv.SendText(alice, chatID, "hi"); err != nil {
		t.Fatalf("alice after unmute: %v", err)
	}
	if _, err := srv.SendText(bob, chatID, "hi"); !errors.Is(err, ErrCannotSend) {
		t.Fatalf("restricted bob: %v", err)
	}
	cm, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chatID, UserID: bob}})
	mustNoErr(t, err)
	if cm.Status != "restricted" || !cm.IsMember || cm.CanSendMessages {
		t.Fatalf("bob = %+v", cm)
	}
	// Granting everything lifts the restriction.
	all := tgbotapi.ChatPermissions{CanSendMessages: true, CanSendMediaMessages: true, CanSendPolls: true, CanSendOtherMessages: true,
		CanAddWebPagePreviews: true, CanChangeInfo: true, CanInviteUsers: true, CanPinMessages: true}
	_, err = bot.Request(tgbotapi.RestrictChatMemberConfig{ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: bob}, Permissions: &all})
	mustNoErr(t, err)
	if st, _ := srv.Member(chatID, bob); st != "member" {
		t.Fatalf("bob after lifting = %s", st)
	}
	_, err = bot.Request(tgbotapi.RestrictChatMemberConfig{ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: owner}, Permissions: &tgbotapi.ChatPermissions{}})
	wantAPIError(t, err, 400, "Bad Request: user is an administrator of the chat")
}

func TestChatInfo(t *testing.T) {
	srv, bot := newBot(t)
	chatID := newGroup(t, srv, AdminRights{CanPromoteMembers: true, CanInviteUsers: true, CanPinMessages: true})
	mustNoErr(t, srv.AddMember(chatID, alice))
	mustNoErr(t, srv.AddMember(chatID, bob))
	mustNoErr(t, srv.Leave(bob, chatID))

	n, err := bot.GetChatMembersCount(tgbotapi.ChatMemberCountConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	mustNoErr(t, err)
	if n != 3 { // owner, bot, alice
		t.Fatalf("member count = %d", n)
	}
	if _, err := bot.MakeRequest("getChatMemberCount", tgbotapi.Params{"chat_id": "-1001000000001"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user   int64
		status string
	}{{owner, "creator"}, {alice, "member"}, {bob, "left"}, {charlie, "left"}, {bot.Self.ID, "administrator"}} {
		cm, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chatID, UserID: tc.user}})
		mustNoErr(t, err)
		if cm.Status != tc.status || cm.User.ID != tc.user {
			t.Errorf("member %d = %s, want %s", tc.user, cm.Status, tc.status)
		}
	}

	// Promote alice with a subset of the bot's rights; more is forbidden.
	_, err = bot.Request(tgbotapi.PromoteChatMemberConfig{ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: alice}, CanRestrictMembers: true})
	wantAPIError(t, err, 400, "Bad Request: RIGHT_FORBIDDEN")
	_, err = bot.Request(tgbotapi.PromoteChatMemberConfig{ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: alice}, CanPinMessages: true})
	mustNoErr(t, err)
	admins, err := bot.GetChatAdministrators(tgbotapi.ChatAdministratorsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	mustNoErr(t, err)
	if len(admins) != 3 || admins[0].Status != "creator" || admins[2].User.ID != alice || !admins[2].CanPinMessages {
		t.Fatalf("admins = %+v", admins)
	}
	if r, ok := srv.AdminRightsOf(chatID, alice); !ok || r != (AdminRights{CanPinMessages: true}) {
		t.Fatalf("AdminRightsOf = %+v %v", r, ok)
	}

	// The bot leaves: later calls are forbidden.
	_, err = bot.Request(tgbotapi.LeaveChatConfig{ChatID: chatID})
	mustNoErr(t, err)
	_, err = bot.Send(tgbotapi.NewMessage(chatID, "x"))
	wantAPIError(t, err, 403, "Forbidden: bot is not a member of the supergroup chat")
	mustNoErr(t, srv.RemoveBot(chatID, true))
	_, err = bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	wantAPIError(t, err, 403, "Forbidden: bot was kicked from the supergroup chat")
}

func TestMyChatMemberUpdates(t *testing.T) {
	srv, bot := newBot(t)
	startPrivate(t, srv, bot, alice)
	chatID := srv.CreateSupergroup("G", owner)
	mustNoErr(t, srv.AddBotMember(chatID))
	mustNoErr(t, srv.SetBotRights(chatID, AdminRights{CanInviteUsers: true}))
	mustNoErr(t, srv.BlockBot(alice))
	var got []string
	for _, u := range drain(t, bot) {
		if u.MyChatMember != nil {
			got = append(got, u.MyChatMember.OldChatMember.Status+">"+u.MyChatMember.NewChatMember.Status)
		}
	}
	want := []string{"left>member", "member>administrator", "member>kicked"}
	if len(got) != len(want) {
		t.Fatalf("my_chat_member = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("my_chat_member = %v, want %v", got, want)
		}
	}
	// Writing to the bot again unblocks it.
	if _, err := srv.SendText(alice, alice, "/start"); err != nil {
		t.Fatal(err)
	}
	_, err := bot.Send(tgbotapi.NewMessage(alice, "welcome back"))
	mustNoErr(t, err)
}

func TestCommands(t *testing.T) {
	srv, bot := newBot(t)
	chatID := newGroup(t, srv, FullAdminRights())
	mustNoErr(t, srv.AddMember(chatID, alice))
	def := []tgbotapi.BotCommand{{Command: "start", Description: "Start"}, {Command: "help", Description: "Help"}}
	ru := []tgbotapi.BotCommand{{Command: "start", Description: "Начать"}}
	admins := []tgbotapi.BotCommand{{Command: "stats", Description: "Stats"}}

	_, err := bot.Request(tgbotapi.NewSetMyCommands(def...))
	mustNoErr(t, err)
	_, err = bot.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeAllPrivateChats(), "ru", ru...))
	mustNoErr(t, err)
	_, err = bot.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChatAdministrators(chatID), admins...))
	mustNoErr(t, err)

	got, err := bot.GetMyCommands()
	mustNoErr(t, err)
	if len(got) != 2 || got[1] != def[1] {
		t.Fatalf("default commands = %+v", got)
	}
	got, err = bot.GetMyCommandsWithConfig(tgbotapi.NewGetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeAllPrivateChats(), "ru"))
	mustNoErr(t, err)
	if len(got) != 1 || got[0] != ru[0] {
		t.Fatalf("ru commands = %+v", got)
	}
	got, err = bot.GetMyCommandsWithConfig(tgbotapi.NewGetMyCommandsWithScope(tgbotapi.NewBotCommandScopeAllGroupChats()))
	mustNoErr(t, err)
	if got == nil || len(got) != 0 {
		t.Fatalf("unset scope = %#v, want empty list", got)
	}
	if c := srv.Commands(CommandScope{Type: "chat_administrators", ChatID: chatID}, ""); len(c) != 1 || c[0].Command != "stats" {
		t.Fatalf("Commands = %+v", c)
	}
	for _, tc := range []struct {
		chat, user int64
		lang, want string
	}{
		{alice, alice, "ru", "start:Начать"},
		{alice, alice, "en", "start:Start"},
		{chatID, owner, "", "stats:Stats"},
		{chatID, alice, "ru", "start:Start"},
	} {
		cmds := srv.VisibleCommands(tc.chat, tc.user, tc.lang)
		if len(cmds) == 0 || cmds[0].Command+":"+cmds[0].Description != tc.want {
			t.Errorf("VisibleCommands(%d, %d, %q) = %+v, want %s", tc.chat, tc.user, tc.lang, cmds, tc.want)
		}
	}

	_, err = bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Bad-Command", Description: "x"}))
	wantAPIError(t, err, 400, "Bad Request: BOT_COMMAND_INVALID")
	_, err = bot.Request(tgbotapi.NewDeleteMyCommands())
	mustNoErr(t, err)
	got, err = bot.GetMyCommands()
	mustNoErr(t, err)
	if len(got) != 0 {
		t.Fatalf("after delete = %+v", got)
	}
}
