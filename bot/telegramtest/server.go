// Package telegramtest is an in-process fake of the Telegram Bot API
// (https://core.telegram.org/bots/api) built on net/http/httptest.
//
// It keeps users, supergroups, members, permissions, invite links, join
// requests, messages, callback queries and bot commands in memory, answers the
// Bot API methods a group-management bot needs with the documented results and
// error descriptions, and offers driving methods (SendText, Click,
// RequestJoin …) that play the part of human users. It is used by tests that
// drive a real client against it and by the demo mode of the product, so it
// does not depend on package testing.
//
// Clients use URL()+"/bot%s/%s" as API endpoint (see Endpoint).
package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a fake Telegram Bot API server. All methods are safe for
// concurrent use.
type Server struct {
	mu   sync.Mutex
	http *httptest.Server

	token        string
	bot          User
	clock        func() time.Time
	pollUnit     time.Duration
	privacy      bool
	retryDelay   time.Duration
	rateLimited  bool
	limiter      rateLimiter
	rateScale    int
	ctx          context.Context
	cancel       context.CancelFunc
	closed       bool
	wg           sync.WaitGroup
	calls        map[string]int
	failures     map[string]*failure
	users        map[int64]*userState
	chats        map[int64]*chat
	groupSeq     int64
	links        map[string]*inviteLink
	callbacks    map[string]*callbackQuery
	files        map[string]string   // file id -> "photo" or "document"
	uploads      map[string]Upload   // file id -> what the bot uploaded
	userFiles    map[string]userFile // file id -> what a user sent, for getFile
	callbackSeq  int64
	albumSeq     int64
	commands     map[commandKey][]BotCommand
	updates      []queuedUpdate
	nextUpdateID int
	updateSeq    uint64
	allowed      map[string]bool // nil means the default set
	signal       chan struct{}
	pollGen      uint64
	polling      bool // a long poll is waiting (WaitPolling)
	webhook      *webhookState

	events    []Event
	listeners []func(Event)
	flushing  bool
}

// New starts a fake Bot API server on 127.0.0.1 for the given bot token.
func New(token string, opts ...Option) *Server {
	s := &Server{
		token:        token,
		bot:          User{ID: botIDFromToken(token), IsBot: true, FirstName: "Shequn", Username: "shequn_bot"},
		clock:        time.Now,
		pollUnit:     time.Second,
		privacy:      true,
		retryDelay:   50 * time.Millisecond,
		calls:        map[string]int{},
		failures:     map[string]*failure{},
		users:        map[int64]*userState{},
		chats:        map[int64]*chat{},
		links:        map[string]*inviteLink{},
		callbacks:    map[string]*callbackQuery{},
		files:        map[string]string{},
		uploads:      map[string]Upload{},
		commands:     map[commandKey][]BotCommand{},
		nextUpdateID: 100000,
		signal:       make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.limiter = newRateLimiter(max(s.rateScale, 1))
	s.http = httptest.NewUnstartedServer(s)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("telegramtest: listen: %v", err))
	}
	s.http.Listener.Close()
	s.http.Listener = l
	s.http.Start()
	return s
}

func botIDFromToken(token string) int64 {
	if i := strings.IndexByte(token, ':'); i > 0 {
		if id, err := strconv.ParseInt(token[:i], 10, 64); err == nil && id > 0 {
			return id
		}
	}
	return 1000000001
}

// URL returns the base URL of the server, e.g. http://127.0.0.1:4321.
func (s *Server) URL() string { return s.http.URL }

// Endpoint returns the API endpoint format for tgbotapi, URL()+"/bot%s/%s".
func (s *Server) Endpoint() string { return s.http.URL + "/bot%s/%s" }

// Token returns the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// Bot returns the bot's own user.
func (s *Server) Bot() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bot
}

// Close ends pending long polls, stops webhook delivery and shuts the server
// down.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.cancel()
	s.notifyLocked()
	s.mu.Unlock()
	s.http.Close()
	s.wg.Wait()
}

func (s *Server) now() time.Time { return s.clock() }

// failure is a pending injected failure of one method.
type failure struct {
	n   int
	err *apiError
}

