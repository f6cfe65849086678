package store

import "sync"

// batcher gathers items that arrive while earlier batches are being sent
// and sends them together: commit groups (pggroup.go) and grouped reads
// (pgreads.go). An item that finds fewer than maxInFlight batches in flight
// has a sender started at once, so a quiet server sends each item alone
// and without waiting; under load the items that queue up meanwhile go
// in the next batch, at most maxBatch at a time.
type batcher[T any] struct {
	maxInFlight, maxBatch int
	send                  func(batch []T)

	mu       sync.Mutex
	waiting  []T
	inFlight int
}

// add queues item to be sent; the caller waits for its outcome its own way.
func (b *batcher[T]) add(item T) {
	b.mu.Lock()
	b.waiting = append(b.waiting, item)
	start := b.inFlight < b.maxInFlight
	if start {
		b.inFlight++
	}
	b.mu.Unlock()
	if start {
		// A goroutine of its own: the request that started it would
		// otherwise keep sending other requests' batches under load, long
		// after its own had gone.
		go b.run()
	}
}

// run sends the waiting items, a batch at a time, until none waits.
func (b *batcher[T]) run() {
	for {
		b.mu.Lock()
		n := min(len(b.waiting), b.maxBatch)
		if n == 0 {
			b.inFlight--
			b.mu.Unlock()
			return
		}
		batch := b.waiting[:n:n]
		b.waiting = b.waiting[n:]
		b.mu.Unlock()
		b.send(batch)
	}
}
