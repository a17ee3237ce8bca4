-- Password recovery (R1.4): single-use, expiring reset links. Only the SHA-256 of each
-- link's token is kept (tokens are 32 random bytes). `used_at` is set once, when the
-- link sets a new password; a link goes with its account.
CREATE TABLE password_resets (
    token_hash TEXT    NOT NULL PRIMARY KEY,
    account_id BLOB    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
    expires_at INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
    used_at    INTEGER           -- microseconds since the Unix epoch, UTC; NULL while unused
);

CREATE INDEX password_resets_account ON password_resets (account_id);
CREATE INDEX password_resets_expiry ON password_resets (expires_at);
