package telegramtest

import (
	"errors"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// createLink creates an invite link through the API.
func createLink(t *testing.T, bot *tgbotapi.BotAPI, cfg tgbotapi.CreateChatInviteLinkConfig) tgbotapi.ChatInviteLink {
	t.Helper()
	resp, err := bot.Request(cfg)
	mustNoErr(t, err)
	var link tgbotapi.ChatInviteLink
	mustNoErr(t, jsonUnmarshal(resp.Result, &link))
	return link
}

func TestCreateInviteLink(t *testing.T) {
	srv, bot := newBot(t)
	chatID := newGroup(t, srv, AdminRights{CanInviteUsers: true})
	noRights := newGroup(t, srv, AdminRights{CanPinMessages: true})
	for _, tc := range []struct {
		name string
		cfg  tgbotapi.CreateChatInviteLinkConfig
		desc string
	}{
		{"join request", tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, Name: "order 42", CreatesJoinRequest: true}, ""},
		{"member limit", tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, MemberLimit: 1}, ""},
		{"limit with join request", tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, MemberLimit: 1, CreatesJoinRequest: true},
			"Bad Request: member limit can't be specified for links requiring administrator approval"},
		{"no rights", tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: noRights}}, "Bad Request: not enough rights to manage chat invite link"},
		{"unknown chat", tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: -100123}}, "Bad Request: chat not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := bot.Request(tc.cfg)
			if tc.desc != "" {
				wantAPIError(t, err, 400, tc.desc)
				return
			}
			mustNoErr(t, err)
			var link tgbotapi.ChatInviteLink
			mustNoErr(t, jsonUnmarshal(resp.Result, &link))
			hash, ok := strings.CutPrefix(link.InviteLink, "https://t.me/+")
			if !ok || len(hash) != 16 || link.Creator.ID != bot.Self.ID || link.IsPrimary || link.IsRevoked ||
				link.CreatesJoinRequest != tc.cfg.CreatesJoinRequest || link.Name != tc.cfg.Name || link.MemberLimit != tc.cfg.MemberLimit {
				t.Fatalf("link = %+v", link)
			}
		})
	}
}

func TestJoinRequestApproveDecline(t *testing.T) {
	srv, bot := newBot(t, WithAllowedUpdates("message", "chat_member", "chat_join_request", "my_chat_member"))
	chatID := newGroup(t, srv, AdminRights{CanInviteUsers: true, CanRestrictMembers: true})
	drain(t, bot)
	link := createLink(t, bot, tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, CreatesJoinRequest: true})

	mustNoErr(t, srv.RequestJoin(alice, link.InviteLink))
	mustNoErr(t, srv.RequestJoin(bob, link.InviteLink))
	if err := srv.RequestJoin(bob, link.InviteLink); !errors.Is(err, ErrRequestPending) {
		t.Fatalf("second request: %v", err)
	}
	if got := srv.PendingJoinRequests(chatID); len(got) != 2 || got[0] != alice {
		t.Fatalf("pending = %v", got)
	}
	ups := drain(t, bot)
	if len(ups) != 2 || ups[0].ChatJoinRequest == nil {
		t.Fatalf("updates = %+v", ups)
	}
	jr := ups[0].ChatJoinRequest
	if jr.Chat.ID != chatID || jr.From.ID != alice || jr.InviteLink == nil || jr.InviteLink.InviteLink != link.InviteLink || jr.Date == 0 {
		t.Fatalf("join request = %+v", jr)
	}
	if st, _ := srv.Member(chatID, alice); st != "left" {
		t.Fatalf("status before approval = %s", st)
	}
	// A pending join request lets the bot write to the user.
	_, err := bot.Send(tgbotapi.NewMessage(alice, "Checking your payment"))
	mustNoErr(t, err)

	_, err = bot.Request(tgbotapi.ApproveChatJoinRequestConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, UserID: alice})
	mustNoErr(t, err)
	_, err = bot.Request(tgbotapi.DeclineChatJoinRequest{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, UserID: bob})
	mustNoErr(t, err)
	_, err = bot.Request(tgbotapi.ApproveChatJoinRequestConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, UserID: bob})
	wantAPIError(t, err, 400, "Bad Request: HIDE_REQUESTER_MISSING")

	if st, _ := srv.Member(chatID, alice); st != "member" {
		t.Fatalf("alice = %s", st)
	}
	if st, _ := srv.Member(chatID, bob); st != "left" {
		t.Fatalf("bob = %s", st)
	}
	ups = drain(t, bot)
	if len(ups) != 2 || ups[0].ChatMember == nil || ups[1].Message == nil {
		t.Fatalf("updates after approve = %+v", ups)
	}
	if cm := ups[0].ChatMember; cm.From.ID != bot.Self.ID || cm.NewChatMember.Status != "member" || cm.InviteLink == nil {
		t.Fatalf("chat_member = %+v", cm)
	}
	if m := ups[1].Message; len(m.NewChatMembers) != 1 || m.NewChatMembers[0].ID != alice {
		t.Fatalf("service message = %+v", m)
	}
	if len(srv.PendingJoinRequests(chatID)) != 0 {
		t.Fatal("requests still pending")
	}
}

