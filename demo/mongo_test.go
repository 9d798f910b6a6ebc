package demo

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/store/mongo/mongotest"
)

var (
	mongoOnce   sync.Once
	mongoServer *mongotest.Server
	mongoErr    error
)

// onMongo points a community at a fresh database of the test server
// (MONGODB_URI, or a FerretDB started once for this test binary; it ends
// with the binary).
func onMongo(tb testing.TB) Setup {
	tb.Helper()
	mongoOnce.Do(func() { mongoServer, mongoErr = mongotest.Start() })
	if mongoErr != nil {
		tb.Fatal(mongoErr)
	}
	uri, err := mongoServer.FreshURI()
	if err != nil {
		tb.Fatal(err)
	}
	return func(cfg *config.Config, _ *app.Options) { cfg.Store = uri }
}

// The whole story runs the same on MongoDB.
func TestDemoStoryOnMongo(t *testing.T) {
	var out bytes.Buffer
	if err := RunWith(t.Context(), &out, onMongo(t)); err != nil {
		t.Fatalf("demo on MongoDB: %v\n%s", err, out.String())
	}
	for _, want := range []string{"PPT-00007", "decline, Mallory", "ban, Alice", "1. PPT-00001 — 100 分"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
}
