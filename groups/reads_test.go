package groups_test

import "testing"

// Registered tells the community's groups from any other chat the bot is
// in.
func TestRegistered(t *testing.T) {
	e := newEnv(t)
	g := e.group(t, "ppt", -1, 5)
	for chat, want := range map[int64]bool{g.ChatID: true, -99: false} {
		if got, err := e.svc.Registered(t.Context(), chat); err != nil || got != want {
			t.Errorf("Registered(%d) = %v, %v; want %v", chat, got, err, want)
		}
	}
}
