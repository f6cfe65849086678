package api_test

import (
	"strconv"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
)

// TestFailedAuthenticationIsLimited: wrong secrets are limited per client
// address and per tenant id, with 429 and Retry-After.
func TestFailedAuthenticationIsLimited(t *testing.T) {
	t.Parallel()
	const burst = 20
	wrong := func(e *apitest.Env, tenantID, addr string) *apitest.Response {
		return e.DoRaw(t, "GET", v1+"/tenant", nil, "tenant_id", tenantID, "x-api-secret", "wrong", "X-Forwarded-For", addr)
	}
	right := func(e *apitest.Env, addr string) *apitest.Response {
		return e.DoRaw(t, "GET", v1+"/tenant", nil, "tenant_id", e.Tenant.ID.String(), "x-api-secret", e.Tenant.Secret,
			"X-Forwarded-For", addr)
	}
	want429 := func(r *apitest.Response) {
		t.Helper()
		if r.Status != 429 {
			t.Fatalf("status %d, want 429: %s", r.Status, r.Body)
		}
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
	}

	t.Run("per address", func(t *testing.T) {
		e := apitest.New(t, "sqlite")
		e.API.TrustProxy = true
		for range burst {
			wrong(e, pinglinks.NewID().String(), "203.0.113.1").Want(t, 401) // a fresh tenant id each time
		}
		want429(wrong(e, pinglinks.NewID().String(), "203.0.113.1"))
		want429(right(e, "203.0.113.1")) // the address is held back, whatever it sends
		right(e, "203.0.113.2").Want(t, 200)
	})
	t.Run("per tenant", func(t *testing.T) {
		e := apitest.New(t, "sqlite")
		e.API.TrustProxy = true
		for i := range burst {
			wrong(e, e.Tenant.ID.String(), "198.51.100."+strconv.Itoa(i+1)).Want(t, 401) // a fresh address each time
		}
		want429(wrong(e, e.Tenant.ID.String(), "198.51.100.200"))
		other := apitest.OtherTenant(t, e)
		e.DoRaw(t, "GET", v1+"/tenant", nil, "tenant_id", other.ID.String(), "x-api-secret", other.Secret,
			"X-Forwarded-For", "198.51.100.201").Want(t, 200)
	})
	t.Run("successes are not counted", func(t *testing.T) {
		e := apitest.New(t, "sqlite")
		for range 3 * burst {
			right(e, "").Want(t, 200)
		}
	})
}
