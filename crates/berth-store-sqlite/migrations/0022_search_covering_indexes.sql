-- Substring search in the middle ground (issue 10): a fragment with thousands of matches
-- lying far down the list order (more than a thousand trigram candidates, so the list walks
-- its order). Each row walked was read from the table (a subscription is about 1.3 KB) only
-- to test its search key: "s12" read some 22,000 subscriptions for a page (34 ms at
-- 1,000,000 rows). The list now takes the page's ids from an id-only query that these
-- indexes answer alone (the order, the id, the search key and, for a reseller's scope, the
-- owner), then reads the page's rows by id (`sql::subscription_list`).
CREATE INDEX subscriptions_name_search ON subscriptions (name, id, name_key, owner_id);

-- The login indexes of migration 0015 with the account's search key: they replace them. An
-- account list's search in login order tests `search_key` in the index and reads only the
-- rows that match (SQLite seeks the row when a column outside the index is needed).
CREATE INDEX accounts_kind_login_search ON accounts (kind, login, id, search_key);
CREATE INDEX accounts_owner_kind_login_search ON accounts (owner_id, kind, login, id, search_key);
DROP INDEX accounts_kind_login_id;
DROP INDEX accounts_owner_kind_login_id;
