-- Resellers' limits, permissions and plan (SPEC §4), and their IP pools (R4.5). A reseller
-- without a profile row has the reseller-plan defaults (a custom reseller).
CREATE TABLE reseller_profiles (
    account_id BLOB NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    plan_id    BLOB REFERENCES plans (id),
    props      TEXT NOT NULL,
    custom     TEXT NOT NULL DEFAULT '{}',
    sync_state TEXT NOT NULL CHECK (sync_state IN ('synced', 'locked', 'unsynced')),
    conflicts  TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX reseller_profiles_plan ON reseller_profiles (plan_id);

CREATE TABLE reseller_ips (
    reseller_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    ip_id       BLOB NOT NULL REFERENCES ip_addresses (id),
    PRIMARY KEY (reseller_id, ip_id)
);
CREATE INDEX reseller_ips_ip ON reseller_ips (ip_id);
