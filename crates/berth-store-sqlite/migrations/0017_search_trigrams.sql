-- Substring search without a full scan (issue 10, item 2c).
--
-- `--search` is a substring of the case-folded keys (`accounts.search_key`: login, name,
-- company, email; `subscriptions.name_key`: the domain). A B-tree cannot answer
-- `LIKE '%text%'`, so a rare fragment read the whole table (about 1 s at 1,000,000
-- customers, 5 s at 1,000,000 subscriptions). These FTS5 tables index every three-character
-- sequence (trigram) of those keys, keyed by the row's rowid:
--
-- * `case_sensitive 1`: the keys are folded already (in Rust, `text::fold`), so a trigram is
--   the exact characters of the key; FTS5 folds nothing itself.
-- * `detail='none'`: only which rows hold a trigram, no positions (a third of the size of
--   `detail='full'`). A list asks for the rows holding every trigram of the fragment, a
--   superset of the rows containing it, and still tests `LIKE` on each (see
--   `berth_store::sql::trigram_match`).
-- * `content=''` with `contentless_delete=1`: the keys are not stored twice, and a row is
--   removed by its rowid alone.
--
-- The list first asks these tables for at most 1,001 rowids: up to 1,000, the page is made
-- of those rows; beyond, the fragment is common and the ordered scan finds its page early.
-- Fragments shorter than three characters have no trigram and always take the ordered scan.
--
-- `accounts` and `subscriptions` have no INTEGER PRIMARY KEY, so their rowid is implicit.
-- It never changes on UPDATE, and VACUUM keeps it for tables that have indexes (both do:
-- their primary key, for a start), so the index stays keyed right.
CREATE VIRTUAL TABLE accounts_search USING fts5(
    search_key,
    content = '',
    contentless_delete = 1,
    detail = 'none',
    tokenize = 'trigram case_sensitive 1'
);

CREATE VIRTUAL TABLE subscriptions_search USING fts5(
    name_key,
    content = '',
    contentless_delete = 1,
    detail = 'none',
    tokenize = 'trigram case_sensitive 1'
);

INSERT INTO accounts_search (rowid, search_key) SELECT rowid, search_key FROM accounts;
INSERT INTO subscriptions_search (rowid, name_key) SELECT rowid, name_key FROM subscriptions;

-- Kept by triggers on every path that writes the keys: creation, update (only when the
-- key changes: an account update rewrites every column), and removal, including the
-- removals that foreign keys cascade (`ON DELETE CASCADE` fires the child's triggers).
CREATE TRIGGER accounts_search_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_search (rowid, search_key) VALUES (new.rowid, new.search_key);
END;

CREATE TRIGGER accounts_search_update AFTER UPDATE OF search_key ON accounts
WHEN old.search_key IS NOT new.search_key BEGIN
    DELETE FROM accounts_search WHERE rowid = old.rowid;
    INSERT INTO accounts_search (rowid, search_key) VALUES (new.rowid, new.search_key);
END;

CREATE TRIGGER accounts_search_delete AFTER DELETE ON accounts BEGIN
    DELETE FROM accounts_search WHERE rowid = old.rowid;
END;

CREATE TRIGGER subscriptions_search_insert AFTER INSERT ON subscriptions BEGIN
    INSERT INTO subscriptions_search (rowid, name_key) VALUES (new.rowid, new.name_key);
END;

CREATE TRIGGER subscriptions_search_update AFTER UPDATE OF name_key ON subscriptions
WHEN old.name_key IS NOT new.name_key BEGIN
    DELETE FROM subscriptions_search WHERE rowid = old.rowid;
    INSERT INTO subscriptions_search (rowid, name_key) VALUES (new.rowid, new.name_key);
END;

CREATE TRIGGER subscriptions_search_delete AFTER DELETE ON subscriptions BEGIN
    DELETE FROM subscriptions_search WHERE rowid = old.rowid;
END;
