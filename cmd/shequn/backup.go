package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/store/sqlite"
)

// backup writes a consistent copy of the embedded store to FILE; it may run
// while serve runs. A MongoDB store is backed up with mongodump instead.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", config.DefaultPath, "configuration file (YAML); environment variables override it")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("usage: shequn backup [-config FILE] FILE")}
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	cfg, err := config.Load(*path, explicit, getenv)
	if err != nil {
		return usageError{err}
	}
	dest := fs.Arg(0)
	db, ok := strings.CutPrefix(cfg.Store, "sqlite:")
	if !ok {
		// Never print the URI: it may hold a password.
		return usageError{errors.New(`the MongoDB store is backed up with mongodump: mongodump --uri "$SHEQUN_STORE" --archive --gzip > ` + dest)}
	}
	if err := sqlite.Backup(ctx, db, dest); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "shequn: store %s copied to %s\n", db, dest)
	return nil
}
