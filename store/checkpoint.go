package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// SQLite's WAL has to be copied back into the database file now and then (a
// checkpoint), or it grows without end. Left to SQLite, the writer whose
// commit takes the WAL past wal_autocheckpoint pages copies it, inside that
// commit; with the group committer that is inside the one writer's turn, so
// every writer waits while thousands of pages are copied and the database
// file is fsynced. The checkpointer copies on a connection of its own while
// the writer goes on, and takes the turn only to copy the few frames written
// meanwhile: the WAL is then all in the database file, and the next group's
// commit writes the WAL from its start again.

const (
	// checkpointLook is how often the checkpointer looks at the WAL's length.
	checkpointLook = 50 * time.Millisecond
	// checkpointTail is at most how many frames are left to copy under the turn.
	checkpointTail = 512
	// checkpointPasses bounds the copies made outside the turn per checkpoint:
	// each copies what the previous one left, so the tail shrinks fast unless
	// a reader's snapshot holds it back.
	checkpointPasses = 4
	// backstopPages is the writer's own automatic checkpoint, left in place
	// in case the checkpointer cannot keep up (a long reader, an error): the
	// WAL stays bounded either way.
	backstopPages = 4 * walCheckpointPages
)

type checkpointer struct {
	g    *groupCommitter
	conn *sql.Conn
	stop chan struct{}
	done chan struct{}
	runs atomic.Int64 // checkpoints that reached the WAL's end

	// walCheckpointPages and checkpointLook, but in tests:
	pages atomic.Int64 // the WAL's length that starts a checkpoint
	look  atomic.Int64 // how often the WAL's length is looked at, in nanoseconds
}

// startCheckpointer starts copying the WAL in the background, for a database
// in WAL mode (an in-memory one has no WAL: it returns nil).
func startCheckpointer(ctx context.Context, db *sql.DB, g *groupCommitter) (*checkpointer, error) {
	var mode string
	if err := g.conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return nil, fmt.Errorf("store: journal mode: %w", err)
	}
	if mode != "wal" {
		return nil, nil
	}
	if _, err := g.conn.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", backstopPages)); err != nil {
		return nil, fmt.Errorf("store: writer's checkpoint: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	c := &checkpointer{g: g, conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	c.pages.Store(walCheckpointPages)
	c.look.Store(int64(checkpointLook))
	go c.run()
	return c, nil
}

func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		wait := time.NewTimer(time.Duration(c.look.Load()))
		select {
		case <-c.stop:
			wait.Stop()
			return
		case <-wait.C:
		}
		// An error here (SQLITE_BUSY while another checkpoint runs, a
		// disk error the next commit will meet too) leaves the copy for
		// the next look, or for the writer's backstop.
		c.checkpoint()
	}
}

// checkpoint copies the WAL into the database file once it is
// walCheckpointPages long: outside the turn while much is left, under it for
// the tail.
func (c *checkpointer) checkpoint() error {
	frames, copied, err := c.wal("NOOP")
	if err != nil || int64(frames) < c.pages.Load() || copied == frames {
		return err // short, or all copied: the next commit starts the WAL over
	}
	for range checkpointPasses {
		if frames-copied <= checkpointTail {
			break
		}
		if frames, copied, err = c.wal("PASSIVE"); err != nil {
			return err
		}
	}
	if frames-copied > checkpointTail {
		return nil // a reader holds the rest back: look again later
	}
	select {
	case c.g.turn <- struct{}{}:
	case <-c.stop:
		return nil
	}
	defer func() { <-c.g.turn }()
	if c.g.tx != nil {
		// The next group must begin after the copy, so that it sees the
		// WAL all copied and writes it from the start: commit this one now.
		c.g.finish()
	}
	if frames, copied, err = c.wal("PASSIVE"); err == nil && frames == copied {
		c.runs.Add(1)
	}
	return err
}

// wal runs PRAGMA wal_checkpoint(mode): the WAL's length in frames and how
// many of them are in the database file. NOOP only reads the two; it came
// with SQLite 3.51, and an older SQLite would take it for PASSIVE
// (TestWALCheckpointNOOPCopiesNothing).
func (c *checkpointer) wal(mode string) (frames, copied int, err error) {
	var busy int
	err = c.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &copied)
	if err != nil {
		return 0, 0, fmt.Errorf("store: checkpoint: %w", err)
	}
	return frames, copied, nil
}
