package assignments

import "time"

// AssignmentNotice announces an assignment in a student group, with the way
// to submit.
type AssignmentNotice struct{ Assignment Assignment }

// FeedbackNotice brings a student the review of their work.
type FeedbackNotice struct {
	Submission Submission
	Assignment Assignment
}

// DigestNotice tells a reviewer what waits for them.
type DigestNotice struct {
	Pending int
	Oldest  time.Time
}

// NoticeName implements shequn.Notice.
func (AssignmentNotice) NoticeName() string { return "assignment" }

// NoticeName implements shequn.Notice.
func (FeedbackNotice) NoticeName() string { return "feedback" }

// NoticeName implements shequn.Notice.
func (DigestNotice) NoticeName() string { return "digest" }
