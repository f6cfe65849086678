package api

import (
	"net/http"
)

func (s *Server) registerRoutes() {
	ping := func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return nil
	}
	s.public("GET /payments/api/v1/ping", ping)
	s.public("GET /payment_links/api/v1/ping", ping)
	s.public("GET /healthz", ping)
	s.public("GET /readyz", s.ready)
	s.public("GET /openapi.yaml", s.serveOpenAPI)
	s.public("GET /docs/api", serveReference)
	s.public("GET "+redocPath, serveRedoc)

	const p = "/payments/api/v1"
	s.tenant("GET "+p+"/tenant", s.getTenant)
	s.tenant("PUT "+p+"/tenant", s.putTenant)

	s.tenantDB("POST "+p+"/merchants", s.createMerchant)
	s.tenant("GET "+p+"/merchants", s.listMerchants)
	s.tenant("GET "+p+"/merchants/{id}", s.getMerchant)

	s.tenantDB("POST "+p+"/payment_orders", s.createOrder)
	s.tenant("GET "+p+"/payment_orders", s.listOrders)
	s.tenant("GET "+p+"/payment_orders/{id}", s.getOrder)
	s.tenantDB("PUT "+p+"/payment_orders/{id}", s.updateOrder)
	s.tenantDB("PUT "+p+"/payment_orders/{id}/close", s.advanceOrder("close"))
	s.tenantDB("PUT "+p+"/payment_orders/{id}/split", s.advanceOrder("split"))
	s.tenantDB("PUT "+p+"/payment_orders/{id}/settle", s.advanceOrder("settle"))
	s.tenant("GET "+p+"/payment_orders/{id}/allocations", s.getAllocations)

	s.tenant("POST "+p+"/payment_orders/{id}/payments", s.createPayment)
	s.tenant("GET "+p+"/payment_orders/{id}/payments/{payment_id}", s.getPayment)
	s.tenant("POST "+p+"/payment_orders/{id}/payments/{payment_id}/refund", s.refundPayment)
	s.tenant("GET "+p+"/payments", s.listPayments)

	// Callbacks sent to the tenant, with their delivery attempts (docs/webhooks.md).
	s.tenant("GET "+p+"/callbacks", s.listCallbacks)
	s.tenant("GET "+p+"/callbacks/{id}", s.getCallback)
	s.tenant("POST "+p+"/callbacks/{id}/redeliver", s.redeliverCallback)

	const l = "/payment_links/api/v1"
	s.tenantDB("POST "+l+"/payment_links", s.createLink)
	s.tenant("GET "+l+"/payment_links", s.listLinks)
	s.tenant("GET "+l+"/payment_links/{id}", s.getLink)
	s.tenant("PUT "+l+"/payment_links/{id}/cancel", s.cancelLink)
	s.tenantDB("PUT "+l+"/payment_links/{id}/distribute", s.distributeLink)
	s.tenantDB("PUT "+l+"/payment_links/{id}/invoice", s.createInvoice)
	s.tenant("GET "+l+"/payment_links/{id}/invoice", s.getInvoice)
	s.tenant("GET "+l+"/payment_links/{id}/receipt", s.getReceipt)

	s.registerOperatorRoutes()

	s.public("GET /files/{token}", s.getFile)
	s.public("POST /sms/reports/{secret}", s.smsReport)
	if s.Pages != nil {
		for _, prefix := range []string{"/checkout/", "/static/"} {
			s.mux.Handle(prefix, s.Pages)
		}
	}
	if s.Providers != nil {
		s.Providers.Mount(s.mux) // callbacks from providers: /providers/{provider}/…
	}
	for _, x := range s.Extensions {
		x.Routes(&Mux{s})
	}
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) error {
	if err := s.Store.DB().PingContext(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "database unreachable",
			"errors": []map[string]string{{"error": "unavailable", "description": "the database cannot be reached"}}})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}
