package flow

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

// RegisterMerchant checks a new merchant and saves it. In the sandbox
// (sandbox true) test data is random, as in Ping's sandbox, so its
// identity numbers need only be well formed, and it is approved at once;
// elsewhere they must be valid and the merchant awaits the operator's
// review.
func (f *Flow) RegisterMerchant(ctx context.Context, tenantID uuid.UUID, m *pinglinks.Merchant, sandbox bool) error {
	validate := m.Validate
	if sandbox {
		validate = m.ValidateWellFormed
	}
	if err := validate(); err != nil {
		return err
	}
	return f.CreateMerchant(ctx, tenantID, m, sandbox)
}

// CreateMerchant saves a new merchant of the tenant. approve (the sandbox)
// approves it at once, and the approval goes to the tenant's merchant status
// callback, if any, in the same unit.
func (f *Flow) CreateMerchant(ctx context.Context, tenantID uuid.UUID, m *pinglinks.Merchant, approve bool) error {
	return f.Store.Unit(ctx, func(ctx context.Context) error {
		if approve {
			if err := m.Approve(); err != nil {
				return err
			}
		}
		if err := f.Store.InsertMerchant(ctx, tenantID, m); err != nil {
			return err
		}
		if m.Status == pinglinks.MerchantCreated {
			return nil
		}
		return f.merchantChanged(ctx, tenantID, m, m.CreatedAt)
	})
}

// DecideMerchant approves or denies a merchant awaiting the operator's
// review, and tells its tenant.
func (f *Flow) DecideMerchant(ctx context.Context, merchantID uuid.UUID, approve bool) (*pinglinks.Merchant, error) {
	var out *pinglinks.Merchant
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		m, err := f.Store.LockMerchant(ctx, merchantID)
		if err != nil {
			return err
		}
		if approve {
			err = m.Approve()
		} else {
			err = m.Deny()
		}
		if err != nil {
			return err
		}
		if err := f.Store.SaveMerchantStatus(ctx, m); err != nil {
			return err
		}
		out = m
		return f.merchantChanged(ctx, m.TenantID, m, f.now())
	})
	return out, err
}

func (f *Flow) merchantChanged(ctx context.Context, tenantID uuid.UUID, m *pinglinks.Merchant, at time.Time) error {
	url, err := f.Store.MerchantCallbackURL(ctx, tenantID)
	if err != nil {
		return err
	}
	return f.Store.Enqueue(ctx, tenantID, store.KindMerchantStatus, url, MerchantStatusPayload(m, at), at)
}
