package mongo

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/shequn/shequn/store/mongo/mongotest"
)

// server is the server every test of the package uses: MONGODB_URI when
// set, else a FerretDB that TestMain starts.
var server *mongotest.Server

// TestMain starts one server for the whole test binary and stops it when
// the tests end.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		var err error
		if server, err = mongotest.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "store/mongo tests: no server to test against:", err)
			return 1
		}
		defer server.Stop()
		return m.Run()
	}())
}

// mustOpen opens the store on a fresh database, dropped and closed when the
// test ends.
func mustOpen(tb testing.TB) *DB {
	tb.Helper()
	uri, err := server.FreshURI()
	if err != nil {
		tb.Fatal(err)
	}
	db, err := Open(context.Background(), uri)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.db.Drop(context.Background()); err != nil {
			tb.Error(err)
		}
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}
