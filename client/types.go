package client

import (
	"encoding/json"
	"time"
)

// Currencies the platform accepts.
const (
	SEK = "SEK"
	NOK = "NOK"
	DKK = "DKK"
	EUR = "EUR"
	GBP = "GBP"
)

// Ids of the platform's objects, one type each, so that an order's id
// cannot be passed where a link's is expected.
type (
	MerchantID     string
	PaymentOrderID string
	PaymentID      string
	PaymentLinkID  string
	RefundID       string
	CallbackID     string
	SplitTreeID    string
)

// OrderStatus is where a payment order is in its lifecycle.
type OrderStatus string

// Payment order statuses, in lifecycle order.
const (
	OrderOpen    OrderStatus = "OPEN"
	OrderClosed  OrderStatus = "CLOSED"
	OrderSplit   OrderStatus = "SPLIT"
	OrderSettled OrderStatus = "SETTLED"
)

// PaymentStatus is where a payment is.
type PaymentStatus string

// Payment statuses. COMPLETED, DECLINED, ABORTED, EXPIRED, CRASHED and
// STOPPED are terminal: a payment in one never changes again.
const (
	PaymentInitiated   PaymentStatus = "INITIATED"
	PaymentPending     PaymentStatus = "PENDING"
	PaymentCompleted   PaymentStatus = "COMPLETED"
	PaymentDeclined    PaymentStatus = "DECLINED"
	PaymentAborted     PaymentStatus = "ABORTED"
	PaymentExpired     PaymentStatus = "EXPIRED"
	PaymentCrashed     PaymentStatus = "CRASHED"
	PaymentStopped     PaymentStatus = "STOPPED"
	PaymentUnderfunded PaymentStatus = "UNDERFUNDED"
	PaymentOverfunded  PaymentStatus = "OVERFUNDED"
	PaymentFunded      PaymentStatus = "FUNDED"
)

// LinkStatus is where a payment link is.
type LinkStatus string

// Payment link statuses.
const (
	LinkCreated   LinkStatus = "CREATED"
	LinkCompleted LinkStatus = "COMPLETED"
	LinkExpired   LinkStatus = "EXPIRED"
	LinkCancelled LinkStatus = "CANCELLED"
)

// ProviderMethod names a way to pay, e.g. {"swish", "e_commerce"} or
// {"dummy", "dummy"} (sandbox).
type ProviderMethod struct {
	Provider string `json:"provider"`
	Method   string `json:"method"`
}

// Tenant is the authenticated tenant.
type Tenant struct {
	ID                     string           `json:"id"`
	Name                   string           `json:"name"`
	PaymentProviderMethods []ProviderMethod `json:"payment_provider_methods"`
	// CallbackSigningKey ("whsec_…") verifies callbacks; see VerifyWebhook.
	CallbackSigningKey string `json:"callback_signing_key"`
	// MerchantStatusCallbackURL is empty when none is set.
	MerchantStatusCallbackURL string `json:"merchant_status_callback_url"`
	// SplitTreeID is the tenant's default split tree.
	SplitTreeID SplitTreeID `json:"split_tree_id,omitempty"`
}

// UpdateTenantRequest changes the tenant's callback URLs.
type UpdateTenantRequest struct {
	// MerchantStatusCallbackURL is an http(s) URL; "" removes it.
	MerchantStatusCallbackURL string `json:"merchant_status_callback_url"`
}

// Organization identifies a merchant that is a company. Give the number
// field of its country.
type Organization struct {
	Country              string `json:"country"` // SE, NO, DK or FI
	SEOrganizationNumber string `json:"se_organization_number,omitempty"`
	NOOrganizationNumber string `json:"no_organization_number,omitempty"`
	DKOrganizationNumber string `json:"dk_organization_number,omitempty"`
	FIOrganizationNumber string `json:"fi_organization_number,omitempty"`
}

// Person identifies a merchant that is a private person.
type Person struct {
	Country                  string `json:"country"` // SE or NO
	Name                     string `json:"name"`
	SEPersonalIdentityNumber string `json:"se_personal_identity_number,omitempty"`
	NOPersonalIdentityNumber string `json:"no_personal_identity_number,omitempty"`
}

// CreateMerchantRequest creates a merchant: an Organization or a Person.
type CreateMerchantRequest struct {
	Name         string        `json:"name"`
	Organization *Organization `json:"organization,omitempty"`
	Person       *Person       `json:"person,omitempty"`
	Email        string        `json:"email,omitempty"`
	PhoneNumber  string        `json:"phone_number,omitempty"`
}

