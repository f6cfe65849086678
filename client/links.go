package client

import (
	"context"
	"iter"
	"net/http"
)

// CreatePaymentLink creates a link (and the payment it will be paid with)
// in an OPEN order.
func (c *Client) CreatePaymentLink(ctx context.Context, req *CreatePaymentLinkRequest) (*CreatePaymentLinkResponse, error) {
	var out CreatePaymentLinkResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: linksAPI + "/payment_links", body: req}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetPaymentLink returns a link.
func (c *Client) GetPaymentLink(ctx context.Context, id string) (*PaymentLink, error) {
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
	q := query("status", p.Status, "payment_order_id", p.PaymentOrderID)
	return paginate[PaymentLink](ctx, c, linksAPI+"/payment_links", q, p.Limit)
}

// ListPaymentLinks returns all the links that match p.
func (c *Client) ListPaymentLinks(ctx context.Context, p *ListPaymentLinksParams) ([]PaymentLink, error) {
	return collect(c.PaymentLinks(ctx, p))
}

// CancelPaymentLink cancels a CREATED link.
func (c *Client) CancelPaymentLink(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodPut, path: linksAPI + "/payment_links/" + seg(id) + "/cancel", body: struct{}{}}, nil)
}

// DistributePaymentLink sends a CREATED link by SMS and/or e-mail. Sending
// happens in the background; the link's SMSStatus and DistributedByEmail
// show how it went.
func (c *Client) DistributePaymentLink(ctx context.Context, id string, req *DistributeRequest) error {
	return c.do(ctx, request{method: http.MethodPut, path: linksAPI + "/payment_links/" + seg(id) + "/distribute", body: req}, nil)
}

// CreateInvoice creates a link's invoice (once per link).
func (c *Client) CreateInvoice(ctx context.Context, linkID string, req *CreateInvoiceRequest) error {
	return c.do(ctx, request{method: http.MethodPut, path: linksAPI + "/payment_links/" + seg(linkID) + "/invoice", body: req}, nil)
}

// GetInvoice returns where a link's invoice is, and its payment reference.
func (c *Client) GetInvoice(ctx context.Context, linkID string) (*Invoice, error) {
	var out Invoice
	if err := c.do(ctx, request{method: http.MethodGet, path: linksAPI + "/payment_links/" + seg(linkID) + "/invoice"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetReceipt returns where a COMPLETED link's receipt is.
func (c *Client) GetReceipt(ctx context.Context, linkID string) (*Receipt, error) {
	var out Receipt
	if err := c.do(ctx, request{method: http.MethodGet, path: linksAPI + "/payment_links/" + seg(linkID) + "/receipt"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SandboxPayLink plays the payer in the sandbox: it moves the link's
// payment to status ("" means COMPLETED), as the provider would. The
// production platform answers 404.
func (c *Client) SandboxPayLink(ctx context.Context, linkID, status string) error {
	body := struct {
		Status string `json:"status,omitempty"`
	}{status}
	return c.do(ctx, request{method: http.MethodPost, path: "/sandbox/payment_links/" + seg(linkID) + "/pay", body: body}, nil)
}
