// Package drain runs the platform's queue workers (callbacks, messages):
// a batch at once when woken, again at once while batches come back full,
// and otherwise after a poll interval, so a commit's work leaves at once
// and work that falls due later is still found.
package drain

import (
	"context"
	"time"
)

// Waker wakes a Loop. Make one with NewWaker.
type Waker struct {
	ch chan struct{}
}

// NewWaker returns a waker that remembers one wake-up while the loop works.
func NewWaker() *Waker { return &Waker{ch: make(chan struct{}, 1)} }

// Notify wakes the loop at once, or right after its current batch.
func (w *Waker) Notify() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// graceKey holds, in a Loop's context, the context its batches run on.
type graceKey struct{}

// WithGrace returns a context for Loop under which the loop stops taking
// batches when ctx ends, but lets the batch in flight finish — its
// deliveries sent and recorded rather than cut off and sent again after
// their lease — for at most grace.
func WithGrace(ctx context.Context, grace time.Duration) context.Context {
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })
	return context.WithValue(ctx, graceKey{}, work)
}

// Loop runs batch until ctx ends: again at once when it took a full batch
// (more may be waiting), else when woken or after poll. Errors go to
// report, except those of a loop that is stopping. Under WithGrace the
// batch in flight when ctx ends runs on to its end, within the grace.
func Loop(ctx context.Context, w *Waker, poll time.Duration, full int,
	batch func(context.Context) (int, error), report func(error)) {
	work := ctx
	if g, ok := ctx.Value(graceKey{}).(context.Context); ok {
		work = g
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		n, err := batch(work)
		if err != nil && work.Err() == nil {
			report(err)
		}
		if ctx.Err() != nil {
			return
		}
		if n == full {
			continue
		}
		t.Reset(poll)
		select {
		case <-ctx.Done():
			return
		case <-w.ch:
		case <-t.C:
		}
	}
}
