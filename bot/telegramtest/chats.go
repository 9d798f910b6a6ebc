package telegramtest

import "fmt"

// userState is a user known to the server.
type userState struct {
	user    User
	started bool // the user has opened a private chat with the bot
	blocked bool // the user has blocked the bot
}

// member is the state of one user in one supergroup.
type member struct {
	status   string // creator, administrator, member, restricted, left, kicked
	rights   AdminRights
	perms    ChatPermissions // restricted only
	isMember bool            // restricted only
	until    int64           // restricted and kicked; unix time, 0 = forever
	// promotedBy is who made an administrator one (see admins.go): only
	// they (and the creator) may edit its rights and custom title.
	promotedBy int64
	title      string // an administrator's custom title
}

// in reports whether the member currently belongs to the chat.
func (m *member) in() bool {
	switch m.status {
	case "creator", "administrator", "member":
		return true
	case "restricted":
		return m.isMember
	}
	return false
}

// chat is a private chat with a user or a supergroup.
type chat struct {
	id       int64
	kind     string // "private" or "supergroup"
	title    string
	perms    ChatPermissions
	members  map[int64]*member
	order    []int64 // user ids in order of first appearance
	messages []*message
	byID     map[int]*message
	nextMsg  int
	links    []*inviteLink
	requests []*joinRequest
}

func (c *chat) isGroup() bool { return c.kind == "supergroup" }

// AddUser registers a user (or updates the profile of a known one). Users
// start without having opened a private chat with the bot.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addUserLocked(u)
}

func (s *Server) addUserLocked(u User) *userState {
	if st := s.users[u.ID]; st != nil {
		st.user = u
		return st
	}
	if u.FirstName == "" {
		u.FirstName = fmt.Sprintf("User %d", u.ID)
	}
	st := &userState{user: u}
	s.users[u.ID] = st
	return st
}

// user returns the User with the id (the bot included); unknown ids give a
// placeholder.
func (s *Server) user(id int64) User {
	if id == s.bot.ID {
		return s.bot
	}
	if st := s.users[id]; st != nil {
		return st.user
	}
	return User{ID: id, FirstName: fmt.Sprintf("User %d", id)}
}

func (s *Server) userPtr(id int64) *User {
	u := s.user(id)
	return &u
}

// CreateSupergroup creates a supergroup owned by creatorID (registered as a
// user if unknown) with every default permission granted, and returns its id
// (-1001000000001, -1001000000002, …). The bot is not a member.
func (s *Server) CreateSupergroup(title string, creatorID int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[creatorID] == nil {
		s.addUserLocked(User{ID: creatorID})
	}
	s.groupSeq++
	id := -(1001000000000 + s.groupSeq)
	c := &chat{id: id, kind: "supergroup", title: title, perms: AllPermissions(),
		members: map[int64]*member{}, byID: map[int]*message{}}
	s.chats[id] = c
	c.members[creatorID] = &member{status: "creator"}
	c.order = append(c.order, creatorID)
	return id
}

// privateChat returns the private chat with a user, creating it.
func (s *Server) privateChat(userID int64) *chat {
	c := s.chats[userID]
	if c == nil {
		c = &chat{id: userID, kind: "private", members: map[int64]*member{}, byID: map[int]*message{}}
		s.chats[userID] = c
	}
	return c
}

// group returns the supergroup with the id or an error.
func (s *Server) group(chatID int64) (*chat, error) {
	c := s.chats[chatID]
	if c == nil || !c.isGroup() {
		return nil, fmt.Errorf("%w %d", ErrUnknownChat, chatID)
	}
	return c, nil
}

// creator returns the creator of a supergroup.
func (c *chat) creator() int64 {
	for _, id := range c.order {
		if c.members[id].status == "creator" {
			return id
		}
	}
	return 0
}

