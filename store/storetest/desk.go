package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/desk"
)

// testDeskFAQ: entries keep their keywords, are listed per course by id,
// and are deleted one by one.
func testDeskFAQ(t *testing.T, s Stores) {
	ctx := t.Context()
	fs := must(s.AddFAQs(ctx, []desk.FAQ{
		{Course: "ppt", Keywords: []string{"模板", "template"}, Answer: "见群公告", CreatedBy: 9, CreatedAt: at(1)},
		{Course: "excel", Keywords: []string{"reset password"}, Answer: "use /me", CreatedBy: 9, CreatedAt: at(2)},
	}))(t)
	if len(fs) != 2 || fs[0].ID == 0 || fs[1].ID == fs[0].ID {
		t.Fatalf("added %+v", fs)
	}
	ppt := must(s.FAQs(ctx, "ppt"))(t)
	if len(ppt) != 1 || !slices.Equal(ppt[0].Keywords, []string{"模板", "template"}) || ppt[0].Answer != "见群公告" || ppt[0].CreatedBy != 9 {
		t.Fatalf("ppt faq = %+v", ppt)
	}
	sameTime(t, "CreatedAt", ppt[0].CreatedAt, at(1))
	if all := must(s.FAQs(ctx, ""))(t); len(all) != 2 || all[0].ID != fs[0].ID {
		t.Fatalf("every faq = %+v", all)
	}
	gone := must(s.DeleteFAQ(ctx, fs[0].ID))(t)
	if gone.Course != "ppt" {
		t.Fatalf("deleted %+v", gone)
	}
	if _, err := s.DeleteFAQ(ctx, fs[0].ID); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("delete twice = %v, want ErrNotFound", err)
	}
	if left := must(s.FAQs(ctx, "ppt"))(t); len(left) != 0 {
		t.Fatalf("after delete: %+v", left)
	}
}

// ticket opens an open ticket of ppt asked at(minute).
func ticket(t *testing.T, s Stores, student int64, minute int) desk.Ticket {
	t.Helper()
	return must(s.OpenTicket(t.Context(), desk.Ticket{Course: "ppt", GroupID: 5, Student: student, Text: "怎么做封面？",
		State: desk.StateOpen, CreatedAt: at(minute), AssignedAt: at(minute)}))(t)
}

// testDeskAssign: a ticket goes to the candidate with the fewest open
// tickets, round-robin on ties; a reassigned ticket moves its count; an
// answer takes it off; only open tickets are handed out.
func testDeskAssign(t *testing.T, s Stores) {
	ctx := t.Context()
	staff := []int64{30, 10, 20}
	var got []int64
	var ts []desk.Ticket
	for i := range 4 {
		tk := must(s.AssignTicket(ctx, ticket(t, s, int64(100+i), i).ID, staff, desk.LevelAssistant, at(i)))(t)
		got, ts = append(got, tk.Assignee), append(ts, tk)
	}
	if !slices.Equal(got, []int64{10, 20, 30, 10}) {
		t.Fatalf("assignees %v, want 10 20 30 10 (lowest id first, then round-robin)", got)
	}
	sameTime(t, "AssignedAt", ts[3].AssignedAt, at(3))
	// 10 has two open, 20 and 30 one each: 20 answers, so 20 has none.
	answered := must(s.AnswerTicket(ctx, ts[1].ID, 20, "answer", at(10)))(t)
	if answered.State != desk.StateAnswered || answered.AnsweredBy != 20 || answered.Answer != "answer" {
		t.Fatalf("answered %+v", answered)
	}
	sameTime(t, "FirstAnswerAt", answered.FirstAnswerAt, at(10))
	again := must(s.AnswerTicket(ctx, ts[1].ID, 30, "better", at(11)))(t)
	if again.Answer != "better" || again.AnsweredBy != 20 {
		t.Fatalf("second answer %+v", again)
	}
	sameTime(t, "FirstAnswerAt after a second answer", again.FirstAnswerAt, at(10))
	if tk := must(s.AssignTicket(ctx, ticket(t, s, 104, 12).ID, staff, 0, at(12)))(t); tk.Assignee != 20 {
		t.Fatalf("after 20 answered, the next went to %d, want 20 (no open tickets)", tk.Assignee)
	}
	// Reassigning 10's first ticket to someone else: 10 drops to one,
	// 30 (one open, handed one longest ago) takes it.
	moved := must(s.AssignTicket(ctx, ts[0].ID, []int64{20, 30}, desk.LevelReassigned, at(13)))(t)
	if moved.Assignee != 30 || moved.Level != desk.LevelReassigned {
		t.Fatalf("reassigned %+v, want to 30 at level 1", moved)
	}
	if tk := must(s.AssignTicket(ctx, ticket(t, s, 105, 14).ID, staff, 0, at(14)))(t); tk.Assignee != 10 {
		t.Fatalf("the next went to %d, want 10 (one open, handed one longest ago)", tk.Assignee)
	}
	if _, err := s.AssignTicket(ctx, ts[1].ID, staff, 0, at(15)); !errors.Is(err, shequn.ErrConflict) {
		t.Fatalf("assigning an answered ticket = %v, want ErrConflict", err)
	}
	if _, err := s.AssignTicket(ctx, 999, staff, 0, at(15)); !errors.Is(err, shequn.ErrNotFound) {
		t.Fatalf("assigning an unknown ticket = %v, want ErrNotFound", err)
	}
}

