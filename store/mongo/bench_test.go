package mongo

import (
	"testing"

	"github.com/shequn/shequn/store/storetest"
)

// BenchmarkEnroll is the contract's enrollment benchmark on MongoDB.
// Against FerretDB it measures FerretDB more than the adapter: take it as a
// floor for MongoDB.
func BenchmarkEnroll(b *testing.B) {
	storetest.BenchmarkEnroll(b, func(tb testing.TB) storetest.Enroller { return mustOpen(tb) })
}
