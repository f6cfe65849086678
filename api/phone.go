package api

import (
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/phone"
)

// normalizePhone turns a mobile number as people type it into E.164, reading
// national numbers in the country of the link's locale.
func normalizePhone(raw string, loc locale.Locale) (string, error) {
	return phone.Mobile(raw, loc.Region())
}
