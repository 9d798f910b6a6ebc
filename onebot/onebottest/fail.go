package onebottest

// FailNext makes the next n calls of the action fail with the retcode
// and message, without doing anything, as an implementation does when QQ
// times out (NapCat: retcode 200, "Timeout: NTEvent …") or refuses for a
// moment; the calls after them succeed again. n 0 clears what was set.
func (s *Server) FailNext(action string, n, retcode int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing == nil {
		s.failing = map[string][]answer{}
	}
	if n == 0 {
		delete(s.failing, action)
		return
	}
	for range n {
		s.failing[action] = append(s.failing[action], failed(retcode, msg))
	}
}

// nextFailure takes the action's next failure, if FailNext queued one;
// the caller holds s.mu.
func (s *Server) nextFailure(action string) (answer, bool) {
	q := s.failing[action]
	if len(q) == 0 {
		return answer{}, false
	}
	s.failing[action] = q[1:]
	return q[0], true
}
