-- Accounts (SPEC §1). Optional text is '' rather than NULL so that sorting and keyset
-- pagination need no NULL rules; *_key columns hold the case-folded text computed by
-- berth-core, so SQLite and PostgreSQL order and search identically.
CREATE TABLE accounts (
    id            BLOB    NOT NULL PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('admin', 'reseller', 'customer')),
    login         TEXT    NOT NULL UNIQUE,
    owner_id      BLOB    REFERENCES accounts (id),
    password_hash TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL,
    company       TEXT    NOT NULL DEFAULT '',
    company_key   TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL,
    email_key     TEXT    NOT NULL,
    phone         TEXT    NOT NULL DEFAULT '',
    fax           TEXT    NOT NULL DEFAULT '',
    address       TEXT    NOT NULL DEFAULT '',
    city          TEXT    NOT NULL DEFAULT '',
    city_key      TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL DEFAULT '',
    postal_code   TEXT    NOT NULL DEFAULT '',
    country       TEXT    NOT NULL DEFAULT '',
    locale        TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    external_id   TEXT    UNIQUE,
    search_key    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
    updated_at    INTEGER NOT NULL,
    CHECK ((kind = 'admin') = (owner_id IS NULL))
);

CREATE INDEX accounts_owner_kind_login ON accounts (owner_id, kind, login);
CREATE INDEX accounts_kind_login ON accounts (kind, login);
CREATE INDEX accounts_kind_name ON accounts (kind, name_key, id);
CREATE INDEX accounts_kind_email ON accounts (kind, email_key, id);
CREATE INDEX accounts_kind_created ON accounts (kind, created_at, id);

-- Suspension reasons (R5.1): an account is active when it has none.
CREATE TABLE account_suspensions (
    account_id    BLOB    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    reason        TEXT    NOT NULL,
    by_account_id BLOB    REFERENCES accounts (id) ON DELETE SET NULL,
    at            INTEGER NOT NULL,
    PRIMARY KEY (account_id, reason)
);
