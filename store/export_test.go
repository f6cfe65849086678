package store

import (
	"context"
	"time"
)

// PooledQueryRow runs a one-row read the way the store's reads outside a
// transaction run (grouped on PostgreSQL), for the tests of package
// store_test.
func (s *Store) PooledQueryRow(ctx context.Context, q string, args ...any) interface{ Scan(...any) error } {
	return s.pooled().QueryRowContext(ctx, q, args...)
}

// CheckpointAt makes SQLite's background checkpointer look at the WAL every
// look and start copying it at pages long, instead of checkpointLook and
// walCheckpointPages, so that a test need not write 32 MB to see it work.
func (s *Store) CheckpointAt(pages int, look time.Duration) {
	s.gc.checkpoints.pages.Store(int64(pages))
	s.gc.checkpoints.look.Store(int64(look))
}
