package desk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/desk"
	"github.com/shequn/shequn/membership"
)

// logs sends the service's warnings and errors to a buffer.
func (e *env) logs() *bytes.Buffer {
	var b bytes.Buffer
	e.svc.Log = slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &b
}

// An FAQ entry's limits hold up to and including the limit.
func TestFAQLimits(t *testing.T) {
	keywords := func(n int) []string {
		var ks []string
		for i := range n {
			ks = append(ks, fmt.Sprintf("k%d", i))
		}
		return ks
	}
	for _, c := range []struct {
		name     string
		keywords []string
		answer   string
		ok       bool
	}{
		{"the most keywords", keywords(desk.MaxKeywords), "a", true},
		{"a keyword too many", keywords(desk.MaxKeywords + 1), "a", false},
		{"the longest keyword", []string{strings.Repeat("模", desk.MaxKeyword)}, "a", true},
		{"a keyword too long", []string{strings.Repeat("模", desk.MaxKeyword+1)}, "a", false},
		{"the longest answer", []string{"模板"}, strings.Repeat("答", desk.MaxText-200), true},
		{"an answer too long", []string{"模板"}, strings.Repeat("答", desk.MaxText-199), false},
		// An emoji is two UTF-16 code units, as Telegram counts.
		{"an answer too long in UTF-16", []string{"模板"}, strings.Repeat("😀", (desk.MaxText-199)/2+1), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.svc.AddFAQ(t.Context(), teacher, "ppt", c.keywords, c.answer)
			if c.ok && err != nil || !c.ok && shequn.ErrorCode(err) != shequn.CodeInvalid {
				t.Fatalf("err %v, want ok %v", err, c.ok)
			}
			// The refusal of a long answer tells the limit it broke.
			if strings.HasPrefix(c.name, "an answer too long") && !strings.Contains(err.Error(), fmt.Sprint(desk.MaxText-200)) {
				t.Errorf("refusal %q does not tell the limit %d", err, desk.MaxText-200)
			}
		})
	}
}

// A question as long as a Telegram message is taken; one code unit more
// is not.
func TestQuestionLimit(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Ask(t.Context(), student, strings.Repeat("问", desk.MaxText)); err != nil {
		t.Errorf("the longest question: %v", err)
	}
	_, err := e.svc.Ask(t.Context(), student, strings.Repeat("😀", desk.MaxText/2)+"问")
	if shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Errorf("a question one UTF-16 unit too long: %v", err)
	}
}

// An import holds up to MaxImport rows, bad ones counted: the first row
// past the limit is refused by its line.
func TestImportLimit(t *testing.T) {
	rows := func(bad, good int) string {
		var b strings.Builder
		b.WriteString("keywords,answer\n")
		for range bad {
			b.WriteString(",no keywords\n")
		}
		for i := range good {
			fmt.Fprintf(&b, "k%d,a%d\n", i, i)
		}
		return b.String()
	}
	for _, c := range []struct {
		name      string
		bad, good int
		imported  int
		lines     []int // the refused lines; the last is the limit's when past it
		limit     bool
	}{
		{"the most rows", 0, desk.MaxImport, desk.MaxImport, nil, false},
		{"a row too many", 0, desk.MaxImport + 1, 0, []int{desk.MaxImport + 2}, true},
		{"a bad row counts", 1, desk.MaxImport, 0, []int{2, desk.MaxImport + 2}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			n, bad, err := e.svc.ImportFAQs(t.Context(), teacher, "ppt", strings.NewReader(rows(c.bad, c.good)))
			if err != nil || n != c.imported || len(bad) != len(c.lines) {
				t.Fatalf("imported %d, bad %v, err %v; want %d, lines %v", n, bad, err, c.imported, c.lines)
			}
			for i, l := range c.lines {
				if bad[i].Line != l {
					t.Errorf("bad line %d, want %d", bad[i].Line, l)
				}
			}
			if c.limit && !strings.Contains(bad[len(bad)-1].Err.Error(), "at most") {
				t.Errorf("the last refusal is %v, want the limit", bad[len(bad)-1].Err)
			}
		})
	}
}

// Of two keywords of one length, the entry with the lower id answers,
// wherever its keyword stands in the question.
func TestMatchTieIsTheLowerID(t *testing.T) {
	idx := desk.NewIndex([]desk.FAQ{
		{ID: 5, Course: "ppt", Keywords: []string{"字体"}},
		{ID: 6, Course: "ppt", Keywords: []string{"配色"}},
	})
	for _, q := range []string{"字体和配色", "配色和字体"} {
		if got, ok := idx.Match([]string{"ppt"}, q); !ok || got.ID != 5 {
			t.Errorf("Match(%q) = %d, %v; want 5", q, got.ID, ok)
		}
	}
}

