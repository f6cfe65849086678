package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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

// OrderAction names a lifecycle step of a payment order.
type OrderAction string

const (
	CloseOrder  OrderAction = "close"
	SplitOrder  OrderAction = "split"
	SettleOrder OrderAction = "settle"
)

// AdvanceOrder applies a lifecycle step to one of the tenant's orders in one
// unit: the order and its payments are locked, the domain decides (a 403
// when the step may not be taken yet), and the new state and the
// allocations a split makes are written together. Repeating a step that is
// done already changes nothing and succeeds. fastForward takes the steps
// before it too (close before split, split before settle).
func (f *Flow) AdvanceOrder(ctx context.Context, tenantID, id uuid.UUID, action OrderAction, fastForward bool) error {
	return f.Store.Unit(ctx, func(ctx context.Context) error {
		o, err := f.Store.LockOrder(ctx, tenantID, id)
		if err != nil {
			return err
		}
		now := f.now()
		var allocs []pinglinks.Allocation
		var changed bool
		switch action {
		case CloseOrder:
			changed = o.Close(now)
		case SplitOrder, SettleOrder:
			ps, err := f.Store.LockOrderPayments(ctx, tenantID, id)
			if err != nil {
				return err
			}
			if action == SplitOrder {
				allocs, changed, err = o.Split(now, fastForward, ps)
			} else {
				allocs, changed, err = o.Settle(now, fastForward, ps)
			}
			if err != nil {
				return err
			}
		default:
			return fmt.Errorf("flow: unknown order action %q", action)
		}
		if !changed {
			return nil
		}
		if err := f.Store.InsertAllocations(ctx, tenantID, id, allocs); err != nil {
			return err
		}
		return f.Store.SaveOrder(ctx, o)
	})
}

// Allocations returns the merchants' shares of one of the tenant's orders;
// before the order is split there are none to show, which is a 403.
func (f *Flow) Allocations(ctx context.Context, tenantID, orderID uuid.UUID) ([]pinglinks.Allocation, error) {
	status, allocs, err := f.Store.OrderAllocations(ctx, tenantID, orderID)
	if err != nil {
		return nil, err
	}
	if status != pinglinks.OrderSplit && status != pinglinks.OrderSettled {
		return nil, pinglinks.Forbidden("payment order is %s; allocations exist once it is split", status)
	}
	return allocs, nil
}
