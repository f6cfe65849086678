package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Backup writes a consistent copy of the SQLite database named by
// databaseURL to file, while the platform may be using it: VACUUM INTO
// reads in one transaction, so the copy is the database as of one commit
// (with the write-ahead log folded in), compacted, and a complete database
// on its own. PostgreSQL has its own tool for this, which Backup names.
func Backup(ctx context.Context, databaseURL, file string) error {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return errors.New("backup copies SQLite databases; for PostgreSQL use its own tools, " +
			"for example: pg_dump --format=custom --file=FILE 'postgres://…' (restore with pg_restore)")
	case !strings.HasPrefix(databaseURL, "sqlite:"):
		return fmt.Errorf("store: unsupported database URL %q (want postgres://… or sqlite://PATH)", redact(databaseURL))
	}
	path := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" || path == ":memory:" {
		return errors.New("backup: an in-memory database has nothing to copy")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup: the database: %w", err) // Open would create an empty one
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file", file)
	}
	s, err := Open(databaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO $1`, file); err != nil {
		os.Remove(file) // whatever part was written is no backup
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
