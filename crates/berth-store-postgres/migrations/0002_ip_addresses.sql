-- IP addresses (R7.5), registered by the admin. `address` is the canonical text form
-- computed by berth-core (one spelling per address, so UNIQUE holds whatever was typed);
-- `sort_key` is the address bytes in lower-case hex, compared with COLLATE "C", so that
-- SQLite and PostgreSQL list in the same order: family, then bytes. No interface is ''
-- rather than NULL.
CREATE TABLE ip_addresses (
    id         UUID        NOT NULL PRIMARY KEY,
    address    TEXT        NOT NULL CONSTRAINT ip_addresses_address_key UNIQUE,
    family     INTEGER     NOT NULL CHECK (family IN (4, 6)),
    sort_key   TEXT        NOT NULL,
    kind       TEXT        NOT NULL CHECK (kind IN ('shared', 'dedicated')),
    interface  TEXT        NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX ip_addresses_family_sort_key ON ip_addresses (family, sort_key COLLATE "C", id);
