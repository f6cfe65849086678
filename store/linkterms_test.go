package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// TestLinkTermsMigration moves a SQLite database's search terms from the
// link_search B-tree into the FTS5 index (migration 00070) and back: every
// term is found as before, only for its own tenant, and the way back
// derives the terms from the links.
func TestLinkTermsMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openURL(t, testdb.URL(t, store.SQLite))
	defer st.Close()
	if err := st.MigrateTo(ctx, 60); err != nil {
		t.Fatal(err)
	}
	tenantA, tenantB := uuid.New(), uuid.New()
	linkA1, linkA2, linkB := uuid.New(), uuid.New(), uuid.New()
	type row struct {
		tenant uuid.UUID
		term   string
		link   uuid.UUID
	}
	rows := []row{
		{tenantA, "n:åsa", linkA1}, {tenantA, "n:öberg", linkA1}, {tenantA, "e:asa@example.com", linkA1},
		{tenantA, "p:46701234567", linkA1}, {tenantA, "a:12500", linkA1}, {tenantA, "i:17", linkA1},
		{tenantA, "n:åke", linkA2}, {tenantA, "r:7004", linkA2},
		{tenantB, "n:åsa", linkB}, {tenantB, "a:12500", linkB},
	}
	for _, r := range rows {
		if _, err := st.DB().ExecContext(ctx, `INSERT INTO link_search (tenant_id, term, link_id) VALUES (?, ?, ?)`,
			r.tenant, r.term, r.link); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.MigrateTo(ctx, 70); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		tenant uuid.UUID
		term   string
		whole  bool
		want   []uuid.UUID
	}{
		{tenantA, "n:å", false, []uuid.UUID{linkA1, linkA2}},
		{tenantA, "n:ås", false, []uuid.UUID{linkA1}},
		{tenantB, "n:ås", false, []uuid.UUID{linkB}},
		{tenantA, "n:åsa", true, []uuid.UUID{linkA1}},
		{tenantA, "n:ås", true, nil},
		{tenantA, "p:4670123", false, []uuid.UUID{linkA1}},
		{tenantA, "e:asa@example.com", true, []uuid.UUID{linkA1}},
		{tenantA, "a:12500", true, []uuid.UUID{linkA1}},
		{tenantB, "a:12500", true, []uuid.UUID{linkB}},
		{tenantA, "a:1250", true, nil},
		{tenantA, "r:7004", true, []uuid.UUID{linkA2}},
		{tenantB, "r:7004", true, nil},
		{uuid.New(), "n:", false, nil},
	}
	for _, tt := range tests {
		got := linksMatching(t, st, store.FTSMatch(tt.tenant, tt.term, tt.whole))
		slices.SortFunc(tt.want, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s %q (whole %v): got %v, want %v", tt.tenant, tt.term, tt.whole, got, tt.want)
		}
	}

	// The way back derives the terms from the links themselves.
	f := newFixture(t, st)
	per := f.link(t, pinglinks.Customer{FirstName: "Per", LastName: "Ek", Email: "Per@Example.se"}, 9900, "")
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO link_terms (link_terms) VALUES ('integrity-check')`); err != nil {
		t.Errorf("FTS5 integrity check: %v", err)
	}
	if err := st.MigrateTo(ctx, 60); err != nil {
		t.Fatal(err)
	}
	for _, term := range []string{"n:per", "n:ek", "e:per@example.se", "a:9900"} {
		var n int
		if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM link_search WHERE tenant_id = ? AND term = ? AND link_id = ?`,
			f.tenant.ID, term, per.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("after migrating down, term %q of the link: %d rows, %v", term, n, err)
		}
	}
	// And up again: the same search finds it.
	if err := st.MigrateTo(ctx, 70); err != nil {
		t.Fatal(err)
	}
	got, _, err := st.SearchLinks(ctx, f.tenant.ID, store.LinkSearch{Query: "ek"}, store.Page{})
	if err != nil || len(got) != 1 || got[0].ID != per.ID {
		t.Errorf("search after migrating down and up: %d links, %v", len(got), err)
	}
}

func linksMatching(t *testing.T, st *store.Store, match string) []uuid.UUID {
	t.Helper()
	rows, err := st.DB().Query(`SELECT link FROM link_terms WHERE link_terms MATCH ? ORDER BY link`, match)
	if err != nil {
		t.Fatalf("%s: %v", match, err)
	}
	defer rows.Close()
	var links []uuid.UUID
	for rows.Next() {
		var l uuid.UUID
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return links
}
