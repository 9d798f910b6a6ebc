package onebottest

import (
	"encoding/json"
	"slices"

	"github.com/shequn/shequn/onebot"
)

// answer is an action's result: data, or a failure with its retcode, and
// the events the action causes (a member who joined, one who was kicked).
type answer struct {
	data    any
	retcode int
	msg     string
	after   []onebot.Event
}

func failed(code int, msg string) answer { return answer{retcode: code, msg: msg} }

// RetRiskControl is the fake's answer to a message over the limits (NapCat
// answers a refused send with 1200).
const RetRiskControl = 1200

// params are the action parameters the fake reads; OneBot sends numbers,
// and some clients send them as strings, which encoding/json's ,string
// would refuse, so ids are read loosely.
type params struct {
	UserID   id              `json:"user_id"`
	GroupID  id              `json:"group_id"`
	Message  json.RawMessage `json:"message"`
	Enable   *bool           `json:"enable"`
	Flag     string          `json:"flag"`
	SubType  string          `json:"sub_type"`
	Approve  *bool           `json:"approve"`
	Reason   string          `json:"reason"`
	Card     string          `json:"card"`
	MsgID    id              `json:"message_id"`
	Reject   bool            `json:"reject_add_request"`
	MsgType  string          `json:"message_type"`
	AutoEsc  bool            `json:"auto_escape"`
	NoCache  bool            `json:"no_cache"`
	Duration int64           `json:"duration"`
	Title    string          `json:"special_title"`
}

type id int64

func (i *id) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s json.Number
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		n, err := s.Int64()
		*i = id(n)
		return err
	}
	var n int64
	err := json.Unmarshal(b, &n)
	*i = id(n)
	return err
}

// handle runs one action and tells the action listeners.
func (s *Server) handle(action string, raw json.RawMessage) answer {
	var p params
	if err := decode(raw, &p); err != nil {
		return failed(onebot.RetBadRequest, "bad params: "+err.Error())
	}
	s.mu.Lock()
	a, failing := s.nextFailure(action)
	if !failing {
		a = s.run(action, p)
	}
	ls := slices.Clone(s.actions)
	if s.Opaque && a.retcode != 0 && a.retcode != onebot.RetNoAction {
		a.retcode, a.msg = 200, "操作失败"
	}
	s.mu.Unlock()
	if a.retcode == 0 {
		for _, f := range ls {
			f(action, int64(p.GroupID), int64(p.UserID))
		}
	}
	return a
}

// run runs one action; the caller holds s.mu.
func (s *Server) run(action string, p params) answer {
	if a, ok := s.memberAction(action, p); ok {
		return a
	}
	if a, ok := s.essenceAction(action, p); ok {
		return a
	}
	switch action {
	case "get_login_info":
		return answer{data: map[string]any{"user_id": s.SelfID, "nickname": "shequn"}}
	case "send_private_msg":
		return s.send(0, int64(p.UserID), p.Message)
	case "send_group_msg":
		return s.send(int64(p.GroupID), 0, p.Message)
	case "send_msg":
		if p.MsgType == "group" || (p.MsgType == "" && p.GroupID != 0) {
			return s.send(int64(p.GroupID), 0, p.Message)
		}
		return s.send(0, int64(p.UserID), p.Message)
	case "get_group_info":
		g := s.groups[int64(p.GroupID)]
		if g == nil {
			return failed(onebot.RetBadParams, "GROUP_NOT_FOUND")
		}
		return answer{data: map[string]any{"group_id": g.ID, "group_name": g.Name, "member_count": len(g.Members), "max_member_count": 3000}}
	case "get_group_member_info":
		return s.memberInfo(int64(p.GroupID), int64(p.UserID))
	case "set_group_whole_ban":
		return s.admin(int64(p.GroupID), func(g *Group) answer {
			g.WholeBan = p.Enable == nil || *p.Enable
			return answer{}
		})
	case "set_group_card":
		return s.admin(int64(p.GroupID), func(g *Group) answer {
			m := g.Members[int64(p.UserID)]
			if m == nil {
				return failed(onebot.RetBadParams, "MEMBER_NOT_FOUND")
			}
			m.Card = p.Card
			return answer{}
		})
	case "set_group_add_request":
		return s.addRequest(p)
	case "set_friend_add_request":
		u, ok := s.friendReqs[p.Flag]
		if !ok {
			return failed(onebot.RetBadParams, "REQUEST_NOT_FOUND")
		}
		delete(s.friendReqs, p.Flag)
		s.friends[u] = p.Approve == nil || *p.Approve
		if s.friends[u] {
			delete(s.gone, u) // friends again: private messages reach them
		}
		return answer{}
	}
	return failed(onebot.RetNoAction, "API not found: "+action)
}

