-- Numeric ids for the Plesk-compatible XML API (R11.1): Plesk clients address accounts,
-- plans, subscriptions, domains, IP addresses and DNS records by a number that is never reused, next to
-- a guid (Berth's UUID). AUTOINCREMENT guarantees SQLite never hands out a number twice,
-- even after the newest row is deleted. Rows stay when their object goes, so a number keeps
-- naming the object it was given to (and then nothing). Triggers number every new object
-- in creation order; a subscription's main domain shares the subscription's UUID and so
-- its number (as a webspace and its main site do in Plesk).
CREATE TABLE legacy_ids (
    id     INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    object BLOB    NOT NULL UNIQUE,
    kind   TEXT    NOT NULL CHECK (kind IN ('account', 'plan', 'subscription', 'domain', 'ip', 'record'))
);

INSERT INTO legacy_ids (object, kind)
SELECT id, kind FROM (
    SELECT id, 'account' AS kind, created_at, 1 AS k FROM accounts
    UNION ALL SELECT id, 'ip', created_at, 2 FROM ip_addresses
    UNION ALL SELECT id, 'plan', created_at, 3 FROM plans
    UNION ALL SELECT id, 'subscription', created_at, 4 FROM subscriptions
    UNION ALL SELECT id, 'domain', created_at, 5 FROM domains WHERE kind <> 'main'
    UNION ALL SELECT r.id, 'record', z.updated_at, 6 FROM dns_records r
        JOIN dns_zones z ON z.domain_id = r.domain_id
) ORDER BY created_at, k, id;

CREATE TRIGGER legacy_ids_accounts AFTER INSERT ON accounts BEGIN
    INSERT OR IGNORE INTO legacy_ids (object, kind) VALUES (NEW.id, 'account');
END;
CREATE TRIGGER legacy_ids_ip_addresses AFTER INSERT ON ip_addresses BEGIN
    INSERT OR IGNORE INTO legacy_ids (object, kind) VALUES (NEW.id, 'ip');
END;
CREATE TRIGGER legacy_ids_plans AFTER INSERT ON plans BEGIN
    INSERT OR IGNORE INTO legacy_ids (object, kind) VALUES (NEW.id, 'plan');
END;
CREATE TRIGGER legacy_ids_subscriptions AFTER INSERT ON subscriptions BEGIN
    INSERT OR IGNORE INTO legacy_ids (object, kind) VALUES (NEW.id, 'subscription');
END;
CREATE TRIGGER legacy_ids_domains AFTER INSERT ON domains BEGIN
    INSERT OR IGNORE INTO legacy_ids (object, kind) VALUES (NEW.id, 'domain');
END;
-- A zone is saved by rewriting its records with their ids unchanged, so a record keeps
-- its number for as long as it exists.
CREATE TRIGGER legacy_ids_dns_records AFTER INSERT ON dns_records BEGIN
    INSERT OR IGNORE INTO legacy_ids (object, kind) VALUES (NEW.id, 'record');
END;