// testDeskFAQTickets: a ticket the FAQ answered reopens once; ratings
// need an answer; stale tickets are listed by level, oldest first.
func testDeskFAQTickets(t *testing.T, s Stores) {
	ctx := t.Context()
	hit := must(s.OpenTicket(ctx, desk.Ticket{Course: "ppt", Student: 7, Text: "模板在哪", State: desk.StateAnswered, FAQID: 3,
		CreatedAt: at(1), AssignedAt: at(1)}))(t)
	if _, err := s.RateTicket(ctx, ticket(t, s, 8, 1).ID, 5); !errors.Is(err, shequn.ErrConflict) {
		t.Fatalf("rating an open ticket = %v, want ErrConflict", err)
	}
	rated := must(s.RateTicket(ctx, hit.ID, 4))(t)
	if rated.Rating != 4 {
		t.Fatalf("rated %+v", rated)
	}
	re := must(s.ReopenTicket(ctx, hit.ID, at(5)))(t)
	if re.State != desk.StateOpen || !re.FAQFailed || re.FAQID != 3 {
		t.Fatalf("reopened %+v", re)
	}
	sameTime(t, "AssignedAt after reopening", re.AssignedAt, at(5))
	if _, err := s.ReopenTicket(ctx, hit.ID, at(6)); !errors.Is(err, shequn.ErrConflict) {
		t.Fatalf("reopening twice = %v, want ErrConflict", err)
	}
	late := ticket(t, s, 9, 3)
	must(s.AssignTicket(ctx, late.ID, []int64{10}, desk.LevelReassigned, at(3)))(t)
	stale := must(s.StaleTickets(ctx, desk.LevelAssistant, at(6), 10))(t)
	var ids []int64
	for _, x := range stale {
		ids = append(ids, x.ID)
	}
	if !slices.Equal(ids, []int64{hit.ID + 1, hit.ID}) {
		t.Fatalf("stale at level 0 before at(6): %v, want the open ticket of 8 then the reopened one", ids)
	}
	if got := must(s.StaleTickets(ctx, desk.LevelAssistant, at(0), 10))(t); len(got) != 0 {
		t.Fatalf("stale at or before at(0): %+v", got)
	}
	if got := must(s.StaleTickets(ctx, desk.LevelReassigned, at(4), 10))(t); len(got) != 1 || got[0].ID != late.ID || got[0].Assignee != 10 {
		t.Fatalf("stale at level 1: %+v", got)
	}
}

// testDeskStats: open tickets, questions asked since, the FAQ's share, and
// the first answers since with their waits, per course.
func testDeskStats(t *testing.T, s Stores) {
	ctx := t.Context()
	must(s.OpenTicket(ctx, desk.Ticket{Course: "ppt", Student: 1, Text: "q", State: desk.StateAnswered, FAQID: 1, CreatedAt: at(10), AssignedAt: at(10)}))(t)
	failed := must(s.OpenTicket(ctx, desk.Ticket{Course: "ppt", Student: 2, Text: "q", State: desk.StateAnswered, FAQID: 1, CreatedAt: at(10), AssignedAt: at(10)}))(t)
	must(s.ReopenTicket(ctx, failed.ID, at(11)))(t)
	a := ticket(t, s, 3, 20)
	must(s.AnswerTicket(ctx, a.ID, 50, "x", at(50)))(t)
	old := ticket(t, s, 4, 0) // asked before since, answered after
	must(s.AnswerTicket(ctx, old.ID, 60, "x", at(40)))(t)
	must(s.OpenTicket(ctx, desk.Ticket{Course: "excel", Student: 5, Text: "q", State: desk.StateOpen, CreatedAt: at(30), AssignedAt: at(30)}))(t)

	st := must(s.DeskStats(ctx, []string{"ppt"}, at(5)))(t)
	if st.Open != 1 || st.Asked != 3 || st.ByFAQ != 1 {
		t.Fatalf("ppt stats %+v, want 1 open (the reopened), 3 asked, 1 by the FAQ", st)
	}
	slices.Sort(st.Waits)
	if !slices.Equal(st.Waits, []time.Duration{30 * time.Minute, 40 * time.Minute}) || st.AnsweredBy[50] != 1 || st.AnsweredBy[60] != 1 {
		t.Fatalf("ppt waits %v by %v", st.Waits, st.AnsweredBy)
	}
	all := must(s.DeskStats(ctx, nil, at(5)))(t)
	if all.Open != 2 || all.Asked != 4 {
		t.Fatalf("every course: %+v", all)
	}
	if none := must(s.DeskStats(ctx, []string{"ppt"}, at(60)))(t); none.Asked != 0 || len(none.Waits) != 0 || none.Open != 1 {
		t.Fatalf("since at(60): %+v", none)
	}
}

// testDeskAssignConcurrent: tickets handed out at the same time still
// spread evenly: each hand-out counts against the person it chose before
// the next chooses.
func testDeskAssignConcurrent(t *testing.T, s Stores) {
	ctx := t.Context()
	staff := []int64{10, 20, 30, 40}
	const n = 12
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = ticket(t, s, int64(100+i), i).ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, id := range ids {
		wg.Go(func() {
			_, err := s.AssignTicket(ctx, id, staff, desk.LevelAssistant, at(20))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err)
	}
	per := map[int64]int{}
	for _, id := range ids {
		per[must(s.Ticket(ctx, id))(t).Assignee]++
	}
	for _, p := range staff {
		if per[p] != n/len(staff) {
			t.Fatalf("tickets per person %v, want %d each", per, n/len(staff))
		}
	}
}
