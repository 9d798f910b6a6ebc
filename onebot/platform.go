package onebot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/bot"
	"github.com/shequn/shequn/groups"
)

// languageOfQQ is the language QQ users start with; /language changes it.
const languageOfQQ = bot.Chinese

// groupLinkPrefix marks a QQ group's "join link": QQ has none, the way in
// is the group's number and the buyer's join code.
const groupLinkPrefix = "qq-group:"

// Platform is QQ as the groups package sees it: whole-group mute, join
// requests answered by their flag with a reason, kicks, and members read
// through get_group_member_info.
type Platform struct{ QQ *QQ }

var (
	_ groups.Platform         = Platform{}
	_ groups.ReasonedDecliner = Platform{}
)

func (p Platform) call(ctx context.Context, action string, params map[string]any, out any) error {
	return p.QQ.API.Call(ctx, action, params, out)
}

// BotRights reads the account's role: an owner or admin of a QQ group can
// do all the bot needs.
func (p Platform) BotRights(ctx context.Context, chatID int64) ([]groups.Right, error) {
	var m struct {
		Role string `json:"role"`
	}
	err := p.call(ctx, "get_group_member_info", map[string]any{"group_id": shequn.QQNumber(chatID), "user_id": p.QQ.Self(), "no_cache": true}, &m)
	if refused(err) {
		return nil, nil // kicked out, or the group is gone: no administrator
	}
	if err != nil {
		return nil, err
	}
	if m.Role != "owner" && m.Role != "admin" {
		return nil, nil
	}
	return []groups.Right{groups.RightInvite, groups.RightRestrict, groups.RightPin, groups.RightDelete}, nil
}

// MuteAll turns on the whole-group ban (全员禁言).
func (p Platform) MuteAll(ctx context.Context, chatID int64) error {
	err := p.call(ctx, "set_group_whole_ban", map[string]any{"group_id": shequn.QQNumber(chatID), "enable": true}, nil)
	if err != nil {
		return fmt.Errorf("set_group_whole_ban: %w", p.QQ.diagnose(ctx, chatID, groups.RightRestrict, err))
	}
	return nil
}

// CreateJoinLink names the group's number, and the course (from the
// link's name, "shequn <course> <ordinal>") so that the way in shown to a
// buyer carries their join code: QQ has no join links.
func (p Platform) CreateJoinLink(_ context.Context, chatID int64, name string) (string, error) {
	link := groupLinkPrefix + strconv.FormatInt(shequn.QQNumber(chatID), 10)
	if f := strings.Fields(name); len(f) == 3 && f[0] == "shequn" {
		link += "/" + f[1]
	}
	return link, nil
}

// JoinLinkWorks: a group's number stays the way in.
func (p Platform) JoinLinkWorks(ctx context.Context, chatID int64, link, name string) (bool, error) {
	want, _ := p.CreateJoinLink(ctx, chatID, name)
	return link == want, nil
}

// ApproveJoin approves the user's pending request by its flag.
func (p Platform) ApproveJoin(ctx context.Context, chatID, userID int64) error {
	return p.answer(ctx, chatID, userID, true, "")
}

// DeclineJoin refuses the user's pending request.
func (p Platform) DeclineJoin(ctx context.Context, chatID, userID int64) error {
	return p.answer(ctx, chatID, userID, false, "")
}

// DeclineJoinWith refuses the request and tells the requester why, in the
// groups' language.
func (p Platform) DeclineJoinWith(ctx context.Context, chatID, userID int64, reason groups.DeclineReason) error {
	return p.answer(ctx, chatID, userID, false, bot.Label(languageOfQQ, "qq.reason."+string(reason)))
}

func (p Platform) answer(ctx context.Context, chatID, userID int64, approve bool, reason string) error {
	key := [2]int64{shequn.QQNumber(chatID), shequn.QQNumber(userID)}
	p.QQ.mu.Lock()
	flag, ok := p.QQ.flags[key]
	p.QQ.mu.Unlock()
	if !ok {
		// Neither seen nor read back here: the requester asks again.
		return fmt.Errorf("set_group_add_request: no flag: %w", groups.ErrJoinRequestGone)
	}
	params := map[string]any{"flag": flag, "sub_type": "add", "approve": approve}
	if !approve && reason != "" {
		params["reason"] = reason
	}
	err := p.call(ctx, "set_group_add_request", params, nil)
	if refused(err) {
		// A refusal while the account is an administrator: the request
		// was withdrawn or answered already (QQ's wording varies).
		if err = p.QQ.diagnose(ctx, chatID, groups.RightInvite, err); !isGroupError(err) {
			err = groups.ErrJoinRequestGone
		}
	}
	if err == nil || errors.Is(err, groups.ErrJoinRequestGone) {
		p.QQ.mu.Lock()
		delete(p.QQ.flags, key)
		p.QQ.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("set_group_add_request: %w", err)
	}
	return nil
}

