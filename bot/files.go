package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// FileFetcher downloads a file a user sent the bot, at most max bytes.
type FileFetcher interface {
	Fetch(ctx context.Context, fileID string, max int64) ([]byte, error)
}

// ErrFileTooBig is returned for a file larger than the caller takes.
var ErrFileTooBig = errors.New("the file is too big")

// Files downloads what users send the bot (a CSV for the FAQ): getFile
// through the sender, then GET <base>/file/bot<token>/<file_path>. The
// token never reaches an error.
type Files struct {
	Sender  *Sender
	BaseURL string // the Bot API's base URL, as SHEQUN_TELEGRAM_API_URL
	Token   string
	Client  *http.Client
}

// Fetch downloads a file by its id.
func (f *Files) Fetch(ctx context.Context, fileID string, max int64) ([]byte, error) {
	resp, err := f.Sender.Request(ctx, tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("getFile: %w", err)
	}
	var file tgbotapi.File
	if err := json.Unmarshal(resp.Result, &file); err != nil {
		return nil, fmt.Errorf("getFile: %w", err)
	}
	if int64(file.FileSize) > max {
		return nil, ErrFileTooBig
	}
	url := strings.TrimRight(f.BaseURL, "/") + "/file/bot" + f.Token + "/" + file.FilePath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("download: %w", redact(err, f.Token))
	}
	res, err := f.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download: %w", redact(err, f.Token))
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: status %d", res.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("download: %w", redact(err, f.Token))
	}
	if int64(len(data)) > max {
		return nil, ErrFileTooBig
	}
	return data, nil
}
