package store

import (
	"database/sql"
	"encoding/json"
	"time"
)

// jsonText returns raw as a nullable text value ("absent" stays NULL).
func jsonText(raw json.RawMessage) sql.NullString {
	if len(raw) == 0 {
		return sql.NullString{}
	}
	return sql.NullString{String: string(raw), Valid: true}
}

func rawJSON(ns sql.NullString) json.RawMessage {
	if !ns.Valid || ns.String == "" {
		return nil
	}
	return json.RawMessage(ns.String)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only domain values built by this program are marshalled here.
		panic("store: marshal " + err.Error())
	}
	return string(b)
}

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: *t, Valid: true}
}

func timePtr(nt sql.NullTime) *time.Time {
	if !nt.Valid {
		return nil
	}
	t := nt.Time.UTC()
	return &t
}
