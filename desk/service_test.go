package desk_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/desk"
	"github.com/shequn/shequn/membership"
)

func TestFAQAnswersAtOnce(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	f := e.faq(t, "模板在群公告里。", "模板", "template")
	got, err := e.svc.Ask(ctx, student, "请问ＰＰＴ模板在哪里下载？")
	if err != nil {
		t.Fatal(err)
	}
	if got.FAQ.ID != f.ID || got.Ticket.State != desk.StateAnswered || got.Ticket.FAQID != f.ID || got.Ticket.Assignee != 0 {
		t.Fatalf("asked: %+v", got)
	}
	if got.Ticket.GroupID != groupOf {
		t.Fatalf("ticket group %d, want %d", got.Ticket.GroupID, groupOf)
	}
	if n := len(e.notes.tickets(asst1)) + len(e.notes.tickets(asst2)); n != 0 {
		t.Fatalf("%d tickets handed out for a question the FAQ answered", n)
	}
	// "This didn't help" hands it to a person, once.
	tk, err := e.svc.NotHelpful(ctx, student, got.Ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tk.State != desk.StateOpen || !tk.FAQFailed || tk.Assignee != asst1 {
		t.Fatalf("after not helpful: %+v", tk)
	}
	if ids := e.notes.tickets(asst1); !slices.Equal(ids, []int64{tk.ID}) {
		t.Fatalf("asst1 got tickets %v", ids)
	}
	_, err = e.svc.NotHelpful(ctx, student, got.Ticket.ID)
	is(t, "not helpful twice", err, shequn.ErrConflict)
	_, err = e.svc.NotHelpful(ctx, student2, got.Ticket.ID)
	is(t, "not helpful on another's ticket", err, desk.ErrNotYours)
}

func TestAskNeedsMembership(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Ask(t.Context(), outsider, "hello")
	is(t, "a non-member asks", err, desk.ErrNotMember)
	_, err = e.svc.Ask(t.Context(), student, "   ")
	is(t, "an empty question", err, desk.ErrEmpty)
	_, err = e.svc.Ask(t.Context(), student, strings.Repeat("问", desk.MaxText+1))
	if shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Fatalf("a question too long: %v", err)
	}
}

