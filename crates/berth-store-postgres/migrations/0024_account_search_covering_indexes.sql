-- The customers' substring search in the middle ground (issue 10): a fragment with thousands
-- of matches far down the login order ("c12": 11,111 of 1,000,000 customers). The planner
-- walks the login index then, and an index scan reads each row from the table to test
-- `search_key`: 22,000 rows for the admin's first page (10-11 ms, 20 ms at p99). The list
-- now takes the page's ids from an id-only query (`sql::account_list`, as the subscriptions'
-- since 0022), which these indexes answer by an index-only scan — PostgreSQL tests a filter
-- on an INCLUDE column only there — then reads the page's rows by id. They replace the
-- login indexes of migration 0015 (same keys, same order).
CREATE INDEX accounts_kind_login_search
    ON accounts (kind, login COLLATE "C", id) INCLUDE (search_key);
CREATE INDEX accounts_owner_kind_login_search
    ON accounts (owner_id, kind, login COLLATE "C", id) INCLUDE (search_key);
DROP INDEX accounts_kind_login_id;
DROP INDEX accounts_owner_kind_login_id;
