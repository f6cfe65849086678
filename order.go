package pinglinks

import (
	"bytes"
	"encoding/json"
	"math/big"
	"sort"
	"time"

	"github.com/google/uuid"
)

// OrderStatus is where a payment order is in its lifecycle.
type OrderStatus string

// Payment order statuses, in lifecycle order.
const (
	OrderOpen    = "OPEN"
	OrderClosed  = "CLOSED"
	OrderSplit   = "SPLIT"
	OrderSettled = "SETTLED"
)

var orderRank = map[OrderStatus]int{OrderOpen: 0, OrderClosed: 1, OrderSplit: 2, OrderSettled: 3}

// PaymentOrder groups the payments of one purchase; its funds are split
// between merchants once it is closed.
type PaymentOrder struct {
	ID              uuid.UUID
	TenantID        uuid.UUID
	Status          OrderStatus
	Currency        Currency
	SplitTreeID     uuid.UUID
	SplitParameters json.RawMessage // nil when absent
	CreatedAt       time.Time
	ClosedAt        *time.Time
	SplitAt         *time.Time
	SettledAt       *time.Time
}

// SplitTree says how an order's completed funds are shared. The default
// tree gives every item's amount to the item's merchant.
type SplitTree struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	Name      string
	CreatedAt time.Time
}

// Allocation is one merchant's share of a split order.
type Allocation struct {
	MerchantID uuid.UUID `json:"merchant_id"`
	Amount     int64     `json:"amount"`
	Currency   Currency  `json:"currency"`
}

// ValidateSplitParameters accepts an absent value or a JSON object.
func ValidateSplitParameters(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if raw[0] != '{' {
		return Invalid("split_parameters", "must be an object")
	}
	return nil
}

// CanInitiatePayment reports whether a payment may be added to the order.
func (o *PaymentOrder) CanInitiatePayment() error {
	if o.Status != OrderOpen {
		return &Error{Code: ECodeOrderClosed, Message: "payment order is " + string(o.Status) + "; payments can be initiated only while it is OPEN"}
	}
	return nil
}

// CanTakeLink reports whether a new link may pay the order. One link pays
// an order, and nothing else does, so the order is never paid beyond that
// link's total; a cancelled or expired link (never paid) leaves room for a
// new one. links counts the order's links that are open or paid,
// ownPayments its payments made apart from a link.
func (o *PaymentOrder) CanTakeLink(links, ownPayments int) error {
	if err := o.CanInitiatePayment(); err != nil {
		return err
	}
	if links > 0 {
		return Forbidden("this payment order already has a payment link that is open or paid")
	}
	if ownPayments > 0 {
		return Forbidden("this payment order already has payments of its own; a link needs an order without payments")
	}
	return nil
}

// CheckCurrency refuses a link or payment in another currency than the order's.
func (o *PaymentOrder) CheckCurrency(c Currency) error {
	if c != o.Currency {
		return Invalid("currency", "must equal the payment order's currency %s", o.Currency)
	}
	return nil
}

// Refund records a refund of one of the order's payments, unless the
// order's funds are already allocated to its merchants.
func (o *PaymentOrder) Refund(p *Payment, r Refund, now time.Time) error {
	if o.Status == OrderSplit || o.Status == OrderSettled {
		return Forbidden("payment order is %s; its funds are already allocated", o.Status)
	}
	return p.AddRefund(r, now)
}

// Update changes the split tree of an OPEN order.
func (o *PaymentOrder) Update(treeID uuid.UUID, params json.RawMessage) error {
	if o.Status != OrderOpen {
		return &Error{Code: ECodeOrderClosed, Message: "payment order is " + string(o.Status) + "; it can be updated only while OPEN"}
	}
	o.SplitTreeID, o.SplitParameters = treeID, params
	return nil
}

