-- The subscription list's status filter at 1,000,000 rows (issue 10).
--
-- A subscription is suspended while it has at least one row in `subscription_suspensions`
-- (R5.1). Filtering a list page on that with `EXISTS` walked the list order and probed the
-- reasons table per row: with 5% suspended, about 2,000 rows (and their heap tuples) for a
-- page of 100 (23-54 ms). `suspended` repeats that fact on the row so an index can hold the
-- filtered order. It is derived data, kept by the statement-level triggers below on every
-- write to the reasons table (single reasons, the `owner` cascade over thousands of rows,
-- removals): one set-based UPDATE per statement, never one per row, and no write path can
-- forget it. The rules about reasons stay in berth-core and the use cases.
ALTER TABLE subscriptions ADD COLUMN suspended BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE subscriptions SET suspended = TRUE
WHERE id IN (SELECT subscription_id FROM subscription_suspensions);

CREATE INDEX subscriptions_suspended_name ON subscriptions (suspended, name COLLATE "C", id);

CREATE FUNCTION subscriptions_flag_suspended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscriptions s SET suspended = TRUE
    FROM (SELECT DISTINCT subscription_id FROM added_reasons) a
    WHERE s.id = a.subscription_id AND NOT s.suspended;
    RETURN NULL;
END
$$;

CREATE FUNCTION subscriptions_flag_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscriptions s SET suspended = FALSE
    FROM (SELECT DISTINCT subscription_id FROM removed_reasons) r
    WHERE s.id = r.subscription_id AND s.suspended
      AND NOT EXISTS (SELECT 1 FROM subscription_suspensions x WHERE x.subscription_id = s.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER subscription_suspensions_flag_on
AFTER INSERT ON subscription_suspensions
REFERENCING NEW TABLE AS added_reasons
FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_flag_suspended();

CREATE TRIGGER subscription_suspensions_flag_off
AFTER DELETE ON subscription_suspensions
REFERENCING OLD TABLE AS removed_reasons
FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_flag_active();
