package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

const (
	paymentsAPI = "/payments/api/v1"
	linksAPI    = "/payment_links/api/v1"
)

// seg escapes one path segment, so that an id can never change the route.
func seg[ID ~string](id ID) string { return url.PathEscape(string(id)) }

// GetTenant returns the authenticated tenant, with its callback signing key.
func (c *Client) GetTenant(ctx context.Context) (*Tenant, error) {
	var t Tenant
	if err := c.do(ctx, request{method: http.MethodGet, path: paymentsAPI + "/tenant"}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// UpdateTenant changes the tenant's callback URLs.
func (c *Client) UpdateTenant(ctx context.Context, req *UpdateTenantRequest, opts ...CallOption) error {
	return c.do(ctx, request{method: http.MethodPut, path: paymentsAPI + "/tenant", body: req}, nil, opts...)
}

// CreateMerchant creates a merchant.
func (c *Client) CreateMerchant(ctx context.Context, req *CreateMerchantRequest, opts ...CallOption) (*CreateMerchantResponse, error) {
	var out CreateMerchantResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: paymentsAPI + "/merchants", body: req}, &out, opts...); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetMerchant returns a merchant.
func (c *Client) GetMerchant(ctx context.Context, id MerchantID) (*Merchant, error) {
	var m Merchant
	if err := c.do(ctx, request{method: http.MethodGet, path: paymentsAPI + "/merchants/" + seg(id)}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Merchants iterates over the tenant's merchants, a page at a time.
func (c *Client) Merchants(ctx context.Context, p *ListParams) iter.Seq2[Merchant, error] {
	return paginate[Merchant](ctx, c, paymentsAPI+"/merchants", url.Values{}, limitOf(p))
}

// ListMerchants returns all the tenant's merchants.
func (c *Client) ListMerchants(ctx context.Context, p *ListParams) ([]Merchant, error) {
	return collect(c.Merchants(ctx, p))
}

// CreatePaymentOrder creates a payment order.
func (c *Client) CreatePaymentOrder(ctx context.Context, req *CreatePaymentOrderRequest, opts ...CallOption) (*CreatePaymentOrderResponse, error) {
	var out CreatePaymentOrderResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: paymentsAPI + "/payment_orders", body: req}, &out, opts...); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetPaymentOrder returns a payment order with its payments.
func (c *Client) GetPaymentOrder(ctx context.Context, id PaymentOrderID) (*PaymentOrder, error) {
	var o PaymentOrder
	if err := c.do(ctx, request{method: http.MethodGet, path: paymentsAPI + "/payment_orders/" + seg(id)}, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// PaymentOrders iterates over the tenant's payment orders (without their
// payments) that match p, a page at a time. p may be nil.
func (c *Client) PaymentOrders(ctx context.Context, p *ListPaymentOrdersParams) iter.Seq2[PaymentOrder, error] {
	if p == nil {
		p = &ListPaymentOrdersParams{}
	}
	q := query("status", string(p.Status), "from", p.From, "to", p.To,
		"created_at_from", p.CreatedAtFrom, "created_at_to", p.CreatedAtTo)
	return paginate[PaymentOrder](ctx, c, paymentsAPI+"/payment_orders", q, p.Limit)
}

// ListPaymentOrders returns all the payment orders that match p.
func (c *Client) ListPaymentOrders(ctx context.Context, p *ListPaymentOrdersParams) ([]PaymentOrder, error) {
	return collect(c.PaymentOrders(ctx, p))
}

// UpdatePaymentOrder changes the split tree of an OPEN order.
func (c *Client) UpdatePaymentOrder(ctx context.Context, id PaymentOrderID, req *UpdatePaymentOrderRequest, opts ...CallOption) error {
	return c.do(ctx, request{method: http.MethodPut, path: paymentsAPI + "/payment_orders/" + seg(id), body: req}, nil, opts...)
}

// advance moves an order along its lifecycle. The body is always sent (at
// least {}), which every action accepts.
func (c *Client) advance(ctx context.Context, id PaymentOrderID, action string, adv *AdvanceOptions, opts []CallOption) error {
	if adv == nil {
		adv = &AdvanceOptions{}
	}
	return c.do(ctx, request{method: http.MethodPut, path: paymentsAPI + "/payment_orders/" + seg(id) + "/" + action, body: adv}, nil, opts...)
}

// ClosePaymentOrder closes an order: no more payments can be initiated in
// it. Closing a closed order is not an error. opts may be nil.
func (c *Client) ClosePaymentOrder(ctx context.Context, id PaymentOrderID, adv *AdvanceOptions, opts ...CallOption) error {
	return c.advance(ctx, id, "close", adv, opts)
}

// SplitPaymentOrder computes a CLOSED order's allocations. Every payment
// must be terminal. opts may be nil.
func (c *Client) SplitPaymentOrder(ctx context.Context, id PaymentOrderID, adv *AdvanceOptions, opts ...CallOption) error {
	return c.advance(ctx, id, "split", adv, opts)
}

// SettlePaymentOrder makes a SPLIT order's allocations final. opts may be
// nil.
func (c *Client) SettlePaymentOrder(ctx context.Context, id PaymentOrderID, adv *AdvanceOptions, opts ...CallOption) error {
	return c.advance(ctx, id, "settle", adv, opts)
}

// Allocations returns the merchants' shares of a split order.
func (c *Client) Allocations(ctx context.Context, orderID PaymentOrderID) ([]Allocation, error) {
	var out []Allocation
	if err := c.do(ctx, request{method: http.MethodGet, path: paymentsAPI + "/payment_orders/" + seg(orderID) + "/allocations"}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// InitiatePayment starts a payment in an OPEN order.
func (c *Client) InitiatePayment(ctx context.Context, orderID PaymentOrderID, req *InitiatePaymentRequest, opts ...CallOption) (*InitiatePaymentResponse, error) {
	var out InitiatePaymentResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: paymentsAPI + "/payment_orders/" + seg(orderID) + "/payments", body: req}, &out, opts...); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetPayment returns a payment with its status history and refunds.
func (c *Client) GetPayment(ctx context.Context, orderID PaymentOrderID, paymentID PaymentID) (*Payment, error) {
	var p Payment
	path := paymentsAPI + "/payment_orders/" + seg(orderID) + "/payments/" + seg(paymentID)
	if err := c.do(ctx, request{method: http.MethodGet, path: path}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Payments iterates over the tenant's payments that match p, a page at a
// time. p may be nil.
func (c *Client) Payments(ctx context.Context, p *ListPaymentsParams) iter.Seq2[Payment, error] {
	if p == nil {
		p = &ListPaymentsParams{}
	}
	q := query("status", string(p.Status), "provider", p.Provider, "method", p.Method, "payment_order_id", string(p.PaymentOrderID))
	return paginate[Payment](ctx, c, paymentsAPI+"/payments", q, p.Limit)
}

// ListPayments returns all the payments that match p.
func (c *Client) ListPayments(ctx context.Context, p *ListPaymentsParams) ([]Payment, error) {
	return collect(c.Payments(ctx, p))
}

// RefundPayment refunds part or all of a COMPLETED payment. Refunds of a
// payment never add up to more than was paid.
func (c *Client) RefundPayment(ctx context.Context, orderID PaymentOrderID, paymentID PaymentID, req *RefundRequest, opts ...CallOption) (*RefundResponse, error) {
	var out RefundResponse
	path := paymentsAPI + "/payment_orders/" + seg(orderID) + "/payments/" + seg(paymentID) + "/refund"
	if err := c.do(ctx, request{method: http.MethodPost, path: path, body: req}, &out, opts...); err != nil {
		return nil, err
	}
	return &out, nil
}

// Callbacks iterates over the callbacks sent (or to be sent) to the
// tenant, oldest first.
func (c *Client) Callbacks(ctx context.Context, p *ListParams) iter.Seq2[Callback, error] {
	return paginate[Callback](ctx, c, paymentsAPI+"/callbacks", url.Values{}, limitOf(p))
}

// ListCallbacks returns all the tenant's callbacks, oldest first.
func (c *Client) ListCallbacks(ctx context.Context, p *ListParams) ([]Callback, error) {
	return collect(c.Callbacks(ctx, p))
}

// GetCallback returns a callback with every delivery attempt.
func (c *Client) GetCallback(ctx context.Context, id CallbackID) (*CallbackDetail, error) {
	var out CallbackDetail
	if err := c.do(ctx, request{method: http.MethodGet, path: paymentsAPI + "/callbacks/" + seg(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RedeliverCallback delivers a callback again now, whatever became of it
// before. The webhook-id stays the same, so receivers can tell.
func (c *Client) RedeliverCallback(ctx context.Context, id CallbackID, opts ...CallOption) error {
	return c.do(ctx, request{method: http.MethodPost, path: paymentsAPI + "/callbacks/" + seg(id) + "/redeliver"}, nil, opts...)
}

func limitOf(p *ListParams) int {
	if p == nil {
		return 0
	}
	return p.Limit
}
