package desk

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shequn/shequn"
)

// SplitKeywords cuts a list of keywords on commas, semicolons and the
// Chinese list marks (，；、), dropping empty ones; spaces stay inside a
// keyword, so "reset password" is one.
func SplitKeywords(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",;，；、|", r) })
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// checkFAQ applies the limits of an entry.
func checkFAQ(keywords []string, answer string) error {
	if len(keywords) == 0 || strings.TrimSpace(answer) == "" {
		return ErrNoKeywords
	}
	if len(keywords) > MaxKeywords {
		return shequn.Errorf(shequn.CodeInvalid, "an entry holds at most %d keywords", MaxKeywords)
	}
	for _, k := range keywords {
		if utf8.RuneCountInString(k) > MaxKeyword || len(units(k)) == 0 {
			return shequn.Errorf(shequn.CodeInvalid, "a keyword is 1 to %d letters: %q", MaxKeyword, k)
		}
	}
	if len(utf16.Encode([]rune(answer))) > MaxText-200 {
		return shequn.Errorf(shequn.CodeInvalid, "an answer holds at most %d characters", MaxText-200)
	}
	return nil
}

// AddFAQ stores an entry of a course for a staff member of it.
func (s *Service) AddFAQ(ctx context.Context, by int64, course string, keywords []string, answer string) (FAQ, error) {
	if err := s.checkStaff(ctx, by, course); err != nil {
		return FAQ{}, err
	}
	if err := checkFAQ(keywords, answer); err != nil {
		return FAQ{}, err
	}
	fs, err := s.Store.AddFAQs(ctx, []FAQ{{Course: course, Keywords: keywords, Answer: strings.TrimSpace(answer), CreatedBy: by, CreatedAt: s.Now().UTC()}})
	if err != nil {
		return FAQ{}, err
	}
	s.forgetIndex()
	return fs[0], nil
}

// SaveAnswer turns a ticket's answer into an entry of its course, with
// the keywords the staff member chose.
func (s *Service) SaveAnswer(ctx context.Context, by, ticket int64, keywords []string) (FAQ, error) {
	t, err := s.Ticket(ctx, by, ticket)
	if err != nil {
		return FAQ{}, err
	}
	if t.Answer == "" {
		return FAQ{}, shequn.Errorf(shequn.CodeConflict, "ticket %d has no answer yet", ticket)
	}
	return s.AddFAQ(ctx, by, t.Course, keywords, t.Answer)
}

// LineError is a CSV row the import refused, by its line.
type LineError struct {
	Line int
	Err  error
}

// ImportFAQs reads CSV rows "keywords,answer" (keywords split as by
// SplitKeywords; a first row "keywords,answer" is a header) and stores
// them all, or, when a row is bad, none, returning the bad rows.
func (s *Service) ImportFAQs(ctx context.Context, by int64, course string, r io.Reader) (int, []LineError, error) {
	if err := s.checkStaff(ctx, by, course); err != nil {
		return 0, nil, err
	}
	fs, bad := parseCSV(course, by, s.Now().UTC(), r)
	if len(bad) > 0 {
		return 0, bad, nil
	}
	if len(fs) == 0 {
		return 0, []LineError{{Line: 1, Err: ErrNoKeywords}}, nil
	}
	if _, err := s.Store.AddFAQs(ctx, fs); err != nil {
		return 0, nil, err
	}
	s.forgetIndex()
	return len(fs), nil, nil
}

// parseCSV reads the rows of an import; the bad ones are reported by line.
func parseCSV(course string, by int64, now time.Time, r io.Reader) ([]FAQ, []LineError) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var fs []FAQ
	var bad []LineError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, append(bad, LineError{Line: line, Err: shequn.Errorf(shequn.CodeInvalid, "not CSV")})
		}
		if line == 1 && len(rec) == 2 && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")), "keywords") {
			continue
		}
		if len(fs)+len(bad) >= MaxImport {
			return nil, append(bad, LineError{Line: line, Err: shequn.Errorf(shequn.CodeInvalid, "at most %d rows", MaxImport)})
		}
		if len(rec) != 2 {
			bad = append(bad, LineError{Line: line, Err: shequn.Errorf(shequn.CodeInvalid, "a row is keywords,answer")})
			continue
		}
		kws := SplitKeywords(rec[0])
		if err := checkFAQ(kws, rec[1]); err != nil {
			bad = append(bad, LineError{Line: line, Err: err})
			continue
		}
		fs = append(fs, FAQ{Course: course, Keywords: kws, Answer: strings.TrimSpace(rec[1]), CreatedBy: by, CreatedAt: now})
	}
	return fs, bad
}

// DeleteFAQ removes an entry for a staff member of its course.
func (s *Service) DeleteFAQ(ctx context.Context, by, id int64) (FAQ, error) {
	fs, err := s.Store.FAQs(ctx, "")
	if err != nil {
		return FAQ{}, err
	}
	for _, f := range fs {
		if f.ID != id {
			continue
		}
		if err := s.checkStaff(ctx, by, f.Course); err != nil {
			return FAQ{}, err
		}
		f, err := s.Store.DeleteFAQ(ctx, id)
		s.forgetIndex()
		return f, err
	}
	return FAQ{}, fmt.Errorf("faq %d: %w", id, shequn.ErrNotFound)
}

// FAQs lists the entries of the courses a staff member answers for, or
// of one of them.
func (s *Service) FAQs(ctx context.Context, by int64, course string) ([]FAQ, error) {
	if course != "" {
		if err := s.checkStaff(ctx, by, course); err != nil {
			return nil, err
		}
		return s.Store.FAQs(ctx, course)
	}
	courses, all, ok, err := s.staffScope(ctx, by)
	if err != nil || !ok {
		return nil, cmpErr(err, ErrNotStaff)
	}
	fs, err := s.Store.FAQs(ctx, "")
	if err != nil || all {
		return fs, err
	}
	var mine []FAQ
	for _, f := range fs {
		for _, c := range courses {
			if f.Course == c {
				mine = append(mine, f)
			}
		}
	}
	return mine, nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// faqIndex returns the index of every entry, built again when it is older
// than indexFor or an entry changed here.
func (s *Service) faqIndex(ctx context.Context, now time.Time) (*Index, error) {
	s.mu.Lock()
	idx, at := s.index, s.indexAt
	s.mu.Unlock()
	if idx != nil && now.Sub(at) < indexFor && !now.Before(at) {
		return idx, nil
	}
	fs, err := s.Store.FAQs(ctx, "")
	if err != nil {
		return nil, err
	}
	idx = NewIndex(fs)
	s.mu.Lock()
	s.index, s.indexAt = idx, now
	s.mu.Unlock()
	return idx, nil
}

func (s *Service) forgetIndex() {
	s.mu.Lock()
	s.index = nil
	s.mu.Unlock()
}
