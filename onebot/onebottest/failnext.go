package onebottest

import (
	"context"

	"github.com/shequn/shequn/onebot"
)

// failing is an action made to fail a number of times.
type failing struct {
	left    int
	retcode int
	msg     string
}

// FailNext makes the next n calls of the action fail with the retcode and
// message (a process going down, QQ refusing for a while); n 0 clears it.
func (s *Server) FailNext(action string, n, retcode int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing == nil {
		s.failing = map[string]*failing{}
	}
	if n == 0 {
		delete(s.failing, action)
		return
	}
	s.failing[action] = &failing{left: n, retcode: retcode, msg: msg}
}

// failure reports the failure set for the action, counting it; the caller
// holds s.mu.
func (s *Server) failure(action string) (answer, bool) {
	f := s.failing[action]
	if f == nil {
		return answer{}, false
	}
	if f.left--; f.left <= 0 {
		delete(s.failing, action)
	}
	return failed(f.retcode, f.msg), true
}

// SetLimits changes the limits the fake checks sends against while it
// serves (Limits is for before).
func (s *Server) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Limits = l
}

// RefuseInMutedGroups makes a whole-group ban (全员禁言) refuse the
// messages of members who are not administrators, as QQ does; without
// it the fake leaves that to the members' clients.
func (s *Server) RefuseInMutedGroups() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wholeBanRefuses = true
}

// muted reports whether a member of the role cannot speak in the group
// for its whole-group ban.
func (s *Server) muted(groupID int64, role string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupID]
	return s.wholeBanRefuses && g != nil && g.WholeBan && role != "owner" && role != "admin"
}

// SetWholeBan is an administrator turning the whole-group ban (全员禁言)
// on or off in their client; QQ tells the bot with a group_ban notice
// whose user_id is 0.
func (s *Server) SetWholeBan(ctx context.Context, groupID, by int64, on bool) error {
	s.mu.Lock()
	if g := s.groups[groupID]; g != nil {
		g.WholeBan = on
	}
	s.mu.Unlock()
	sub := "lift_ban"
	if on {
		sub = "ban"
	}
	return s.Emit(ctx, onebot.Event{PostType: "notice", NoticeType: "group_ban", SubType: sub, GroupID: groupID, OperatorID: by})
}