// An entry added on another instance answers here within a minute; the
// index is not read again for every question.
func TestIndexServesForAMinute(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.faq(t, "a", "模板")
	if got, err := e.svc.Ask(ctx, student, "模板"); err != nil || got.FAQ.ID == 0 {
		t.Fatalf("the entry does not answer: %+v %v", got, err)
	}
	built := e.now
	// Another instance adds an entry: straight into the store.
	if _, err := e.db.AddFAQs(ctx, []desk.FAQ{{Course: "ppt", Keywords: []string{"配色"}, Answer: "b", CreatedBy: teacher, CreatedAt: t0}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at     time.Duration
		answer bool
	}{
		{0, false},
		{time.Minute - time.Second, false},
		{time.Minute, true},
	} {
		e.now = built.Add(c.at)
		got, err := e.svc.Ask(ctx, student, "配色")
		if err != nil || (got.FAQ.ID != 0) != c.answer {
			t.Errorf("%v after the index was built: FAQ %d %v, want answered %v", c.at, got.FAQ.ID, err, c.answer)
		}
	}
}

// Figures of a week with no question are zeros, not a division by zero.
func TestFiguresOfAnEmptyWeek(t *testing.T) {
	since := t0.Add(-48 * time.Hour)
	f := desk.FiguresOf(desk.Stats{}, since)
	if !f.Since.Equal(since) || f.Asked != 0 || f.FAQPct != 0 || f.Median != 0 || f.P90 != 0 || len(f.Answers) != 0 {
		t.Errorf("figures %+v", f)
	}
}

// The figures count from Monday 00:00 of the week in the community's
// time zone.
func TestFiguresWeekStartsOnMonday(t *testing.T) {
	monday := time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC) // Monday 2 March, 00:00 in Shanghai
	next := time.Date(2026, 3, 8, 16, 0, 0, 0, time.UTC)   // Monday 9 March, 00:00 in Shanghai
	for _, c := range []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"Wednesday", t0, monday},
		{"Monday 00:00", monday, monday},
		{"Sunday 23:59", next.Add(-time.Minute), monday},
		{"Sunday in UTC, Monday in Shanghai", next.Add(4 * time.Hour), next},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.now = c.now
			f, err := e.svc.Figures(t.Context(), asst1)
			if err != nil || !f.Since.Equal(c.want) {
				t.Errorf("since %v %v, want %v", f.Since, err, c.want)
			}
		})
	}
}

// A ticket or summary that cannot be delivered is logged as a warning;
// one delivered is not.
func TestUndeliveredIsLogged(t *testing.T) {
	for _, c := range []struct {
		name   string
		fail   bool
		do     func(t *testing.T, e *env)
		logged string
	}{
		{"ticket delivered", false, ask, ""},
		{"ticket not delivered", true, ask, "ticket not delivered"},
		{"ticket handed on", false, escalate(nil), ""},
		{"ticket not handed on", false, escalate(errors.New("groups unavailable")), "ticket not handed on"},
		{"summary delivered", false, summary, ""},
		{"summary not delivered", true, summary, "desk summary not delivered"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			log := e.logs()
			e.notes.fail[asst1], e.notes.fail[owner] = c.fail, c.fail
			c.do(t, e)
			if got := log.String(); c.logged == "" && got != "" || c.logged != "" && !strings.Contains(got, c.logged) {
				t.Errorf("log %q, want %q", got, c.logged)
			}
		})
	}
}

func ask(t *testing.T, e *env) {
	t.Helper()
	if got, err := e.svc.Ask(t.Context(), student, "封面怎么做？"); err != nil || got.Ticket.Assignee != asst1 {
		t.Fatalf("ask: %+v %v", got.Ticket, err)
	}
}

