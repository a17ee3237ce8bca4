-- Web UI sessions: only the SHA-256 of each session token is kept (tokens are 32 random
-- bytes). `csrf` is the synchronizer token its forms post back. A session goes with its
-- account. `ui_settings` holds the panel's interface preferences (R8.2) as key/value.
CREATE TABLE ui_sessions (
    token_hash TEXT    NOT NULL PRIMARY KEY,
    account_id BLOB    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
    expires_at INTEGER NOT NULL  -- microseconds since the Unix epoch, UTC
);

CREATE INDEX ui_sessions_account ON ui_sessions (account_id);
CREATE INDEX ui_sessions_expiry ON ui_sessions (expires_at);

CREATE TABLE ui_settings (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
