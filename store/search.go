package store

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
)

// A link's search terms are "kind:value": n (a word of the customer's
// name), e (e-mail address), p (phone digits, in E.164 where the country
// is known), r (the OCR/KID reference), i (invoice number) and a (total in
// minor units). A search is a range of the tenant's terms per word, however
// many links the tenant has: on PostgreSQL in the B-tree link_search
// (tenant_id, term, link_id); on SQLite in the FTS5 index link_terms, a
// row of tokens per link (and one per term added later), a token per term
// (termToken). A B-tree puts each new
// term on a leaf of its own, about eight pages written per link on SQLite,
// whose one writer waits for every page; FTS5 writes a transaction's terms
// as one small segment and merges segments later in bulk (migration 00070).

func linkTerms(l *pinglinks.PaymentLink) []string {
	var terms []string
	for _, name := range []string{l.Customer.FirstName, l.Customer.LastName} {
		for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
			return unicode.IsSpace(r) || r == '-'
		}) {
			terms = append(terms, "n:"+w)
		}
	}
	if e := strings.ToLower(strings.TrimSpace(l.Customer.Email)); e != "" {
		terms = append(terms, "e:"+e)
	}
	if d := digits(l.Customer.Phone); d != "" {
		// One term, in E.164 where the number or the link's locale tells
		// the country ("0701…" → "46701…", "0047…" → "47…"): a number
		// searched for as written is turned into that form (queryWords).
		// Every term is a page written per link.
		switch {
		case strings.HasPrefix(d, "00"):
			d = d[2:]
		case strings.HasPrefix(d, "0"):
			d = countryCode(l.Locale) + d[1:]
		}
		terms = append(terms, "p:"+d)
	}
	if l.Reference != "" {
		terms = append(terms, "r:"+l.Reference)
	}
	terms = append(terms, "a:"+strconv.FormatInt(l.TotalAmount, 10))
	return terms
}

// countryCodes are the calling codes of the locales' regions; a link of
// any other region is taken for Swedish, the first.
var countryCodes = []struct{ region, code string }{{"SE", "46"}, {"NO", "47"}, {"GB", "44"}}