// Merchant is a payee. Status is CREATED, APPROVED or DENIED.
type Merchant struct {
	ID           MerchantID    `json:"id"`
	Name         string        `json:"name"`
	Status       string        `json:"status"`
	Organization *Organization `json:"organization,omitempty"`
	Person       *Person       `json:"person,omitempty"`
	Email        string        `json:"email"`
	PhoneNumber  string        `json:"phone_number"`
	CreatedAt    time.Time     `json:"created_at"`
}

// ListParams are the paging parameters every list accepts.
type ListParams struct {
	// Limit is the page size, 1–200; 0 means the server's default (50).
	Limit int
}

// CreatePaymentOrderRequest creates a payment order.
type CreatePaymentOrderRequest struct {
	Currency string `json:"currency"`
	// SplitTreeID defaults to the tenant's default tree.
	SplitTreeID     SplitTreeID    `json:"split_tree_id,omitempty"`
	SplitParameters map[string]any `json:"split_parameters,omitempty"`
}

// UpdatePaymentOrderRequest changes an OPEN order's split tree.
type UpdatePaymentOrderRequest struct {
	SplitTreeID     SplitTreeID    `json:"split_tree_id"`
	SplitParameters map[string]any `json:"split_parameters,omitempty"`
}

// AdvanceOptions are the optional fields of close, split and settle.
type AdvanceOptions struct {
	// FastForward takes the earlier lifecycle steps on the way (e.g. settle
	// an OPEN order).
	FastForward bool `json:"fast_forward,omitempty"`
}

// PaymentOrder groups the payments of one purchase; its completed funds
// are split between merchants once it is closed.
type PaymentOrder struct {
	ID              PaymentOrderID `json:"id"`
	Status          OrderStatus    `json:"status"`
	CreatedAt       time.Time      `json:"created_at"`
	Currency        string         `json:"currency"`
	SplitTreeID     SplitTreeID    `json:"split_tree_id"`
	SplitParameters map[string]any `json:"split_parameters,omitempty"`
	// Payments is filled by GetPaymentOrder, empty in lists.
	Payments []Payment `json:"payments,omitempty"`
}

// ListPaymentOrdersParams filter a list of payment orders. Times are RFC
// 3339 or YYYY-MM-DD (a To date includes the whole day).
type ListPaymentOrdersParams struct {
	ListParams
	Status        OrderStatus
	From, To      string
	CreatedAtFrom string
	CreatedAtTo   string
}

// Allocation is a merchant's share of a split order.
type Allocation struct {
	MerchantID MerchantID `json:"merchant_id"`
	Amount     int64      `json:"amount"`
	Currency   string     `json:"currency"`
}

// OrderItem is one line of a payment, owed to one merchant.
type OrderItem struct {
	Amount     int64          `json:"amount"`
	Name       string         `json:"name"`
	VATRate    float64        `json:"vat_rate"` // percent, e.g. 25
	MerchantID MerchantID     `json:"merchant_id"`
	Metadata   map[string]any `json:"metadata,omitempty"`
	Tags       []string       `json:"tags,omitempty"`
}

// InitiatePaymentRequest starts a payment in an OPEN order.
type InitiatePaymentRequest struct {
	Currency    string      `json:"currency"`
	TotalAmount int64       `json:"total_amount"` // Σ OrderItems[i].Amount
	OrderItems  []OrderItem `json:"order_items"`
	Provider    string      `json:"provider"`
	Method      string      `json:"method"`
	// ProviderMethodParameters are what the method needs, e.g. for
	// dummy/dummy {"desired_payment_status": "COMPLETED"}.
	ProviderMethodParameters map[string]any `json:"provider_method_parameters,omitempty"`
	// StatusCallbackURL gets a PaymentEvent on every status change.
	StatusCallbackURL string         `json:"status_callback_url,omitempty"`
	Metadata          map[string]any `json:"metadata,omitempty"`
	Payer             map[string]any `json:"payer,omitempty"`
}

// InitiatePaymentResponse is the new payment and what its provider said.
type InitiatePaymentResponse struct {
	ID                     PaymentID      `json:"id"`
	ProviderMethodResponse map[string]any `json:"provider_method_response"`
}

// StatusChange is one step of a payment's history.
type StatusChange struct {
	Status     PaymentStatus `json:"status"`
	OccurredAt time.Time     `json:"occurred_at"`
}