// RemoveMember kicks the member, who may ask to come back after a new
// purchase.
func (p Platform) RemoveMember(ctx context.Context, chatID, userID int64) error {
	err := p.call(ctx, "set_group_kick", map[string]any{"group_id": shequn.QQNumber(chatID), "user_id": shequn.QQNumber(userID), "reject_add_request": false}, nil)
	if err == nil {
		return nil
	}
	if in, ierr := p.IsMember(ctx, chatID, userID); ierr == nil && !in {
		return nil // gone already
	}
	return fmt.Errorf("set_group_kick: %w", p.QQ.diagnose(ctx, chatID, groups.RightRestrict, err))
}

// LiftBan has nothing to lift: RemoveMember kicks without rejecting later
// join requests, so nobody taken out is kept out on QQ.
func (p Platform) LiftBan(context.Context, int64, int64) error { return nil }

// IsMember reads the member; one QQ does not find is not in the group.
func (p Platform) IsMember(ctx context.Context, chatID, userID int64) (bool, error) {
	err := p.call(ctx, "get_group_member_info", map[string]any{"group_id": shequn.QQNumber(chatID), "user_id": shequn.QQNumber(userID), "no_cache": true}, nil)
	if refused(err) {
		return false, nil // QQ does not find them there
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// refused reports an action the implementation answered and refused (a
// failed status), as against one that never got an answer (the socket
// down, a timeout) or was not authorized.
func refused(err error) bool {
	var oe *Error
	return errors.As(err, &oe) && oe.Retcode != RetUnauthorized && oe.Retcode != RetForbidden && oe.Retcode != RetNoAction
}

func isGroupError(err error) bool {
	var ge *groups.GroupError
	return errors.As(err, &ge)
}

// diagnose turns a refused group action into a *groups.GroupError when
// the account's standing explains it: not in the group any more (kicked,
// or the group dissolved) or no administrator (a right missing). It asks
// QQ rather than reading the refusal's words, which differ between
// NapCat, LLOneBot and Lagrange. Other failures are returned as they are
// and retried later.
func (q *QQ) diagnose(ctx context.Context, chatID int64, right groups.Right, err error) error {
	if !refused(err) {
		return err
	}
	var m struct {
		Role string `json:"role"`
	}
	rerr := q.API.Call(ctx, "get_group_member_info", map[string]any{"group_id": shequn.QQNumber(chatID), "user_id": q.Self(), "no_cache": true}, &m)
	switch {
	case refused(rerr):
		return &groups.GroupError{ChatID: chatID, Problem: groups.ProblemRemoved, Err: err}
	case rerr != nil || m.Role == "owner" || m.Role == "admin":
		return err
	case right != "":
		return &groups.GroupError{ChatID: chatID, Problem: groups.MissingRight(right), Err: err}
	}
	return &groups.GroupError{ChatID: chatID, Problem: groups.ProblemRemoved, Err: err}
}

// Platforms puts QQ beside Telegram for the groups package: each call
// goes to the platform of its chat's id range.
type Platforms struct {
	Telegram groups.Platform
	QQ       Platform
}

var (
	_ groups.Platform         = Platforms{}
	_ groups.ReasonedDecliner = Platforms{}
)

func (p Platforms) of(chatID int64) groups.Platform {
	if shequn.IsQQ(chatID) {
		return p.QQ
	}
	return p.Telegram
}

func (p Platforms) BotRights(ctx context.Context, chatID int64) ([]groups.Right, error) {
	return p.of(chatID).BotRights(ctx, chatID)
}

func (p Platforms) MuteAll(ctx context.Context, chatID int64) error {
	return p.of(chatID).MuteAll(ctx, chatID)
}

func (p Platforms) CreateJoinLink(ctx context.Context, chatID int64, name string) (string, error) {
	return p.of(chatID).CreateJoinLink(ctx, chatID, name)
}

func (p Platforms) JoinLinkWorks(ctx context.Context, chatID int64, link, name string) (bool, error) {
	return p.of(chatID).JoinLinkWorks(ctx, chatID, link, name)
}

func (p Platforms) ApproveJoin(ctx context.Context, chatID, userID int64) error {
	return p.of(chatID).ApproveJoin(ctx, chatID, userID)
}

func (p Platforms) DeclineJoin(ctx context.Context, chatID, userID int64) error {
	return p.of(chatID).DeclineJoin(ctx, chatID, userID)
}

// DeclineJoinWith tells QQ requesters why; Telegram has no way to.
func (p Platforms) DeclineJoinWith(ctx context.Context, chatID, userID int64, reason groups.DeclineReason) error {
	if shequn.IsQQ(chatID) {
		return p.QQ.DeclineJoinWith(ctx, chatID, userID, reason)
	}
	return p.Telegram.DeclineJoin(ctx, chatID, userID)
}

func (p Platforms) RemoveMember(ctx context.Context, chatID, userID int64) error {
	return p.of(chatID).RemoveMember(ctx, chatID, userID)
}

func (p Platforms) LiftBan(ctx context.Context, chatID, userID int64) error {
	return p.of(chatID).LiftBan(ctx, chatID, userID)
}

func (p Platforms) IsMember(ctx context.Context, chatID, userID int64) (bool, error) {
	return p.of(chatID).IsMember(ctx, chatID, userID)
}
