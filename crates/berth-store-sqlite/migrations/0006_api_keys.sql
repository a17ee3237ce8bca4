-- API keys: only the SHA-256 of each key is kept (keys are 32 random bytes, so a fast
-- hash suffices: there is nothing to brute-force). `ips` holds the allowed source
-- addresses in canonical form, separated by spaces ('' for any). Revoked keys stay
-- listed; they authenticate nobody. A key goes with its account.
CREATE TABLE api_keys (
    id         BLOB    NOT NULL PRIMARY KEY,
    account_id BLOB    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key_hash   TEXT    NOT NULL UNIQUE,
    ips        TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
    revoked    BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE INDEX api_keys_account ON api_keys (account_id, id);
