package api

import (
	"net/http"

	"github.com/pinglinks/pinglinks"
)

type tenantJSON struct {
	ID                        string                     `json:"id"`
	Name                      string                     `json:"name"`
	PaymentProviderMethods    []pinglinks.ProviderMethod `json:"payment_provider_methods"`
	CallbackSigningKey        string                     `json:"callback_signing_key"`
	MerchantStatusCallbackURL *string                    `json:"merchant_status_callback_url"`
	SplitTreeID               string                     `json:"split_tree_id"`
}

func (s *Server) getTenant(w http.ResponseWriter, r *http.Request) error {
	t := tenantFrom(r)
	out := tenantJSON{ID: t.ID.String(), Name: t.Name, PaymentProviderMethods: s.Providers.Available(),
		CallbackSigningKey: t.CallbackSigningKey, SplitTreeID: t.DefaultSplitTreeID.String()}
	if t.MerchantStatusCallbackURL != "" {
		out.MerchantStatusCallbackURL = &t.MerchantStatusCallbackURL
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) putTenant(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		MerchantStatusCallbackURL *string `json:"merchant_status_callback_url"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	if in.MerchantStatusCallbackURL == nil {
		return pinglinks.Invalid("merchant_status_callback_url", "is required (an empty string removes it)")
	}
	if err := pinglinks.ValidateCallbackURL("merchant_status_callback_url", *in.MerchantStatusCallbackURL); err != nil {
		return err
	}
	if err := s.Store.UpdateTenantCallbacks(r.Context(), tenantFrom(r).ID, *in.MerchantStatusCallbackURL); err != nil {
		return err
	}
	s.tenants.Delete(tenantFrom(r).ID)
	return noContent(w)
}