// Refund gives (part of) a completed payment back.
type Refund struct {
	ID          RefundID  `json:"id"`
	Amount      int64     `json:"amount"`
	Currency    string    `json:"currency"`
	Reason      string    `json:"reason"`
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// Payment is one attempt to pay (part of) a payment order.
type Payment struct {
	ID                       PaymentID      `json:"id"`
	Status                   PaymentStatus  `json:"status"`
	StatusHistory            []StatusChange `json:"status_history"`
	Currency                 string         `json:"currency"`
	TotalAmount              int64          `json:"total_amount"`
	OrderItems               []OrderItem    `json:"order_items"`
	Provider                 string         `json:"provider"`
	Method                   string         `json:"method"`
	ProviderMethodParameters map[string]any `json:"provider_method_parameters,omitempty"`
	ProviderMethodResponse   map[string]any `json:"provider_method_response,omitempty"`
	StatusCallbackURL        string         `json:"status_callback_url"`
	Payer                    map[string]any `json:"payer"`
	Metadata                 map[string]any `json:"metadata"`
	PaymentOrderID           PaymentOrderID `json:"payment_order_id"`
	Refunds                  []Refund       `json:"refunds"`
	CreatedAt                time.Time      `json:"created_at"`
}

// ListPaymentsParams filter a list of payments.
type ListPaymentsParams struct {
	ListParams
	Status         PaymentStatus
	Provider       string
	Method         string
	PaymentOrderID PaymentOrderID
}

// RefundRequest refunds part or all of a COMPLETED payment.
type RefundRequest struct {
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	Reason      string `json:"reason"`
	Description string `json:"description,omitempty"`
}

// Callback is a message the platform sends (or will send) to the tenant.
type Callback struct {
	// ID is also the webhook-id header of every delivery.
	ID CallbackID `json:"id"`
	// Kind is payment_status, payment_link_status or merchant_status.
	Kind    string          `json:"kind"`
	URL     string          `json:"url"`
	Payload json.RawMessage `json:"payload"`
	// Status is PENDING, DELIVERED, STOPPED or FAILED.
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	CreatedAt time.Time `json:"created_at"`
}

// DeliveryAttempt is one try to deliver a callback.
type DeliveryAttempt struct {
	ID         string     `json:"id"`
	CallbackID CallbackID `json:"callback_id"`
	Attempt    int        `json:"attempt"`
	StartedAt  time.Time  `json:"started_at"`
	DurationMS int        `json:"duration_ms"`
	// StatusCode is 0 when no response came.
	StatusCode int    `json:"status_code"`
	Error      string `json:"error"`
	Success    bool   `json:"success"`
}

// CallbackDetail is a callback with every delivery attempt.
type CallbackDetail struct {
	Callback
	DeliveryAttempts []DeliveryAttempt `json:"delivery_attempts"`
}

// Customer is the payer as the tenant knows them.
type Customer struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Reference string `json:"reference,omitempty"`
}

// Address is a postal address.
type Address struct {
	StreetAddress string `json:"street_address"`
	Zip           string `json:"zip"`
	City          string `json:"city"`
}

// Supplier is who sells, as shown on checkout, invoice and receipt.
type Supplier struct {
	Name               string `json:"name"`
	City               string `json:"city,omitempty"`
	OrganizationNumber string `json:"organization_number,omitempty"`
	Website            string `json:"website,omitempty"`
	Zip                string `json:"zip,omitempty"`
}

// LinkItem is one line of a link: Price (minor units, VAT included) ×
// Quantity.
type LinkItem struct {
	Description string         `json:"description"`
	MerchantID  MerchantID     `json:"merchant_id"`
	Price       int64          `json:"price"`
	Quantity    int64          `json:"quantity"`
	VAT         float64        `json:"vat"` // percent, e.g. 25
	ItemNumber  string         `json:"item_number,omitempty"`
	Unit        string         `json:"unit,omitempty"`
	Metadata    map[string]any `json:"metadata,omitempty"`
	Tags        []string       `json:"tags,omitempty"`
}

// LinkMethod is a provider method the payer may choose on the checkout.
type LinkMethod struct {
	Provider string `json:"provider"`
	Method   string `json:"method"`
	// Parameters, e.g. for Swish {"swish_message": "Thanks!"}.
	Parameters map[string]any `json:"parameters,omitempty"`
}