// memberOf returns the state of a user in a chat, applying expired
// restrictions and bans. Users without a record are "left".
func (s *Server) memberOf(c *chat, userID int64) *member {
	m := c.members[userID]
	if m == nil {
		return &member{status: "left"}
	}
	if m.until != 0 && m.until <= s.now().Unix() {
		switch m.status {
		case "restricted":
			if m.isMember {
				*m = member{status: "member"}
			} else {
				*m = member{status: "left"}
			}
		case "kicked":
			*m = member{status: "left"}
		}
	}
	return m
}

// setMember changes the state of a user in a supergroup and queues the
// chat_member (or, for the bot, my_chat_member) update.
func (s *Server) setMember(c *chat, userID int64, m member, actor int64, link *inviteLink, viaRequest bool) {
	old := *s.memberOf(c, userID)
	if _, ok := c.members[userID]; !ok {
		c.order = append(c.order, userID)
	}
	nm := m
	c.members[userID] = &nm
	upd := map[string]any{
		"chat":            s.wireChat(c),
		"from":            s.user(actor),
		"date":            s.now().Unix(),
		"old_chat_member": s.memberJSON(c, userID, &old),
		"new_chat_member": s.memberJSON(c, userID, &nm),
	}
	if link != nil {
		upd["invite_link"] = s.wireLink(link)
	}
	if viaRequest {
		upd["via_join_request"] = true
	}
	if userID == s.bot.ID {
		s.enqueue("my_chat_member", upd)
		return
	}
	if s.memberOf(c, s.bot.ID).status == "administrator" {
		s.enqueue("chat_member", upd)
	}
}

// effectivePerms returns what a member may do in a supergroup.
func (s *Server) effectivePerms(c *chat, m *member) ChatPermissions {
	switch m.status {
	case "creator", "administrator":
		return AllPermissions()
	case "member":
		return c.perms
	case "restricted":
		if m.isMember {
			return m.perms.and(c.perms)
		}
	}
	return ChatPermissions{}
}

// AddBotAdmin makes the bot an administrator of the supergroup with the given
// rights (added by the chat's creator) and queues a my_chat_member update.
func (s *Server) AddBotAdmin(chatID int64, rights AdminRights) error {
	return s.setBotStatus(chatID, member{status: "administrator", rights: rights})
}

// SetBotRights changes the bot's administrator rights in the supergroup
// (making it an administrator if needed) and queues a my_chat_member update.
func (s *Server) SetBotRights(chatID int64, rights AdminRights) error {
	return s.setBotStatus(chatID, member{status: "administrator", rights: rights})
}

// AddBotMember adds the bot to the supergroup as a plain member (or demotes
// it to one) and queues a my_chat_member update.
func (s *Server) AddBotMember(chatID int64) error {
	return s.setBotStatus(chatID, member{status: "member"})
}

// RemoveBot removes the bot from the supergroup, as an administrator kicking
// it would (status "kicked" when banned, else "left").
func (s *Server) RemoveBot(chatID int64, banned bool) error {
	st := "left"
	if banned {
		st = "kicked"
	}
	return s.setBotStatus(chatID, member{status: st})
}

func (s *Server) setBotStatus(chatID int64, m member) error {
	s.mu.Lock()
	defer s.unlock()
	c, err := s.group(chatID)
	if err != nil {
		return err
	}
	wasIn := s.memberOf(c, s.bot.ID).in()
	actor := c.creator()
	s.setMember(c, s.bot.ID, m, actor, nil, false)
	switch {
	case !wasIn && m.in():
		s.addService(c, actor, func(msg *message) { msg.newMembers = []int64{s.bot.ID} })
		s.emit("bot_added", chatID, actor, m.status)
	case wasIn && !m.in():
		s.addService(c, actor, func(msg *message) { msg.leftMember = s.bot.ID })
		s.emit("bot_removed", chatID, actor, m.status)
	}
	return nil
}

