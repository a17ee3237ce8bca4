-- Lists at 1,000,000 rows (issue 10).
--
-- The subscription list sorts by `name COLLATE "C"` (byte order, as on SQLite), but the
-- unique index on `name` follows the database's collation, so every page sorted all the
-- subscriptions (over 5 s at 1,000,000). This index gives the list its order.
CREATE INDEX subscriptions_name_bytes ON subscriptions (name COLLATE "C", id);

-- Account lists page in (login, id) order: these indexes hold the whole order and the id
-- (the keyset cursor compares both), and replace the two they extend.
CREATE INDEX accounts_kind_login_id ON accounts (kind, login COLLATE "C", id);
CREATE INDEX accounts_owner_kind_login_id ON accounts (owner_id, kind, login COLLATE "C", id);
DROP INDEX accounts_kind_login;
DROP INDEX accounts_owner_kind_login;

-- `--search` is a substring match (`LIKE '%text%'`) on
-- the case-folded keys (`accounts.search_key`: login, name, company, email;
-- `subscriptions.name_key`: the domain). A B-tree cannot answer a substring, so without
-- these a fragment that matches few rows read the whole table (0.4 s at 1,000,000 customers
-- on a quiet machine, over 1 s under load). pg_trgm's GIN indexes find the rows holding
-- every trigram of the fragment; the planner still prefers the ordered index scan when the
-- fragment matches many rows (the first page is then found early). pg_trgm ships with
-- PostgreSQL and is a trusted extension (PostgreSQL 13+): the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX accounts_search_trgm ON accounts USING gin (search_key gin_trgm_ops);
CREATE INDEX subscriptions_name_key_trgm ON subscriptions USING gin (name_key gin_trgm_ops);
