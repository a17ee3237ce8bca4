-- Lists at 1,000,000 rows (issue 10).
--
-- The subscription list pages in (name, id) order with a keyset cursor on both; this index
-- holds that exact order (PostgreSQL needs its own: its unique index on `name` follows the
-- database collation, not byte order).
CREATE INDEX subscriptions_name_bytes ON subscriptions (name, id);

-- `--search` stays a scan of the ordered index here: a fragment matching many rows finds its
-- page early, a rare one reads the table (see docs/BENCHMARKS.md, "Lists at 1,000,000
-- rows"; PostgreSQL answers it with pg_trgm in its migration 0015).