// admin runs f on a group where the account is owner or admin.
func (s *Server) admin(groupID int64, f func(*Group) answer) answer {
	g := s.groups[groupID]
	if g == nil {
		return failed(onebot.RetBadParams, "GROUP_NOT_FOUND")
	}
	if me := g.Members[s.SelfID]; me == nil || (me.Role != "owner" && me.Role != "admin") {
		return failed(onebot.RetFailed, "NOT_ADMIN: the account is not an administrator of the group")
	}
	return f(g)
}

func (s *Server) memberInfo(groupID, userID int64) answer {
	g := s.groups[groupID]
	if g == nil {
		return failed(onebot.RetBadParams, "GROUP_NOT_FOUND")
	}
	m := g.Members[userID]
	if m == nil {
		return failed(onebot.RetBadParams, "MEMBER_NOT_FOUND")
	}
	return answer{data: map[string]any{"group_id": groupID, "user_id": userID, "nickname": m.Nickname, "card": m.Card, "role": m.Role}}
}

func (s *Server) addRequest(p params) answer {
	r := s.requests[p.Flag]
	if r == nil || r.Handled {
		return failed(onebot.RetBadParams, "REQUEST_NOT_FOUND: the request is gone or handled")
	}
	return s.admin(r.GroupID, func(g *Group) answer {
		r.Handled = true
		r.Approved = p.Approve == nil || *p.Approve
		if !r.Approved {
			r.Reason = p.Reason
			return answer{}
		}
		g.Members[r.UserID] = &Member{UserID: r.UserID, Nickname: r.Nickname, Role: "member"}
		return answer{after: []onebot.Event{{PostType: "notice", NoticeType: "group_increase", SubType: "approve",
			GroupID: g.ID, UserID: r.UserID, OperatorID: s.SelfID}}}
	})
}

// send records a message, checks the limits and answers its id.
func (s *Server) send(groupID, userID int64, raw json.RawMessage) answer {
	if len(raw) > 0 && raw[0] == '"' {
		s.strings++
	}
	var msg onebot.Message
	if err := json.Unmarshal(raw, &msg); err != nil || len(msg) == 0 {
		return failed(onebot.RetBadParams, "message is empty or not a message")
	}
	if bad := badMedia(msg); bad != "" {
		return failed(onebot.RetBadParams, bad)
	}
	if groupID == 0 && s.gone[userID] {
		return failed(onebot.RetFailed, "SEND_MSG_FAILED: the user is not a friend")
	}
	if groupID != 0 {
		g := s.groups[groupID]
		if g == nil || g.Members[s.SelfID] == nil {
			return failed(onebot.RetBadParams, "GROUP_NOT_FOUND")
		}
	}
	s.nextMsg++
	m := Sent{GroupID: groupID, UserID: userID, Message: msg, Text: msg.PlainText(), At: s.now(), ID: s.nextMsg}
	if s.over(m) {
		// QQ's risk control: the message is not delivered, and an account
		// that keeps bursting is frozen. The fake refuses and records it.
		s.bursts = append(s.bursts, m)
		return failed(RetRiskControl, "send failed: risk control (messages too frequent)")
	}
	s.sent = append(s.sent, m)
	s.remember(m.ID, said{groupID: groupID, userID: s.SelfID, nickname: "shequn", role: "member", message: msg, at: m.At})
	return answer{data: map[string]any{"message_id": m.ID}}
}

// over reports whether m breaks a limit: the messages before it in the
// span of a rate, with it, are more than the rate allows.
func (s *Server) over(m Sent) bool {
	chat := func(o Sent) bool { return o.GroupID == m.GroupID && o.UserID == m.UserID }
	all := func(Sent) bool { return true }
	check := func(r Rate, same func(Sent) bool) bool {
		if r.Count == 0 {
			return false
		}
		n := 1
		for i := len(s.sent) - 1; i >= 0 && m.At.Sub(s.sent[i].At) < r.Per; i-- {
			if same(s.sent[i]) {
				n++
			}
		}
		return n > r.Count
	}
	per := s.Limits.Private
	if m.GroupID != 0 {
		per = s.Limits.Group
	}
	return check(per, chat) || check(s.Limits.Global, all)
}
