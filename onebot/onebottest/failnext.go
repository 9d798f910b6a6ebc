package onebottest

import (
	"context"

	"github.com/shequn/shequn/onebot"
)

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
