package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// payload is the stored JSON of update id in the tests.
func payload(id int64, text string) []byte {
	return fmt.Appendf(nil, `{"update_id":%d,"text":%q}`, id, text)
}

func testUpdateLog(t *testing.T, s Stores) {
	ctx := t.Context()
	save := func(id, chat int64, hash string, minute int, want bool) {
		t.Helper()
		if got := must(s.SaveUpdate(ctx, id, chat, hash, payload(id, hash), at(minute)))(t); got != want {
			t.Errorf("save %d (%s) = %v, want %v", id, hash, got, want)
		}
	}
	claim := func(chat *int64, stale, minute int, want ...string) {
		t.Helper()
		got := must(s.ClaimUpdates(ctx, chat, at(stale), at(minute), 10))(t)
		var texts []string
		for _, p := range got {
			texts = append(texts, string(p))
		}
		var wantTexts []string
		for _, w := range want {
			var id int64
			fmt.Sscanf(w, "%d", &id)
			wantTexts = append(wantTexts, string(payload(id, w)))
		}
		if !slices.Equal(texts, wantTexts) {
			t.Errorf("claim (stale before %d) = %q, want %q", stale, texts, wantTexts)
		}
	}
	chatA, chatB := int64(-100), int64(7)

	save(3, chatA, "3a", 0, true)
	save(1, chatB, "1b", 0, true)
	save(2, chatA, "2a", 1, true)
	save(3, chatA, "3a", 2, false) // a redelivery
	// Nothing is claimed while its first claim (on saving) is fresh.
	claim(nil, 0, 5)
	// Stale ones are claimed, oldest received first, then by id; once.
	claim(nil, 1, 5, "1b", "3a")
	claim(nil, 1, 5)
	claim(&chatA, 3, 5, "2a")
	claim(&chatB, 6, 6, "1b") // claimed at 5, stale before 6
	ok(t, s.FinishUpdate(ctx, 1, at(7)))
	ok(t, s.FinishUpdate(ctx, 1, at(9))) // finished once, at 7
	claim(nil, 10, 10, "3a", "2a")
	save(1, chatB, "1b", 11, false) // finished: still a redelivery

	// Telegram reuses id 1 for another update after a week of silence.
	save(1, chatB, "1b-new", 12, true)
	save(1, chatB, "1b-new", 12, false)
	claim(&chatB, 13, 13, "1b-new")

	// Pruning forgets what finished, or arrived unfinished, before the cut.
	ok(t, s.FinishUpdate(ctx, 2, at(14)))
	ok(t, s.FinishUpdate(ctx, 1, at(20)))
	ok(t, s.PruneUpdates(ctx, at(15)))
	save(2, chatA, "2a", 21, true) // forgotten
	save(3, chatA, "3a", 21, true) // unfinished, received at 0: forgotten
	save(1, chatB, "1b-new", 21, false)
}

// Two instances claiming stale updates at once take each one once.
func testClaimUpdatesConcurrent(t *testing.T, s Stores) {
	ctx := t.Context()
	const n = 40
	for id := range int64(n) {
		must(s.SaveUpdate(ctx, id, id%3, fmt.Sprint(id), payload(id, fmt.Sprint(id)), at(0)))(t)
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for {
				got, err := s.ClaimUpdates(ctx, nil, at(1), at(2), 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, p := range got {
					seen[string(p)]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d updates claimed, want %d", len(seen), n)
	}
	for p, k := range seen {
		if k != 1 {
			t.Errorf("%s claimed %d times", p, k)
		}
	}
}
