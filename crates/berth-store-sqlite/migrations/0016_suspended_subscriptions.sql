-- The subscription list's status filter at 1,000,000 rows (issue 10).
--
-- A subscription is suspended while it has at least one row in `subscription_suspensions`
-- (R5.1). Filtering a page on that with `EXISTS` walked the list order and probed the
-- reasons table per row: with 5% suspended, about 2,000 rows for a page of 100 (30 ms).
--
-- `suspended_subscriptions` holds one narrow row (id, name) per suspended subscription,
-- with the list's order as an index, so a "suspended" page is an index range joined to its
-- 100 subscriptions. It is derived data, kept by the triggers below on every write to the
-- reasons table (single reasons, the `owner` cascade, removals) and on renames, so no write
-- path can leave it stale; which reasons exist is still decided by the use cases.
--
-- Why not a `suspended` column on `subscriptions`: measured first, a reseller cascade then
-- rewrote 30,000 whole subscription rows (1.3 KB of properties each) and their index
-- entries, and went from under 0.5 s to 1.9 s (SQLite) and 9 s (PostgreSQL).
-- No foreign key: a subscription's removal deletes its reasons (their own foreign key), and
-- the trigger on that deletion deletes its row here. A foreign key would add a check (on
-- PostgreSQL a share lock on the subscription's row) per row of a 30,000-row cascade.
CREATE TABLE suspended_subscriptions (
    subscription_id BLOB NOT NULL PRIMARY KEY,
    name            TEXT NOT NULL
);
CREATE INDEX suspended_subscriptions_name ON suspended_subscriptions (name, subscription_id);

INSERT INTO suspended_subscriptions (subscription_id, name)
SELECT s.id, s.name FROM subscriptions s
WHERE s.id IN (SELECT subscription_id FROM subscription_suspensions);

CREATE TRIGGER subscription_suspensions_listed
AFTER INSERT ON subscription_suspensions
BEGIN
    INSERT OR IGNORE INTO suspended_subscriptions (subscription_id, name)
    SELECT id, name FROM subscriptions WHERE id = NEW.subscription_id;
END;

CREATE TRIGGER subscription_suspensions_unlisted
AFTER DELETE ON subscription_suspensions
BEGIN
    DELETE FROM suspended_subscriptions
    WHERE subscription_id = OLD.subscription_id
      AND NOT EXISTS (SELECT 1 FROM subscription_suspensions r
                      WHERE r.subscription_id = OLD.subscription_id);
END;

CREATE TRIGGER subscriptions_suspended_renamed
AFTER UPDATE OF name ON subscriptions
WHEN OLD.name IS NOT NEW.name
BEGIN
    UPDATE suspended_subscriptions SET name = NEW.name WHERE subscription_id = NEW.id;
END;
