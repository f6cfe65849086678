package api

import (
	"errors"

	"github.com/nyaruka/phonenumbers"
)

// normalizePhone turns a number as people type it into E.164, reading
// national numbers in the country of the link's locale.
func normalizePhone(raw, locale string) (string, error) {
	region := "SE"
	switch locale {
	case "nb-NO":
		region = "NO"
	case "en-GB":
		region = "GB"
	}
	n, err := phonenumbers.Parse(raw, region)
	if err != nil {
		return "", err
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", errors.New("not a valid phone number")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}
