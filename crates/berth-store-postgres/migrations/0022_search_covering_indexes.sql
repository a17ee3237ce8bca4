-- Substring search in the middle ground (issue 10): a fragment with thousands of matches
-- lying far down the list order. The planner prefers walking the list order to the pg_trgm
-- index then, and each row walked was read from the table (a subscription is about 1.3 KB)
-- only to test `name_key`: "s12" read some 22,000 subscriptions for a page (16-18 ms at
-- 1,000,000 rows). The list now takes the page's ids from an id-only query
-- (`sql::subscription_list`), which this index answers by an index-only scan (the order,
-- the id, the search key and, for a reseller's scope, the owner), then reads the page's
-- rows by id. It replaces the name index of migration 0015 (same order and keys).
CREATE INDEX subscriptions_name_search ON subscriptions (name COLLATE "C", id) INCLUDE (name_key, owner_id);
DROP INDEX subscriptions_name_bytes;
