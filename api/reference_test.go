package api_test

import (
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
)

// Every tenant's payers pay to the same bankgiro, so no two links of any
// tenants may share a reference: a bank's transfer names one link.
func TestReferencesAreUniqueAcrossTenants(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		other := apitest.OtherTenant(t, e)
		seen := map[string]bool{}
		for i := 0; i < 3; i++ {
			for _, creds := range [][]string{
				{"tenant_id", e.Tenant.ID.String(), "x-api-secret", e.Tenant.Secret},
				{"tenant_id", other.ID.String(), "x-api-secret", other.Secret},
			} {
				merchant := e.DoRaw(t, "POST", v1+"/merchants", map[string]any{"name": "Stall",
					"organization": map[string]any{"country": "SE", "se_organization_number": orgNrSE}}, creds...).Want(t, 200).ID(t)
				order := e.DoRaw(t, "POST", v1+"/payment_orders", map[string]any{"currency": "SEK"}, creds...).Want(t, 200).ID(t)
				link := e.DoRaw(t, "POST", lv1+"/payment_links", apitest.LinkBody(order, merchant), creds...).Want(t, 200).ID(t)
				e.DoRaw(t, "PUT", lv1+"/payment_links/"+link+"/invoice", map[string]any{"reference_type": "OCR"}, creds...).Want(t, 204)
				var inv struct{ Reference string }
				e.DoRaw(t, "GET", lv1+"/payment_links/"+link+"/invoice", nil, creds...).Want(t, 200).JSON(t, &inv)
				if seen[inv.Reference] {
					t.Fatalf("reference %s given twice", inv.Reference)
				}
				seen[inv.Reference] = true
			}
		}
	})
}
