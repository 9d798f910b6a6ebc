package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// params holds the parameters of one Bot API call. Complex values (objects
// and arrays) are kept as JSON text, the way form-encoded requests carry them.
type params map[string]string

// parseParams collects the parameters from the URL query string and from an
// application/x-www-form-urlencoded, application/json or multipart/form-data
// body.
func parseParams(r *http.Request) (params, error) {
	p := params{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p[k] = v[0]
		}
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(io.LimitReader(r.Body, 50<<20))
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return p, nil
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, errors.New("can't parse JSON object")
		}
		for k, raw := range m {
			raw = bytes.TrimSpace(raw)
			if bytes.Equal(raw, []byte("null")) {
				continue
			}
			if len(raw) > 0 && raw[0] == '"' {
				var str string
				if err := json.Unmarshal(raw, &str); err != nil {
					return nil, err
				}
				p[k] = str
				continue
			}
			p[k] = string(raw)
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, fmt.Errorf("can't parse multipart form: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			if len(v) > 0 {
				p[k] = v[0]
			}
		}
		for k, fs := range r.MultipartForm.File {
			if len(fs) == 0 {
				continue
			}
			data, err := readUpload(fs[0])
			if err != nil {
				return nil, err
			}
			p[uploadKey+k], p[uploadNameKey+k] = string(data), fs[0].Filename
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("can't parse form: %v", err)
		}
		for k, v := range r.PostForm {
			if len(v) > 0 {
				p[k] = v[0]
			}
		}
	}
	return p, nil
}

// Uploaded files are kept in params under these prefixes of their field
// name: the content and the file name. No API parameter starts with NUL.
const (
	uploadKey     = "\x00upload:"
	uploadNameKey = "\x00name:"
)

func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("can't read uploaded file: %v", err)
	}
	defer f.Close()
	return io.ReadAll(f)
}

// has reports whether the parameter is present and non-empty.
func (p params) has(k string) bool { return p[k] != "" }

// int64 parses an integer parameter; a missing one is 0.
func (p params) int64(k string) (int64, *apiError) {
	v := strings.TrimSpace(p[k])
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return 0, badRequest("invalid %s specified", k)
		}
		n = int64(f)
	}
	return n, nil
}

// int parses an integer parameter; a missing one is 0.
func (p params) int(k string) (int, *apiError) {
	n, err := p.int64(k)
	return int(n), err
}

// bool parses a boolean parameter; a missing one is false.
func (p params) bool(k string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(p[k]))
	return b
}

// json decodes a JSON parameter into v; it reports whether it was present.
func (p params) json(k string, v any) (bool, error) {
	raw := strings.TrimSpace(p[k])
	if raw == "" || raw == "null" {
		return false, nil
	}
	return true, json.Unmarshal([]byte(raw), v)
}

// chatID returns the chat_id parameter. Usernames ("@name") are not
// supported by the fake and give "chat not found".
func (p params) chatID() (int64, *apiError) {
	v := strings.TrimSpace(p["chat_id"])
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errChatNotFound
	}
	return id, nil
}

// userID returns the user_id parameter.
func (p params) userID() (int64, *apiError) {
	v := strings.TrimSpace(p["user_id"])
	if v == "" {
		return 0, badRequest("user_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("invalid user_id specified")
	}
	return id, nil
}

// messageID returns the message_id parameter.
func (p params) messageID() (int, *apiError) {
	v := strings.TrimSpace(p["message_id"])
	if v == "" {
		return 0, badRequest("message identifier is not specified")
	}
	id, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest("invalid message identifier specified")
	}
	return id, nil
}
