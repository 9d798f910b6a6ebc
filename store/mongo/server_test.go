package mongo

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// serverURI is the server every test of the package uses: MONGODB_URI when
// set, else the FerretDB that TestMain starts.
var serverURI string

// TestMain starts one FerretDB for the whole test binary unless MONGODB_URI
// names a server, and stops it when the tests end.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		stop, err := startServer()
		if err != nil {
			fmt.Fprintln(os.Stderr, "store/mongo tests: no server to test against:", err)
			return 1
		}
		defer stop()
		return m.Run()
	}())
}

func startServer() (stop func(), err error) {
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		serverURI = uri
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", "shequn-ferretdb-")
	if err != nil {
		return nil, err
	}
	f, err := startFerretDB(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("FerretDB (set MONGODB_URI to test against a MongoDB instead): %w", err)
	}
	serverURI = f.uri
	return func() {
		f.stop()
		os.RemoveAll(dir)
	}, nil
}

// ferretDB is a FerretDB server run by the tests.
type ferretDB struct {
	uri   string
	cmd   *exec.Cmd
	stdin io.Closer
}

// startFerretDB builds tools/ferretdb, its own Go module, into dir, starts
// it on a free port of 127.0.0.1 with its SQLite files in dir, and waits
// until it answers a ping. The build is cached by the Go build cache: only
// the first run on a machine compiles FerretDB (about a minute on two
// cores); later ones link it in seconds.
func startFerretDB(dir string) (*ferretDB, error) {
	tool, err := filepath.Abs(filepath.Join("..", "..", "tools", "ferretdb"))
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "ferretdb")
	build := exec.Command("go", "build", "-buildvcs=false", "-tags", "ferretdb_no_postgresql", "-o", bin, ".")
	build.Dir = tool
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build %s: %w\n%s", tool, err, out)
	}

	logs := &syncBuffer{}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-dir", filepath.Join(dir, "data"), "-stdin")
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	// The server exits when this pipe closes: at stop, or when the test
	// binary dies without stopping it.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	f := &ferretDB{cmd: cmd, stdin: stdin}
	fail := func(err error) (*ferretDB, error) {
		f.stop()
		return nil, fmt.Errorf("%w; server log:\n%s", err, logs.String())
	}

	lines := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			lines <- s.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case f.uri = <-lines:
	case <-time.After(time.Minute):
		return fail(errors.New("no URI printed within a minute"))
	}
	if !strings.HasPrefix(f.uri, "mongodb://") {
		return fail(fmt.Errorf("server exited or printed %q instead of its URI", f.uri))
	}
	if err := waitForPing(f.uri, 30*time.Second); err != nil {
		return fail(err)
	}
	return f, nil
}

// waitForPing pings uri until it answers or the time is up.
func waitForPing(uri string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri).SetServerSelectionTimeout(time.Second))
	if err != nil {
		return err
	}
	defer client.Disconnect(context.Background())
	for {
		err := client.Ping(ctx, nil)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer to ping at %s: %w", uri, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (f *ferretDB) stop() {
	f.stdin.Close()
	_ = f.cmd.Process.Kill()
	_ = f.cmd.Wait()
}

// syncBuffer is a bytes.Buffer that a process may write while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var databases atomic.Int64

// databaseURI returns the server's URI with the database name as its path.
// Credentials keep authenticating against the database they did.
func databaseURI(tb testing.TB, name string) string {
	tb.Helper()
	u, err := url.Parse(serverURI)
	if err != nil {
		tb.Fatalf("parse server URI: %v", err)
	}
	if q := u.Query(); u.User != nil && q.Get("authSource") == "" {
		q.Set("authSource", cmp.Or(strings.TrimPrefix(u.Path, "/"), "admin"))
		u.RawQuery = q.Encode()
	}
	u.Path = "/" + name
	return u.String()
}

// mustOpen opens the store on a fresh database, dropped and closed when the
// test ends.
func mustOpen(tb testing.TB) *DB {
	tb.Helper()
	name := fmt.Sprintf("shequn_test_%d_%d", os.Getpid(), databases.Add(1))
	db, err := Open(context.Background(), databaseURI(tb, name))
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
