package storetest

import (
	"sync"
	"testing"
)

// testPostLog: a post is recorded once per chat, and several instances
// racing to record it agree on who did.
func testPostLog(t *testing.T, s Stores) {
	ctx := t.Context()
	when := at(0)
	if posted, err := s.Posted(ctx, "assignment:1", -100); err != nil || posted {
		t.Fatalf("Posted before any post = %v, %v", posted, err)
	}
	first, err := s.MarkPosted(ctx, "assignment:1", -100, when)
	if err != nil || !first {
		t.Fatalf("first MarkPosted = %v, %v; want true", first, err)
	}
	again, err := s.MarkPosted(ctx, "assignment:1", -100, when)
	if err != nil || again {
		t.Fatalf("second MarkPosted = %v, %v; want false", again, err)
	}
	cases := []struct {
		key  string
		chat int64
		want bool
	}{
		{"assignment:1", -100, true},
		{"assignment:1", -200, false},
		{"assignment:2", -100, false},
	}
	for _, c := range cases {
		if got, err := s.Posted(ctx, c.key, c.chat); err != nil || got != c.want {
			t.Errorf("Posted(%s, %d) = %v, %v; want %v", c.key, c.chat, got, err, c.want)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 10 {
		wg.Go(func() {
			ok, err := s.MarkPosted(ctx, "session:7", -300, when)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d racing recorders won, want 1", wins)
	}
}