func TestInviteLinkLifecycle(t *testing.T) {
	clock := newClock()
	srv, bot := newBot(t, WithClock(clock.Now))
	chatID := newGroup(t, srv, AdminRights{CanInviteUsers: true})
	cfg := tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, MemberLimit: 1,
		ExpireDate: int(clock.Now().Add(time.Hour).Unix())}
	link := createLink(t, bot, cfg)

	mustNoErr(t, srv.RequestJoin(alice, link.InviteLink))
	if err := srv.RequestJoin(bob, link.InviteLink); !errors.Is(err, ErrLinkLimit) {
		t.Fatalf("over limit: %v", err)
	}
	if err := srv.RequestJoin(alice, link.InviteLink); !errors.Is(err, ErrAlreadyMember) {
		t.Fatalf("member again: %v", err)
	}

	// Edit: raise the limit; expiry passes.
	resp, err := bot.Request(tgbotapi.EditChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, InviteLink: link.InviteLink,
		MemberLimit: 5, ExpireDate: cfg.ExpireDate})
	mustNoErr(t, err)
	var edited tgbotapi.ChatInviteLink
	mustNoErr(t, jsonUnmarshal(resp.Result, &edited))
	if edited.MemberLimit != 5 {
		t.Fatalf("edited = %+v", edited)
	}
	clock.Advance(2 * time.Hour)
	if err := srv.RequestJoin(bob, link.InviteLink); !errors.Is(err, ErrLinkExpired) {
		t.Fatalf("expired: %v", err)
	}

	other := createLink(t, bot, tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	_, err = bot.Request(tgbotapi.RevokeChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, InviteLink: other.InviteLink})
	mustNoErr(t, err)
	if err := srv.RequestJoin(bob, other.InviteLink); !errors.Is(err, ErrInvalidLink) {
		t.Fatalf("revoked: %v", err)
	}
	if err := srv.RequestJoin(bob, "https://t.me/+doesnotexist0000"); !errors.Is(err, ErrInvalidLink) {
		t.Fatalf("unknown: %v", err)
	}

	primary, err := bot.GetInviteLink(tgbotapi.ChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	mustNoErr(t, err)
	links := srv.InviteLinks(chatID)
	if len(links) != 3 || !links[2].IsPrimary || links[2].Link != primary || !links[1].IsRevoked || links[0].JoinedCount != 1 {
		t.Fatalf("links = %+v", links)
	}
	chat, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	mustNoErr(t, err)
	if chat.InviteLink != primary || chat.Title != "Course 1" || chat.Type != "supergroup" {
		t.Fatalf("chat = %+v", chat)
	}
}

