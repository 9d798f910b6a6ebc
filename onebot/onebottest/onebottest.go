// Package onebottest is a faithful fake OneBot v11 implementation for the
// tests and the demo: one QQ account with groups, members and their cards,
// whole-group mute, join requests with their 验证信息, private and group
// messages. It reaches shequn the way NapCat or Lagrange.OneBot do: as a
// reverse WebSocket (Universal) client, or by posting signed events over
// HTTP while serving the HTTP API. It keeps the configured send limits and
// records every message that broke them (a burst QQ's risk control would
// punish), refusing them as QQ's risk control would.
package onebottest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/shequn/shequn/onebot"
)

// Rate is at most Count messages in any span of Per.
type Rate struct {
	Count int
	Per   time.Duration
}

// Limits are the rates the fake checks sends against; a zero Rate is not
// checked.
type Limits struct {
	Group, Private, Global Rate
}

// Sent is one message the bot sent.
type Sent struct {
	GroupID int64 // 0 for a private message
	UserID  int64 // the receiver of a private message
	Message onebot.Message
	Text    string // the text segments joined
	At      time.Time
	ID      int64
}

// Member is someone in a group.
type Member struct {
	UserID   int64
	Nickname string
	Card     string
	Role     string // owner, admin, member
	Title    string // the special title (专属头衔) the owner gave
	// BannedUntil is the end of the member's own ban (禁言); the
	// whole-group ban is the group's WholeBan, apart from it.
	BannedUntil time.Time
}

// Group is a QQ group the account is in.
type Group struct {
	ID       int64
	Name     string
	WholeBan bool
	Members  map[int64]*Member
	Blocked  map[int64]bool // kicked with reject_add_request
}

// JoinRequest is a request to join a group, with what was done with it.
type JoinRequest struct {
	Flag              string
	GroupID, UserID   int64
	Nickname, Comment string
	Handled, Approved bool
	Reason            string // why it was refused
}

// Server is the fake implementation.
type Server struct {
	SelfID int64
	Limits Limits
	Now    func() time.Time // the clock the limits are read on; time.Now when nil
	// Opaque makes every refusal say only "操作失败" with retcode 200, as
	// NapCat often does: shequn must not depend on the words.
	Opaque bool

	mu         sync.Mutex
	groups     map[int64]*Group
	requests   map[string]*JoinRequest
	nicks      map[int64]string
	sent       []Sent
	bursts     []Sent
	strings    int // messages sent in the string (CQ code) format
	essence    []int64
	nextMsg    int64
	nextFlag   int
	emit       func(ctx context.Context, e onebot.Event) error
	emitted    int64 // events sent to shequn
	listeners  []func(onebot.Event)
	actions    []func(action string, groupID, userID int64)
	friends    map[int64]bool
	gone       map[int64]bool      // deleted the account: private messages refused
	friendReqs map[string]int64    // flag -> user
	said       map[int64]*said     // messages by id, for get_msg and delete_msg
	failing    map[string][]answer // action -> the failures its next calls answer (fail.go)
	// wholeBanRefuses: members of a whole-banned group cannot speak.
	wholeBanRefuses bool
}

