package onebot

import (
	"context"
	"errors"
	"sync"

	"github.com/shequn/shequn/bot"
)

// DefaultFileCache is how many bytes of Telegram files FileCache keeps.
const DefaultFileCache = 64 << 20

// FileCache keeps the Telegram files fetched lately, so that a picture a
// speaker relays into forty QQ groups is downloaded once, not forty
// times; the groups asking for it at once wait for the one download.
type FileCache struct {
	Files bot.FileFetcher
	Max   int64 // bytes kept at most; DefaultFileCache when 0

	mu    sync.Mutex
	kept  map[string]*fetch
	order []string // oldest first
	size  int64
}

// fetch is one file, being downloaded until done is closed.
type fetch struct {
	done chan struct{}
	data []byte
	err  error
}

var _ bot.FileFetcher = (*FileCache)(nil)

// errNoFiles: a community without Telegram downloads no Telegram file.
var errNoFiles = errors.New("no Telegram file download")

// Fetch returns the file from the cache, or downloads it once. A failed
// download is not kept: the next asks again.
func (c *FileCache) Fetch(ctx context.Context, fileID string, max int64) ([]byte, error) {
	if c.Files == nil {
		return nil, errNoFiles
	}
	c.mu.Lock()
	if c.kept == nil {
		c.kept = map[string]*fetch{}
	}
	f, ok := c.kept[fileID]
	if !ok {
		f = &fetch{done: make(chan struct{})}
		c.kept[fileID] = f
	}
	c.mu.Unlock()
	if ok {
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err == nil && int64(len(f.data)) > max {
			return nil, bot.ErrFileTooBig
		}
		return f.data, f.err
	}
	f.data, f.err = c.Files.Fetch(ctx, fileID, max)
	close(f.done)
	c.keep(fileID, f)
	return f.data, f.err
}

// keep records a finished download, or forgets a failed one, and drops
// the oldest files beyond Max.
func (c *FileCache) keep(fileID string, f *fetch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.err != nil {
		delete(c.kept, fileID)
		return
	}
	c.order = append(c.order, fileID)
	c.size += int64(len(f.data))
	limit := c.Max
	if limit <= 0 {
		limit = DefaultFileCache
	}
	for c.size > limit && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		if o := c.kept[old]; o != nil {
			c.size -= int64(len(o.data))
			delete(c.kept, old)
		}
	}
}
