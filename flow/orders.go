package flow

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

// errUnknownSplitTree is the tenant's view of store.ErrUnknownSplitTree.
func errUnknownSplitTree() error { return pinglinks.Invalid("split_tree_id", "unknown split tree") }

// CreateOrder saves a new OPEN payment order on one of the tenant's split
// trees (422 at split_tree_id if the tenant has no such tree).
func (f *Flow) CreateOrder(ctx context.Context, tenantID uuid.UUID, o *pinglinks.PaymentOrder) error {
	err := f.Store.CreateOrder(ctx, tenantID, o)
	if errors.Is(err, store.ErrUnknownSplitTree) {
		return errUnknownSplitTree()
	}
	return err
}

// UpdateOrder moves an OPEN order to another of the tenant's split trees.
func (f *Flow) UpdateOrder(ctx context.Context, tenantID, id, treeID uuid.UUID, params json.RawMessage) error {
	return f.Store.Unit(ctx, func(ctx context.Context) error {
		o, err := f.Store.LockOrder(ctx, tenantID, id)
		if err != nil {
			return err
		}
		ok, err := f.Store.SplitTreeExists(ctx, tenantID, treeID)
		if err != nil {
			return err
		}
		if !ok {
			return errUnknownSplitTree()
		}
		if err := o.Update(treeID, params); err != nil {
			return err
		}
		return f.Store.SaveOrder(ctx, o)
	})
}

// LinkInvoice returns the invoice of one of the tenant's links; a link
// without one is a 403 saying how to make it.
func (f *Flow) LinkInvoice(ctx context.Context, tenantID, linkID uuid.UUID) (*store.Invoice, error) {
	inv, err := f.Store.LinkInvoice(ctx, tenantID, linkID)
	if errors.Is(err, store.ErrNoInvoice) {
		return nil, pinglinks.Forbidden("this payment link has no invoice yet; create one with PUT …/invoice")
	}
	return inv, err
}
