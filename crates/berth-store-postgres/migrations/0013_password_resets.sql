-- Password recovery (R1.4): single-use, expiring reset links. Only the SHA-256 of each
-- link's token is kept (tokens are 32 random bytes). `used_at` is set once, when the
-- link sets a new password; a link goes with its account.
CREATE TABLE password_resets (
    token_hash TEXT        NOT NULL PRIMARY KEY,
    account_id UUID        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);

CREATE INDEX password_resets_account ON password_resets (account_id);
CREATE INDEX password_resets_expiry ON password_resets (expires_at);
