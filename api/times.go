package api

import (
	"time"
)

// formatTime renders times as RFC 3339 UTC with microseconds, as stored.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

// parseDate accepts YYYY-MM-DD.
func parseDate(s string) (time.Time, error) {
	return time.Parse(time.DateOnly, s)
}

// parseInstant accepts an RFC 3339 time or a date. A date given as the end of
// a range (endOfDay) covers that whole day.
func parseInstant(s string, endOfDay bool) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if d, err := parseDate(s); err == nil {
		if endOfDay {
			d = d.Add(24*time.Hour - time.Microsecond)
		}
		return d, true
	}
	return time.Time{}, false
}
