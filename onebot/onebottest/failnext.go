package onebottest

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
