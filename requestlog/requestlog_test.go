package requestlog

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
)

func TestRingKeepsTheNewestPerTenant(t *testing.T) {
	t.Parallel()
	l := &Log{Size: 3}
	a, b := uuid.New(), uuid.New()
	if got := l.Recent(a); len(got) != 0 {
		t.Fatalf("empty log: %v", got)
	}
	for i := range 5 {
		l.Record(a, Entry{Path: fmt.Sprint("/a/", i)})
	}
	l.Record(b, Entry{Path: "/b/0"})
	tests := []struct {
		tenant uuid.UUID
		want   []string
	}{
		{a, []string{"/a/4", "/a/3", "/a/2"}},
		{b, []string{"/b/0"}},
	}
	for _, tt := range tests {
		got := l.Recent(tt.tenant)
		if len(got) != len(tt.want) {
			t.Fatalf("%d entries, want %v", len(got), tt.want)
		}
		for i := range got {
			if got[i].Path != tt.want[i] {
				t.Errorf("entry %d = %s, want %s", i, got[i].Path, tt.want[i])
			}
		}
	}
}

func TestConcurrentRecording(t *testing.T) {
	t.Parallel()
	l := &Log{}
	id := uuid.New()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				l.Record(id, Entry{Status: g*1000 + i})
				l.Recent(id)
			}
		}()
	}
	wg.Wait()
	if n := len(l.Recent(id)); n != DefaultSize {
		t.Fatalf("%d entries, want %d", n, DefaultSize)
	}
}

func BenchmarkRecord(b *testing.B) {
	l := &Log{}
	id := uuid.New()
	e := Entry{Method: "GET", Path: "/payments/api/v1/payment_orders", Status: 200}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Record(id, e)
		}
	})
}
