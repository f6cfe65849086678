package swish

import (
	"fmt"
	"strings"
)

// Problem is one error Swish reports: in the array of a 4xx answer, or as
// the errorCode/errorMessage of a payment request or refund that failed.
type Problem struct {
	Code                  string `json:"errorCode"`
	Message               string `json:"errorMessage"`
	AdditionalInformation string `json:"additionalInformation,omitempty"`
}

// Error is a call Swish refused: the HTTP status and, for 422 (and some 400,
// 403 and 409 answers), the documented error codes.
type Error struct {
	Op         string // "create payment request", "get refund"…
	HTTPStatus int
	Problems   []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "swish: %s: HTTP %d", e.Op, e.HTTPStatus)
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "; %s", p.Code)
		if p.Message != "" {
			fmt.Fprintf(&b, " %s", p.Message)
		} else if d := Describe(p.Code); d != "" {
			fmt.Fprintf(&b, " %s", d)
		}
	}
	return b.String()
}

// Has reports whether Swish named code among the error's problems.
func (e *Error) Has(code string) bool {
	for _, p := range e.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

// Error codes from Swish's documentation. The first group refuses a request
// (422); the second ends a payment request or refund with status ERROR (or
// DECLINED) and arrives in its errorCode.
const (
	CodePaymentReferenceInvalid = "FF08"   // payeePaymentReference is invalid
	CodeCallbackURLInvalid      = "RP03"   // callbackUrl missing or not HTTPS
	CodePayerAliasInvalid       = "BE18"   // payerAlias is invalid
	CodePayeeAliasMissing       = "RP01"   // the merchant's Swish number is missing
	CodeAmountInvalid           = "PA02"   // amount missing or not a valid number
	CodeAmountTooLarge          = "AM02"   // amount too large
	CodeCurrencyInvalid         = "AM03"   // currency missing or not SEK
	CodeAmountBelowMinimum      = "AM06"   // amount below the agreed minimum
	CodeMessageInvalid          = "RP02"   // message too long or outside the character set
	CodePayerHasPending         = "RP06"   // the payer already has a payment request waiting (e-commerce)
	CodeInstructionIDTaken      = "RP09"   // the instruction UUID has been used before
	CodePayerNotEnrolled        = "ACMT03" // the payer's number is not enrolled in Swish
	CodeCounterpartNotActivated = "ACMT01" // the counterpart is not activated
	CodePayeeNotEnrolled        = "ACMT07" // the payee is not enrolled in Swish
	CodeNotFound                = "RP04"   // no payment request (or refund) with that id
	CodeParameterInvalid        = "PA01"   // a parameter is not correct (an invalid id, cancel of a finished request)
	CodeRefundTooLarge          = "RF08"   // more than what is left of the original payment
	CodeOriginalNotFound        = "RF02"   // the original payment is unknown or older than 13 months
	CodeRefundPayerMismatch     = "RF03"   // the refund's payerAlias is not the original payment's payee

	CodeDeclined         = "RF07"     // the transaction was declined
	CodeBankIDCancelled  = "BANKIDCL" // the payer cancelled BankID signing
	CodeBankIDOngoing    = "BANKIDONGOING"
	CodeBankIDUnknown    = "BANKIDUNKN"
	CodeBankError        = "FF10" // the payer's bank could not process it
	CodeTimeout          = "TM01" // the payer did not answer in time
	CodeBankTimeout      = "DS24" // the banks did not answer in time
	CodePayerTooYoung    = "VR01" // the payer is below the age limit
	CodePayerSSNMismatch = "VR02" // the payer's personal number does not match
)

var descriptions = map[string]string{
	CodePaymentReferenceInvalid: "payment reference is invalid",
	CodeCallbackURLInvalid:      "callback URL is missing or does not use HTTPS",
	CodePayerAliasInvalid:       "payer alias is invalid",
	CodePayeeAliasMissing:       "merchant Swish number is missing",
	CodeAmountInvalid:           "amount is missing or not a valid number",
	CodeAmountTooLarge:          "amount is too large",
	CodeCurrencyInvalid:         "currency is missing or not SEK",
	CodeAmountBelowMinimum:      "amount is below the agreed minimum",
	CodeMessageInvalid:          "message is too long or has characters Swish does not accept",
	CodePayerHasPending:         "the payer already has a payment request waiting",
	CodeInstructionIDTaken:      "the instruction UUID is not available",
	CodePayerNotEnrolled:        "the payer is not enrolled in Swish",
	CodeCounterpartNotActivated: "the counterpart is not activated",
	CodePayeeNotEnrolled:        "the payee is not enrolled in Swish",
	CodeNotFound:                "no such payment request",
	CodeParameterInvalid:        "a parameter is not correct",
	CodeRefundTooLarge:          "the refund is larger than what is left of the payment",
	CodeOriginalNotFound:        "the original payment was not found",
	CodeRefundPayerMismatch:     "the refund's payer alias is not the payment's payee",
	CodeDeclined:                "the transaction was declined",
	CodeBankIDCancelled:         "the payer cancelled BankID signing",
	CodeBankIDOngoing:           "BankID is already in use",
	CodeBankIDUnknown:           "BankID is not available",
	CodeBankError:               "the bank could not process the payment",
	CodeTimeout:                 "the payer did not answer in time",
	CodeBankTimeout:             "the banks did not answer in time",
	CodePayerTooYoung:           "the payer is below the age limit",
	CodePayerSSNMismatch:        "the payer's personal number does not match",
}

// Describe returns a short English description of a documented error code,
// or "" for one this package does not know.
func Describe(code string) string { return descriptions[code] }