// OnAction registers f to see every action that succeeded, after it did.
func (s *Server) OnAction(f func(action string, groupID, userID int64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actions = append(s.actions, f)
}

// New makes a fake account with QQ number self.
func New(self int64) *Server {
	return &Server{SelfID: self, groups: map[int64]*Group{}, requests: map[string]*JoinRequest{}, nicks: map[int64]string{}, nextMsg: 1000,
		friends: map[int64]bool{}, friendReqs: map[string]int64{}}
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// AddGroup creates a group with the account in it as role (owner, admin
// or member).
func (s *Server) AddGroup(id int64, name, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = &Group{ID: id, Name: name, Members: map[int64]*Member{s.SelfID: {UserID: s.SelfID, Nickname: "shequn", Role: role}}, Blocked: map[int64]bool{}}
}

// AddMember puts someone in a group without a request (staff added by hand).
func (s *Server) AddMember(groupID, userID int64, nickname, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nicks[userID] = nickname
	if g := s.groups[groupID]; g != nil {
		g.Members[userID] = &Member{UserID: userID, Nickname: nickname, Role: role}
	}
}

// Group returns a copy of a group's state.
func (s *Server) Group(id int64) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	if !ok {
		return Group{}, false
	}
	c := *g
	c.Members = map[int64]*Member{}
	c.Blocked = maps.Clone(g.Blocked)
	for k, m := range g.Members {
		mm := *m
		c.Members[k] = &mm
	}
	return c, true
}

// Member returns a member of a group.
func (s *Server) Member(groupID, userID int64) (Member, bool) {
	g, ok := s.Group(groupID)
	if !ok || g.Members[userID] == nil {
		return Member{}, false
	}
	return *g.Members[userID], true
}

// Request returns a join request by its flag.
func (s *Server) Request(flag string) JoinRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.requests[flag]; r != nil {
		return *r
	}
	return JoinRequest{}
}

// Sent returns the messages sent so far, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTo returns the texts sent to a user (private) or a group.
func (s *Server) SentTo(userID, groupID int64) []string {
	var out []string
	for _, m := range s.Sent() {
		if (groupID != 0 && m.GroupID == groupID) || (groupID == 0 && m.GroupID == 0 && m.UserID == userID) {
			out = append(out, m.Text)
		}
	}
	return out
}

// Bursts returns the messages refused for breaking a configured limit.
func (s *Server) Bursts() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.bursts)
}

// StringMessages counts messages sent in the string format, where CQ
// codes are parsed: shequn must send none.
func (s *Server) StringMessages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.strings
}

// Essence lists the message ids set as essence (QQ's pinned messages).
func (s *Server) Essence() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.essence)
}

// OnEvent registers f to see every event the fake emits.
func (s *Server) OnEvent(f func(onebot.Event)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listeners = append(s.listeners, f)
}

// Emit sends an event to shequn over the connected transport.
func (s *Server) Emit(ctx context.Context, e onebot.Event) error {
	s.mu.Lock()
	emit, ls := s.emit, slices.Clone(s.listeners)
	s.mu.Unlock()
	if e.Time == 0 {
		e.Time = s.now().Unix()
	}
	e.SelfID = s.SelfID
	for _, f := range ls {
		f(e)
	}
	if emit == nil {
		return fmt.Errorf("onebottest: not connected to shequn")
	}
	if err := emit(ctx, e); err != nil {
		return err
	}
	s.mu.Lock()
	s.emitted++
	s.mu.Unlock()
	return nil
}

// Emitted counts the events sent to shequn.
func (s *Server) Emitted() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emitted
}

// PrivateMessage is a user writing to the account.
func (s *Server) PrivateMessage(ctx context.Context, userID int64, nickname string, msg ...onebot.Segment) error {
	s.mu.Lock()
	s.nicks[userID] = nickname
	s.nextMsg++
	id := s.nextMsg
	s.remember(id, said{userID: userID, nickname: nickname, message: msg, at: s.now()})
	s.mu.Unlock()
	return s.Emit(ctx, onebot.Event{PostType: "message", MessageType: "private", SubType: "friend", MessageID: id,
		UserID: userID, Message: msg, Sender: &onebot.Author{UserID: userID, Nickname: nickname}})
}

// GroupMessage is a member speaking in a group, with their card as it is
// (see Speak).
func (s *Server) GroupMessage(ctx context.Context, groupID, userID int64, msg ...onebot.Segment) error {
	_, err := s.Speak(ctx, groupID, userID, msg...)
	return err
}

