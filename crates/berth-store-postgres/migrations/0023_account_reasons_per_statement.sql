-- The accounts' suspension reasons checked once per statement (issue 10), as migration
-- 0020 did for the subscriptions' reasons.
--
-- A reseller's cascade writes one `owner` reason per customer in one statement (10,000 in
-- the benchmark); the foreign key `account_suspensions.account_id` ran one lookup-and-lock
-- trigger per row for them (about 50-70 ms of a 0.94 s suspension on a quiet 2-vCPU
-- machine). It is replaced, with every guarantee it gave:
--
-- * a reason names an existing account: checked after each INSERT or UPDATE statement over
--   its transition table, the accounts locked `FOR KEY SHARE` until the transaction ends
--   (the lock a foreign key check takes), together with the authors' check of 0020;
-- * removing an account removes its reasons (was `ON DELETE CASCADE`), in the statement
--   trigger that already clears the authors of the reasons it added.

ALTER TABLE account_suspensions
    DROP CONSTRAINT account_suspensions_account_id_fkey;

-- Locks the given accounts (distinct) and fails unless all exist.
CREATE FUNCTION suspended_accounts_exist(accounts_named UUID[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    found BIGINT;
BEGIN
    SELECT count(*) INTO found
    FROM (SELECT 1 FROM accounts a WHERE a.id = ANY (accounts_named) FOR KEY SHARE OF a) locked;
    IF found <> cardinality(accounts_named) THEN
        RAISE EXCEPTION 'a suspension reason names no account'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
END
$$;

-- Added or changed account reasons: the accounts they name, then their authors.
CREATE FUNCTION account_reasons_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM suspended_accounts_exist(ARRAY(SELECT DISTINCT account_id FROM written_reasons));
    PERFORM suspension_authors_exist(
        ARRAY(SELECT DISTINCT by_account_id FROM written_reasons WHERE by_account_id IS NOT NULL));
    RETURN NULL;
END
$$;

DROP TRIGGER account_suspensions_authors ON account_suspensions;
DROP TRIGGER account_suspensions_authors_changed ON account_suspensions;

CREATE TRIGGER account_suspensions_written
AFTER INSERT ON account_suspensions
REFERENCING NEW TABLE AS written_reasons
FOR EACH STATEMENT EXECUTE FUNCTION account_reasons_written();

CREATE TRIGGER account_suspensions_changed
AFTER UPDATE ON account_suspensions
REFERENCING NEW TABLE AS written_reasons
FOR EACH STATEMENT EXECUTE FUNCTION account_reasons_written();

-- A removed account takes its reasons along and leaves the reasons it added without an
-- author.
CREATE OR REPLACE FUNCTION suspension_authors_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM account_suspensions
    WHERE account_id IN (SELECT id FROM removed_accounts);
    UPDATE subscription_suspensions SET by_account_id = NULL
    WHERE by_account_id IN (SELECT id FROM removed_accounts);
    UPDATE account_suspensions SET by_account_id = NULL
    WHERE by_account_id IN (SELECT id FROM removed_accounts);
    RETURN NULL;
END
$$;
