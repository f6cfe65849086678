package dashboard_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/dashboard"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/dashtest"
)

var pathParam = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

// TestTenantIsolation walks every route of the route table with another
// tenant's owner signed in. Tenant A has one object of every kind the
// dashboard shows (user, invitation, merchant, order, payment, link,
// callback); each route with path ids is tried with each of A's ids and
// must answer 404 to tenant B — and, so the test can fail, something
// other than 404 to A's own owner for at least one of them (a route whose
// ids are none of these fails here: add its kind of object to ids).
// Routes without ids must not show B anything of A's.
func TestTenantIsolation(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		// Tenant A: e.Tenant, with one of everything.
		ownerA := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Owner, dashtest.Options{Email: "owner-a@example.com"})
		otherA := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Viewer, dashtest.Options{Email: "viewer-a@example.com"})
		l := e.NewLink(t, func(b map[string]any) { b["payment_link_status_callback_url"] = e.Server.URL + "/nowhere" })
		e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+l.ID+"/cancel", nil).Want(t, 204)
		var link struct {
			PaymentID string `json:"payment_id"`
		}
		e.Do(t, "GET", "/payment_links/api/v1/payment_links/"+l.ID, nil).Want(t, 200).JSON(t, &link)
		var callbacks []struct{ ID string }
		e.Do(t, "GET", "/payments/api/v1/callbacks", nil).Want(t, 200).JSON(t, &callbacks)
		if len(callbacks) == 0 {
			t.Fatal("tenant A has no callback to try")
		}
		if _, err := dashboard.OwnerInvite(ctx, e.Store, e.Tenant.ID); err != nil {
			t.Fatal(err)
		}
		invites, err := e.Store.Invites(ctx, e.Tenant.ID)
		if err != nil || len(invites) == 0 {
			t.Fatalf("invites %v, %v", invites, err)
		}
		product := &pinglinks.Product{ID: pinglinks.NewID(), Description: "Honung", Price: 7000, Currency: pinglinks.SEK,
			VAT: 1200, MerchantID: uuid.MustParse(l.MerchantID), CreatedAt: e.Store.Now()}
		customer := &pinglinks.SavedCustomer{ID: pinglinks.NewID(), Customer: pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg"},
			CreatedAt: e.Store.Now()}
		if err := e.Store.SaveProduct(ctx, e.Tenant.ID, product); err != nil {
			t.Fatal(err)
		}
		if err := e.Store.SaveCustomer(ctx, e.Tenant.ID, customer); err != nil {
			t.Fatal(err)
		}
		ids := []string{otherA.ID.String(), invites[0].ID.String(), l.MerchantID, l.OrderID, link.PaymentID, l.ID, callbacks[0].ID,
			product.ID.String(), customer.ID.String()}
		secretsOfA := []string{e.Tenant.ID.String(), ownerA.Email, otherA.Email, l.ID, l.OrderID, callbacks[0].ID}

		// Tenant B's owner.
		tenantB := dashtest.NewTenant(t, e.Store, "Other tenant")
		ownerB := dashtest.NewUser(t, e.Store, tenantB, account.Owner, dashtest.Options{Email: "owner-b@example.com"})
		b := dashtest.SignIn(t, e.Server.URL, ownerB)
		a := dashtest.SignIn(t, e.Server.URL, ownerA)

		var tried int
		for _, rt := range e.Platform.Dashboard.RouteTable() {
			if rt.Public {
				continue // no session: nothing of a tenant's beyond a secret token's reach
			}
			method, path, _ := strings.Cut(rt.Pattern, " ")
			path = strings.TrimSuffix(path, "{$}")
			params := pathParam.FindAllString(path, -1)
			request := func(c *dashtest.Client, p string) *dashtest.Page {
				if method == http.MethodPost {
					c.Get(t, "/dashboard/account") // a fresh CSRF token
					return c.Post(t, p, nil)
				}
				return c.Get(t, p)
			}
			if len(params) == 0 {
				if method != http.MethodGet {
					continue // acts on the session's own tenant: it has no id to name another's
				}
				tried++
				p := request(b, path)
				for _, s := range secretsOfA {
					if strings.Contains(p.Body, s) {
						t.Errorf("%s shows tenant B %q of tenant A", rt.Pattern, s)
					}
				}
				continue
			}
			foundByA := false
			for _, id := range ids {
				p := pathParam.ReplaceAllString(path, id)
				tried++
				if got := request(b, p); got.Status != http.StatusNotFound {
					t.Errorf("%s with tenant A's id %s: tenant B got %d, want 404", rt.Pattern, id, got.Status)
				}
				if got := request(a, p); got.Status != http.StatusNotFound {
					foundByA = true
				}
			}
			if !foundByA {
				t.Errorf("%s: none of tenant A's ids reaches it even for A; add its kind of object to this test", rt.Pattern)
			}
		}
		if tried < 5 {
			t.Fatalf("only %d requests tried", tried)
		}
		// Nothing of A's changed.
		if u, err := e.Store.User(ctx, e.Tenant.ID, otherA.ID); err != nil || u.Role != account.Viewer {
			t.Errorf("tenant A's viewer: %+v, %v", u, err)
		}
	})
}
