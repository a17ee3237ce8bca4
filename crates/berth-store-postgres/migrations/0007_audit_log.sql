-- The audit log (R10.9, R11.4): one row per change made through an interface. Rows are
-- kept when their account goes (`actor_id` is not a foreign key; `actor_login` keeps the
-- name it had). No API key or source address is ''. Ids are UUIDv7: newest first is
-- ORDER BY id DESC.
CREATE TABLE audit_log (
    id          UUID    NOT NULL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    UUID    NOT NULL,
    actor_login TEXT    NOT NULL,
    api_key_id  TEXT    NOT NULL DEFAULT '',
    source      TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL,
    interface   TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object      TEXT    NOT NULL DEFAULT '',
    status      BIGINT  NOT NULL
);

CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
