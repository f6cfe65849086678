-- +goose Up
-- The dashboard's search terms on SQLite move from a B-tree keyed by
-- (tenant_id, term, link_id) to an FTS5 index. In the B-tree each new
-- link's five or so terms land on as many leaves, one per tenant and
-- term: about eight pages written per link. FTS5 keeps a transaction's new
-- terms in memory and writes them as one small segment, merging segments
-- later in bulk. A term is one token, the tenant's id and the term's bytes
-- in hex ("<tenant><hex>"), so a search is still a range of one tenant's
-- terms. Only the link's id is stored besides the index (contentless,
-- with its one unindexed column kept), so a match costs one small read.
-- PostgreSQL keeps link_search.
CREATE VIRTUAL TABLE link_terms USING fts5(
    terms, link UNINDEXED, content = '', contentless_unindexed = 1,
    tokenize = 'ascii', detail = none, columnsize = 0);
-- A row per existing term, in the order of the old key: grouping them by
-- link would sort every term in memory (temp_store is MEMORY), about
-- 650 MB for a million links; this way the copy streams in 44 MB. A link
-- may have several rows (an invoice number added later is one more too).
INSERT INTO link_terms (terms, link)
SELECT replace(tenant_id, '-', '') || hex(term), link_id FROM link_search;
DROP TABLE link_search;

-- +goose Down
-- The index keeps no terms, so the way back derives them from the links
-- as migration 00040 did: names, e-mail address, reference, amount and
-- invoice numbers (phone numbers only for links made after it).
CREATE TABLE link_search (
    tenant_id TEXT NOT NULL,
    term text NOT NULL,
    link_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, term, link_id)
);
INSERT OR IGNORE INTO link_search (tenant_id, term, link_id)
SELECT tenant_id, term, id FROM (
    SELECT tenant_id, id, 'a:' || total_amount AS term FROM payment_links
    UNION ALL SELECT tenant_id, id, 'n:' || lower(json_extract(customer, '$.first_name')) FROM payment_links
    UNION ALL SELECT tenant_id, id, 'n:' || lower(json_extract(customer, '$.last_name')) FROM payment_links
    UNION ALL SELECT tenant_id, id, 'e:' || lower(json_extract(customer, '$.email')) FROM payment_links
    UNION ALL SELECT tenant_id, id, 'r:' || reference FROM payment_links)
WHERE term IS NOT NULL AND term NOT IN ('n:', 'e:', 'r:');
INSERT OR IGNORE INTO link_search (tenant_id, term, link_id)
SELECT tenant_id, 'i:' || number, link_id FROM invoices;
DROP TABLE link_terms;
-- DROP TABLE leaves this shadow table of a contentless_unindexed FTS5
-- table behind (SQLite 3.54), and the next Up would find it there.
DROP TABLE IF EXISTS link_terms_content;
