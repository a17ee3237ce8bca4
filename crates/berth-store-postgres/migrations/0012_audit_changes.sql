-- Per-field changes of the audit log (R10.9, R11.4): written by the use case in the
-- transaction of the change itself (a rolled-back operation leaves none), one row per
-- changed field, linked to its request-level entry in audit_log by entry_id. Secrets are
-- stored as '[redacted]'; NULL means "not set" (no before on creation, no after on
-- removal). Cascades record the operation's own fields and a count, not one row per
-- affected object.
CREATE TABLE audit_changes (
    entry_id     UUID    NOT NULL,
    seq          BIGINT NOT NULL,
    object       TEXT    NOT NULL,
    field        TEXT    NOT NULL,
    before_value TEXT,
    after_value  TEXT,
    PRIMARY KEY (entry_id, seq)
);

CREATE INDEX audit_changes_object ON audit_changes (object);
CREATE INDEX audit_log_at ON audit_log (at);
