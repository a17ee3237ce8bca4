-- Provisioning (R9.3): the durable job queue and what each subscription has on disk.
--
-- A job asks for one subscription's files to be made to match the database. While a job
-- is pending, more changes to the same subscription coalesce into it (at most one pending
-- job per subscription: the partial unique index). `subscription_id` is not a foreign key:
-- the job of a removed subscription removes its files. Ids of jobs queued set-based (a
-- cascade, a full run) come from gen_random_uuid(); the others are UUIDv7.
CREATE TABLE provision_jobs (
    id              UUID    NOT NULL PRIMARY KEY,
    subscription_id UUID    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    run_after       TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ NOT NULL DEFAULT TIMESTAMPTZ 'epoch',
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX provision_jobs_one_pending ON provision_jobs (subscription_id)
    WHERE state = 'pending';
CREATE INDEX provision_jobs_queue ON provision_jobs (state, run_after, created_at);
CREATE INDEX provision_jobs_subscription ON provision_jobs (subscription_id, created_at);

-- The files each subscription has in the managed directories (`web/<name>.conf`,
-- `dns/<zone>.zone`), one name per line, so that a rename or a removal takes the old
-- files away without listing the directories.
CREATE TABLE provisioned (
    subscription_id UUID    NOT NULL PRIMARY KEY,
    files           TEXT    NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
