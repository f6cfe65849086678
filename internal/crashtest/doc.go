// Package crashtest holds the crash test: `pinglinks serve` run as a child
// process, killed with SIGKILL at random moments under concurrent clients
// that retry every unanswered request with its Idempotency-Key, and then
// checked for lost acknowledgements, duplicate objects, overpaid orders
// and undelivered callbacks and e-mails. See README.md, "Reliability".
package crashtest
