-- Plans and subscriptions (SPEC §2, §3). Properties are JSON objects keyed by the names of
-- the property table (berth-core); `custom` and `conflicts` are JSON text compared whole
-- (they group subscriptions that sync alike).
CREATE TABLE plans (
    id         UUID        NOT NULL PRIMARY KEY,
    owner_id   UUID    NOT NULL REFERENCES accounts (id),
    plan_type  TEXT    NOT NULL CHECK (plan_type IN ('service', 'addon', 'reseller')),
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,
    props      JSONB   NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT plans_owner_type_name_key UNIQUE (owner_id, plan_type, name_key)
);

CREATE TABLE subscriptions (
    id                   UUID        NOT NULL PRIMARY KEY,
    name                 TEXT    NOT NULL CONSTRAINT subscriptions_name_key UNIQUE,
    name_key             TEXT    NOT NULL,
    owner_id             UUID    NOT NULL REFERENCES accounts (id),
    plan_id              UUID    REFERENCES plans (id),
    addon_key            TEXT    NOT NULL DEFAULT '',
    sync_state           TEXT    NOT NULL CHECK (sync_state IN ('synced', 'locked', 'unsynced')),
    props                JSONB   NOT NULL,
    custom               TEXT    NOT NULL DEFAULT '{}',
    conflicts            TEXT    NOT NULL DEFAULT '[]',
    system_user          TEXT    NOT NULL CONSTRAINT subscriptions_system_user_key UNIQUE,
    system_password_hash TEXT    NOT NULL,
    expiration           DATE,
    overused             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

CREATE INDEX subscriptions_sync ON subscriptions (plan_id, addon_key, owner_id);
CREATE INDEX subscriptions_owner_name ON subscriptions (owner_id, name COLLATE "C");
CREATE INDEX subscriptions_created ON subscriptions (created_at, id);

CREATE TABLE subscription_addons (
    subscription_id UUID NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    plan_id         UUID NOT NULL REFERENCES plans (id),
    PRIMARY KEY (subscription_id, plan_id)
);
CREATE INDEX subscription_addons_plan ON subscription_addons (plan_id);

CREATE TABLE subscription_ips (
    subscription_id UUID NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    ip_id           UUID NOT NULL REFERENCES ip_addresses (id),
    PRIMARY KEY (subscription_id, ip_id)
);
CREATE INDEX subscription_ips_ip ON subscription_ips (ip_id);

CREATE TABLE subscription_suspensions (
    subscription_id UUID    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    reason          TEXT    NOT NULL,
    by_account_id   UUID    REFERENCES accounts (id) ON DELETE SET NULL,
    at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subscription_id, reason)
);
