package store

import "context"

// PooledQueryRow runs a one-row read the way the store's reads outside a
// transaction run (grouped on PostgreSQL), for the tests of package
// store_test.
func (s *Store) PooledQueryRow(ctx context.Context, q string, args ...any) interface{ Scan(...any) error } {
	return s.pooled().QueryRowContext(ctx, q, args...)
}
