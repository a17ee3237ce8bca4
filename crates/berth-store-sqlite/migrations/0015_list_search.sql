-- Lists at 1,000,000 rows (issue 10).
--
-- Account lists page in (login, id) order with a keyset cursor on both. With indexes on
-- (kind, login) and (owner_id, kind, login) every page needed a temporary B-tree for the
-- id part of the order, the cursor could only seek on `login`, and a status filter read
-- each scanned row from the table to get its id. These indexes hold the whole order and
-- the id, and replace the two they extend.
CREATE INDEX accounts_kind_login_id ON accounts (kind, login, id);
CREATE INDEX accounts_owner_kind_login_id ON accounts (owner_id, kind, login, id);
DROP INDEX accounts_kind_login;
DROP INDEX accounts_owner_kind_login;

-- `--search` stays a scan in list order here: a fragment matching many rows finds its page
-- early, a rare one reads the table (see docs/BENCHMARKS.md, "Lists at 1,000,000 rows";
-- PostgreSQL answers it with pg_trgm in its migration 0015).