// CreatePaymentLinkRequest creates a payment link in an OPEN order.
type CreatePaymentLinkRequest struct {
	PaymentOrderID PaymentOrderID `json:"payment_order_id"`
	Currency       string         `json:"currency"`
	TotalAmount    int64          `json:"total_amount"` // Σ Price × Quantity
	Customer       Customer       `json:"customer"`
	Items          []LinkItem     `json:"items"`
	Supplier       Supplier       `json:"supplier"`
	// Locale is sv-SE, nb-NO or en-GB.
	Locale                 string       `json:"locale"`
	PaymentProviderMethods []LinkMethod `json:"payment_provider_methods"`
	// DueDate is YYYY-MM-DD, not in the past; unpaid links expire after it.
	DueDate                      string         `json:"due_date,omitempty"`
	DeliveryAddress              *Address       `json:"delivery_address,omitempty"`
	InvoiceAddress               *Address       `json:"invoice_address,omitempty"`
	LogoImageLink                string         `json:"logo_image_link,omitempty"`
	PaymentLinkStatusCallbackURL string         `json:"payment_link_status_callback_url,omitempty"`
	CheckoutSuccessURL           string         `json:"checkout_success_url,omitempty"`
	CheckoutCancelURL            string         `json:"checkout_cancel_url,omitempty"`
	Metadata                     map[string]any `json:"metadata,omitempty"`
}

// CreatePaymentLinkResponse is the new link and where the payer pays it.
type CreatePaymentLinkResponse struct {
	ID          PaymentLinkID `json:"id"`
	CheckoutURL string        `json:"checkout_url"`
}

// PaymentLink is a link as the platform keeps it.
type PaymentLink struct {
	PaymentLinkID  PaymentLinkID  `json:"payment_link_id"`
	TenantID       string         `json:"tenant_id"`
	PaymentOrderID PaymentOrderID `json:"payment_order_id"`
	// PaymentID is the latest payment attempt.
	PaymentID PaymentID `json:"payment_id"`
	// Status is CREATED, COMPLETED, EXPIRED or CANCELLED.
	Status LinkStatus `json:"status"`
	// SMSStatus is NOT_CREATED, CREATED, PENDING, DELIVERED or FAILED.
	SMSStatus                    string         `json:"sms_status"`
	DistributedByEmail           bool           `json:"distributed_by_email"`
	InvoiceCreated               bool           `json:"invoice_created"`
	CheckoutURL                  string         `json:"checkout_url"`
	Customer                     Customer       `json:"customer"`
	DeliveryAddress              *Address       `json:"delivery_address"`
	InvoiceAddress               *Address       `json:"invoice_address"`
	DueDate                      string         `json:"due_date"`
	Items                        []LinkItem     `json:"items"`
	Supplier                     Supplier       `json:"supplier"`
	Currency                     string         `json:"currency"`
	TotalAmount                  int64          `json:"total_amount"`
	Locale                       string         `json:"locale"`
	LogoImageLink                string         `json:"logo_image_link"`
	PaymentLinkStatusCallbackURL string         `json:"payment_link_status_callback_url"`
	PaymentProviderMethods       []LinkMethod   `json:"payment_provider_methods"`
	Metadata                     map[string]any `json:"metadata"`
	CreatedAt                    time.Time      `json:"created_at"`
}

// ListPaymentLinksParams filter a list of payment links.
type ListPaymentLinksParams struct {
	ListParams
	Status         LinkStatus
	PaymentOrderID PaymentOrderID
}

// Distribution methods.
const (
	DistributeSMS   = "sms"
	DistributeEmail = "email"
)

// DistributeRequest sends a link by SMS and/or e-mail.
type DistributeRequest struct {
	Methods []string `json:"methods"`
	// CustomerPhone and CustomerEmail default to the link's customer's.
	CustomerPhone string `json:"customer_phone,omitempty"`
	CustomerEmail string `json:"customer_email,omitempty"`
}

// Invoice payment reference types.
const (
	ReferenceOCR = "OCR" // Swedish
	ReferenceKID = "KID" // Norwegian
)

// CreateInvoiceRequest creates a link's invoice.
type CreateInvoiceRequest struct {
	ReferenceType string `json:"reference_type"`
	DocumentName  string `json:"document_name,omitempty"`
}

// Invoice says where a link's invoice PDF is and its payment reference.
type Invoice struct {
	URL           string `json:"url"`
	ReferenceType string `json:"reference_type"`
	Reference     string `json:"reference"`
}

// Receipt says where a completed link's receipt PDF is.
type Receipt struct {
	URL string `json:"url"`
}

// CreateMerchantResponse is the answer to CreateMerchant.
type CreateMerchantResponse struct {
	ID MerchantID `json:"id"`
}

// CreatePaymentOrderResponse is the answer to CreatePaymentOrder.
type CreatePaymentOrderResponse struct {
	ID PaymentOrderID `json:"id"`
}

// RefundResponse is the answer to RefundPayment.
type RefundResponse struct {
	ID RefundID `json:"id"`
}
