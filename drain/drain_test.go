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
		}, func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() })
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
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 || reported[0].Error() != "boom" {
		t.Errorf("reported %v", reported)
	}
}
