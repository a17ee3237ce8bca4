-- A reseller's subscription list in name order at 1,000,000 rows (issue 10, R1.9, R11.2).
--
-- A reseller sees its own subscriptions and its customers' ones. The list tested that as
-- `s.owner_id = r OR o.owner_id = r`, the second half through the subscriber's account
-- row: a search in name order ("45", too short for the trigram candidates) walked the name
-- index over every provider's subscriptions, some 8,000 entries and 400 account lookups for
-- a page of 100 when a reseller holds a quarter of them (p99 22.7 ms).
--
-- `provider_id` is the account that provides a subscription's hosting
-- (`berth_core::hosting::provider_of`): the subscriber's owner when the subscriber is a
-- customer, else the subscriber itself (a reseller's or the admin's own subscriptions).
-- With it, a reseller's list is one range of the index below, in name order, holding the
-- search key for an index-only scan: no other provider's entries, no account lookups.
--
-- It is derived data, written by the triggers below and by nothing else, so no write path
-- (the use cases, a raw insert, a customer moved to another reseller, a customer converted
-- to a reseller and back) can leave it stale. No foreign key: the subscriber's own foreign
-- key and the triggers keep it pointing at an account, and a check per insert would take a
-- second share lock on an account row.
ALTER TABLE subscriptions ADD COLUMN provider_id uuid;

UPDATE subscriptions s
SET provider_id = CASE WHEN a.kind = 'customer' THEN a.owner_id ELSE a.id END
FROM accounts a WHERE a.id = s.owner_id;

ALTER TABLE subscriptions ALTER COLUMN provider_id SET NOT NULL;

CREATE INDEX subscriptions_provider_name_search
    ON subscriptions (provider_id, name COLLATE "C", id) INCLUDE (name_key);

-- Before the row is written: the insert (or the new subscriber) carries its provider.
CREATE FUNCTION subscriptions_provider() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT CASE WHEN a.kind = 'customer' THEN a.owner_id ELSE a.id END
    INTO NEW.provider_id
    FROM accounts a WHERE a.id = NEW.owner_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER subscriptions_provider_on_insert
BEFORE INSERT ON subscriptions
FOR EACH ROW EXECUTE FUNCTION subscriptions_provider();

-- The store's update writes every column: only a changed subscriber costs the lookup.
CREATE TRIGGER subscriptions_provider_on_new_owner
BEFORE UPDATE OF owner_id ON subscriptions
FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
EXECUTE FUNCTION subscriptions_provider();

-- A customer moved to another owner (R1.7) or converted (R1.6): its subscriptions follow.
CREATE FUNCTION accounts_provider_of_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscriptions
    SET provider_id = CASE WHEN NEW.kind = 'customer' THEN NEW.owner_id ELSE NEW.id END
    WHERE owner_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER accounts_provider_of_subscriptions
AFTER UPDATE OF owner_id, kind ON accounts
FOR EACH ROW
WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.kind IS DISTINCT FROM NEW.kind)
EXECUTE FUNCTION accounts_provider_of_subscriptions();
