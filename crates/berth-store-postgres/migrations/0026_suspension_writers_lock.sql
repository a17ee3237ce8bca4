-- The reseller cascade's suspension reasons inserted without `ON CONFLICT` (issue 10), and
-- the lock that makes that safe.
--
-- `INSERT … ON CONFLICT` makes PostgreSQL insert every row speculatively — a pre-check of
-- the unique index, the insert with a speculative token, its confirmation — even when
-- nothing conflicts: 30,000 rows into a table with a primary key cost 138 ms against 55 ms
-- plain (157 against 102-109 ms with a second index). A reseller's suspension inserted
-- 10,000 account reasons, 30,000 subscription reasons and, in the trigger below, 30,000
-- rows of `suspended_subscriptions` that way.
--
-- A plain `INSERT … WHERE NOT EXISTS` of the missing rows is safe only if no other
-- transaction can be inserting (or deleting) the same rows at the same time: its snapshot
-- would not see their uncommitted rows, and the unique index would then wait for them and
-- fail with unique_violation where `ON CONFLICT` waited and skipped (or, for a row being
-- deleted, skip a row that is about to go). The locking invariant that rules this out:
--
--   Every transaction that inserts into `account_suspensions`, `subscription_suspensions`
--   or `suspended_subscriptions`, or deletes reasons through the store, first takes the
--   suspension writers' lock — the transaction-scoped advisory lock (1650815604, 5)
--   ('bert', R5), exclusive — and holds it until it ends. The statement that reads the
--   table it inserts into comes after the one that took the lock, so under READ COMMITTED
--   (Berth's level) it has a new snapshot that sees every row the previous holder
--   committed.
--
-- The store takes the lock before each of those writes (`berth_store::sql::SUSPENSION_LOCK`,
-- `Dialect::advisory_locks`); the trigger on added subscription reasons takes it again (a
-- no-op when held, a guard for any other writer) before the statement that lists the
-- subscriptions. A subscription's removal deletes its reasons and its row here without the
-- lock: a concurrent reason for it waits for that removal on the `FOR KEY SHARE` lock of
-- the existence check and then fails with foreign_key_violation, as before.
--
-- Why one advisory lock and not row locks: a cascade names 30,000 subscriptions — far more
-- than the shared lock table holds as advisory locks — and the weakest row lock that
-- excludes itself (`FOR NO KEY UPDATE` on the subscriptions) would also make the cascade
-- wait for, and possibly deadlock with, every ordinary update of those subscriptions (a
-- plan sync), which the existence check's `FOR KEY SHARE` never conflicts with. What the
-- advisory lock costs: suspension writers (rare: status changes, the daily expiry check,
-- overuse) wait for one another's transactions, a single suspension at most for the
-- duration of a running cascade. Lock order: the suspension lock comes before the job
-- queue's rows (a status change writes its reasons, then queues its jobs).
--
-- Left as it was: the cascade's 30,000 provisioning jobs keep the queue's coalescing
-- `INSERT … ON CONFLICT (subscription_id) WHERE state = 'pending' DO UPDATE`. A plain
-- version (a reader-writer advisory lock: shared for every use case's queueing and the
-- workers' claims and retries, exclusive for the cascade's `UPDATE` of its pending jobs and
-- `INSERT … WHERE NOT EXISTS`) was built, passed the concurrency cases and was measured:
-- no faster than the upsert (30,000 jobs in psql: 430-510 ms against 475-615 ms; bench
-- medians equal), the insert's cost being its four index entries per job rather than the
-- speculation. It would have put a lock on every claim and every queued job for nothing.
CREATE OR REPLACE FUNCTION suspended_subscriptions_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named BIGINT;
    found BIGINT;
BEGIN
    -- The suspension writers' lock, before the statement below (its own snapshot).
    PERFORM pg_advisory_xact_lock(1650815604, 5);
    SELECT count(DISTINCT subscription_id) INTO named FROM added_reasons;
    WITH locked AS (
        SELECT s.id, s.name FROM subscriptions s
        WHERE s.id IN (SELECT subscription_id FROM added_reasons)
        FOR KEY SHARE OF s
    ), listed AS (
        INSERT INTO suspended_subscriptions (subscription_id, name)
        SELECT l.id, l.name FROM locked l
        WHERE NOT EXISTS (SELECT 1 FROM suspended_subscriptions x
                          WHERE x.subscription_id = l.id)
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