// FailNext makes the next n calls of the Bot API method (case-insensitive)
// answer {"ok":false,"error_code":code,"description":description} with HTTP
// status code. For code 429 a trailing number in the description ("Too Many
// Requests: retry after 5") becomes parameters.retry_after.
func (s *Server) FailNext(method string, n int, code int, description string) {
	e := &apiError{code: code, desc: description}
	if code == http.StatusTooManyRequests {
		f := strings.Fields(description)
		if len(f) > 0 {
			if v, err := strconv.Atoi(f[len(f)-1]); err == nil {
				e.retryAfter = v
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		delete(s.failures, strings.ToLower(method))
		return
	}
	s.failures[strings.ToLower(method)] = &failure{n: n, err: e}
}

// Calls returns how many requests of the Bot API method (case-insensitive)
// the server received with a valid token, failed ones included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// OnEvent registers fn to be called for every bot-sent message and every user
// action. Callbacks run outside the server's lock, one at a time and in order;
// they may call back into the server.
func (s *Server) OnEvent(fn func(Event)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listeners = append(s.listeners, fn)
}

// emit queues an event; the caller holds s.mu and must call flushEvents after
// unlocking.
func (s *Server) emit(kind string, chatID, userID int64, text string) {
	if len(s.listeners) == 0 {
		return
	}
	s.events = append(s.events, Event{Kind: kind, ChatID: chatID, UserID: userID, Text: text, Time: s.now()})
}

// flushEvents delivers queued events to the listeners. Only one goroutine
// delivers at a time; events queued meanwhile are delivered by it, in order.
func (s *Server) flushEvents() {
	s.mu.Lock()
	if s.flushing {
		s.mu.Unlock()
		return
	}
	s.flushing = true
	finished := false
	defer func() {
		if !finished { // a listener panicked
			s.mu.Lock()
			s.flushing = false
			s.mu.Unlock()
		}
	}()
	for len(s.events) > 0 {
		evs := s.events
		s.events = nil
		ls := append([]func(Event){}, s.listeners...)
		s.mu.Unlock()
		for _, ev := range evs {
			for _, fn := range ls {
				fn(ev)
			}
		}
		s.mu.Lock()
	}
	s.flushing = false
	finished = true
	s.mu.Unlock()
}

// unlock releases s.mu and delivers queued events.
func (s *Server) unlock() {
	s.mu.Unlock()
	s.flushEvents()
}

// apiError is an unsuccessful Bot API answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, a ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, a...)}
}

func forbidden(format string, a ...any) *apiError {
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: " + fmt.Sprintf(format, a...)}
}

func conflict(desc string) *apiError {
	return &apiError{code: http.StatusConflict, desc: "Conflict: " + desc}
}

var (
	errNotFound     = &apiError{code: http.StatusNotFound, desc: "Not Found"}
	errUnauthorized = &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
	errChatNotFound = badRequest("chat not found")
	errUserNotFound = badRequest("user not found")
)

// handlerFunc implements one Bot API method; it runs with s.mu held.
type handlerFunc func(s *Server, p params) (any, *apiError)

var handlers map[string]handlerFunc

func init() {
	handlers = map[string]handlerFunc{
		"getme":                           (*Server).apiGetMe,
		"logout":                          func(*Server, params) (any, *apiError) { return true, nil },
		"close":                           func(*Server, params) (any, *apiError) { return true, nil },
		"setwebhook":                      (*Server).apiSetWebhook,
		"deletewebhook":                   (*Server).apiDeleteWebhook,
		"getwebhookinfo":                  (*Server).apiGetWebhookInfo,
		"sendmessage":                     (*Server).apiSendMessage,
		"sendphoto":                       (*Server).apiSendPhoto,
		"senddocument":                    (*Server).apiSendDocument,
		"editmessagetext":                 (*Server).apiEditMessageText,
		"editmessagereplymarkup":          (*Server).apiEditMessageReplyMarkup,
		"deletemessage":                   (*Server).apiDeleteMessage,
		"pinchatmessage":                  (*Server).apiPinChatMessage,
		"unpinchatmessage":                (*Server).apiUnpinChatMessage,
		"unpinallchatmessages":            (*Server).apiUnpinAllChatMessages,
		"answercallbackquery":             (*Server).apiAnswerCallbackQuery,
		"sendchataction":                  (*Server).apiSendChatAction,
		"setmycommands":                   (*Server).apiSetMyCommands,
		"getmycommands":                   (*Server).apiGetMyCommands,
		"deletemycommands":                (*Server).apiDeleteMyCommands,
		"getchat":                         (*Server).apiGetChat,
		"getchatmember":                   (*Server).apiGetChatMember,
		"getchatadministrators":           (*Server).apiGetChatAdministrators,
		"getchatmembercount":              (*Server).apiGetChatMemberCount,
		"getchatmemberscount":             (*Server).apiGetChatMemberCount,
		"leavechat":                       (*Server).apiLeaveChat,
		"banchatmember":                   (*Server).apiBanChatMember,
		"kickchatmember":                  (*Server).apiBanChatMember,
		"unbanchatmember":                 (*Server).apiUnbanChatMember,
		"restrictchatmember":              (*Server).apiRestrictChatMember,
		"promotechatmember":               (*Server).apiPromoteChatMember,
		"setchatadministratorcustomtitle": (*Server).apiSetChatAdministratorCustomTitle,
		"setchatpermissions":              (*Server).apiSetChatPermissions,
		"createchatinvitelink":            (*Server).apiCreateChatInviteLink,
		"editchatinvitelink":              (*Server).apiEditChatInviteLink,
		"revokechatinvitelink":            (*Server).apiRevokeChatInviteLink,
		"exportchatinvitelink":            (*Server).apiExportChatInviteLink,
		"approvechatjoinrequest":          (*Server).apiApproveChatJoinRequest,
		"declinechatjoinrequest":          (*Server).apiDeclineChatJoinRequest,
		"getfile":                         (*Server).apiGetFile,
		"copymessage":                     (*Server).apiCopyMessage,
		"copymessages":                    (*Server).apiCopyMessages,
		"sendmediagroup":                  (*Server).apiSendMediaGroup,
	}
}

// ServeHTTP answers Bot API requests at /bot<token>/<method>, and the
// downloads of files users sent at /file/bot<token>/<file_path>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok && r.Method == http.MethodGet {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" || strings.Contains(method, "/") {
		writeResponse(w, nil, errNotFound)
		return
	}
	if token != s.token {
		writeResponse(w, nil, errUnauthorized)
		return
	}
	p, err := parseParams(r)
	if err != nil {
		s.mu.Lock()
		s.calls[strings.ToLower(method)]++
		s.mu.Unlock()
		writeResponse(w, nil, badRequest("%v", err))
		return
	}
	res, aerr := s.call(r.Context(), method, p)
	s.flushEvents()
	writeResponse(w, res, aerr)
}

