package shequn

import (
	"fmt"
	"strconv"
	"strings"
)

// Users and chats of every platform share the domain's int64 ids. QQ's
// numbers are moved into a range of their own so they never collide with
// Telegram's: Telegram user ids stay below 2^52 and its group chats are
// negative, so a QQ user n is 2^53+n and a QQ group g is -(2^53+g). QQ
// numbers are below 2^40, far from the next range.
const qqBase = int64(1) << 53

// qqSpan bounds QQ numbers: anything larger is not a QQ number.
const qqSpan = int64(1) << 52

// QQUser is the domain id of the QQ user with number n.
func QQUser(n int64) int64 { return qqBase + n }

// QQGroup is the domain id of the QQ group with number g.
func QQGroup(g int64) int64 { return -(qqBase + g) }

// IsQQ reports whether a user or chat id is a QQ one.
func IsQQ(id int64) bool {
	if id < 0 {
		id = -id
	}
	return id >= qqBase && id < qqBase+qqSpan
}

// QQNumber is the QQ number (user or group) behind a QQ id; 0 for others.
func QQNumber(id int64) int64 {
	if !IsQQ(id) {
		return 0
	}
	if id < 0 {
		id = -id
	}
	return id - qqBase
}

// ParseUserRef reads a user as written by people and by Stripe's
// client_reference_id: "12345" is a Telegram user, "qq:12345" a QQ user.
func ParseUserRef(s string) (int64, error) {
	s = strings.TrimSpace(s)
	num, qq := strings.CutPrefix(strings.ToLower(s), "qq:")
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	switch {
	case err != nil || n <= 0:
		return 0, fmt.Errorf("%q is not a Telegram user id or qq:<QQ number>", s)
	case qq && n >= qqSpan:
		return 0, fmt.Errorf("%q is not a QQ number", s)
	case qq:
		return QQUser(n), nil
	case n >= qqBase:
		return 0, fmt.Errorf("%q is not a Telegram user id", s)
	}
	return n, nil
}

// UserRef writes a user id the way ParseUserRef reads it.
func UserRef(id int64) string {
	if IsQQ(id) {
		return "qq:" + strconv.FormatInt(QQNumber(id), 10)
	}
	return strconv.FormatInt(id, 10)
}
