package files

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/drain"
	"github.com/pinglinks/pinglinks/store"
)

// RetrySchedule is the wait before each new try of a render that failed
// (a database hiccup, a logo server down); after the last the job is given
// up and the first download renders the document.
var RetrySchedule = []time.Duration{10 * time.Second, time.Minute, 10 * time.Minute}

// Renderer renders, in the background, the documents queued when an
// invoice is created or a link completes, so that every download is a
// read. It renders through Service.File, which stores a token's document
// once whoever renders it first.
type Renderer struct {
	Files *Service
	Log   *slog.Logger
	Batch int
	Lease time.Duration
	Poll  time.Duration

	wake *drain.Waker
	once sync.Once
}

func (r *Renderer) init() {
	r.once.Do(func() {
		r.wake = drain.NewWaker()
		if r.Batch <= 0 {
			r.Batch = 8
		}
		if r.Lease <= 0 {
			r.Lease = 2 * time.Minute
		}
		if r.Poll <= 0 {
			r.Poll = time.Second
		}
		if r.Log == nil {
			r.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		}
	})
}

// Notify wakes the renderer; it never blocks.
func (r *Renderer) Notify() {
	r.init()
	r.wake.Notify()
}

// Run renders queued documents until ctx ends.
func (r *Renderer) Run(ctx context.Context) {
	r.init()
	drain.Loop(ctx, r.wake, r.Poll, r.Batch, r.RunOnce, func(err error) { r.Log.Error("documents", "err", err) })
}

// RunOnce claims and renders one batch, returning how many it claimed.
func (r *Renderer) RunOnce(ctx context.Context) (int, error) {
	r.init()
	st := r.Files.Store
	jobs, err := st.ClaimDocumentJobs(ctx, st.Now(), r.Batch, r.Lease)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, j := range jobs {
		if ctx.Err() != nil {
			break // the lease brings the rest back
		}
		errs = append(errs, r.render(ctx, j))
	}
	return len(jobs), errors.Join(errs...)
}

// render renders one job's document and records the outcome; only a
// failure to record is returned.
func (r *Renderer) render(ctx context.Context, j *store.DocumentJob) error {
	_, err := r.Files.File(ctx, j.Token)
	switch {
	case err == nil, pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound:
		// Stored, or nothing to render (a receipt of a link no longer
		// completed): either way the job is done.
		return r.Files.Store.DocumentJobDone(ctx, j.Token)
	case ctx.Err() != nil:
		return nil
	}
	var next *time.Time
	if j.Attempts <= len(RetrySchedule) {
		t := r.Files.Store.Now().Add(RetrySchedule[j.Attempts-1])
		next = &t
	}
	r.Log.Warn("document render failed", "kind", j.Kind, "link_id", j.LinkID, "attempt", j.Attempts, "err", err)
	return r.Files.Store.DocumentJobFailed(ctx, j.Token, err.Error(), next)
}
