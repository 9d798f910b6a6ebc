package onebot

import (
	"fmt"
	"sync"

	"github.com/shequn/shequn/sessions"
)

// maxParts bounds the copies PartLog remembers (those that failed
// part-way and were not retried yet).
const maxParts = 10_000

// PartLog remembers, within the process, how many of a copy's QQ messages
// went out, so that a copy retried after a passing failure part-way (QQ
// refusing the caption after the file went) sends only the rest. A nil
// PartLog remembers nothing.
type PartLog struct {
	mu   sync.Mutex
	sent map[string]int // copy -> its messages sent
}

// partKey names a copy of a message into a chat.
func partKey(chatID int64, ref sessions.MessageRef) string {
	return fmt.Sprintf("%d<%d:%v", chatID, ref.ChatID, ref.MessageIDs)
}

// done is how many of the copy's messages went out.
func (l *PartLog) done(key string) int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent[key]
}

// mark records that n of the copy's messages went out.
func (l *PartLog) mark(key string, n int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sent == nil || len(l.sent) >= maxParts {
		l.sent = map[string]int{}
	}
	l.sent[key] = n
}

// forget drops a copy that went out whole.
func (l *PartLog) forget(key string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.sent, key)
}
