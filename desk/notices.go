package desk

// TicketNotice hands a ticket to the staff member who takes it, with the
// student's member number and group ordinal (never their account).
type TicketNotice struct {
	Ticket Ticket
	Number int // the member number's sequence
	Group  int // the student group's ordinal; 0 when not seated
}

// AnswerNotice relays a staff member's answer to the student, in the
// bot's name, with the rating buttons.
type AnswerNotice struct{ Ticket Ticket }

// SummaryNotice brings the owners the desk's weekly figures.
type SummaryNotice struct{ Figures Figures }

// NoticeName implements shequn.Notice.
func (TicketNotice) NoticeName() string { return "desk_ticket" }

// NoticeName implements shequn.Notice.
func (AnswerNotice) NoticeName() string { return "desk_answer" }

// NoticeName implements shequn.Notice.
func (SummaryNotice) NoticeName() string { return "desk_summary" }
