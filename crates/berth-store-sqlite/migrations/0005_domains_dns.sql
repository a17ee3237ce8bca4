-- Domains and DNS (SPEC R3.9, R7.1–R7.4).
--
-- `domains` is the registry of every name on the server: subscriptions' main domains (whose
-- id is the subscription's), additional domains (`site`), aliases and subdomains. One
-- unique `name` column (ASCII/punycode) makes names unique across all kinds (R7.1). A name
-- goes with its subscription, and aliases and subdomains go with the domain they hang from.
CREATE TABLE domains (
    id              BLOB    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,
    name_key        TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('main', 'site', 'alias', 'subdomain')),
    subscription_id BLOB    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    parent_id       BLOB    REFERENCES domains (id) ON DELETE CASCADE,
    document_root   TEXT    NOT NULL DEFAULT '',
    alias_web       TEXT    NOT NULL DEFAULT '',
    alias_mail      INTEGER NOT NULL DEFAULT 0,
    alias_dns_sync  INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX domains_subscription ON domains (subscription_id, kind);
CREATE INDEX domains_parent ON domains (parent_id);

-- Subscriptions created before this migration: their main domains enter the registry.
INSERT INTO domains (id, name, name_key, kind, subscription_id, parent_id, document_root,
                     alias_web, alias_mail, alias_dns_sync, created_at, updated_at)
SELECT id, name, name_key, 'main', id, NULL, 'httpdocs', '', 0, 0, created_at, updated_at
FROM subscriptions;

-- The server's DNS template (R7.4), one row per line; priority -1 and ttl 0 mean none.
CREATE TABLE dns_template (
    position INTEGER NOT NULL PRIMARY KEY,
    host     TEXT    NOT NULL,
    rtype    TEXT    NOT NULL,
    value    TEXT    NOT NULL,
    priority INTEGER  NOT NULL DEFAULT -1,
    ttl      INTEGER  NOT NULL DEFAULT 0
);
INSERT INTO dns_template (position, host, rtype, value, priority, ttl) VALUES
    (1, '<domain>.', 'NS', 'ns.<domain>.', -1, 0),
    (2, 'ns.<domain>.', 'A', '<ip>', -1, 0),
    (3, 'ns.<domain>.', 'AAAA', '<ipv6>', -1, 0),
    (4, '<domain>.', 'A', '<ip>', -1, 0),
    (5, '<domain>.', 'AAAA', '<ipv6>', -1, 0),
    (6, 'www.<domain>.', 'CNAME', '<domain>.', -1, 0),
    (7, 'ftp.<domain>.', 'CNAME', '<domain>.', -1, 0),
    (8, 'mail.<domain>.', 'A', '<ip>', -1, 0),
    (9, 'mail.<domain>.', 'AAAA', '<ipv6>', -1, 0),
    (10, '<domain>.', 'MX', 'mail.<domain>.', 10, 0),
    (11, 'webmail.<domain>.', 'A', '<ip>', -1, 0),
    (12, 'webmail.<domain>.', 'AAAA', '<ipv6>', -1, 0),
    (13, '<domain>.', 'TXT', '"v=spf1 +a +mx -all"', -1, 0),
    (14, '_dmarc.<domain>.', 'TXT', '"v=DMARC1; p=none"', -1, 0);

-- One zone per main domain, site and alias, with its SOA serial.
CREATE TABLE dns_zones (
    domain_id  BLOB    NOT NULL PRIMARY KEY REFERENCES domains (id) ON DELETE CASCADE,
    serial     INTEGER  NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Records: absolute ASCII names without the final dot; where each came from (template,
-- subdomain, user), and whether someone edited or removed it by hand (`removed` rows are
-- markers that keep `dns template apply` from bringing a record back).
CREATE TABLE dns_records (
    id          BLOB    NOT NULL PRIMARY KEY,
    domain_id   BLOB    NOT NULL REFERENCES dns_zones (domain_id) ON DELETE CASCADE,
    position    INTEGER  NOT NULL,
    host        TEXT    NOT NULL,
    rtype       TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    priority    INTEGER  NOT NULL DEFAULT -1,
    ttl         INTEGER  NOT NULL DEFAULT 0,
    source      TEXT    NOT NULL CHECK (source IN ('template', 'subdomain', 'user')),
    source_key  TEXT    NOT NULL DEFAULT '',
    user_edited INTEGER NOT NULL DEFAULT 0,
    removed     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX dns_records_zone ON dns_records (domain_id, position);
