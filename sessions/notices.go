package sessions

import "time"

// ReminderNotice announces a session in a group ahead of it, pinned, with
// a check-in button.
type ReminderNotice struct {
	Session Session
	Before  time.Duration
}

// HeaderNotice opens a live session in a group: the topic and the speaker.
type HeaderNotice struct{ Session Session }

// QAOpenNotice tells a group it may ask questions until Session.QAUntil.
type QAOpenNotice struct{ Session Session }

// QAClosedNotice tells a group the question window is over.
type QAClosedNotice struct{ Session Session }

// QuestionNotice hands a question to the speaker in a private chat.
type QuestionNotice struct {
	Session  Session
	Question Question
}

// RecapNotice closes a session in a group.
type RecapNotice struct {
	Session       Session
	CheckIns      int // in every group
	GroupCheckIns int // in this group
	Questions     int
	Relayed       int
}

// SpeakerUnreachableNotice tells whoever scheduled a session that its
// speaker has not opened a private chat with the bot (or blocked it): the
// questions wait for them.
type SpeakerUnreachableNotice struct{ Session Session }

// NoticeName implements shequn.Notice.
func (SpeakerUnreachableNotice) NoticeName() string { return "session_speaker_unreachable" }

// BroadcastDoneNotice tells the admin who sent a broadcast that it is
// finished.
type BroadcastDoneNotice struct{ Broadcast Broadcast }

// NoticeName implements shequn.Notice.
func (ReminderNotice) NoticeName() string { return "session_reminder" }

// NoticeName implements shequn.Notice.
func (HeaderNotice) NoticeName() string { return "session_header" }

// NoticeName implements shequn.Notice.
func (QAOpenNotice) NoticeName() string { return "session_qa_open" }

// NoticeName implements shequn.Notice.
func (QAClosedNotice) NoticeName() string { return "session_qa_closed" }

// NoticeName implements shequn.Notice.
func (QuestionNotice) NoticeName() string { return "session_question" }

// NoticeName implements shequn.Notice.
func (RecapNotice) NoticeName() string { return "session_recap" }

// NoticeName implements shequn.Notice.
func (BroadcastDoneNotice) NoticeName() string { return "broadcast_done" }
