package drain

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// The loop runs a batch at once, again at once after a full batch, waits
// for a wake-up (not the long poll) after a short one, and reports errors.
func TestLoop(t *testing.T) {
	w := NewWaker()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	sizes := []int{3, 3, 1, 0} // full, full, short, then nothing
	calls := 0
	ran := make(chan int, 10)
	var reported []error
	reportedOnce := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		Loop(ctx, w, time.Hour, 3, func(context.Context) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			n := 0
			if calls < len(sizes) {
				n = sizes[calls]
			}
			calls++
			ran <- calls
			if calls == 4 {
				return n, errors.New("boom")
			}
			return n, nil
		}, func(err error) {
			mu.Lock()
			reported = append(reported, err)
			mu.Unlock()
			select {
			case reportedOnce <- struct{}{}:
			default:
			}
		})
		close(done)
	}()
	for want := 1; want <= 3; want++ { // the two full batches need no wake-up
		if got := <-ran; got != want {
			t.Fatalf("call %d, want %d", got, want)
		}
	}
	select {
	case <-ran:
		t.Fatal("ran again after a short batch without a wake-up")
	case <-time.After(50 * time.Millisecond):
	}
	w.Notify()
	w.Notify() // a second wake-up while one is pending is dropped, not blocking
	if got := <-ran; got != 4 {
		t.Fatalf("call %d after the wake-up, want 4", got)
	}
	// Stop only once the batch's error is in: an error that comes back
	// after the stop is the stop's doing and is rightly not reported.
	select {
	case <-reportedOnce:
	case <-time.After(time.Minute):
		t.Fatal("the batch's error was not reported")
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 || reported[0].Error() != "boom" {
		t.Errorf("reported %v", reported)
	}
}

// Under WithGrace a stop lets the batch in flight finish on a live context,
// takes no further batch, and a batch that outlasts the grace is cut off.
func TestLoopGrace(t *testing.T) {
	for _, c := range []struct {
		name     string
		grace    time.Duration
		finishes bool
	}{{"within grace", time.Hour, true}, {"beyond grace", time.Millisecond, false}} {
		t.Run(c.name, func(t *testing.T) {
			stop, cancel := context.WithCancel(context.Background())
			started, release := make(chan struct{}), make(chan struct{})
			var batches int
			var finished bool
			done := make(chan struct{})
			go func() {
				defer close(done)
				Loop(WithGrace(stop, c.grace), NewWaker(), time.Hour, 1, func(ctx context.Context) (int, error) {
					batches++
					close(started)
					select {
					case <-release:
						finished = ctx.Err() == nil
					case <-ctx.Done():
					}
					return 1, nil // a full batch: without the stop the loop would go on at once
				}, func(error) {})
			}()
			<-started
			cancel()
			if c.finishes {
				close(release)
			}
			<-done
			if batches != 1 || finished != c.finishes {
				t.Fatalf("%d batches, finished on a live context %v; want 1, %v", batches, finished, c.finishes)
			}
		})
	}
}
