-- The subscription list's status filter at 1,000,000 rows (issue 10).
--
-- A subscription is suspended while it has at least one row in `subscription_suspensions`
-- (R5.1). Filtering a list page on that with `EXISTS` walked the list order and probed the
-- reasons table per row: with 5% suspended, about 2,000 rows for a page of 100 (30 ms).
-- `suspended` repeats that fact on the row so an index can hold the filtered order. It is
-- derived data, kept by the triggers below on every write to the reasons table (single
-- reasons, the `owner` cascade, removals), so no write path can forget it; the rules about
-- reasons stay in berth-core and the use cases.
ALTER TABLE subscriptions ADD COLUMN suspended BOOLEAN NOT NULL DEFAULT 0;

UPDATE subscriptions SET suspended = 1
WHERE id IN (SELECT subscription_id FROM subscription_suspensions);

CREATE INDEX subscriptions_suspended_name ON subscriptions (suspended, name, id);

CREATE TRIGGER subscription_suspensions_flag_on
AFTER INSERT ON subscription_suspensions
BEGIN
    UPDATE subscriptions SET suspended = 1
    WHERE id = NEW.subscription_id AND suspended = 0;
END;

CREATE TRIGGER subscription_suspensions_flag_off
AFTER DELETE ON subscription_suspensions
BEGIN
    UPDATE subscriptions SET suspended = 0
    WHERE id = OLD.subscription_id AND suspended = 1
      AND NOT EXISTS (SELECT 1 FROM subscription_suspensions x
                      WHERE x.subscription_id = OLD.subscription_id);
END;