func TestBanUnbanRejoin(t *testing.T) {
	srv, bot := newBot(t)
	chatID := newGroup(t, srv, AdminRights{CanInviteUsers: true, CanRestrictMembers: true})
	weak := newGroup(t, srv, AdminRights{CanInviteUsers: true})
	link := createLink(t, bot, tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}})
	mustNoErr(t, srv.RequestJoin(alice, link.InviteLink))
	mustNoErr(t, srv.AddMember(weak, alice))
	member := func(chat, user int64) tgbotapi.ChatMemberConfig {
		return tgbotapi.ChatMemberConfig{ChatID: chat, UserID: user}
	}

	for _, tc := range []struct {
		name string
		cfg  tgbotapi.Chattable
		desc string
	}{
		{"no rights", tgbotapi.BanChatMemberConfig{ChatMemberConfig: member(weak, alice)}, "Bad Request: not enough rights to restrict/unrestrict chat member"},
		{"creator", tgbotapi.BanChatMemberConfig{ChatMemberConfig: member(chatID, owner)}, "Bad Request: user is an administrator of the chat"},
		{"self", tgbotapi.BanChatMemberConfig{ChatMemberConfig: member(chatID, bot.Self.ID)}, "Bad Request: can't remove self"},
		{"unknown user", tgbotapi.BanChatMemberConfig{ChatMemberConfig: member(chatID, 4242)}, "Bad Request: user not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bot.Request(tc.cfg)
			wantAPIError(t, err, 400, tc.desc)
		})
	}

	_, err := bot.Request(tgbotapi.BanChatMemberConfig{ChatMemberConfig: member(chatID, alice)})
	mustNoErr(t, err)
	if st, _ := srv.Member(chatID, alice); st != "kicked" {
		t.Fatalf("after ban = %s", st)
	}
	if err := srv.RequestJoin(alice, link.InviteLink); !errors.Is(err, ErrBanned) {
		t.Fatalf("banned join: %v", err)
	}
	cm, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chatID, UserID: alice}})
	mustNoErr(t, err)
	if !cm.WasKicked() {
		t.Fatalf("getChatMember = %+v", cm)
	}

	_, err = bot.Request(tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member(chatID, alice), OnlyIfBanned: true})
	mustNoErr(t, err)
	if st, _ := srv.Member(chatID, alice); st != "left" {
		t.Fatalf("after unban = %s", st)
	}
	mustNoErr(t, srv.RequestJoin(alice, link.InviteLink))
	if st, _ := srv.Member(chatID, alice); st != "member" {
		t.Fatalf("after rejoin = %s", st)
	}

	// only_if_banned leaves members alone; without it unban removes them.
	_, err = bot.Request(tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member(chatID, alice), OnlyIfBanned: true})
	mustNoErr(t, err)
	if st, _ := srv.Member(chatID, alice); st != "member" {
		t.Fatalf("only_if_banned changed status to %s", st)
	}
	_, err = bot.Request(tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member(chatID, alice)})
	mustNoErr(t, err)
	if st, _ := srv.Member(chatID, alice); st != "left" {
		t.Fatalf("unban of a member left status %s", st)
	}
}

func TestTemporaryBanExpires(t *testing.T) {
	clock := newClock()
	srv, bot := newBot(t, WithClock(clock.Now))
	chatID := newGroup(t, srv, FullAdminRights())
	mustNoErr(t, srv.AddMember(chatID, alice))
	_, err := bot.Request(tgbotapi.BanChatMemberConfig{ChatMemberConfig: tgbotapi.ChatMemberConfig{ChatID: chatID, UserID: alice},
		UntilDate: clock.Now().Add(time.Hour).Unix()})
	mustNoErr(t, err)
	if st, _ := srv.Member(chatID, alice); st != "kicked" {
		t.Fatalf("status = %s", st)
	}
	clock.Advance(time.Hour)
	if st, _ := srv.Member(chatID, alice); st != "left" {
		t.Fatalf("status after ban end = %s", st)
	}
}

func TestJoinRequestMessageWindow(t *testing.T) {
	clock := newClock()
	srv, bot := newBot(t, WithClock(clock.Now))
	chatID := newGroup(t, srv, FullAdminRights())
	link := createLink(t, bot, tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, CreatesJoinRequest: true})
	_, err := bot.Send(tgbotapi.NewMessage(alice, "hi"))
	wantAPIError(t, err, 403, "Forbidden: bot can't initiate conversation with a user")
	mustNoErr(t, srv.RequestJoin(alice, link.InviteLink))
	_, err = bot.Send(tgbotapi.NewMessage(alice, "hi"))
	mustNoErr(t, err)
	clock.Advance(5 * time.Minute)
	_, err = bot.Send(tgbotapi.NewMessage(alice, "hi again"))
	wantAPIError(t, err, 403, "Forbidden: bot can't initiate conversation with a user")
}

// A link an administrator revoked in the app: joining by it fails, the
// bot can no longer edit it (INVITE_HASH_EXPIRED), and a new link works.
func TestInviteLinkRevokedInTheApp(t *testing.T) {
	srv, bot := newBot(t)
	chatID := newGroup(t, srv, AdminRights{CanInviteUsers: true})
	srv.AddUser(User{ID: alice, FirstName: "Alice"})
	link := createLink(t, bot, tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, Name: "g", CreatesJoinRequest: true})
	mustNoErr(t, srv.RevokeInviteLink(link.InviteLink))
	if err := srv.RequestJoin(alice, link.InviteLink); !errors.Is(err, ErrInvalidLink) {
		t.Fatalf("joining by a revoked link: %v, want ErrInvalidLink", err)
	}
	_, err := bot.Request(tgbotapi.EditChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, InviteLink: link.InviteLink, Name: "g", CreatesJoinRequest: true})
	wantAPIError(t, err, 400, "Bad Request: INVITE_HASH_EXPIRED")
	fresh := createLink(t, bot, tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: chatID}, CreatesJoinRequest: true})
	mustNoErr(t, srv.RequestJoin(alice, fresh.InviteLink))
}
