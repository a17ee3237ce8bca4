-- The suspension reasons' references checked once per statement instead of once per row
-- (issue 10: a reseller's cascade writes 30,000 subscription reasons in one statement).
--
-- A foreign key runs one trigger per inserted row: a query that looks the referenced row
-- up and locks it (KEY SHARE). Measured on the reseller cascade (10,000 customers, 30,000
-- subscriptions, quiet 2-vCPU machine): the reasons' two foreign keys on
-- `subscription_suspensions` and the author's on `account_suspensions` cost 200-250 ms of a
-- 1.2 s suspension; one set-based lock of the same 30,000 subscriptions costs 25-45 ms.
--
-- The statement triggers below keep every guarantee the foreign keys gave, set-based:
--
-- * a reason names an existing subscription, and an author that is an existing account
--   (or none): checked after each INSERT (and each UPDATE of the author) statement over its
--   transition table, with the referenced rows locked `FOR KEY SHARE` until the
--   transaction ends — the same lock a foreign key check takes, so a concurrent removal of
--   such a subscription or account waits for this transaction, as before;
-- * removing a subscription removes its reasons (was `ON DELETE CASCADE`);
-- * removing an account leaves the reasons it added without an author (was
--   `ON DELETE SET NULL`).
--
-- Only the reasons change: every other reference keeps its foreign key. SQLite keeps these
-- foreign keys too (its check is an in-process index probe; its cascade is 0.4 s).

ALTER TABLE subscription_suspensions
    DROP CONSTRAINT subscription_suspensions_subscription_id_fkey,
    DROP CONSTRAINT subscription_suspensions_by_account_id_fkey;
ALTER TABLE account_suspensions
    DROP CONSTRAINT account_suspensions_by_account_id_fkey;

-- Locks the given authors (distinct, non-null) and fails unless all exist.
CREATE FUNCTION suspension_authors_exist(authors UUID[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    found BIGINT;
BEGIN
    IF cardinality(authors) = 0 THEN
        RETURN;
    END IF;
    SELECT count(*) INTO found
    FROM (SELECT 1 FROM accounts a WHERE a.id = ANY (authors) FOR KEY SHARE OF a) locked;
    IF found <> cardinality(authors) THEN
        RAISE EXCEPTION 'a suspension reason names an author that is no account'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
END
$$;

-- Locks the subscriptions of the added reasons and fails unless all exist.
CREATE FUNCTION suspension_subscriptions_exist(subscriptions_named UUID[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    found BIGINT;
BEGIN
    SELECT count(*) INTO found
    FROM (SELECT 1 FROM subscriptions s WHERE s.id = ANY (subscriptions_named)
          FOR KEY SHARE OF s) locked;
    IF found <> cardinality(subscriptions_named) THEN
        RAISE EXCEPTION 'a suspension reason names no subscription'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
END
$$;

-- Added subscription reasons: their references, then the status filter's table (0016).
CREATE OR REPLACE FUNCTION suspended_subscriptions_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM suspension_subscriptions_exist(
        ARRAY(SELECT DISTINCT subscription_id FROM added_reasons));
    PERFORM suspension_authors_exist(
        ARRAY(SELECT DISTINCT by_account_id FROM added_reasons WHERE by_account_id IS NOT NULL));
    INSERT INTO suspended_subscriptions (subscription_id, name)
    SELECT s.id, s.name FROM subscriptions s
    WHERE s.id IN (SELECT subscription_id FROM added_reasons)
    ON CONFLICT (subscription_id) DO NOTHING;
    RETURN NULL;
END
$$;

-- Added account reasons, and reasons whose author changed (either table): the authors.
CREATE FUNCTION suspension_reasons_authored() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM suspension_authors_exist(
        ARRAY(SELECT DISTINCT by_account_id FROM authored_reasons WHERE by_account_id IS NOT NULL));
    RETURN NULL;
END
$$;

CREATE TRIGGER account_suspensions_authors
AFTER INSERT ON account_suspensions
REFERENCING NEW TABLE AS authored_reasons
FOR EACH STATEMENT EXECUTE FUNCTION suspension_reasons_authored();

CREATE TRIGGER account_suspensions_authors_changed
AFTER UPDATE ON account_suspensions
REFERENCING NEW TABLE AS authored_reasons
FOR EACH STATEMENT EXECUTE FUNCTION suspension_reasons_authored();

CREATE TRIGGER subscription_suspensions_authors_changed
AFTER UPDATE ON subscription_suspensions
REFERENCING NEW TABLE AS authored_reasons
FOR EACH STATEMENT EXECUTE FUNCTION suspension_reasons_authored();

-- A removed subscription takes its reasons along (the delete trigger of 0016 then takes
-- it off the status filter's table).
CREATE FUNCTION subscription_reasons_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM subscription_suspensions
    WHERE subscription_id IN (SELECT id FROM removed_subscriptions);
    RETURN NULL;
END
$$;

CREATE TRIGGER subscriptions_reasons_removed
AFTER DELETE ON subscriptions
REFERENCING OLD TABLE AS removed_subscriptions
FOR EACH STATEMENT EXECUTE FUNCTION subscription_reasons_removed();

-- A removed account leaves the reasons it added without an author.
CREATE FUNCTION suspension_authors_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscription_suspensions SET by_account_id = NULL
    WHERE by_account_id IN (SELECT id FROM removed_accounts);
    UPDATE account_suspensions SET by_account_id = NULL
    WHERE by_account_id IN (SELECT id FROM removed_accounts);
    RETURN NULL;
END
$$;

CREATE TRIGGER accounts_suspension_authors_removed
AFTER DELETE ON accounts
REFERENCING OLD TABLE AS removed_accounts
FOR EACH STATEMENT EXECUTE FUNCTION suspension_authors_removed();