// call runs one Bot API method.
func (s *Server) call(ctx context.Context, method string, p params) (any, *apiError) {
	key := strings.ToLower(method)
	s.mu.Lock()
	s.calls[key]++
	if f := s.failures[key]; f != nil {
		f.n--
		if f.n <= 0 {
			delete(s.failures, key)
		}
		s.mu.Unlock()
		return nil, f.err
	}
	if key == "getupdates" {
		s.mu.Unlock()
		return s.getUpdates(ctx, p)
	}
	h, ok := handlers[key]
	if !ok {
		s.mu.Unlock()
		return nil, errNotFound
	}
	res, aerr := h(s, p)
	s.mu.Unlock()
	return res, aerr
}

// described is a successful result that carries a description too, as
// setWebhook answers.
type described struct {
	result any
	desc   string
}

func writeResponse(w http.ResponseWriter, result any, aerr *apiError) {
	w.Header().Set("Content-Type", "application/json")
	if aerr != nil {
		body := map[string]any{"ok": false, "error_code": aerr.code, "description": aerr.desc}
		if aerr.retryAfter > 0 {
			body["parameters"] = map[string]any{"retry_after": aerr.retryAfter}
		}
		w.WriteHeader(aerr.code)
		_ = json.NewEncoder(w).Encode(body)
		return
	}
	body := map[string]any{"ok": true, "result": result}
	if d, ok := result.(described); ok {
		body["result"] = d.result
		body["description"] = d.desc
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) apiGetMe(params) (any, *apiError) {
	return map[string]any{
		"id":                          s.bot.ID,
		"is_bot":                      true,
		"first_name":                  s.bot.FirstName,
		"username":                    s.bot.Username,
		"can_join_groups":             true,
		"can_read_all_group_messages": !s.privacy,
		"supports_inline_queries":     false,
	}, nil
}
