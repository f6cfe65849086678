package api

import "github.com/pinglinks/pinglinks/phone"

// normalizePhone turns a mobile number as people type it into E.164, reading
// national numbers in the country of the link's locale.
func normalizePhone(raw, locale string) (string, error) {
	region := "SE"
	switch locale {
	case "nb-NO":
		region = "NO"
	case "en-GB":
		region = "GB"
	}
	return phone.Mobile(raw, region)
}
