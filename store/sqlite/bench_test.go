package sqlite

import (
	"testing"

	"github.com/shequn/shequn/store/storetest"
)

// BenchmarkEnroll is the contract's enrollment benchmark on SQLite.
func BenchmarkEnroll(b *testing.B) {
	storetest.BenchmarkEnroll(b, func(tb testing.TB) storetest.Enroller { return MustOpen(tb) })
}
