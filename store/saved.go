package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// ErrUnknownMerchant says the tenant has no such merchant.
var ErrUnknownMerchant = errors.New("store: unknown merchant")

// SaveProduct adds a product to the tenant's saved products; its merchant
// must be the tenant's.
func (s *Store) SaveProduct(ctx context.Context, tenantID uuid.UUID, p *pinglinks.Product) error {
	res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO saved_products (id, tenant_id, description, price, currency, vat,
		unit, item_number, merchant_id, created_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
		WHERE EXISTS (SELECT 1 FROM merchants WHERE tenant_id = $2 AND id = $9)`, p.ID, tenantID,
		p.Description, p.Price, string(p.Currency), int64(p.VAT), p.Unit, p.ItemNumber, p.MerchantID, p.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: save product: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrUnknownMerchant
	}
	return nil
}

// Products lists the tenant's saved products by description.
func (s *Store) Products(ctx context.Context, tenantID uuid.UUID) ([]*pinglinks.Product, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, tenant_id, description, price, currency, vat, unit, item_number,
		merchant_id, created_at FROM saved_products WHERE tenant_id = $1 ORDER BY description, id LIMIT 500`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: products: %w", err)
	}
	defer rows.Close()
	var out []*pinglinks.Product
	for rows.Next() {
		var p pinglinks.Product
		var cur string
		var vat int64
		if err := rows.Scan(&p.ID, &p.TenantID, &p.Description, &p.Price, &cur, &vat, &p.Unit, &p.ItemNumber,
			&p.MerchantID, &p.CreatedAt); err != nil {
			return nil, err
		}
		p.Currency, p.VAT, p.CreatedAt = pinglinks.Currency(cur), pinglinks.VATRate(vat), p.CreatedAt.UTC()
		out = append(out, &p)
	}
	return out, rows.Err()
}

// Product returns one of the tenant's saved products.
func (s *Store) Product(ctx context.Context, tenantID, id uuid.UUID) (*pinglinks.Product, error) {
	all, err := s.Products(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.ID == id {
			return p, nil
		}
	}
	return nil, pinglinks.NotFound("product")
}

// DeleteProduct removes one of the tenant's saved products.
func (s *Store) DeleteProduct(ctx context.Context, tenantID, id uuid.UUID) error {
	return s.deleteSaved(ctx, "saved_products", "product", tenantID, id)
}

func (s *Store) deleteSaved(ctx context.Context, table, what string, tenantID, id uuid.UUID) error {
	res, err := s.q(ctx).ExecContext(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pinglinks.NotFound(what)
	}
	return nil
}

// SaveCustomer adds a customer to the tenant's saved customers.
func (s *Store) SaveCustomer(ctx context.Context, tenantID uuid.UUID, c *pinglinks.SavedCustomer) error {
	if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO saved_customers (id, tenant_id, first_name, last_name, email,
		phone, reference, address, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, c.ID, tenantID, c.Customer.FirstName,
		c.Customer.LastName, c.Customer.Email, c.Customer.Phone, c.Customer.Reference, optJSON(c.Address, c.Address != nil),
		c.CreatedAt); err != nil {
		return fmt.Errorf("store: save customer: %w", err)
	}
	return nil
}

// Customers lists the tenant's saved customers by name.
func (s *Store) Customers(ctx context.Context, tenantID uuid.UUID) ([]*pinglinks.SavedCustomer, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, tenant_id, first_name, last_name, email, phone, reference, address,
		created_at FROM saved_customers WHERE tenant_id = $1 ORDER BY last_name, first_name, id LIMIT 1000`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	defer rows.Close()
	var out []*pinglinks.SavedCustomer
	for rows.Next() {
		var c pinglinks.SavedCustomer
		var addr sql.NullString
		if err := rows.Scan(&c.ID, &c.TenantID, &c.Customer.FirstName, &c.Customer.LastName, &c.Customer.Email,
			&c.Customer.Phone, &c.Customer.Reference, &addr, &c.CreatedAt); err != nil {
			return nil, err
		}
		if addr.Valid && addr.String != "" {
			if err := json.Unmarshal([]byte(addr.String), &c.Address); err != nil {
				return nil, fmt.Errorf("store: customer address: %w", err)
			}
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, &c)
	}
	return out, rows.Err()
}

// Customer returns one of the tenant's saved customers.
func (s *Store) Customer(ctx context.Context, tenantID, id uuid.UUID) (*pinglinks.SavedCustomer, error) {
	all, err := s.Customers(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, pinglinks.NotFound("customer")
}

// DeleteCustomer removes one of the tenant's saved customers.
func (s *Store) DeleteCustomer(ctx context.Context, tenantID, id uuid.UUID) error {
	return s.deleteSaved(ctx, "saved_customers", "customer", tenantID, id)
}
