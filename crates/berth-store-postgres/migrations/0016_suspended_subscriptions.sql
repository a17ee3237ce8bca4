-- The subscription list's status filter at 1,000,000 rows (issue 10).
--
-- A subscription is suspended while it has at least one row in `subscription_suspensions`
-- (R5.1). Filtering a page on that with `EXISTS` walked the list order and probed the
-- reasons table per row: with 5% suspended, about 2,000 rows (and their heap tuples) for a
-- page of 100 (23-54 ms).
--
-- `suspended_subscriptions` holds one narrow row (id, name) per suspended subscription,
-- with the list's order as an index, so a "suspended" page is an index range joined to its
-- 100 subscriptions. It is derived data, kept by the triggers below on every write to the
-- reasons table — statement-level with transition tables, so the `owner` cascade over
-- thousands of subscriptions costs one set-based statement, never one per row — and on
-- renames, so no write path can leave it stale; which reasons exist is still decided by the
-- use cases.
--
-- Why not a `suspended` column on `subscriptions`: measured first, a reseller cascade then
-- rewrote 30,000 whole subscription rows (1.3 KB of properties each; no HOT update, so every
-- index including the trigram one got new entries) and went from about 1 s to 9 s.
-- No foreign key: a subscription's removal deletes its reasons (their own foreign key), and
-- the trigger on that deletion deletes its row here. A foreign key would add a check (on
-- PostgreSQL a share lock on the subscription's row) per row of a 30,000-row cascade.
CREATE TABLE suspended_subscriptions (
    subscription_id UUID NOT NULL PRIMARY KEY,
    name            TEXT NOT NULL
);
CREATE INDEX suspended_subscriptions_name
    ON suspended_subscriptions (name COLLATE "C", subscription_id);

INSERT INTO suspended_subscriptions (subscription_id, name)
SELECT s.id, s.name FROM subscriptions s
WHERE s.id IN (SELECT subscription_id FROM subscription_suspensions);

CREATE FUNCTION suspended_subscriptions_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO suspended_subscriptions (subscription_id, name)
    SELECT s.id, s.name FROM subscriptions s
    WHERE s.id IN (SELECT subscription_id FROM added_reasons)
    ON CONFLICT (subscription_id) DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION suspended_subscriptions_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM suspended_subscriptions x
    WHERE x.subscription_id IN (SELECT subscription_id FROM removed_reasons)
      AND NOT EXISTS (SELECT 1 FROM subscription_suspensions r
                      WHERE r.subscription_id = x.subscription_id);
    RETURN NULL;
END
$$;

CREATE FUNCTION suspended_subscriptions_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE suspended_subscriptions SET name = NEW.name WHERE subscription_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER subscription_suspensions_listed
AFTER INSERT ON subscription_suspensions
REFERENCING NEW TABLE AS added_reasons
FOR EACH STATEMENT EXECUTE FUNCTION suspended_subscriptions_add();

CREATE TRIGGER subscription_suspensions_unlisted
AFTER DELETE ON subscription_suspensions
REFERENCING OLD TABLE AS removed_reasons
FOR EACH STATEMENT EXECUTE FUNCTION suspended_subscriptions_remove();

CREATE TRIGGER subscriptions_suspended_renamed
AFTER UPDATE OF name ON subscriptions
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION suspended_subscriptions_rename();
