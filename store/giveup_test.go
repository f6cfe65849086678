package store

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A transaction that stops waiting for the writer's turn (its request
// gone, or the wait timed out) just after the holder counted it and left
// the group open for it must not leave the group uncommitted: the holder's
// Commit returns, and so does Close.
func TestGivingUpTheTurnCommitsTheOpenGroup(t *testing.T) {
	t.Parallel()
	s, err := Open("sqlite://" + filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.pq.ExecContext(ctx, `CREATE TABLE t (k integer PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	g := s.gc

	holder, _ := g.begin(ctx)
	if _, err := holder.ExecContext(ctx, `INSERT INTO t (k) VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	waiterCtx, cancelWaiter := context.WithCancel(ctx)
	waiter, _ := g.begin(waiterCtx)
	waited := make(chan error, 1)
	go func() {
		_, err := waiter.ExecContext(waiterCtx, `INSERT INTO t (k) VALUES (2)`)
		waited <- err
	}()
	for g.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// The holder's pass has seen one waiter, so it leaves the group open;
	// the waiter gives up before the turn is handed on.
	var once sync.Once
	g.passHook = func() {
		once.Do(func() {
			cancelWaiter()
			for g.waiting.Load() != 0 {
				time.Sleep(time.Millisecond)
			}
		})
	}
	committed := make(chan error, 1)
	go func() { committed <- holder.Commit() }()
	select {
	case err := <-committed:
		if err != nil {
			t.Fatalf("the holder's commit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the holder's Commit did not return: its group was left open")
	}
	if err := <-waited; err == nil {
		t.Error("the waiter that gave up wrote anyway")
	}
	var n int
	if err := s.pq.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d rows (%v), want the holder's one", n, err)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
}
