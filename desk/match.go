package desk

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Matching. A text is cut into units: an English word (letters and
// digits, lower case) is one unit, every other letter (a Chinese
// character) is a unit of its own, and the rest separates. A keyword
// matches a question when its units appear in the question one after the
// other, so Chinese keywords match as substrings and English ones as whole
// words, and "PPT模板" matches "ppt 模板". Full-width forms (ＰＰＴ, ＡＢＣ１２３)
// count as their ASCII letters.

// fold maps a rune to its half-width lower-case form.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
	case r == 0x3000: // ideographic space
		r = ' '
	}
	return unicode.ToLower(r)
}

// isWord reports whether r is part of an English word.
func isWord(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// units cuts a text into matching units.
func units(s string) []string {
	var out []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range s {
		r = fold(r)
		switch {
		case isWord(r):
			word.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flush()
			out = append(out, string(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// keyword is one keyword of an entry, cut into units.
type keyword struct {
	units []string
	size  int // runes in its units: the longer match wins
	entry int // index into Index.entries
}

// Index matches questions against FAQ entries. It is built once from the
// entries and read by any number of goroutines.
type Index struct {
	entries []FAQ
	// byFirst lists the keywords of each course by their first unit.
	byFirst map[string]map[string][]keyword
}

// NewIndex builds the index of the entries.
func NewIndex(fs []FAQ) *Index {
	x := &Index{entries: fs, byFirst: map[string]map[string][]keyword{}}
	for i, f := range fs {
		m := x.byFirst[f.Course]
		if m == nil {
			m = map[string][]keyword{}
			x.byFirst[f.Course] = m
		}
		for _, k := range f.Keywords {
			us := units(k)
			if len(us) == 0 {
				continue
			}
			size := 0
			for _, u := range us {
				size += utf8.RuneCountInString(u)
			}
			m[us[0]] = append(m[us[0]], keyword{units: us, size: size, entry: i})
		}
	}
	return x
}

// Len is the number of entries.
func (x *Index) Len() int { return len(x.entries) }

// Match returns the entry of the courses whose keyword found in the
// question is the longest (on a tie, the lower id), and whether any
// matched.
func (x *Index) Match(courses []string, question string) (FAQ, bool) {
	q := units(question)
	best, bestSize := -1, 0
	for _, c := range courses {
		m := x.byFirst[c]
		if m == nil {
			continue
		}
		for i, u := range q {
			for _, k := range m[u] {
				if k.size < bestSize || !hasUnits(q[i:], k.units) {
					continue
				}
				if k.size > bestSize || x.entries[k.entry].ID < x.entries[best].ID {
					best, bestSize = k.entry, k.size
				}
			}
		}
	}
	if best < 0 {
		return FAQ{}, false
	}
	return x.entries[best], true
}

// hasUnits reports whether q starts with the units of k.
func hasUnits(q, k []string) bool {
	if len(k) > len(q) {
		return false
	}
	for i, u := range k {
		if q[i] != u {
			return false
		}
	}
	return true
}
