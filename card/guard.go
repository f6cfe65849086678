package card

import (
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/pinglinks/pinglinks/reference"
)

// cardFields are the names under which a form would carry card data.
var cardFields = map[string]bool{
	"card_number": true, "card_expiry": true, "card_cvc": true, "card_exp": true, "cardnumber": true,
	"cvc": true, "cvv": true, "cvc2": true, "cvv2": true, "expiry": true, "exp_month": true, "exp_year": true,
	"cc-number": true, "cc-exp": true, "cc-csc": true,
}

// maxForm bounds what the guard reads of a form; the checkout's forms
// are far smaller.
const maxForm = 16 << 10

// RefuseCardData guards the checkout in production, where cards are paid
// on the processor's page and no card number, expiry or CVC may reach us:
// a request carrying a card field, or any value that is a card number (13
// to 19 digits passing the Luhn check), is refused with 400 before the
// checkout sees it, and the log names only the fields, never their values.
func RefuseCardData(next http.Handler, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fields := cardDataIn(r.URL.Query())
		if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				http.Error(w, "This form could not be read.", http.StatusBadRequest)
				return
			}
			fields = append(fields, cardDataIn(r.PostForm)...)
		}
		if len(fields) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		// Drop what was read, so nothing downstream could keep it.
		r.Form, r.PostForm = nil, nil
		log.Warn("checkout: card data refused; cards are paid on the card processor's page", "fields", strings.Join(fields, ","), "path", r.URL.Path)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte("Card details are never entered here: choose Card and you will be taken to the card processor's secure page.\n"))
	})
}

// cardDataIn names the fields of v that carry card data.
func cardDataIn(v url.Values) []string {
	var out []string
	for name, values := range v {
		for _, val := range values {
			if cardFields[strings.ToLower(name)] && strings.TrimSpace(val) != "" || looksLikePAN(val) {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// looksLikePAN reports whether s, without spaces and dashes, is 13 to 19
// digits with a valid Luhn check digit: a card number.
func looksLikePAN(s string) bool {
	digits := make([]byte, 0, 19)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if len(digits) == 19 {
				return false
			}
			digits = append(digits, c)
		case c == ' ' || c == '-' || c == '.':
		default:
			return false
		}
	}
	n := string(digits)
	return len(n) >= 13 && reference.Luhn(n[:len(n)-1]) == n[len(n)-1]
}
