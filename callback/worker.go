package callback

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/pinglinks/pinglinks/drain"
	"github.com/pinglinks/pinglinks/store"
)

// Schedule is the wait before each retry: attempt 1 goes at once, attempt
// n+1 after Schedule[n-1] (±10 % jitter). After the last the callback fails.
// 5 s + 5 min + 30 min + 2 h + 5 h + 10 h + 14 h + 20 h + 24 h ≈ 3 days 3 h.
var Schedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}

// Worker delivers due callbacks.
type Worker struct {
	Store  *store.Store
	Client *http.Client
	Log    *slog.Logger
	Batch  int           // callbacks claimed at once; default 32
	Lease  time.Duration // how long a claim lasts before another process may retry; default 1 min
	Poll   time.Duration // how often to look when nothing wakes it; default 1 s
	// Parallel bounds concurrent deliveries; default 8.
	Parallel int
	// Attempted, if set, is told the outcome of every recorded delivery
	// attempt: "delivered", "stopped" (410 Gone), "retry" or "failed" (the
	// last scheduled attempt failed).
	Attempted func(outcome string)

	wake *drain.Waker
	once sync.Once
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = drain.NewWaker()
		if w.Batch <= 0 {
			w.Batch = 32
		}
		if w.Lease <= 0 {
			w.Lease = time.Minute
		}
		if w.Poll <= 0 {
			w.Poll = time.Second
		}
		if w.Parallel <= 0 {
			w.Parallel = 8
		}
		if w.Log == nil {
			w.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		}
	})
}

// Notify wakes the worker at once; it never blocks. Wire it to the store's
// OnCommit so callbacks leave as soon as their transaction commits.
func (w *Worker) Notify() {
	w.init()
	w.wake.Notify()
}

// Run delivers callbacks until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	drain.Loop(ctx, w.wake, w.Poll, w.Batch, w.RunOnce, func(err error) { w.Log.Error("callback delivery", "err", err) })
	return nil
}

// RunOnce claims one batch of due callbacks, delivers them and records the
// outcomes. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.init()
	due, err := w.Store.ClaimCallbacks(ctx, w.Store.Now(), w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, w.Parallel)
	var wg sync.WaitGroup
	errs := make(chan error, len(due))
	for _, c := range due {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := w.deliver(ctx, c); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return len(due), <-errs
}

func (w *Worker) deliver(ctx context.Context, c store.DueCallback) error {
	start := w.Store.Now()
	a := store.CallbackAttempt{OutboxID: c.ID, Attempt: c.Attempts, StartedAt: start}
	code, err := w.post(ctx, c, start)
	a.DurationMS, a.StatusCode = int(time.Since(start).Milliseconds()), code
	status, next := store.OutboxPending, (*time.Time)(nil)
	switch {
	case err == nil && code >= 200 && code < 300:
		a.Success, status = true, store.OutboxDelivered
	case err == nil && code == http.StatusGone:
		a.Error, status = "410 Gone: the receiver asked for no more deliveries", store.OutboxStopped
	default:
		if err != nil {
			a.Error = err.Error()
		} else {
			a.Error = fmt.Sprintf("answered %d", code)
		}
		if c.Attempts > len(Schedule) {
			status = store.OutboxFailed
		} else {
			t := w.Store.Now().Add(jitter(Schedule[c.Attempts-1]))
			next = &t
		}
	}
	if ctx.Err() != nil {
		return nil // shutting down: the lease will bring it back
	}
	if err := w.Store.RecordAttempt(context.WithoutCancel(ctx), c.TenantID, a, status, next); err != nil {
		return err
	}
	if w.Attempted != nil {
		w.Attempted(attemptOutcome(status))
	}
	return nil
}

func attemptOutcome(status string) string {
	switch status {
	case store.OutboxDelivered:
		return "delivered"
	case store.OutboxStopped:
		return "stopped"
	case store.OutboxFailed:
		return "failed"
	}
	return "retry"
}

func (w *Worker) post(ctx context.Context, c store.DueCallback, now time.Time) (int, error) {
	body := []byte(c.Payload)
	sig, err := Sign(c.SigningKey, c.ID.String(), now, body)
	if err != nil {
		return 0, err
	}
	if c.PreviousSigningKey != "" {
		// A key rotation's overlap: receivers verify with either key.
		prev, err := Sign(c.PreviousSigningKey, c.ID.String(), now, body)
		if err != nil {
			return 0, err
		}
		sig += " " + prev
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("callback: request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "pinglinks-callbacks/1")
	req.Header.Set("webhook-id", c.ID.String())
	req.Header.Set("webhook-timestamp", fmt.Sprint(now.Unix()))
	req.Header.Set("webhook-signature", sig)
	resp, err := w.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// jitter spreads d by ±10 % so retries of many callbacks do not align.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}
