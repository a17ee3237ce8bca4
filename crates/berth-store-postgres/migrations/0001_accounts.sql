-- Accounts (SPEC §1). Optional text is '' rather than NULL so that sorting and keyset
-- pagination need no NULL rules; *_key columns hold the case-folded text computed by
-- berth-core, so SQLite and PostgreSQL order and search identically (text sort keys are
-- compared with COLLATE "C", i.e. by bytes, like SQLite).
CREATE TABLE accounts (
    id            UUID        NOT NULL PRIMARY KEY,
    kind          TEXT        NOT NULL CHECK (kind IN ('admin', 'reseller', 'customer')),
    login         TEXT        NOT NULL CONSTRAINT accounts_login_key UNIQUE,
    owner_id      UUID        REFERENCES accounts (id),
    password_hash TEXT        NOT NULL,
    name          TEXT        NOT NULL,
    name_key      TEXT        NOT NULL,
    company       TEXT        NOT NULL DEFAULT '',
    company_key   TEXT        NOT NULL DEFAULT '',
    email         TEXT        NOT NULL,
    email_key     TEXT        NOT NULL,
    phone         TEXT        NOT NULL DEFAULT '',
    fax           TEXT        NOT NULL DEFAULT '',
    address       TEXT        NOT NULL DEFAULT '',
    city          TEXT        NOT NULL DEFAULT '',
    city_key      TEXT        NOT NULL DEFAULT '',
    state         TEXT        NOT NULL DEFAULT '',
    postal_code   TEXT        NOT NULL DEFAULT '',
    country       TEXT        NOT NULL DEFAULT '',
    locale        TEXT        NOT NULL,
    description   TEXT        NOT NULL DEFAULT '',
    external_id   TEXT        CONSTRAINT accounts_external_id_key UNIQUE,
    search_key    TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CHECK ((kind = 'admin') = (owner_id IS NULL))
);

CREATE INDEX accounts_owner_kind_login ON accounts (owner_id, kind, login COLLATE "C");
CREATE INDEX accounts_kind_login ON accounts (kind, login COLLATE "C");
CREATE INDEX accounts_kind_name ON accounts (kind, name_key COLLATE "C", id);
CREATE INDEX accounts_kind_email ON accounts (kind, email_key COLLATE "C", id);
CREATE INDEX accounts_kind_created ON accounts (kind, created_at, id);

-- Suspension reasons (R5.1): an account is active when it has none.
CREATE TABLE account_suspensions (
    account_id    UUID        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    reason        TEXT        NOT NULL,
    by_account_id UUID        REFERENCES accounts (id) ON DELETE SET NULL,
    at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, reason)
);