// Close moves an OPEN order to CLOSED. Closing an order that is already
// closed (or further) changes nothing and is not an error.
func (o *PaymentOrder) Close(now time.Time) (changed bool) {
	if o.Status != OrderOpen {
		return false
	}
	o.Status, o.ClosedAt = OrderClosed, &now
	return true
}

// Split computes the allocations of a CLOSED order (or an OPEN one with
// fastForward) from its payments. An order already split or settled is left
// as it is (changed is false and allocations nil).
func (o *PaymentOrder) Split(now time.Time, fastForward bool, payments []*Payment) (allocs []Allocation, changed bool, err error) {
	if orderRank[o.Status] >= orderRank[OrderSplit] {
		return nil, false, nil
	}
	if o.Status == OrderOpen && !fastForward {
		return nil, false, Forbidden("payment order is OPEN; close it first or use fast_forward")
	}
	for _, p := range payments {
		switch {
		case p.Status == PaymentUnderfunded || p.Status == PaymentOverfunded:
			return nil, false, Forbidden("payment %s is %s; it must be resolved before the order is split", p.ID, p.Status)
		case !p.Terminal():
			return nil, false, Forbidden("payment %s is %s; every payment must be finished before the order is split", p.ID, p.Status)
		}
	}
	allocs, err = Allocate(o.Currency, payments)
	if err != nil {
		return nil, false, err
	}
	if o.Status == OrderOpen {
		o.ClosedAt = &now
	}
	o.Status, o.SplitAt = OrderSplit, &now
	return allocs, true, nil
}

// Settle makes the allocations of a SPLIT order final. With fastForward an
// OPEN or CLOSED order is split first (the caller passes its payments).
func (o *PaymentOrder) Settle(now time.Time, fastForward bool, payments []*Payment) (allocs []Allocation, changed bool, err error) {
	switch o.Status {
	case OrderSettled:
		return nil, false, nil
	case OrderOpen, OrderClosed:
		if !fastForward {
			return nil, false, Forbidden("payment order is %s; split it first or use fast_forward", o.Status)
		}
		allocs, _, err = o.Split(now, true, payments)
		if err != nil {
			return nil, false, err
		}
	}
	o.Status, o.SettledAt = OrderSettled, &now
	return allocs, true, nil
}

// Allocate shares the completed funds of payments, less their refunds, between
// the items' merchants. A refund reduces each item of its payment in
// proportion to the item's amount, using the largest-remainder method so that
// the allocations sum exactly to the funds kept.
func Allocate(currency Currency, payments []*Payment) ([]Allocation, error) {
	byMerchant := map[uuid.UUID]int64{}
	for _, p := range payments {
		if p.Status != PaymentCompleted {
			continue
		}
		refunded := p.RefundedAmount()
		kept := p.TotalAmount - refunded
		shares := make([]int64, len(p.OrderItems))
		rems := make([]int64, len(p.OrderItems))
		var given int64
		for i, it := range p.OrderItems {
			if p.TotalAmount == 0 {
				break
			}
			// kept*amount reaches MaxAmount² = 2⁸⁰, beyond int64: compute it exactly.
			var q, r big.Int
			q.QuoRem(new(big.Int).Mul(big.NewInt(kept), big.NewInt(it.Amount)), big.NewInt(p.TotalAmount), &r)
			shares[i], rems[i] = q.Int64(), r.Int64()
			given += shares[i]
		}
		idx := make([]int, len(shares))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return rems[idx[a]] > rems[idx[b]] })
		for k := 0; given < kept && k < len(idx); k++ {
			shares[idx[k]]++
			given++
		}
		for i, it := range p.OrderItems {
			byMerchant[it.MerchantID] += shares[i]
		}
	}
	out := make([]Allocation, 0, len(byMerchant))
	for m, a := range byMerchant {
		out = append(out, Allocation{MerchantID: m, Amount: a, Currency: currency})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MerchantID.String() < out[j].MerchantID.String() })
	return out, nil
}
