package pinglinks

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestNewIDAt(t *testing.T) {
	base := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	// Creation times in order: whole milliseconds, a microsecond apart in
	// one millisecond, the last nanoseconds of one, another zone, and a
	// time far from the real clock (a test's clock).
	times := []time.Time{
		base.Add(-24 * time.Hour),
		base,
		base.Add(time.Microsecond),
		base.Add(2 * time.Microsecond),
		base.Add(999*time.Microsecond + 999*time.Nanosecond),
		base.Add(time.Millisecond),
		base.Add(time.Second).In(time.FixedZone("CET", 3600)),
		base.AddDate(30, 0, 0),
	}
	var prev uuid.UUID
	for i, at := range times {
		id := NewIDAt(at)
		if id.Version() != 7 || id.Variant() != uuid.RFC4122 {
			t.Fatalf("%v: version %d, variant %v", at, id.Version(), id.Variant())
		}
		sec, nsec := id.Time().UnixTime()
		if got := time.Unix(sec, nsec).UnixMilli(); got != at.UnixMilli() {
			t.Errorf("%v: the id's time is %d ms, want %d", at, got, at.UnixMilli())
		}
		if i > 0 && bytes.Compare(prev[:], id[:]) >= 0 {
			t.Errorf("%v: id %s does not sort after the earlier time's %s", at, id, prev)
		}
		prev = id
	}
	// Ids of one instant differ in their random part.
	seen := map[uuid.UUID]bool{}
	for range 1000 {
		id := NewIDAt(base)
		if seen[id] {
			t.Fatalf("id %s made twice", id)
		}
		seen[id] = true
	}
}
