package client

import (
	"context"
	"iter"
	"net/http"
)

// CreatePaymentLink creates a link (and the payment it will be paid with)
// in an OPEN order.
func (c *Client) CreatePaymentLink(ctx context.Context, req *CreatePaymentLinkRequest, opts ...CallOption) (*CreatePaymentLinkResponse, error) {
	var out CreatePaymentLinkResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: linksAPI + "/payment_links", body: req}, &out, opts...); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetPaymentLink returns a link.
func (c *Client) GetPaymentLink(ctx context.Context, id PaymentLinkID) (*PaymentLink, error) {
	var l PaymentLink
	if err := c.do(ctx, request{method: http.MethodGet, path: linksAPI + "/payment_links/" + seg(id)}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// PaymentLinks iterates over the tenant's links that match p, a page at a
// time. p may be nil.
func (c *Client) PaymentLinks(ctx context.Context, p *ListPaymentLinksParams) iter.Seq2[PaymentLink, error] {
	if p == nil {
		p = &ListPaymentLinksParams{}
	}
	q := query("status", string(p.Status), "payment_order_id", string(p.PaymentOrderID))
	return paginate[PaymentLink](ctx, c, linksAPI+"/payment_links", q, p.Limit)
}

// ListPaymentLinks returns all the links that match p.
func (c *Client) ListPaymentLinks(ctx context.Context, p *ListPaymentLinksParams) ([]PaymentLink, error) {
	return collect(c.PaymentLinks(ctx, p))
}

// CancelPaymentLink cancels a CREATED link.
func (c *Client) CancelPaymentLink(ctx context.Context, id PaymentLinkID, opts ...CallOption) error {
	return c.do(ctx, request{method: http.MethodPut, path: linksAPI + "/payment_links/" + seg(id) + "/cancel", body: struct{}{}}, nil, opts...)
}

// DistributePaymentLink sends a CREATED link by SMS and/or e-mail. Sending
// happens in the background; the link's SMSStatus and DistributedByEmail
// show how it went.
func (c *Client) DistributePaymentLink(ctx context.Context, id PaymentLinkID, req *DistributeRequest, opts ...CallOption) error {
	return c.do(ctx, request{method: http.MethodPut, path: linksAPI + "/payment_links/" + seg(id) + "/distribute", body: req}, nil, opts...)
}

// CreateInvoice creates a link's invoice (once per link).
func (c *Client) CreateInvoice(ctx context.Context, linkID PaymentLinkID, req *CreateInvoiceRequest, opts ...CallOption) error {
	return c.do(ctx, request{method: http.MethodPut, path: linksAPI + "/payment_links/" + seg(linkID) + "/invoice", body: req}, nil, opts...)
}

// GetInvoice returns where a link's invoice is, and its payment reference.
func (c *Client) GetInvoice(ctx context.Context, linkID PaymentLinkID) (*Invoice, error) {
	var out Invoice
	if err := c.do(ctx, request{method: http.MethodGet, path: linksAPI + "/payment_links/" + seg(linkID) + "/invoice"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetReceipt returns where a COMPLETED link's receipt is.
func (c *Client) GetReceipt(ctx context.Context, linkID PaymentLinkID) (*Receipt, error) {
	var out Receipt
	if err := c.do(ctx, request{method: http.MethodGet, path: linksAPI + "/payment_links/" + seg(linkID) + "/receipt"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Sandbox is the sandbox's helpers, which the production platform does
// not have (it answers them 404): kept apart from Client so that code
// meant for production cannot call them by accident.
type Sandbox struct{ c *Client }

// NewSandbox returns the sandbox helpers, calling as c does.
func NewSandbox(c *Client) *Sandbox { return &Sandbox{c} }

// PayLink plays the payer: it moves the link's payment to status (""
// means COMPLETED), as the provider would.
func (s *Sandbox) PayLink(ctx context.Context, linkID PaymentLinkID, status PaymentStatus, opts ...CallOption) error {
	body := struct {
		Status PaymentStatus `json:"status,omitempty"`
	}{status}
	return s.c.do(ctx, request{method: http.MethodPost, path: "/sandbox/payment_links/" + seg(linkID) + "/pay", body: body}, nil, opts...)
}
