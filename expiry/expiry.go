// Package expiry expires payment links whose due date has passed. Its state
// is the database's: a restarted process simply sweeps again, and several
// processes may sweep at once (each expiry locks its rows; a link already
// finished is left alone).
package expiry

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/store"
)

// Sweeper periodically expires due links.
type Sweeper struct {
	Store *store.Store
	// Flow expires each link; nil is flow.New(Store).
	Flow     *flow.Flow
	Log      *slog.Logger
	Interval time.Duration // between sweeps; default 30 s
	Batch    int           // links per query; default 100
}

// Run sweeps at once and then every Interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context) error {
	interval := s.Interval
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.SweepOnce(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("expiry sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// SweepOnce expires every due link it can now, and reports how many it
// expired. Links whose payment is in progress are left for a later sweep:
// the payment decides first.
func (s *Sweeper) SweepOnce(ctx context.Context) (expired int, err error) {
	batch := s.Batch
	if batch <= 0 {
		batch = 100
	}
	due, err := s.Store.DueLinks(ctx, s.Store.Now(), batch)
	if err != nil {
		return 0, err
	}
	uc := s.Flow
	if uc == nil {
		uc = flow.New(s.Store)
	}
	for _, d := range due {
		err := uc.ExpireLink(ctx, d.TenantID, d.ID)
		switch {
		case errors.Is(err, pinglinks.ErrPaymentInProgress):
		case err != nil:
			return expired, err
		default:
			expired++
		}
	}
	return expired, nil
}