func countryCode(loc locale.Locale) string {
	for _, c := range countryCodes {
		if loc.Region() == c.region {
			return c.code
		}
	}
	return countryCodes[0].code
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// addSearchTerms indexes a link under terms, inside tx, in one statement
// that waits for COMMIT (ExecAtCommit): nothing in a link's own unit reads
// them back.
func (s *Store) addSearchTerms(ctx context.Context, tx dbTx, tenantID, linkID uuid.UUID, terms ...string) error {
	seen := make(map[string]bool, len(terms))
	kept := make([]string, 0, len(terms))
	for _, t := range terms {
		if !seen[t] && len(t) <= 300 {
			seen[t] = true
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	var err error
	if s.engine == SQLite {
		toks := make([]string, len(kept))
		for i, t := range kept {
			toks[i] = termToken(tenantID, t)
		}
		err = tx.ExecAtCommit(ctx, `INSERT INTO link_terms (terms, link) VALUES ($1, $2)`, strings.Join(toks, " "), linkID)
	} else {
		var q strings.Builder
		args := []any{tenantID, linkID}
		q.WriteString(`INSERT INTO link_search (tenant_id, term, link_id) VALUES `)
		for i, t := range kept {
			args = append(args, t)
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($1, $%d, $2)", len(args))
		}
		q.WriteString(` ON CONFLICT DO NOTHING`)
		err = tx.ExecAtCommit(ctx, q.String(), args...)
	}
	if err != nil {
		return fmt.Errorf("store: index link: %w", err)
	}
	return nil
}

// termToken is a search term as one token of SQLite's FTS5 index
// (link_terms): the tenant's id and the term's bytes, in hex, which the
// index's ASCII tokenizer keeps whole. A prefix of a term is then a prefix
// of its token, and a token of one tenant never starts another's.
func termToken(tenantID uuid.UUID, term string) string {
	return hex.EncodeToString(tenantID[:]) + hex.EncodeToString([]byte(term))
}

// ftsMatch is an FTS5 query for one word of a search: any of its ranges,
// each a prefix of a token or a whole token.
func ftsMatch(tenantID uuid.UUID, ranges []termMatch) string {
	var b strings.Builder
	for i, r := range ranges {
		if i > 0 {
			b.WriteString(" OR ")
		}
		fmt.Fprintf(&b, `"%s"`, termToken(tenantID, r.term))
		if !r.whole {
			b.WriteString("*")
		}
	}
	return b.String()
}

// LinkSearch is what the dashboard's list of links asks for. Zero fields
// do not filter.
type LinkSearch struct {
	Status      string
	CreatedFrom time.Time // inclusive
	CreatedTo   time.Time // exclusive
	DueFrom     string    // YYYY-MM-DD, inclusive
	DueTo       string    // YYYY-MM-DD, inclusive
	Provider    string    // with Method: links that offer this method
	Method      string
	Query       string // words of a name, an e-mail address, a phone number, an invoice number, an OCR/KID, an amount
}

// termMatch is one way a word of a query may match: every term that starts
// with term, or (whole) that term alone.
type termMatch struct {
	term  string
	whole bool
}

func prefix(p string) termMatch { return termMatch{p, false} }

func exact(t string) termMatch { return termMatch{t, true} }

// bounds is the match as a range of terms, [from, to).
func (m termMatch) bounds() (from, to string) {
	if m.whole {
		return m.term, m.term + "\x01"
	}
	r := []rune(m.term)
	r[len(r)-1]++
	return m.term, string(r)
}

// queryWords turns a search into words, each with the terms it may match.
// A query of digits and phone punctuation is one word (a phone number
// typed with spaces).
func queryWords(q string) [][]termMatch {
	// No term holds a NUL or invalid UTF-8, which PostgreSQL refuses in
	// a parameter: they match nothing, so they go.
	q = strings.ReplaceAll(strings.ToValidUTF8(q, ""), "\x00", "")
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return nil
	}
	var words []string
	if d := digits(q); d != "" && strings.Trim(q, "0123456789 +-()") == "" {
		words = []string{d}
		if strings.HasPrefix(strings.TrimSpace(q), "+") {
			words = []string{"+" + d}
		}
	} else {
		words = strings.Fields(q)
	}
	var out [][]termMatch
	for _, w := range words {
		var ranges []termMatch
		switch {
		case strings.HasPrefix(w, "+"):
			ranges = append(ranges, prefix("p:"+w[1:]))
		case strings.Contains(w, "@"):
			ranges = append(ranges, prefix("e:"+w))
		default:
			ranges = append(ranges, prefix("n:"+w))
			if strings.Contains(w, "@") || strings.Contains(w, ".") && !isAmount(w) {
				ranges = append(ranges, prefix("e:"+w))
			}
			if d := digits(w); d == w {
				// A phone number as written: links keep it in E.164
				// (linkTerms); links indexed before that kept it as
				// written too, which the first range finds.
				ranges = append(ranges, prefix("p:"+d), exact("r:"+d), exact("i:"+strings.TrimLeft(d, "0")))
				switch {
				case strings.HasPrefix(d, "00"):
					ranges = append(ranges, prefix("p:"+d[2:]))
				case strings.HasPrefix(d, "0"):
					for _, c := range countryCodes {
						ranges = append(ranges, prefix("p:"+c.code+d[1:]))
					}
				}
			}
			if minor, ok := parseAmount(w); ok {
				ranges = append(ranges, exact("a:"+strconv.FormatInt(minor, 10)))
			}
		}
		out = append(out, ranges)
	}
	return out
}

func isAmount(w string) bool { _, ok := parseAmount(w); return ok }

// parseAmount reads "125", "125,50" or "125.5" as minor units.
func parseAmount(w string) (int64, bool) {
	whole, frac, _ := strings.Cut(strings.ReplaceAll(w, ",", "."), ".")
	if whole == "" || len(whole) > 12 || len(frac) > 2 || digits(whole) != whole || digits(frac) != frac {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// uuidv7Floor is the smallest UUIDv7 made at t. An order's or a link's id
// is a UUIDv7 of its created_at (pinglinks.NewIDAt), so a created-at bound
// is also an id bound, which the (tenant_id, id) index serves.
func uuidv7Floor(t time.Time) uuid.UUID {
	var u uuid.UUID
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(u[:6], ms[2:])
	u[6] = 0x70
	u[8] = 0x80
	return u
}

// SearchLinks lists the tenant's links that match f, newest first. Paging
// is by cursor: p.After continues with older links than that id, p.Before
// goes back to newer ones. Every filter is served by an index: status by
// (tenant_id, status, id), dates of creation by the ids, due dates by
// (tenant_id, due_date), words by link_search.
func (s *Store) SearchLinks(ctx context.Context, tenantID uuid.UUID, f LinkSearch, p Page) ([]*pinglinks.PaymentLink, PageInfo, error) {
	q := &query{}
	q.add("tenant_id = ?", tenantID)
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	if !f.CreatedFrom.IsZero() {
		q.add("id >= ?", uuidv7Floor(f.CreatedFrom))
		q.add("created_at >= ?", f.CreatedFrom.UTC())
	}
	if !f.CreatedTo.IsZero() {
		q.add("id < ?", uuidv7Floor(f.CreatedTo.Add(time.Millisecond)))
		q.add("created_at < ?", f.CreatedTo.UTC())
	}
	if f.DueFrom != "" {
		q.add("due_date >= ?", f.DueFrom)
	}
	if f.DueTo != "" {
		q.add("due_date <> '' AND due_date <= ?", f.DueTo)
	}
	if f.Provider != "" {
		pattern := `"provider":` + strconv.Quote(f.Provider) + `,"method":` + strconv.Quote(f.Method)
		pattern = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(pattern)
		q.add(`provider_methods LIKE ? ESCAPE '\'`, "%"+pattern+"%")
	}
	for _, ranges := range queryWords(f.Query) {
		if s.engine == SQLite {
			q.args = append(q.args, ftsMatch(tenantID, ranges))
			q.where = append(q.where, fmt.Sprintf("id IN (SELECT link FROM link_terms WHERE link_terms MATCH $%d)", len(q.args)))
			continue
		}
		var ors []string
		for _, r := range ranges {
			from, to := r.bounds()
			q.args = append(q.args, from, to)
			ors = append(ors, fmt.Sprintf("(term >= $%d AND term < $%d)", len(q.args)-1, len(q.args)))
		}
		q.args = append(q.args, tenantID)
		q.where = append(q.where, fmt.Sprintf("id IN (SELECT link_id FROM link_search WHERE tenant_id = $%d AND (%s))",
			len(q.args), strings.Join(ors, " OR ")))
	}
	// Newest first: the cursor's meaning is mirrored from list's.
	older := p.Before == uuid.Nil
	if p.After != uuid.Nil {
		q.add("id < ?", p.After)
	} else if p.Before != uuid.Nil {
		q.add("id > ?", p.Before)
	}
	order := " ORDER BY id DESC"
	if !older {
		order = " ORDER BY id ASC"
	}
	limit := p.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+linkColumns+` FROM payment_links WHERE `+
		strings.Join(q.where, " AND ")+order+fmt.Sprintf(" LIMIT %d", limit+1), q.args...)
	if err != nil {
		return nil, PageInfo{}, fmt.Errorf("store: search links: %w", err)
	}
	defer rows.Close()
	var out []*pinglinks.PaymentLink
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, PageInfo{}, fmt.Errorf("store: search links: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, PageInfo{}, fmt.Errorf("store: search links: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	var info PageInfo
	if older {
		info.HasNext, info.HasPrevious = more, p.After != uuid.Nil
	} else {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		info.HasNext, info.HasPrevious = true, more
	}
	return out, info, nil
}
