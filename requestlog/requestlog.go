// Package requestlog keeps each tenant's most recent API requests in
// memory, for the dashboard's Developers page. It is on the API's hot
// path, so recording is a map load, a short per-tenant lock and a copy
// into a fixed ring: nothing is written to the database, nothing
// allocates once a tenant's ring exists. The log is per process and
// starts empty on restart; it is a debugging aid, not an audit trail.
package requestlog

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// DefaultSize is how many requests a tenant's ring keeps.
const DefaultSize = 200

// Entry is one API request as the tenant's integration made it.
type Entry struct {
	At        time.Time
	Method    string
	Path      string // the request's path (the tenant's own ids)
	Route     string // the route pattern that served it
	Status    int
	Duration  time.Duration
	RequestID string
}

// Log holds a ring of entries per tenant. The zero value keeps
// DefaultSize entries per tenant.
type Log struct {
	Size  int
	rings sync.Map // tenant id → *ring
}

type ring struct {
	mu      sync.Mutex
	entries []Entry
	next    int
	full    bool
}

// Record adds e to the tenant's ring, dropping its oldest entry when full.
func (l *Log) Record(tenantID uuid.UUID, e Entry) {
	v, ok := l.rings.Load(tenantID)
	if !ok {
		size := l.Size
		if size <= 0 {
			size = DefaultSize
		}
		v, _ = l.rings.LoadOrStore(tenantID, &ring{entries: make([]Entry, size)})
	}
	r := v.(*ring)
	r.mu.Lock()
	r.entries[r.next] = e
	r.next++
	if r.next == len(r.entries) {
		r.next, r.full = 0, true
	}
	r.mu.Unlock()
}

// Recent lists the tenant's entries, newest first.
func (l *Log) Recent(tenantID uuid.UUID) []Entry {
	v, ok := l.rings.Load(tenantID)
	if !ok {
		return nil
	}
	r := v.(*ring)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.entries)
	}
	out := make([]Entry, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, r.entries[(r.next-i+len(r.entries))%len(r.entries)])
	}
	return out
}
