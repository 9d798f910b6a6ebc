package desk_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shequn/shequn/desk"
)

// faqCorpus builds n entries over ten courses, each with one Chinese
// keyword (three or four characters) and one English one (two words),
// every keyword unique in its course; the characters and words of the
// keywords never occur in the questions' filler text.
func faqCorpus(n int) []desk.FAQ {
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	var fs []desk.FAQ
	for i := range n {
		course := fmt.Sprintf("c%d", i%10)
		var zh, en string
		for zh == "" || seen[course+zh] {
			rs := make([]rune, 3+r.IntN(2))
			for j := range rs {
				rs[j] = rune(0x4E00 + r.IntN(400)) // 一丁七…: a pool the filler avoids
			}
			zh = string(rs)
		}
		for en == "" || seen[course+en] {
			en = fmt.Sprintf("zq%c%c%c kw%c%c", 'a'+r.IntN(26), 'a'+r.IntN(26), 'a'+r.IntN(26), 'a'+r.IntN(26), 'a'+r.IntN(26))
		}
		seen[course+zh], seen[course+en] = true, true
		fs = append(fs, desk.FAQ{ID: int64(i + 1), Course: course, Keywords: []string{zh, en}, Answer: "answer"})
	}
	return fs
}

// BenchmarkFAQMatch matches questions (half Chinese, half English, each
// holding one entry's keyword in filler text) against 2,000 entries and
// checks that each finds its entry and that the 99th percentile of one
// match stays under 1 ms. Reported: p99-µs.
func BenchmarkFAQMatch(b *testing.B) {
	fs := faqCorpus(2000)
	idx := desk.NewIndex(fs)
	r := rand.New(rand.NewPCG(3, 4))
	const samples = 2000
	type question struct {
		courses []string
		text    string
		want    int64
	}
	qs := make([]question, samples)
	for i := range qs {
		f := fs[r.IntN(len(fs))]
		text := "老师您好，请问：" + f.Keywords[0] + "应该怎么处理呢？我试了很多次都不行，谢谢！"
		if i%2 == 1 {
			text = "Hello, please help: how do I get " + f.Keywords[1] + " working in the lesson? Thanks a lot!"
		}
		qs[i] = question{[]string{f.Course, "c-other"}, text, f.ID}
	}
	var p99 time.Duration
	b.ResetTimer()
	for range b.N {
		took := make([]time.Duration, samples)
		for i, q := range qs {
			start := time.Now()
			got, ok := idx.Match(q.courses, q.text)
			took[i] = time.Since(start)
			if !ok || got.ID != q.want {
				b.Fatalf("%q matched %d (%v), want %d", q.text, got.ID, ok, q.want)
			}
		}
		slices.Sort(took)
		p99 = took[samples*99/100]
	}
	b.ReportMetric(float64(p99.Nanoseconds())/1e3, "p99-µs")
	if p99 >= time.Millisecond {
		b.Fatalf("p99 of one match = %v, want under 1ms", p99)
	}
}