func TestTicketsGoRoundRobin(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	var who []int64
	var ids []int64
	for range 3 {
		got, err := e.svc.Ask(ctx, student, "封面怎么做？")
		if err != nil {
			t.Fatal(err)
		}
		who, ids = append(who, got.Ticket.Assignee), append(ids, got.Ticket.ID)
		e.advance(time.Minute)
	}
	if !slices.Equal(who, []int64{asst1, asst2, asst1}) {
		t.Fatalf("assignees %v, want the two assistants in turn", who)
	}
	// asst1 answers both: asst1 has none open, asst2 one; the next goes to asst1.
	for _, id := range []int64{ids[0], ids[2]} {
		if _, err := e.svc.Answer(ctx, asst1, id, "看第三课"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.svc.Ask(ctx, student2, "配色？")
	if err != nil {
		t.Fatal(err)
	}
	if got.Ticket.Assignee != asst1 {
		t.Fatalf("next ticket went to %d, want asst1 (fewest open)", got.Ticket.Assignee)
	}
}

func TestAnswerIsRelayedAndRated(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	got, err := e.svc.Ask(ctx, student, "封面怎么做？")
	if err != nil {
		t.Fatal(err)
	}
	id := got.Ticket.ID
	_, err = e.svc.Answer(ctx, xlsAsst, id, "?")
	is(t, "an assistant of another course answers", err, desk.ErrNotStaff)
	e.advance(30 * time.Minute)
	tk, err := e.svc.Answer(ctx, asst2, id, "看第三课") // not the assignee, but staff of the course
	if err != nil {
		t.Fatal(err)
	}
	if tk.AnsweredBy != asst2 || tk.Waited() != 30*time.Minute {
		t.Fatalf("answered %+v", tk)
	}
	relayed := of[desk.AnswerNotice](e.notes, student)
	if len(relayed) != 1 || relayed[0].Ticket.Answer != "看第三课" {
		t.Fatalf("relayed %+v", relayed)
	}
	_, err = e.svc.Rate(ctx, student, id, 6)
	is(t, "rating 6", err, desk.ErrBadRating)
	_, err = e.svc.Rate(ctx, student2, id, 5)
	is(t, "another student rates", err, desk.ErrNotYours)
	if tk, err = e.svc.Rate(ctx, student, id, 5); err != nil || tk.Rating != 5 {
		t.Fatalf("rated %+v, %v", tk, err)
	}
}

func TestUnansweredTicketsMoveOn(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	got, err := e.svc.Ask(ctx, student, "封面怎么做？")
	if err != nil {
		t.Fatal(err)
	}
	id := got.Ticket.ID
	step := func(d time.Duration, wantAssignee int64, wantLevel int) {
		t.Helper()
		if err := e.svc.Escalate(ctx, e.advance(d)); err != nil {
			t.Fatal(err)
		}
		tk, err := e.db.Ticket(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Assignee != wantAssignee || tk.Level != wantLevel {
			t.Fatalf("after %v more: assignee %d level %d, want %d level %d", d, tk.Assignee, tk.Level, wantAssignee, wantLevel)
		}
	}
	step(2*time.Hour-time.Second, asst1, desk.LevelAssistant)
	step(time.Second, asst2, desk.LevelReassigned)
	step(6*time.Hour-time.Second, asst2, desk.LevelReassigned)
	step(time.Second, teacher, desk.LevelTeachers)
	if ids := e.notes.tickets(teacher); !slices.Equal(ids, []int64{id}) {
		t.Fatalf("teacher got %v", ids)
	}
	// Answered tickets stay where they are.
	if _, err := e.svc.Answer(ctx, teacher, id, "ok"); err != nil {
		t.Fatal(err)
	}
	step(24*time.Hour, teacher, desk.LevelTeachers)
}

func TestImportIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	bad := "keywords,answer\n模板;template,在群公告\n,no keywords\n配色,\n\"a,b\",fine\n"
	n, lines, err := e.svc.ImportFAQs(ctx, teacher, "ppt", strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	var at []int
	for _, l := range lines {
		at = append(at, l.Line)
	}
	if n != 0 || !slices.Equal(at, []int{3, 4}) {
		t.Fatalf("imported %d, bad lines %v, want 0 and lines 3, 4", n, at)
	}
	if fs, _ := e.db.FAQs(ctx, "ppt"); len(fs) != 0 {
		t.Fatalf("half imported: %+v", fs)
	}
	good := "keywords,answer\n模板;template,在群公告\n\"a,b\",fine\n"
	if n, lines, err = e.svc.ImportFAQs(ctx, teacher, "ppt", strings.NewReader(good)); err != nil || n != 2 || lines != nil {
		t.Fatalf("import = %d, %v, %v", n, lines, err)
	}
	fs, _ := e.db.FAQs(ctx, "ppt")
	if len(fs) != 2 || !slices.Equal(fs[0].Keywords, []string{"模板", "template"}) || !slices.Equal(fs[1].Keywords, []string{"a", "b"}) {
		t.Fatalf("imported %+v", fs)
	}
	_, _, err = e.svc.ImportFAQs(ctx, xlsAsst, "ppt", strings.NewReader(good))
	is(t, "import by staff of another course", err, desk.ErrNotStaff)
	// The new entries answer at once: the index is built again.
	if got, err := e.svc.Ask(ctx, student, "template?"); err != nil || got.FAQ.ID != fs[0].ID {
		t.Fatalf("ask after import = %+v, %v", got.FAQ, err)
	}
}

func TestDeleteFAQ(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	f := e.faq(t, "a", "模板")
	if got, _ := e.svc.Ask(ctx, student, "模板"); got.FAQ.ID != f.ID {
		t.Fatal("the entry does not answer")
	}
	_, err := e.svc.DeleteFAQ(ctx, xlsAsst, f.ID)
	is(t, "delete by staff of another course", err, desk.ErrNotStaff)
	if _, err := e.svc.DeleteFAQ(ctx, asst1, f.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Ask(ctx, student, "模板"); got.FAQ.ID != 0 {
		t.Fatal("a deleted entry still answers")
	}
	_, err = e.svc.DeleteFAQ(ctx, asst1, f.ID)
	is(t, "delete twice", err, shequn.ErrNotFound)
}

func TestFiguresAndSummary(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.faq(t, "a", "模板")
	if _, err := e.svc.Ask(ctx, student, "模板"); err != nil {
		t.Fatal(err)
	}
	for i, wait := range []time.Duration{10, 20, 30, 40, 100} {
		got, err := e.svc.Ask(ctx, student, "问题")
		if err != nil {
			t.Fatal(err)
		}
		e.advance(wait * time.Minute)
		if _, err := e.svc.Answer(ctx, []int64{asst1, asst2}[i%2], got.Ticket.ID, "ok"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Ask(ctx, student2, "还没回答"); err != nil {
		t.Fatal(err)
	}
	f, err := e.svc.Figures(ctx, asst1)
	if err != nil {
		t.Fatal(err)
	}
	if f.Open != 1 || f.Asked != 7 || f.FAQPct != 14 || f.Median != 30*time.Minute || f.P90 != 100*time.Minute {
		t.Fatalf("figures %+v", f)
	}
	if !slices.Equal(f.Answers, []desk.Count{{asst1, 3, ""}, {asst2, 2, ""}}) {
		t.Fatalf("answers per person %+v", f.Answers)
	}
	_, err = e.svc.Figures(ctx, student)
	is(t, "a student asks for figures", err, desk.ErrNotStaff)
	if err := e.svc.Summary(ctx, e.now); err != nil {
		t.Fatal(err)
	}
	if s := of[desk.SummaryNotice](e.notes, owner); len(s) != 1 || s[0].Figures.Asked != 7 {
		t.Fatalf("owner got %+v", s)
	}
}

// The assistant learns the student's member number and group, nothing of
// their account.
func TestTicketNamesTheMemberNumber(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Ask(t.Context(), student2, "封面怎么做？"); err != nil {
		t.Fatal(err)
	}
	got := of[desk.TicketNotice](e.notes, asst1)
	if len(got) != 1 || got[0].Number != 2 || got[0].Group != 3 || got[0].Ticket.Student != student2 {
		t.Fatalf("ticket notices %+v", got)
	}
}

// Assistants of every course take tickets of each; staff of another
// course do not.
func TestGrantedStaff(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if err := e.db.GrantRole(ctx, membership.Grant{UserID: 30, Role: membership.RoleAssistant, GrantedBy: owner, GrantedAt: t0}); err != nil {
		t.Fatal(err)
	}
	got, err := desk.GrantedStaff{Roles: e.db}.Assistants(ctx, "ppt", groupOf)
	if err != nil || !slices.Equal(got, []int64{asst1, asst2, 30}) {
		t.Fatalf("assistants of ppt = %v, %v", got, err)
	}
	if got, _ := (desk.GrantedStaff{Roles: e.db}).Teachers(ctx, xlsCourse); len(got) != 0 {
		t.Fatalf("teachers of xls = %v", got)
	}
}

// With no assistant, a ticket goes to the teachers, and with no staff at
// all to the owners.
func TestTicketsWithoutAssistants(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	for _, id := range []int64{asst1, asst2} {
		if _, err := e.db.RevokeRole(ctx, id, membership.RoleAssistant, "ppt"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.svc.Ask(ctx, student, "问题")
	if err != nil || got.Ticket.Assignee != teacher {
		t.Fatalf("without assistants: %+v, %v", got.Ticket, err)
	}
	if _, err := e.db.RevokeRole(ctx, teacher, membership.RoleTeacher, "ppt"); err != nil {
		t.Fatal(err)
	}
	if got, err = e.svc.Ask(ctx, student, "问题"); err != nil || got.Ticket.Assignee != owner {
		t.Fatalf("without staff: %+v, %v", got.Ticket, err)
	}
}
