package onebottest

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/shequn/shequn/onebot"
)

// MaxBan is the longest ban QQ keeps (30 days).
const MaxBan = 30 * 24 * time.Hour

// ErrBanned is a banned member's message refused by QQ: it never reaches
// the group or the bot.
var ErrBanned = errors.New("onebottest: the member is banned (禁言) in the group")

// ErrBlocked is a join request of someone kicked with
// reject_add_request: QQ does not let them ask again.
var ErrBlocked = errors.New("onebottest: the user is blocked from the group")

// said is a message of the group or a private chat, for get_msg and
// delete_msg.
type said struct {
	groupID, userID int64
	nickname, role  string
	message         onebot.Message
	at              time.Time
	deleted         bool
}

// memberAction runs the actions on members that OneBot v11 documents
// (public.md) as QQ keeps them: only the owner sets administrators and
// titles; an administrator bans and kicks members only, the owner also
// administrators; nobody acts on the owner. ok false: not one of them.
func (s *Server) memberAction(action string, p params) (answer, bool) {
	switch action {
	case "set_group_admin":
		return s.owned(int64(p.GroupID), int64(p.UserID), func(g *Group, m *Member) answer {
			if m.Role == "owner" {
				return failed(onebot.RetFailed, "NO_PERMISSION")
			}
			m.Role = "member"
			if p.Enable == nil || *p.Enable {
				m.Role = "admin"
			}
			return answer{}
		}), true
	case "set_group_special_title":
		return s.owned(int64(p.GroupID), int64(p.UserID), func(g *Group, m *Member) answer {
			m.Title = p.Title
			return answer{}
		}), true
	case "set_group_ban":
		return s.underneath(int64(p.GroupID), int64(p.UserID), func(g *Group, m *Member) answer {
			d := time.Duration(p.Duration) * time.Second
			switch {
			case p.Duration < 0 || d > MaxBan:
				return failed(onebot.RetBadParams, "duration out of range")
			case d == 0:
				m.BannedUntil = time.Time{}
			default:
				m.BannedUntil = s.now().Add(d)
			}
			return answer{}
		}), true
	case "set_group_kick":
		return s.underneath(int64(p.GroupID), int64(p.UserID), func(g *Group, m *Member) answer {
			delete(g.Members, m.UserID)
			if p.Reject {
				g.Blocked[m.UserID] = true
			}
			return answer{after: []onebot.Event{{PostType: "notice", NoticeType: "group_decrease", SubType: "kick",
				GroupID: g.ID, UserID: m.UserID, OperatorID: s.SelfID}}}
		}), true
	case "delete_msg":
		return s.recall(int64(p.MsgID)), true
	case "get_msg":
		m := s.said[int64(p.MsgID)]
		if m == nil || m.deleted {
			return failed(onebot.RetBadParams, "MSG_NOT_FOUND"), true
		}
		typ := "private"
		if m.groupID != 0 {
			typ = "group"
		}
		return answer{data: map[string]any{"time": m.at.Unix(), "message_type": typ, "message_id": int64(p.MsgID), "real_id": int64(p.MsgID),
			"group_id": m.groupID, "sender": map[string]any{"user_id": m.userID, "nickname": m.nickname, "role": m.role}, "message": m.message}}, true
	}
	return answer{}, false
}

// owned runs f on a member when the account owns the group.
func (s *Server) owned(groupID, userID int64, f func(*Group, *Member) answer) answer {
	return s.admin(groupID, func(g *Group) answer {
		if g.Members[s.SelfID].Role != "owner" {
			return failed(onebot.RetFailed, "NO_PERMISSION: only the group owner may do this")
		}
		m := g.Members[userID]
		if m == nil {
			return failed(onebot.RetBadParams, "MEMBER_NOT_FOUND")
		}
		return f(g, m)
	})
}

// underneath runs f on a member the account stands above: any member for the
// owner but itself, members only for an administrator.
func (s *Server) underneath(groupID, userID int64, f func(*Group, *Member) answer) answer {
	return s.admin(groupID, func(g *Group) answer {
		m := g.Members[userID]
		if m == nil {
			return failed(onebot.RetBadParams, "MEMBER_NOT_FOUND")
		}
		if !s.above(g, m) {
			return failed(onebot.RetFailed, "NO_PERMISSION")
		}
		return f(g, m)
	})
}

func (s *Server) above(g *Group, m *Member) bool {
	me := g.Members[s.SelfID]
	return m.UserID != s.SelfID && (m.Role == "member" || (m.Role == "admin" && me.Role == "owner"))
}

// recall deletes a message: the account's own, or in a group where it
// stands above the author.
func (s *Server) recall(id int64) answer {
	m := s.said[id]
	if m == nil || m.deleted {
		return failed(onebot.RetBadParams, "MSG_NOT_FOUND")
	}
	if m.userID == s.SelfID {
		m.deleted = true
		return answer{}
	}
	if m.groupID == 0 {
		return failed(onebot.RetFailed, "NO_PERMISSION")
	}
	return s.underneath(m.groupID, m.userID, func(*Group, *Member) answer {
		m.deleted = true
		return answer{}
	})
}

// remember keeps a message for get_msg; the caller holds s.mu.
func (s *Server) remember(id int64, m said) {
	if s.said == nil {
		s.said = map[int64]*said{}
	}
	s.said[id] = &m
}

// Deleted reports whether a message was deleted (recalled).
func (s *Server) Deleted(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.said[id]
	return m != nil && m.deleted
}

// Speak is a member speaking in a group, with their card as it is; it
// returns the message's id. A banned member is refused (ErrBanned), as QQ
// refuses them; so is a member of a whole-banned group once
// RefuseInMutedGroups is set.
func (s *Server) Speak(ctx context.Context, groupID, userID int64, msg ...onebot.Segment) (int64, error) {
	m, _ := s.Member(groupID, userID)
	if m.BannedUntil.After(s.now()) || s.muted(groupID, m.Role) {
		return 0, ErrBanned
	}
	role := m.Role
	if role == "" {
		role = "member"
	}
	s.mu.Lock()
	s.nextMsg++
	id := s.nextMsg
	s.remember(id, said{groupID: groupID, userID: userID, nickname: m.Nickname, role: role, message: msg, at: s.now()})
	s.mu.Unlock()
	return id, s.Emit(ctx, onebot.Event{PostType: "message", MessageType: "group", SubType: "normal", MessageID: id,
		UserID: userID, GroupID: groupID, Message: msg,
		Sender: &onebot.Author{UserID: userID, Nickname: m.Nickname, Card: m.Card, Role: role}})
}

// ReplyTo is the reply segment QQ puts before a reply's text.
func ReplyTo(id int64) onebot.Segment {
	return onebot.Segment{Type: "reply", Data: map[string]any{"id": strconv.FormatInt(id, 10)}}
}

// Invite is a member bringing someone into the group without a join
// request (QQ's 邀请): a way in that skips the bot's gate.
func (s *Server) Invite(ctx context.Context, groupID, userID int64, nickname string, by int64) error {
	s.AddMember(groupID, userID, nickname, "member")
	return s.Emit(ctx, onebot.Event{PostType: "notice", NoticeType: "group_increase", SubType: "invite",
		GroupID: groupID, UserID: userID, OperatorID: by})
}