// AskToJoin is a user asking to join a group with a 验证信息; it returns
// the request's flag.
func (s *Server) AskToJoin(ctx context.Context, groupID, userID int64, nickname, comment string) (string, error) {
	s.mu.Lock()
	if g := s.groups[groupID]; g != nil && g.Blocked[userID] {
		s.mu.Unlock()
		return "", ErrBlocked
	}
	s.nextFlag++
	flag := "flag-" + strconv.Itoa(s.nextFlag)
	s.requests[flag] = &JoinRequest{Flag: flag, GroupID: groupID, UserID: userID, Nickname: nickname, Comment: comment}
	s.nicks[userID] = nickname
	s.mu.Unlock()
	return flag, s.Emit(ctx, onebot.Event{PostType: "request", RequestType: "group", SubType: "add",
		GroupID: groupID, UserID: userID, Comment: comment, Flag: flag})
}

// SetCard is a member changing their own card, as the app does it.
func (s *Server) SetCard(ctx context.Context, groupID, userID int64, card string) error {
	s.mu.Lock()
	var old string
	if g := s.groups[groupID]; g != nil && g.Members[userID] != nil {
		old = g.Members[userID].Card
		g.Members[userID].Card = card
	}
	s.mu.Unlock()
	return s.Emit(ctx, onebot.Event{PostType: "notice", NoticeType: "group_card", GroupID: groupID, UserID: userID, CardNew: card, CardOld: old})
}

// Leave is a member leaving a group on their own.
func (s *Server) Leave(ctx context.Context, groupID, userID int64) error {
	s.mu.Lock()
	if g := s.groups[groupID]; g != nil {
		delete(g.Members, userID)
	}
	s.mu.Unlock()
	return s.Emit(ctx, onebot.Event{PostType: "notice", NoticeType: "group_decrease", SubType: "leave", GroupID: groupID, UserID: userID, OperatorID: userID})
}

// decode reads an action's params.
func decode(params json.RawMessage, into any) error {
	if len(params) == 0 {
		return nil
	}
	return json.Unmarshal(params, into)
}

// Rename changes a member's card without a notice, as implementations
// that do not report group_card do: shequn sees it when the member speaks.
func (s *Server) Rename(groupID, userID int64, card string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.groups[groupID]; g != nil && g.Members[userID] != nil {
		g.Members[userID].Card = card
	}
}

// KickBot is a group's owner removing the account from the group.
func (s *Server) KickBot(ctx context.Context, groupID, by int64) error {
	s.mu.Lock()
	if g := s.groups[groupID]; g != nil {
		delete(g.Members, s.SelfID)
	}
	s.mu.Unlock()
	return s.Emit(ctx, onebot.Event{PostType: "notice", NoticeType: "group_decrease", SubType: "kick_me", GroupID: groupID, UserID: s.SelfID, OperatorID: by})
}

// SetAdmin is the group's owner making a member an administrator, or no
// longer one.
func (s *Server) SetAdmin(ctx context.Context, groupID, userID int64, admin bool) error {
	sub, role := "unset", "member"
	if admin {
		sub, role = "set", "admin"
	}
	s.mu.Lock()
	if g := s.groups[groupID]; g != nil && g.Members[userID] != nil {
		g.Members[userID].Role = role
	}
	s.mu.Unlock()
	return s.Emit(ctx, onebot.Event{PostType: "notice", NoticeType: "group_admin", SubType: sub, GroupID: groupID, UserID: userID})
}

// AddFriend is a user asking the account to be friends; Friends tells
// whether they are.
func (s *Server) AddFriend(ctx context.Context, userID int64, comment string) error {
	s.mu.Lock()
	s.nextFlag++
	flag := "friend-" + strconv.Itoa(s.nextFlag)
	s.friendReqs[flag] = userID
	s.mu.Unlock()
	return s.Emit(ctx, onebot.Event{PostType: "request", RequestType: "friend", UserID: userID, Comment: comment, Flag: flag})
}

// Friends reports whether the user is the account's friend.
func (s *Server) Friends(userID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.friends[userID]
}
