package onebot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
	"github.com/shequn/shequn/moderation"
)

// MaxBan is the longest ban (禁言) QQ keeps: 30 days. A longer mute is
// refused as out of range, like Telegram's bounds.
const MaxBan = 30 * 24 * time.Hour

// ErrOwnerOnly is QQ's rule that only a group's owner (群主) makes
// administrators and gives titles: an account that is only an
// administrator cannot make a monitor, and the owner must do it by hand.
var ErrOwnerOnly = fmt.Errorf("only the QQ group's owner sets administrators: %w", moderation.ErrOwnerOnly)

// ModerationPlatform is QQ as the moderation package sees it: monitors
// made administrators by set_group_admin (owner only), mutes by
// set_group_ban, removals by set_group_kick. Whom the account may act on
// is judged by asking QQ for both roles (get_group_member_info), never by
// the refusal's words.
type ModerationPlatform struct{ QQ *QQ }

var _ moderation.Platform = ModerationPlatform{}

// errGone marks a target QQ does not find in the group.
var errGone = errors.New("not a member of the group")

// role reads a member's role in a group: owner, admin or member;
// errGone when QQ does not find them there.
func (p ModerationPlatform) role(ctx context.Context, chatID, userID int64) (string, error) {
	var m struct {
		Role string `json:"role"`
	}
	err := p.QQ.API.Call(ctx, "get_group_member_info", map[string]any{"group_id": shequn.QQNumber(chatID), "user_id": shequn.QQNumber(userID), "no_cache": true}, &m)
	if refused(err) {
		return "", errGone
	}
	if err != nil {
		return "", fmt.Errorf("get_group_member_info: %w", err)
	}
	return m.Role, nil
}

// editable reads the target's role and refuses, with ErrAdmin, one the
// account may not act on: the owner, or an administrator unless the
// account owns the group. It returns the account's own role.
func (p ModerationPlatform) editable(ctx context.Context, chatID, userID int64) (self, target string, err error) {
	if target, err = p.role(ctx, chatID, userID); err != nil {
		return "", "", err
	}
	self, err = p.role(ctx, chatID, shequn.QQUser(p.QQ.Self()))
	if errors.Is(err, errGone) {
		err = &groups.GroupError{ChatID: chatID, Problem: groups.ProblemRemoved, Err: err}
	}
	if err != nil {
		return "", "", err
	}
	if target == "owner" || (target == "admin" && self != "owner") {
		return self, target, fmt.Errorf("QQ member %d is the group's %s: %w", shequn.QQNumber(userID), target, moderation.ErrAdmin)
	}
	return self, target, nil
}

// act calls a member action on the group and explains a refusal by the
// account's standing.
func (p ModerationPlatform) act(ctx context.Context, chatID int64, action string, params map[string]any) error {
	params["group_id"] = shequn.QQNumber(chatID)
	if err := p.QQ.API.Call(ctx, action, params, nil); err != nil {
		return fmt.Errorf("%s: %w", action, p.QQ.diagnose(ctx, chatID, groups.RightRestrict, err))
	}
	return nil
}

// Promote makes the member an administrator with the title. QQ lets only
// the owner do either: an account that is only an administrator is
// refused with ErrOwnerOnly, before anything changes. A title QQ refuses
// leaves the administrator in place: it is logged, not returned.
func (p ModerationPlatform) Promote(ctx context.Context, chatID, userID int64, title string) error {
	self, target, err := p.editable(ctx, chatID, userID)
	if errors.Is(err, errGone) {
		return fmt.Errorf("promote QQ member %d: %w", shequn.QQNumber(userID), moderation.ErrNoSeat)
	}
	if err != nil {
		return err
	}
	if self != "owner" {
		return ErrOwnerOnly
	}
	if target == "admin" {
		return fmt.Errorf("QQ member %d is an administrator already: %w", shequn.QQNumber(userID), moderation.ErrAdmin)
	}
	user := shequn.QQNumber(userID)
	if err := p.act(ctx, chatID, "set_group_admin", map[string]any{"user_id": user, "enable": true}); err != nil {
		return err
	}
	err = p.act(ctx, chatID, "set_group_special_title", map[string]any{"user_id": user, "special_title": title, "duration": -1})
	if err != nil {
		p.QQ.Log.WarnContext(ctx, "qq title not set", "group", shequn.QQNumber(chatID), "user", user, "title", title, "err", err)
	}
	return nil
}

