package onebottest

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/shequn/shequn/onebot"
)

// essenceAction runs the essence messages (精华消息, QQ's pins; NapCat's
// and go-cqhttp's set_essence_msg and delete_essence_msg) and the friend
// list (get_friend_list, OneBot v11). Essence is an administrator's act
// on a group message the account knows. ok false: not one of them.
func (s *Server) essenceAction(action string, p params) (answer, bool) {
	switch action {
	case "set_essence_msg", "delete_essence_msg":
		m := s.said[int64(p.MsgID)]
		if m == nil || m.deleted || m.groupID == 0 {
			return failed(onebot.RetBadParams, "MSG_NOT_FOUND"), true
		}
		return s.admin(m.groupID, func(*Group) answer {
			at := slices.Index(s.essence, int64(p.MsgID))
			switch {
			case action == "set_essence_msg" && at < 0:
				s.essence = append(s.essence, int64(p.MsgID))
			case action == "delete_essence_msg" && at < 0:
				return failed(onebot.RetFailed, "NOT_ESSENCE: the message is not an essence message")
			case action == "delete_essence_msg":
				s.essence = slices.Delete(s.essence, at, at+1)
			}
			return answer{}
		}), true
	case "get_friend_list":
		var users []int64
		for u, ok := range s.friends {
			if ok {
				users = append(users, u)
			}
		}
		slices.Sort(users)
		list := []map[string]any{}
		for _, u := range users {
			list = append(list, map[string]any{"user_id": u, "nickname": s.nicks[u], "remark": ""})
		}
		return answer{data: list}, true
	}
	return answer{}, false
}

// badMedia says what is wrong with a message's pictures and files, as
// QQ refuses them: a picture or a file needs its file (a URL, a path or
// base64:// data that decodes), and a file (NapCat's upload by
// message) goes alone. "" when nothing is.
func badMedia(msg onebot.Message) string {
	for _, seg := range msg {
		if seg.Type != "image" && seg.Type != "file" {
			continue
		}
		f := seg.Str("file")
		if f == "" {
			return seg.Type + " without file"
		}
		if data, ok := strings.CutPrefix(f, "base64://"); ok {
			if _, err := base64.StdEncoding.DecodeString(data); err != nil || data == "" {
				return seg.Type + ": bad base64"
			}
		}
		if seg.Type == "file" && len(msg) > 1 {
			return "a file is sent as a message of its own"
		}
	}
	return ""
}

// Unfriend is a user deleting the account from their friends: QQ
// refuses private messages to them from then on.
func (s *Server) Unfriend(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.friends[userID] = false
	if s.gone == nil {
		s.gone = map[int64]bool{}
	}
	s.gone[userID] = true
}
