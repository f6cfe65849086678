package pinglinks

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Merchant statuses.
const (
	MerchantCreated  = "CREATED"
	MerchantApproved = "APPROVED"
	MerchantDenied   = "DENIED"
)

// Merchant is a payee: the organisation or person that receives the funds.
type Merchant struct {
	ID           uuid.UUID
	TenantID     uuid.UUID
	Name         string
	Status       string
	Organization *Organization
	Person       *Person
	Email        string
	PhoneNumber  string
	CreatedAt    time.Time
}

// Organization identifies a merchant that is a company.
type Organization struct {
	Country              string `json:"country"`
	SEOrganizationNumber string `json:"se_organization_number,omitempty"`
	NOOrganizationNumber string `json:"no_organization_number,omitempty"`
	DKOrganizationNumber string `json:"dk_organization_number,omitempty"`
	FIOrganizationNumber string `json:"fi_organization_number,omitempty"`
}

// Person identifies a merchant that is a private person.
type Person struct {
	Country                  string `json:"country"`
	Name                     string `json:"name"`
	SEPersonalIdentityNumber string `json:"se_personal_identity_number,omitempty"`
	NOPersonalIdentityNumber string `json:"no_personal_identity_number,omitempty"`
}

// Approve moves a CREATED merchant to APPROVED.
func (m *Merchant) Approve() error { return m.decide(MerchantApproved) }

// Deny moves a CREATED merchant to DENIED.
func (m *Merchant) Deny() error { return m.decide(MerchantDenied) }

func (m *Merchant) decide(to string) error {
	if m.Status != MerchantCreated {
		return Forbidden("merchant is %s; only a CREATED merchant can become %s", m.Status, to)
	}
	m.Status = to
	return nil
}

// Validate checks a merchant about to be created and normalises its numbers,
// check digits included.
func (m *Merchant) Validate() error { return m.validate(true) }

// ValidateWellFormed is Validate accepting an organisation number whose
// check digit is wrong when it is otherwise well formed (its length, and
// for Sweden its third digit): the sandbox's test data is random, as in
// Ping's sandbox. Personal identity numbers are still checked whole.
func (m *Merchant) ValidateWellFormed() error { return m.validate(false) }

func (m *Merchant) validate(checkDigits bool) error {
	var errs Errors
	if strings.TrimSpace(m.Name) == "" {
		errs.Add("name", "is required")
	} else if utf8.RuneCountInString(m.Name) > 200 {
		errs.Add("name", "must be at most 200 characters")
	}
	switch {
	case m.Organization == nil && m.Person == nil:
		errs.Add("organization", "either organization or person is required")
	case m.Organization != nil && m.Person != nil:
		errs.Add("person", "give either organization or person, not both")
	case m.Organization != nil:
		validateOrganization(m.Organization, checkDigits, &errs)
	default:
		validatePerson(m.Person, &errs)
	}
	if m.Email != "" {
		if a, err := mail.ParseAddress(m.Email); err != nil || a.Address != m.Email {
			errs.Add("email", "is not a valid e-mail address")
		}
	}
	if m.PhoneNumber != "" && !looksLikePhone(m.PhoneNumber) {
		errs.Add("phone_number", "is not a valid phone number")
	}
	return errs.Err()
}

func validateOrganization(o *Organization, checkDigits bool, errs *Errors) {
	var num *string
	var field string
	var check func(string) bool
	var digits int // how many a well-formed number has
	switch o.Country {
	case "SE":
		num, field, check, digits = &o.SEOrganizationNumber, "se_organization_number", ValidSEOrganizationNumber, 10
	case "NO":
		num, field, check, digits = &o.NOOrganizationNumber, "no_organization_number", ValidNOOrganizationNumber, 9
	case "DK":
		num, field, check, digits = &o.DKOrganizationNumber, "dk_organization_number", ValidDKOrganizationNumber, 8
	case "FI":
		num, field, check, digits = &o.FIOrganizationNumber, "fi_organization_number", ValidFIOrganizationNumber, 8
	case "":
		errs.Add("organization.country", "is required")
		return
	default:
		errs.Add("organization.country", "must be one of SE, NO, DK, FI")
		return
	}
	d := digitsOnly(*num)
	if !checkDigits {
		check = func(string) bool { return len(d) == digits && (o.Country != "SE" || d[2] >= '2') }
	}
	switch {
	case *num == "":
		errs.Add("organization."+field, "is required for country %s", o.Country)
	case !check(*num):
		errs.Add("organization."+field, "is not a valid organisation number")
	default:
		*num = d
	}
}

func validatePerson(p *Person, errs *Errors) {
	if strings.TrimSpace(p.Name) == "" {
		errs.Add("person.name", "is required")
	}
	switch p.Country {
	case "SE":
		if p.SEPersonalIdentityNumber == "" {
			errs.Add("person.se_personal_identity_number", "is required for country SE")
		} else if !ValidSEPersonalIdentityNumber(p.SEPersonalIdentityNumber) {
			errs.Add("person.se_personal_identity_number", "is not a valid personal identity number (YYYYMMDDNNNN)")
		} else {
			p.SEPersonalIdentityNumber = digitsOnly(p.SEPersonalIdentityNumber)
		}
	case "NO":
		if p.NOPersonalIdentityNumber == "" {
			errs.Add("person.no_personal_identity_number", "is required for country NO")
		} else if !ValidNOPersonalIdentityNumber(p.NOPersonalIdentityNumber) {
			errs.Add("person.no_personal_identity_number", "is not a valid national identity number")
		} else {
			p.NOPersonalIdentityNumber = digitsOnly(p.NOPersonalIdentityNumber)
		}
	case "":
		errs.Add("person.country", "is required")
	default:
		errs.Add("person.country", "must be one of SE, NO")
	}
}

func looksLikePhone(s string) bool {
	d := digitsOnly(s)
	if len(d) < 7 || len(d) > 15 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == ' ', r == '-':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return true
}
