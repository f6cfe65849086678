package flow_test

import (
	"sync"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// Rotations at once run one after the other: each new secret becomes the
// previous one of the next rotation, so none is lost and the original
// secret, two rotations back, works no more. (Read, change and save
// without the row lock let two rotations both keep the original as their
// "previous" secret.)
func TestConcurrentRotationsLoseNone(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		const n = 8
		secrets := make([]string, n)
		errs := make([]error, n)
		var mu sync.Mutex
		startedFrom := map[string]int{} // the secret hash each rotation found
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = r.f.ChangeTenantKeys(r.ctx, r.tn.ID, func(tn *pinglinks.Tenant) error {
					mu.Lock()
					startedFrom[string(tn.SecretHash)]++
					mu.Unlock()
					time.Sleep(10 * time.Millisecond) // widen the window a lost update needs
					s, err := tn.RotateSecret(st.Now(), time.Hour)
					secrets[i] = s
					return err
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("rotation %d: %v", i, err)
			}
		}
		for h, k := range startedFrom {
			if k > 1 {
				t.Errorf("%d rotations started from the same secret (%x…): they did not run one after the other", k, h[:4])
			}
		}
		tn, err := st.Tenant(r.ctx, r.tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		now := st.Now()
		if tn.CheckSecret(r.tn.Secret, now) {
			t.Error("the original secret still works after 8 rotations: a rotation was lost")
		}
		working := 0
		for _, s := range secrets {
			if tn.CheckSecret(s, now) {
				working++
			}
		}
		if working != 2 {
			t.Errorf("%d of the rotations' secrets work; want 2 (the last and, in its overlap, the one before)", working)
		}
	})
}

func TestChangeTenantKeysRefusal(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		_, err := r.f.ChangeTenantKeys(r.ctx, r.tn.ID, func(tn *pinglinks.Tenant) error {
			_, err := tn.RotateSecret(st.Now(), -time.Hour)
			return err
		})
		if pinglinks.ErrorCode(err) != pinglinks.ECodeInvalid {
			t.Fatalf("negative overlap: %v, want a 422", err)
		}
		tn, _ := st.Tenant(r.ctx, r.tn.ID)
		if !tn.CheckSecret(r.tn.Secret, st.Now()) {
			t.Error("a refused rotation changed the secret")
		}
		_, err = r.f.ChangeTenantKeys(r.ctx, pinglinks.NewID(), func(*pinglinks.Tenant) error { return nil })
		if pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("unknown tenant: %v, want a 404", err)
		}
	})
}
