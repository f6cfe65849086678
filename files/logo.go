package files

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/pinglinks/pinglinks/store"
)

// Logos fetches a link's logo_image_link once and keeps it in the
// database: at most MaxBytes, PNG or JPEG by content (not by the server's
// word), within Timeout, through a client that refuses private addresses
// outside the sandbox (callback.NewClient). A logo that cannot be fetched
// is remembered as such for RetryAfter, and documents go without it.
type Logos struct {
	Store      *store.Store
	Client     *http.Client
	MaxBytes   int64
	Timeout    time.Duration
	RetryAfter time.Duration
	Log        *slog.Logger
}

// Get returns the logo's bytes, or nil.
func (g *Logos) Get(ctx context.Context, url string) []byte {
	cached, err := g.Store.Logo(ctx, url)
	if err == nil && cached != nil {
		if cached.FetchError == "" {
			return cached.Body
		}
		if time.Since(cached.FetchedAt) < g.retryAfter() {
			return nil
		}
	}
	body, ctype, err := g.fetch(ctx, url)
	l := &store.Logo{URL: url, ContentType: ctype, Body: body}
	if err != nil {
		l.FetchError, l.Body = err.Error(), nil
		if g.Log != nil {
			g.Log.Warn("logo not fetched", "url", url, "err", err)
		}
	}
	if ctx.Err() == nil {
		_ = g.Store.PutLogo(ctx, l) // a cache: failing to keep it costs a refetch
	}
	if l.FetchError != "" {
		return nil // PutLogo stored the missing body as empty, not nil
	}
	return l.Body
}

func (g *Logos) retryAfter() time.Duration {
	if g.RetryAfter > 0 {
		return g.RetryAfter
	}
	return time.Hour
}

func (g *Logos) fetch(ctx context.Context, url string) ([]byte, string, error) {
	timeout, max := g.Timeout, g.MaxBytes
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	if max <= 0 {
		max = 1 << 20
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "image/png, image/jpeg")
	req.Header.Set("User-Agent", "pinglinks-logo/1")
	resp, err := g.Client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("logo: answered %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(body)) > max {
		return nil, "", fmt.Errorf("logo: larger than %d bytes", max)
	}
	switch ct := http.DetectContentType(body); ct {
	case "image/png", "image/jpeg":
		return body, ct, nil
	default:
		return nil, "", fmt.Errorf("logo: %s is not a PNG or JPEG image", ct)
	}
}
