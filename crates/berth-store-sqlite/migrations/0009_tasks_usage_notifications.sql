-- Periodic tasks, usage and notifications (SPEC R5.4, §6).

-- One row per periodic task: its schedule state and the lease that keeps it from running
-- twice at once. A free lease has lease_owner = '' and lease_until NULL.
CREATE TABLE tasks (
    name          TEXT    NOT NULL PRIMARY KEY,
    next_run      INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
    last_started  INTEGER,
    last_finished INTEGER,
    last_outcome  TEXT    NOT NULL DEFAULT '',
    last_message  TEXT    NOT NULL DEFAULT '',
    lease_owner   TEXT    NOT NULL DEFAULT '',
    lease_until   INTEGER
);

-- The last measurement of each subscription, with the marks that make every crossing of a
-- limit or soft threshold notify once (R6.3).
CREATE TABLE subscription_usage (
    subscription_id BLOB    NOT NULL PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
    measured_at     INTEGER NOT NULL,
    month           TEXT    NOT NULL,
    disk_bytes      INTEGER NOT NULL,
    traffic_bytes   INTEGER NOT NULL,
    disk_over       INTEGER NOT NULL DEFAULT 0,
    traffic_over    INTEGER NOT NULL DEFAULT 0,
    disk_soft       INTEGER NOT NULL DEFAULT 0,
    traffic_soft    INTEGER NOT NULL DEFAULT 0
);

-- Every measurement (R6.1 "kept with history").
CREATE TABLE usage_history (
    subscription_id BLOB    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    measured_at     INTEGER NOT NULL,
    month           TEXT    NOT NULL,
    disk_bytes      INTEGER NOT NULL,
    traffic_bytes   INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, measured_at)
);

-- The expiration date a warning was sent for (R5.4): a renewal to a new date warns again.
CREATE TABLE expiry_warnings (
    subscription_id BLOB NOT NULL PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
    expiration      TEXT NOT NULL
);

-- Who receives each event (R6.4); an event without a row goes to admin, reseller and
-- customer. `extra` is a comma-separated list of addresses.
CREATE TABLE notification_recipients (
    event    TEXT    NOT NULL PRIMARY KEY,
    admin    INTEGER NOT NULL,
    reseller INTEGER NOT NULL,
    customer INTEGER NOT NULL,
    extra    TEXT    NOT NULL DEFAULT ''
);

-- Templates replacing the built-in ones, per event and language.
CREATE TABLE notification_templates (
    event    TEXT NOT NULL,
    language TEXT NOT NULL,
    subject  TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (event, language)
);

-- Every message (R6.4 "recorded"): status pending, sent or failed; re-sendable.
CREATE TABLE notifications (
    id           BLOB    NOT NULL PRIMARY KEY,
    created_at   INTEGER NOT NULL,
    event        TEXT    NOT NULL,
    subscription TEXT    NOT NULL,
    recipients   TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    error        TEXT    NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    sent_at      INTEGER
);
CREATE INDEX notifications_status ON notifications (status, id);
