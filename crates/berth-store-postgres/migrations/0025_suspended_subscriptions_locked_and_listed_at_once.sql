-- The reseller cascade (issue 10): the statement trigger on added subscription reasons read
-- the 30,000 subscriptions of a reseller's suspension twice — once to lock them `FOR KEY
-- SHARE` and count them (the existence check of 0020), once more to copy their names into
-- `suspended_subscriptions` (0016). It now reads them once: the locked rows, with their
-- names, are counted and listed by one statement. Same guarantees: every reason names an
-- existing subscription, locked as a foreign key check would until the transaction ends,
-- and every suspended subscription is listed once.
CREATE OR REPLACE FUNCTION suspended_subscriptions_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named BIGINT;
    found BIGINT;
BEGIN
    SELECT count(DISTINCT subscription_id) INTO named FROM added_reasons;
    WITH locked AS (
        SELECT s.id, s.name FROM subscriptions s
        WHERE s.id IN (SELECT subscription_id FROM added_reasons)
        FOR KEY SHARE OF s
    ), listed AS (
        INSERT INTO suspended_subscriptions (subscription_id, name)
        SELECT id, name FROM locked
        ON CONFLICT (subscription_id) DO NOTHING
    )
    SELECT count(*) INTO found FROM locked;
    IF found <> named THEN
        RAISE EXCEPTION 'a suspension reason names no subscription'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    PERFORM suspension_authors_exist(
        ARRAY(SELECT DISTINCT by_account_id FROM added_reasons WHERE by_account_id IS NOT NULL));
    RETURN NULL;
END
$$;
