package checkout

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		trust bool
		xff   []string
		want  string
	}{
		{false, nil, "192.0.2.7"},
		{false, []string{"203.0.113.9"}, "192.0.2.7"}, // not behind a proxy: the header is the client's word
		{true, nil, "192.0.2.7"},
		{true, []string{"203.0.113.9"}, "203.0.113.9"},
		{true, []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"}, // the client's own entry is ignored
		{true, []string{"1.2.3.4", "203.0.113.9"}, "203.0.113.9"},
		{true, []string{"203.0.113.9, "}, "192.0.2.7"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("POST", "/checkout/x/pay", nil)
		r.RemoteAddr = "192.0.2.7:51234"
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		h := &Handler{TrustProxy: tc.trust}
		if got := h.clientAddr(r); got != tc.want {
			t.Errorf("trust=%v %q: %s, want %s", tc.trust, tc.xff, got, tc.want)
		}
	}
}
