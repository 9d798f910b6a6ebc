// Package bot is the Telegram transport and the bot's features: updates in
// (long polling or webhook), the middleware, the features' handlers, texts
// in the user's language, and the one outbound sender every Telegram call
// goes through. Telegram types stay inside this package; the domain
// packages see users, groups, rights and notices.
//
// # Layout
//
// The features are types in this package rather than sub-packages: they
// share the unexported core, the texts and the router without exporting
// them, and a sub-package per feature would have to export all of it.
// Each feature owns its handlers, its Table and its texts:
//
//	enrollment   private.go    /start, buying, /me, /language, /help
//	studentWork  homework.go   /assignments, /submit (dialogue), /mywork, /rank
//	assignDesk   assign.go     /assign and its dialogue
//	reviewDesk   review.go     /review, grade buttons, /grade, /skip, the comment dialogue
//	standings    standings.go  /top, /queue
//	groupDesk    group.go      /register, /groups, join requests, members coming and going
//	roleDesk     roles.go      /grant, /revoke
//	pyramidDesk  pyramid.go    /monitor, /unmonitor, /staff, /audit, /warn, /mute, /unmute, /kick
//	qaDesk       desk.go       /ask (and a member's free text), tickets, /answer and replies, ratings
//	             desk_faq.go   /faq add|list|del, the CSV import, /desk
//	dialogueDesk dialogues.go  the answer to an open question, /cancel
//	sessionDesk  sessions.go   /session, /sessions, the live relay, questions, check-ins
//	broadcastDesk broadcast.go /announce, /send, /broadcasts, blocked members
//
// features.go declares the feature types and wires them; a new feature is
// a type there, its file, its texts map registered in texts.go, and one
// line in wire.
//
// The shared core (core.go) holds what every feature uses: reply through
// the request's Conversation, the courses, the clock, and the dialogues.
// A Table (commands.go) declares a feature's commands (name, audience,
// where it works, handler, menu and help texts in zh-CN and English), its
// callback routes, its other update routes and its dialogues. Routes, the
// menus set with setMyCommands per scope, and /help per audience are all
// generated from the tables.
//
// An update goes: Intake (per-chat order, stored first) → Bot.Handle, which
// builds the Request and its Conversation → admit (unregistered groups,
// the flood guard) → Timeout → Recover → WithWho (the sender's roles and
// courses, resolved once) → the router (which refuses staff and owner
// commands to others) → the handler. An error returns to Bot.fail, the one
// error handler, which answers through errorText (errors.go), the one
// table from domain errors to replies, and logs only internal causes.
//
// Dialogues (dialogues.go) are declared in the tables: a kind, the handler
// of the answer and what /cancel undoes, with a typed payload stored as
// JSON. One the bot cannot read back is dropped with a polite restart.
//
// Conversation (conversation.go) is the platform-neutral face of a chat:
// reply with text and choices, send media by reference. telegramChat
// implements it with HTML and inline keyboards; MemoryChat records it for
// handler tests; package onebot implements it for QQ (OneBot v11) with
// plain-text message segments and numbered choices, through QQSide
// (qq.go): Bot picks the side by the chat's id range (shequn.IsQQ), so
// the features never learn which platform they run on. Acting on group
// members is groups.Platform, implemented by Platform for Telegram and by
// onebot.Platform for QQ.
//
// Notices from the domain packages are rendered by notifier.go and sent by
// Bot.Tell and Bot.Post.
package bot
