package api

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/store"
)

type orderJSON struct {
	ID              string                `json:"id"`
	Status          pinglinks.OrderStatus `json:"status"`
	CreatedAt       string                `json:"created_at"`
	Currency        string                `json:"currency"`
	SplitTreeID     string                `json:"split_tree_id"`
	SplitParameters json.RawMessage       `json:"split_parameters,omitempty"`
	Payments        *[]paymentJSON        `json:"payments,omitempty"` // omitted in lists
}

func toOrderJSON(o *pinglinks.PaymentOrder, ps []*pinglinks.Payment) orderJSON {
	out := orderJSON{ID: o.ID.String(), Status: o.Status, CreatedAt: formatTime(o.CreatedAt),
		Currency: string(o.Currency), SplitTreeID: o.SplitTreeID.String(), SplitParameters: o.SplitParameters,
	}
	if ps != nil {
		pj := make([]paymentJSON, len(ps))
		for i, p := range ps {
			pj[i] = toPaymentJSON(p)
		}
		out.Payments = &pj
	}
	return out
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Currency        *string         `json:"currency"`
		SplitTreeID     *string         `json:"split_tree_id"`
		SplitParameters json.RawMessage `json:"split_parameters"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	t := tenantFrom(r)
	now := s.Store.Now()
	o := &pinglinks.PaymentOrder{ID: pinglinks.NewIDAt(now), TenantID: t.ID, Status: pinglinks.OrderOpen,
		SplitTreeID: t.DefaultSplitTreeID, SplitParameters: nonNull(in.SplitParameters), CreatedAt: now}
	var errs pinglinks.Errors
	switch {
	case in.Currency == nil:
		errs.Add("currency", "is required")
	case !pinglinks.Currency(*in.Currency).Valid():
		errs.Add("currency", "must be one of SEK, NOK, DKK, EUR, GBP")
	default:
		o.Currency = pinglinks.Currency(*in.Currency)
	}
	if in.SplitTreeID != nil {
		id, err := parseUUID("split_tree_id", *in.SplitTreeID)
		if err != nil {
			errs = append(errs, err.(*pinglinks.Error))
		}
		o.SplitTreeID = id
	}
	if err := pinglinks.ValidateSplitParameters(o.SplitParameters); err != nil {
		errs = append(errs, err.(*pinglinks.Error))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.Flow.CreateOrder(r.Context(), t.ID, o); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": o.ID.String()})
	return nil
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, ps, err := s.Store.Order(r.Context(), tenantFrom(r).ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrderJSON(o, ps))
	return nil
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) error {
	lr, err := parseList(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f store.OrderFilter
	var errs pinglinks.Errors
	for _, p := range []struct {
		name string
		dst  *bool
	}{{"from", nil}, {"created_at_from", nil}, {"to", nil}, {"created_at_to", nil}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		end := p.name == "to" || p.name == "created_at_to"
		t, ok := parseInstant(v, end)
		if !ok {
			errs.Add(p.name, "must be an RFC 3339 time or a date YYYY-MM-DD")
			continue
		}
		if end {
			f.To = t
		} else {
			f.From = t
		}
	}
	if st := pinglinks.OrderStatus(q.Get("status")); st != "" {
		switch st {
		case pinglinks.OrderOpen, pinglinks.OrderClosed, pinglinks.OrderSplit, pinglinks.OrderSettled:
			f.Status = st
		default:
			errs.Add("status", "must be one of OPEN, CLOSED, SPLIT, SETTLED")
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		errs.Add("to", "must not be before from")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	tenantID := tenantFrom(r).ID
	return serveList(w, r, lr,
		func(p store.Page) ([]*pinglinks.PaymentOrder, store.PageInfo, error) {
			return s.Store.Orders(r.Context(), tenantID, f, p)
		},
		func(o *pinglinks.PaymentOrder) uuid.UUID { return o.ID },
		func(o *pinglinks.PaymentOrder) orderJSON { return toOrderJSON(o, nil) })
}

func (s *Server) updateOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		SplitTreeID     *string         `json:"split_tree_id"`
		SplitParameters json.RawMessage `json:"split_parameters"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	if in.SplitTreeID == nil {
		return pinglinks.Invalid("split_tree_id", "is required")
	}
	tree, err := parseUUID("split_tree_id", *in.SplitTreeID)
	if err != nil {
		return err
	}
	params := nonNull(in.SplitParameters)
	if err := pinglinks.ValidateSplitParameters(params); err != nil {
		return err
	}
	if err := s.Flow.UpdateOrder(r.Context(), tenantFrom(r).ID, id, tree, params); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) advanceOrder(action flow.OrderAction) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var in struct {
			FastForward bool `json:"fast_forward"`
		}
		if err := decode(r, &in, true); err != nil {
			return err
		}
		if err := s.Flow.AdvanceOrder(r.Context(), tenantFrom(r).ID, id, action, in.FastForward); err != nil {
			return err
		}
		return noContent(w)
	}
}

func (s *Server) getAllocations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	as, err := s.Flow.Allocations(r.Context(), tenantFrom(r).ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, as)
	return nil
}
