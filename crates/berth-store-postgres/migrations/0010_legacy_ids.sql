-- Numeric ids for the Plesk-compatible XML API (R11.1): Plesk clients address accounts,
-- plans, subscriptions, domains, IP addresses and DNS records by a number that is never reused, next to
-- a guid (Berth's UUID). An identity column never hands out a number twice (a rolled-back
-- transaction may leave a gap, never a repeat). Rows stay when their object goes, so a
-- number keeps naming the object it was given to (and then nothing). Triggers number every
-- new object in creation order; a subscription's main domain shares the subscription's UUID
-- and so its number (as a webspace and its main site do in Plesk).
CREATE TABLE legacy_ids (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    object UUID   NOT NULL CONSTRAINT legacy_ids_object_key UNIQUE,
    kind   TEXT   NOT NULL CHECK (kind IN ('account', 'plan', 'subscription', 'domain', 'ip', 'record'))
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
) AS objects ORDER BY created_at, k, id;

CREATE FUNCTION legacy_ids_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO legacy_ids (object, kind) VALUES (NEW.id, TG_ARGV[0])
    ON CONFLICT (object) DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER legacy_ids_accounts AFTER INSERT ON accounts
    FOR EACH ROW EXECUTE FUNCTION legacy_ids_number('account');
CREATE TRIGGER legacy_ids_ip_addresses AFTER INSERT ON ip_addresses
    FOR EACH ROW EXECUTE FUNCTION legacy_ids_number('ip');
CREATE TRIGGER legacy_ids_plans AFTER INSERT ON plans
    FOR EACH ROW EXECUTE FUNCTION legacy_ids_number('plan');
CREATE TRIGGER legacy_ids_subscriptions AFTER INSERT ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION legacy_ids_number('subscription');
CREATE TRIGGER legacy_ids_domains AFTER INSERT ON domains
    FOR EACH ROW EXECUTE FUNCTION legacy_ids_number('domain');
-- A zone is saved by rewriting its records with their ids unchanged, so a record keeps
-- its number for as long as it exists.
CREATE TRIGGER legacy_ids_dns_records AFTER INSERT ON dns_records
    FOR EACH ROW EXECUTE FUNCTION legacy_ids_number('record');
