package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/internal/apitest"
)

// TestAcceptWhatPingAccepts: data Ping takes is taken at create time and
// refused only where it is used; business rules still answer 403 when the
// body also holds such lenient fields.
func TestAcceptWhatPingAccepts(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		merchant := newMerchant(t, e)
		tests := []struct {
			name, phone, website string
			wantPhone            string
			wantWebsite          string
			smsStatus            int // distribute by SMS to the link's customer
		}{
			{"Swedish mobile", "070-123 45 67", "https://biodlarna.se", "070-123 45 67", "https://biodlarna.se", 204},
			{"US format", "(555) 010-1234", "example.com", "(555) 010-1234", "https://example.com", 422},
			{"extension", "+1-555-010-1234x123", "www.example.com/shop", "+1-555-010-1234x123", "https://www.example.com/shop", 422},
			{"fixed line", "08-123 456 78", "example.se", "08-123 456 78", "https://example.se", 422},
			{"words", "ring mig", "", "ring mig", "", 422},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				body := linkBody(newOrder(t, e, "SEK"), merchant)
				body["customer"].(map[string]any)["phone"] = tt.phone
				body["supplier"].(map[string]any)["website"] = tt.website
				id := e.Do(t, "POST", lv1+"/payment_links", body).Want(t, 200).ID(t)
				var got struct {
					Customer struct{ Phone string }
					Supplier struct{ Website string }
				}
				e.Do(t, "GET", lv1+"/payment_links/"+id, nil).Want(t, 200).JSON(t, &got)
				if got.Customer.Phone != tt.wantPhone || got.Supplier.Website != tt.wantWebsite {
					t.Errorf("kept phone %q, website %q; want %q, %q", got.Customer.Phone, got.Supplier.Website, tt.wantPhone, tt.wantWebsite)
				}
				r := e.Do(t, "PUT", lv1+"/payment_links/"+id+"/distribute", map[string]any{"methods": []string{"sms"}}).Want(t, tt.smsStatus)
				if tt.smsStatus == 422 {
					if _, prop := r.ErrorAt(t); prop != "customer.phone" {
						t.Errorf("SMS refused at %q, want customer.phone (%s)", prop, r.Body)
					}
				}
			})
		}

		// Business rules first: lenient fields do not turn a 403 into a 422.
		lenient := func(b map[string]any) {
			b["customer"].(map[string]any)["phone"] = "+1-555-010-1234x123"
			b["supplier"].(map[string]any)["website"] = "example.com"
		}
		rules := []struct {
			name   string
			change func(b map[string]any)
			prop   string
		}{
			{"unknown order", func(b map[string]any) { b["payment_order_id"] = "01a2118b-a2cf-7446-afaa-c267239684c7" }, "payment_order_id"},
			{"total not the items' sum", func(b map[string]any) { b["total_amount"] = 16999 }, "total_amount"},
			{"no methods", func(b map[string]any) { b["payment_provider_methods"] = []any{} }, "payment_provider_methods"},
		}
		for _, tt := range rules {
			t.Run(tt.name, func(t *testing.T) {
				body := linkBody(newOrder(t, e, "SEK"), merchant)
				lenient(body)
				tt.change(body)
				r := e.Do(t, "POST", lv1+"/payment_links", body).Want(t, 403)
				if _, prop := r.ErrorAt(t); prop != tt.prop {
					t.Errorf("403 at %q, want %q (%s)", prop, tt.prop, r.Body)
				}
			})
		}
	})
}

// TestOrganisationCheckDigits: the sandbox takes an organisation number
// whose check digit is wrong (its test data is random); production refuses
// it. Numbers of the wrong shape are refused by both.
func TestOrganisationCheckDigits(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		// A production installation with a production tenant, on the same store.
		tenant, tree, secret, err := pinglinks.NewTenant("Production tenant", false, e.Store.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Store.CreateTenant(context.Background(), tenant, tree); err != nil {
			t.Fatal(err)
		}
		prod := httptest.NewServer((&api.Server{Store: e.Store, Log: e.API.Log, PublicURL: "https://pay.example"}).Handler())
		defer prod.Close()
		create := func(t *testing.T, production bool, country, field, number string) int {
			t.Helper()
			body := map[string]any{"name": "Stall", "organization": map[string]any{"country": country, field: number}}
			if !production {
				return e.Do(t, "POST", v1+"/merchants", body).Status
			}
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest("POST", prod.URL+v1+"/merchants", bytes.NewReader(b))
			req.Header.Set("tenant_id", tenant.ID.String())
			req.Header.Set("x-api-secret", secret)
			req.Header.Set("Content-Type", "application/json")
			resp, err := prod.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		tests := []struct {
			country, field, number string
			sandbox, production    int
		}{
			{"SE", "se_organization_number", "556703-7485", 200, 200},
			{"SE", "se_organization_number", "556703-7484", 200, 422},
			{"SE", "se_organization_number", "55670374", 422, 422},
			{"NO", "no_organization_number", "923609017", 200, 422},
			{"DK", "dk_organization_number", "10150818", 200, 422},
			{"FI", "fi_organization_number", "0112038-8", 200, 422},
			{"FI", "fi_organization_number", "0112038", 422, 422},
		}
		for _, tt := range tests {
			t.Run(tt.country+" "+tt.number, func(t *testing.T) {
				if got := create(t, false, tt.country, tt.field, tt.number); got != tt.sandbox {
					t.Errorf("sandbox answered %d, want %d", got, tt.sandbox)
				}
				if got := create(t, true, tt.country, tt.field, tt.number); got != tt.production {
					t.Errorf("production answered %d, want %d", got, tt.production)
				}
			})
		}
	})
}
