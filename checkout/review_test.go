package checkout_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
)

// The 3-D Secure page answered from two tabs at once (or a double click
// that beat the script): one answer decides, the other is sent back to
// the checkout — never a crash, and the link is paid at most once.
func TestChallengeAnsweredTwiceAtOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for _, tc := range []struct {
			name    string
			answers []string
		}{
			{"approve twice", []string{"approve", "approve", "approve", "approve", "approve", "approve", "approve", "approve"}},
			{"approve and fail", []string{"approve", "fail", "approve", "fail", "approve", "fail", "approve", "fail"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				lk := e.NewLink(t, nil)
				resp, _ := post(t, lk.CheckoutURL, cardForm("4000002760003184"))
				loc := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "/3ds/") {
					t.Fatalf("3-D Secure card answered %d %q", resp.StatusCode, loc)
				}
				challenge := e.Server.URL + loc
				var wg sync.WaitGroup
				start := make(chan struct{})
				for _, answer := range tc.answers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						resp, err := noRedirects.PostForm(challenge, url.Values{"answer": {answer}})
						if err != nil {
							t.Errorf("answer %s: %v", answer, err)
							return
						}
						defer resp.Body.Close()
						b, _ := io.ReadAll(resp.Body)
						if resp.StatusCode != http.StatusSeeOther {
							t.Errorf("answer %s: %d %s", answer, resp.StatusCode, b)
						}
					}()
				}
				close(start)
				wg.Wait()
				l := link(t, e, lk.ID)
				completed := 0
				for _, p := range orderPayments(t, e, l) {
					if p.Status == pinglinks.PaymentCompleted {
						completed++
					}
				}
				if completed > 1 || (completed == 1) != (l.Status == pinglinks.LinkCompleted) {
					t.Errorf("%d completed payments, link %s", completed, l.Status)
				}
			})
		}
	})
}