// escalate asks, then escalates after the reassignment time with the
// asker's group failing with err (nil: found).
func escalate(err error) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		t.Helper()
		ask(t, e)
		if err != nil {
			e.svc.GroupOf = func(context.Context, string, int64) (desk.Place, error) { return desk.Place{}, err }
		}
		if err := e.svc.Escalate(t.Context(), e.advance(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
}

func summary(t *testing.T, e *env) {
	t.Helper()
	if err := e.svc.Summary(t.Context(), e.now); err != nil {
		t.Fatal(err)
	}
}

// An answer as long as a Telegram message is relayed; one code unit more
// is refused.
func TestAnswerLimit(t *testing.T) {
	e := newEnv(t)
	got, err := e.svc.Ask(t.Context(), student, "封面怎么做？")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Answer(t.Context(), asst1, got.Ticket.ID, strings.Repeat("😀", desk.MaxText/2)+"答")
	if shequn.ErrorCode(err) != shequn.CodeInvalid {
		t.Errorf("an answer one UTF-16 unit too long: %v", err)
	}
	if _, err := e.svc.Answer(t.Context(), asst1, got.Ticket.ID, strings.Repeat("答", desk.MaxText)); err != nil {
		t.Errorf("the longest answer: %v", err)
	}
}

// A rating is 1 to 5 stars.
func TestRatings(t *testing.T) {
	for _, c := range []struct {
		rating int
		ok     bool
	}{{0, false}, {1, true}, {5, true}, {6, false}} {
		t.Run(fmt.Sprint(c.rating), func(t *testing.T) {
			e := newEnv(t)
			got, err := e.svc.Ask(t.Context(), student, "封面怎么做？")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Answer(t.Context(), asst1, got.Ticket.ID, "看第三课"); err != nil {
				t.Fatal(err)
			}
			tk, err := e.svc.Rate(t.Context(), student, got.Ticket.ID, c.rating)
			if c.ok && (err != nil || tk.Rating != c.rating) || !c.ok && !errors.Is(err, desk.ErrBadRating) {
				t.Errorf("rated %d: %v", tk.Rating, err)
			}
		})
	}
}

// Someone without a role lists no FAQ: they are refused, not shown an
// empty list; an assistant lists their own course's entries only.
func TestFAQsNeedStaff(t *testing.T) {
	e := newEnv(t)
	e.faq(t, "a", "模板")
	if _, err := e.svc.AddFAQ(t.Context(), xlsAsst, xlsCourse, []string{"公式"}, "b"); err != nil {
		t.Fatal(err)
	}
	if fs, err := e.svc.FAQs(t.Context(), student, ""); !errors.Is(err, desk.ErrNotStaff) {
		t.Errorf("a student lists %+v, %v", fs, err)
	}
	if fs, err := e.svc.FAQs(t.Context(), asst1, ""); err != nil || len(fs) != 1 || fs[0].Course != "ppt" {
		t.Errorf("an assistant lists %+v, %v", fs, err)
	}
}

// An answer saved as an FAQ entry answers the next such question at
// once; a ticket not answered yet has nothing to save.
func TestSaveAnswerAsFAQ(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	got, err := e.svc.Ask(ctx, student, "封面怎么做？")
	if err != nil {
		t.Fatal(err)
	}
	id := got.Ticket.ID
	_, err = e.svc.SaveAnswer(ctx, asst1, id, []string{"封面"})
	is(t, "save before the answer", err, shequn.ErrConflict)
	_, err = e.svc.SaveAnswer(ctx, asst1, id+100, []string{"封面"})
	is(t, "save of no ticket", err, shequn.ErrNotFound)
	if _, err := e.svc.Answer(ctx, asst1, id, "看第三课"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SaveAnswer(ctx, xlsAsst, id, []string{"封面"})
	is(t, "save by staff of another course", err, desk.ErrNotStaff)
	f, err := e.svc.SaveAnswer(ctx, asst1, id, []string{"封面"})
	if err != nil || f.Answer != "看第三课" || f.Course != "ppt" {
		t.Fatalf("saved %+v, %v", f, err)
	}
	if got, err := e.svc.Ask(ctx, student2, "封面用什么字体"); err != nil || got.FAQ.ID != f.ID {
		t.Errorf("asked again: %+v, %v", got.FAQ, err)
	}
}

// The FAQ of one course is listed to its staff only.
func TestFAQsOfACourse(t *testing.T) {
	e := newEnv(t)
	e.faq(t, "a", "模板")
	if fs, err := e.svc.FAQs(t.Context(), asst1, "ppt"); err != nil || len(fs) != 1 {
		t.Errorf("ppt's FAQ to its assistant: %+v, %v", fs, err)
	}
	_, err := e.svc.FAQs(t.Context(), xlsAsst, "ppt")
	is(t, "ppt's FAQ to an xls assistant", err, desk.ErrNotStaff)
}

// The figures name who answered as staff know them: @username, else the
// first name, else nothing (no profile).
func TestFiguresNameWhoAnswered(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.svc.Profiles = e.db
	for _, p := range []membership.Profile{{UserID: asst1, Username: "ann"}, {UserID: asst2, FirstName: "Bo"}} {
		if err := e.db.SaveProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, by := range []int64{asst1, asst2, teacher} {
		got, err := e.svc.Ask(ctx, student, "封面怎么做？")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Answer(ctx, by, got.Ticket.ID, "看第三课"); err != nil {
			t.Fatal(err)
		}
	}
	f, err := e.svc.Figures(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	want := []desk.Count{{teacher, 1, ""}, {asst1, 1, "@ann"}, {asst2, 1, "Bo"}} // one each: by id
	if !slices.Equal(f.Answers, want) {
		t.Errorf("answers %+v, want %+v", f.Answers, want)
	}
}

// The only assistant of a course keeps a ticket they left waiting: it
// climbs a level, still theirs.
func TestOnlyAssistantKeepsTheTicket(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if _, err := e.db.RevokeRole(ctx, asst2, membership.RoleAssistant, "ppt"); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Ask(ctx, student, "封面怎么做？")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Escalate(ctx, e.advance(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if tk, err := e.db.Ticket(ctx, got.Ticket.ID); err != nil || tk.Assignee != asst1 || tk.Level != desk.LevelReassigned {
		t.Errorf("after 2 hours: %+v, %v; want asst1's at the second level", tk, err)
	}
}
