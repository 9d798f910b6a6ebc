// Command ferretdb runs FerretDB v1.24 with its embedded SQLite handler, so
// that the MongoDB adapter's contract tests have a real wire-protocol server
// on a machine with nothing installed.
//
// It is its own Go module: FerretDB's dependencies stay out of shequn's
// go.mod. It listens on -addr (port 0 picks a free one), keeps its SQLite
// files in -dir, prints the server's mongodb:// URI as its first line of
// standard output once it accepts connections, and runs until interrupted,
// or, with -stdin, until its standard input closes: a test that starts it
// keeps the pipe open, so the server ends with the test even when the test
// is killed.
//
//	go run . -addr 127.0.0.1:27017 -dir /tmp/ferretdb
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "TCP address to listen on; port 0 picks a free one")
	dir := flag.String("dir", "", "directory of the SQLite files (required)")
	verbose := flag.Bool("v", false, "log at info level instead of warnings only")
	stdin := flag.Bool("stdin", false, "exit when standard input closes")
	flag.Parse()
	if err := run(*addr, *dir, *verbose, *stdin); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run(addr, dir string, verbose, stdin bool) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return err
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(abs) + "/",
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if stdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	// MongoDBURI waits until the listener is bound, which Run does.
	fmt.Println(f.MongoDBURI())
	return <-done
}
