package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the store file at path to dest while
// other connections and processes (a running `shequn serve`) go on
// writing. It uses VACUUM INTO, which reads one snapshot of the database
// (WAL readers never block the writer) and writes a compact copy that
// holds every transaction committed before the snapshot and none after.
// dest must not exist; the copy is written beside it and renamed into
// place, so a failed backup leaves no half file.
func Backup(ctx context.Context, path, dest string) error {
	if err := backup(ctx, path, dest); err != nil {
		return fmt.Errorf("back up sqlite store %s: %w", path, err)
	}
	return nil
}

func backup(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s exists already", dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	tmp := dest + ".part"
	os.Remove(tmp)
	conn, err := sql.Open("sqlite", "file:"+escapePath(abs)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
