package messaging

import (
	"encoding/json"

	"github.com/pinglinks/pinglinks"
)

func payerDetails(p *pinglinks.Payment) (pinglinks.PayerDetails, bool) {
	var d pinglinks.PayerDetails
	if len(p.Payer) == 0 || json.Unmarshal(p.Payer, &d) != nil {
		return d, false
	}
	return d, true
}