// AddMember adds a user to the supergroup directly (as if the creator added
// them), lifting a ban. It queues a chat_member update (when the bot is an
// administrator and allowed updates include it) and a new_chat_members
// service message.
func (s *Server) AddMember(chatID, userID int64) error {
	s.mu.Lock()
	defer s.unlock()
	c, err := s.group(chatID)
	if err != nil {
		return err
	}
	if s.users[userID] == nil {
		return fmt.Errorf("%w %d", ErrUnknownUser, userID)
	}
	if s.memberOf(c, userID).in() {
		return fmt.Errorf("%w: user %d in chat %d", ErrAlreadyMember, userID, chatID)
	}
	actor := c.creator()
	s.join(c, userID, actor, nil, false)
	return nil
}

// join makes a user a member of a supergroup and posts the service message.
func (s *Server) join(c *chat, userID, actor int64, link *inviteLink, viaRequest bool) {
	old := s.memberOf(c, userID)
	m := member{status: "member"}
	if old.status == "restricted" {
		m = *old
		m.isMember = true
	}
	s.removeRequest(c, userID)
	s.setMember(c, userID, m, actor, link, viaRequest)
	s.addService(c, userID, func(msg *message) { msg.newMembers = []int64{userID} })
	s.emit("join", c.id, userID, s.user(userID).FirstName)
}

// Leave makes a user leave the supergroup.
func (s *Server) Leave(userID, chatID int64) error {
	s.mu.Lock()
	defer s.unlock()
	c, err := s.group(chatID)
	if err != nil {
		return err
	}
	m := s.memberOf(c, userID)
	if !m.in() {
		return fmt.Errorf("%w: user %d in chat %d", ErrNotMember, userID, chatID)
	}
	nm := member{status: "left"}
	if m.status == "restricted" {
		nm = *m
		nm.isMember = false
	}
	s.setMember(c, userID, nm, userID, nil, false)
	s.addService(c, userID, func(msg *message) { msg.leftMember = userID })
	s.emit("leave", chatID, userID, s.user(userID).FirstName)
	return nil
}

// BlockBot makes a user block the bot: later messages to that user get 403
// "Forbidden: bot was blocked by the user". A my_chat_member update is queued.
func (s *Server) BlockBot(userID int64) error {
	return s.setBlocked(userID, true)
}

// UnblockBot makes a user unblock (restart) the bot. Sending a private message
// with SendText unblocks the bot as well.
func (s *Server) UnblockBot(userID int64) error {
	return s.setBlocked(userID, false)
}

func (s *Server) setBlocked(userID int64, blocked bool) error {
	s.mu.Lock()
	defer s.unlock()
	st := s.users[userID]
	if st == nil {
		return fmt.Errorf("%w %d", ErrUnknownUser, userID)
	}
	s.setBlockedLocked(st, blocked)
	return nil
}

func (s *Server) setBlockedLocked(st *userState, blocked bool) {
	if st.blocked == blocked {
		return
	}
	st.blocked = blocked
	oldSt, newSt, kind := "member", "kicked", "block"
	if !blocked {
		oldSt, newSt, kind = "kicked", "member", "unblock"
	}
	if st.started {
		c := s.privateChat(st.user.ID)
		s.enqueue("my_chat_member", map[string]any{
			"chat":            s.wireChat(c),
			"from":            st.user,
			"date":            s.now().Unix(),
			"old_chat_member": map[string]any{"user": s.bot, "status": oldSt},
			"new_chat_member": map[string]any{"user": s.bot, "status": newSt},
		})
	}
	s.emit(kind, st.user.ID, st.user.ID, "")
}

// SetPermissions sets the supergroup's default member permissions, as an
// administrator does in the app (no update is sent for it).
func (s *Server) SetPermissions(chatID int64, perms ChatPermissions) error {
	s.mu.Lock()
	defer s.unlock()
	c, err := s.group(chatID)
	if err != nil {
		return err
	}
	c.perms = perms
	return nil
}