// Demote takes the administrator back. Someone no longer in the group, or
// no administrator, has nothing to take; an account that no longer owns
// the group cannot take it (ErrOwnerOnly).
func (p ModerationPlatform) Demote(ctx context.Context, chatID, userID int64) error {
	role, err := p.role(ctx, chatID, userID)
	switch {
	case errors.Is(err, errGone):
		return nil
	case err != nil:
		return err
	case role == "owner":
		return fmt.Errorf("QQ member %d owns the group: %w", shequn.QQNumber(userID), moderation.ErrAdmin)
	case role != "admin":
		return nil
	}
	if self, err := p.role(ctx, chatID, shequn.QQUser(p.QQ.Self())); err == nil && self != "owner" {
		return ErrOwnerOnly // the owner made them one after all, or the account lost the group
	}
	return p.act(ctx, chatID, "set_group_admin", map[string]any{"user_id": shequn.QQNumber(userID), "enable": false})
}

// Restrict bans the member (禁言) until the time, read on the injected
// clock; QQ keeps at most 30 days, so a longer mute is refused.
func (p ModerationPlatform) Restrict(ctx context.Context, chatID, userID int64, until time.Time) error {
	d := until.Sub(p.QQ.Now())
	if d > MaxBan {
		return fmt.Errorf("QQ bans last at most %v, not %v: %w", MaxBan, d, moderation.ErrDuration)
	}
	if d <= 0 {
		return nil // over already
	}
	if _, _, err := p.editable(ctx, chatID, userID); err != nil {
		return gone(err)
	}
	secs := int64(math.Ceil(d.Seconds()))
	return p.act(ctx, chatID, "set_group_ban", map[string]any{"user_id": shequn.QQNumber(userID), "duration": secs})
}

// Unrestrict lifts the member's ban (duration 0); the whole-group ban
// (全员禁言) is the group's own and stays.
func (p ModerationPlatform) Unrestrict(ctx context.Context, chatID, userID int64) error {
	if _, _, err := p.editable(ctx, chatID, userID); err != nil {
		return gone(err)
	}
	return p.act(ctx, chatID, "set_group_ban", map[string]any{"user_id": shequn.QQNumber(userID), "duration": 0})
}

// Remove kicks the member; block also rejects their later join requests
// (reject_add_request), else they may ask again with their code.
func (p ModerationPlatform) Remove(ctx context.Context, chatID, userID int64, block bool) error {
	if _, _, err := p.editable(ctx, chatID, userID); err != nil {
		return gone(err)
	}
	return p.act(ctx, chatID, "set_group_kick", map[string]any{"user_id": shequn.QQNumber(userID), "reject_add_request": block})
}

// gone lets an act on someone no longer in the group succeed, as on
// Telegram: there is nobody to mute or remove.
func gone(err error) error {
	if errors.Is(err, errGone) {
		return nil
	}
	return err
}

// ModerationPlatforms puts QQ beside Telegram for the moderation package:
// each call goes to the platform of its chat's id range.
type ModerationPlatforms struct {
	Telegram moderation.Platform
	QQ       ModerationPlatform
}

var _ moderation.Platform = ModerationPlatforms{}

func (p ModerationPlatforms) of(chatID int64) moderation.Platform {
	if shequn.IsQQ(chatID) {
		return p.QQ
	}
	return p.Telegram
}

func (p ModerationPlatforms) Promote(ctx context.Context, chatID, userID int64, title string) error {
	return p.of(chatID).Promote(ctx, chatID, userID, title)
}

func (p ModerationPlatforms) Demote(ctx context.Context, chatID, userID int64) error {
	return p.of(chatID).Demote(ctx, chatID, userID)
}

func (p ModerationPlatforms) Restrict(ctx context.Context, chatID, userID int64, until time.Time) error {
	return p.of(chatID).Restrict(ctx, chatID, userID, until)
}

func (p ModerationPlatforms) Unrestrict(ctx context.Context, chatID, userID int64) error {
	return p.of(chatID).Unrestrict(ctx, chatID, userID)
}

func (p ModerationPlatforms) Remove(ctx context.Context, chatID, userID int64, block bool) error {
	return p.of(chatID).Remove(ctx, chatID, userID, block)
}
