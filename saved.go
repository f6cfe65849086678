package pinglinks

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/locale"
)

// Product is an item a tenant saved to put on the next link quicker.
type Product struct {
	ID          uuid.UUID
	TenantID    uuid.UUID
	Description string
	Price       int64 // minor units, VAT included
	Currency    Currency
	VAT         VATRate
	Unit        string
	ItemNumber  string
	MerchantID  uuid.UUID // who is paid for it
	CreatedAt   time.Time
}

// Validate checks a product as a link's item would be checked.
func (p *Product) Validate() error {
	var errs Errors
	p.Description = strings.TrimSpace(p.Description)
	if p.Description == "" || len([]rune(p.Description)) > 255 {
		errs.Add("description", "is required, at most 255 characters")
	}
	if p.Price < 0 || p.Price > MaxAmount {
		errs.Add("price", "must be a non-negative amount")
	}
	if !p.Currency.Valid() {
		errs.Add("currency", "must be one of SEK, NOK, DKK, EUR, GBP")
	}
	if p.VAT < 0 || p.VAT > 10000 {
		errs.Add("vat", "must be from 0 to 100 percent")
	}
	if len([]rune(p.Unit)) > 20 {
		errs.Add("unit", "must be at most 20 characters")
	}
	if len([]rune(p.ItemNumber)) > 50 {
		errs.Add("item_number", "must be at most 50 characters")
	}
	if p.MerchantID == uuid.Nil {
		errs.Add("merchant_id", "is required")
	}
	return errs.Err()
}

// SavedCustomer is a payer a tenant saved to put on the next link quicker.
type SavedCustomer struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	Customer  Customer
	Address   *Address
	CreatedAt time.Time
}

// Validate checks a saved customer as a link's customer would be checked.
func (c *SavedCustomer) Validate() error {
	l := PaymentLink{Customer: c.Customer, InvoiceAddress: c.Address, Supplier: Supplier{Name: "-"},
		Currency: SEK, Locale: locale.SvSE}
	err := l.Validate("")
	c.Customer = l.Customer
	return err
}
