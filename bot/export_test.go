package bot

// Waiting reports how many calls wait for a slot of the global limit, and
// how many for the turn of chatID, so tests know the sender's queues are
// full before they move the clock.
func (s *Sender) Waiting(chatID int64) (slots, turn int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.global.queues {
		slots += len(q)
	}
	if c, ok := s.chats[chatID]; ok {
		turn = len(c.queue)
	}
	return slots, turn
}

// Chats returns how many chats the sender keeps state for.
func (s *Sender) Chats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.chats)
}
