package flow

import (
	"context"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// ChangeTenantKeys applies change (a rotation of the API secret or of the
// callback signing key, or the end of an overlap; methods of
// pinglinks.Tenant) to the tenant's keys in one unit, with the tenant's row
// locked, so two rotations at once cannot lose one of them. It returns the
// tenant as saved.
func (f *Flow) ChangeTenantKeys(ctx context.Context, tenantID uuid.UUID, change func(t *pinglinks.Tenant) error) (*pinglinks.Tenant, error) {
	var out *pinglinks.Tenant
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		t, err := f.Store.LockTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		if err := change(t); err != nil {
			return err
		}
		out = t
		return f.Store.SaveTenantKeys(ctx, tenantID, t)
	})
	return out, err
}
