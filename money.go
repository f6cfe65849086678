package pinglinks

import "math"

// Currency is an ISO 4217 code accepted by the platform.
type Currency string

const (
	SEK Currency = "SEK"
	NOK Currency = "NOK"
	DKK Currency = "DKK"
	EUR Currency = "EUR"
	GBP Currency = "GBP"
)

// Valid reports whether c is one of the accepted currencies.
func (c Currency) Valid() bool {
	switch c {
	case SEK, NOK, DKK, EUR, GBP:
		return true
	}
	return false
}

// MaxAmount bounds any single amount, in minor units. It is far above any real
// payment yet leaves room so that sums of many amounts cannot overflow int64.
const MaxAmount int64 = 1 << 40 // ≈ 11 billion major units

// AddAmounts returns a+b, or false if the sum overflows int64 or passes MaxAmount.
func AddAmounts(a, b int64) (int64, bool) {
	if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
		return 0, false
	}
	s := a + b
	return s, s <= MaxAmount && s >= -MaxAmount
}

// MulAmount returns price*quantity, or false on overflow or beyond MaxAmount.
func MulAmount(price, quantity int64) (int64, bool) {
	if price == 0 || quantity == 0 {
		return 0, true
	}
	p := price * quantity
	if p/quantity != price {
		return 0, false
	}
	return p, p <= MaxAmount && p >= -MaxAmount
}
