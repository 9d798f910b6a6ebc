// Package mongotest gives tests and benchmarks a real MongoDB wire-protocol
// server: the one at MONGODB_URI when set, otherwise FerretDB v1.24 with its
// SQLite back end, built from its own module under tools/ferretdb (so its
// dependencies stay out of shequn's go.mod) and started on 127.0.0.1.
package mongotest

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
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Server is a server to test against.
type Server struct {
	URI  string
	stop func()
}

// Start returns MONGODB_URI's server, or builds and starts a FerretDB. Stop
// it when done; a FerretDB also ends when the process that started it dies.
func Start() (*Server, error) {
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		return &Server{URI: uri, stop: func() {}}, nil
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
	return &Server{URI: f.uri, stop: func() { f.stop(); os.RemoveAll(dir) }}, nil
}

// Stop stops a FerretDB the server started.
func (s *Server) Stop() { s.stop() }

var databases atomic.Int64

// FreshURI returns the server's URI naming a database no one used yet.
func (s *Server) FreshURI() (string, error) {
	return s.DatabaseURI(fmt.Sprintf("shequn_test_%d_%d", os.Getpid(), databases.Add(1)))
}

// DatabaseURI returns the server's URI naming the database. Credentials
// keep authenticating against the database they did.
func (s *Server) DatabaseURI(name string) (string, error) {
	u, err := url.Parse(s.URI)
	if err != nil {
		return "", fmt.Errorf("parse server URI: %w", err)
	}
	if q := u.Query(); u.User != nil && q.Get("authSource") == "" {
		q.Set("authSource", cmp.Or(strings.TrimPrefix(u.Path, "/"), "admin"))
		u.RawQuery = q.Encode()
	}
	u.Path = "/" + name
	return u.String(), nil
}

// toolDir finds tools/ferretdb from the working directory, which go test
// sets to the package's directory somewhere below the module root.
func toolDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		tool := filepath.Join(dir, "tools", "ferretdb")
		if _, err := os.Stat(filepath.Join(tool, "go.mod")); err == nil {
			return tool, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("tools/ferretdb not found above the working directory")
		}
		dir = parent
	}
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
	tool, err := toolDir()
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
