//! Migrations on databases that already hold data: what each one fills in from the rows
//! written before it.

use berth_core::account::AccountKind;
use berth_core::dns::default_template;
use berth_core::query::{AccountQuery, AccountSort};
use berth_core::site::DomainKind;
use berth_core::status::Status;
use berth_store::Store;
use berth_store::conformance::with_status;
use berth_store_sqlite::{Open, SqliteStore};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;

/// A new database migrated up to `version` and holding `seed`; its directory, URL and pool.
async fn database_at(version: i64, seed: &str) -> (tempfile::TempDir, String, SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("berth.db").display());
    let options = SqliteConnectOptions::from_str(&url)
        .unwrap()
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .unwrap();
    sqlx::migrate!("./migrations")
        .run_to(version, &pool)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(seed.to_owned()))
        .execute(&pool)
        .await
        .unwrap();
    (dir, url, pool)
}

/// The logins of the customers a search finds, first page.
async fn customers_found(store: &(impl Store + ?Sized), search: &str) -> Vec<String> {
    let mut tx = store.read().await.unwrap();
    let found = tx
        .list_accounts(&AccountQuery {
            kind: AccountKind::Customer,
            owner: None,
            status: None,
            search: Some(search.into()),
            sort: AccountSort::default(),
            after: None,
            limit: 10,
        })
        .await
        .unwrap();
    found.iter().map(|a| a.login.as_str().to_owned()).collect()
}

/// An admin (`…0a`), customer `quixote` (`…0c`) and its subscriptions `café.example`
/// (`…0b`) and `shop.example` (`…0d`), as written before migration 0016.
const ACCOUNTS_AND_SUBSCRIPTIONS: &str = "INSERT INTO accounts (id, kind, login, owner_id, \
     password_hash, name, name_key, email, email_key, locale, search_key, created_at, updated_at) \
     VALUES \
     (X'0190000000007000800000000000000a', 'admin', 'admin', NULL, 'x', 'Admin', 'admin', \
      'a@example.com', 'a@example.com', 'en-US', 'admin', 1, 1), \
     (X'0190000000007000800000000000000c', 'customer', 'quixote', \
      X'0190000000007000800000000000000a', 'x', 'Q', 'q', 'q@example.com', 'q@example.com', \
      'en-US', 'quixote' || char(10) || 'zebulon', 1, 1); \
     INSERT INTO subscriptions (id, name, name_key, owner_id, sync_state, props, system_user, \
     system_password_hash, created_at, updated_at) VALUES \
     (X'0190000000007000800000000000000b', 'xn--caf-dma.example', 'café.example', \
      X'0190000000007000800000000000000c', 'synced', '{}', 'cafe', 'x', 5, 6), \
     (X'0190000000007000800000000000000d', 'shop.example', 'shop.example', \
      X'0190000000007000800000000000000c', 'synced', '{}', 'shop', 'x', 5, 6);";

#[tokio::test]
async fn r7_1_migration_0005_registers_existing_main_domains() {
    let (_dir, url, pool) = database_at(
        4,
        "INSERT INTO accounts (id, kind, login, password_hash, name, name_key, email, email_key, \
         locale, search_key, created_at, updated_at) VALUES \
         (X'0190000000007000800000000000000a', 'admin', 'admin', 'x', 'Admin', 'admin', \
          'a@example.com', 'a@example.com', 'en-US', '', 1, 1); \
         INSERT INTO subscriptions (id, name, name_key, owner_id, sync_state, props, system_user, \
         system_password_hash, created_at, updated_at) VALUES \
         (X'0190000000007000800000000000000b', 'xn--caf-dma.example', 'café.example', \
          X'0190000000007000800000000000000a', 'synced', '{}', 'cafe', 'x', 5, 6);",
    )
    .await;
    pool.close().await;

    let store = SqliteStore::connect(&url, Open::MustExist).await.unwrap();
    let mut tx = store.read().await.unwrap();
    let main = tx
        .domain_by_name("xn--caf-dma.example")
        .await
        .unwrap()
        .expect("backfilled");
    assert_eq!(main.kind, DomainKind::Main);
    assert_eq!(main.id, main.subscription.id);
    assert_eq!(main.id.to_string(), "01900000-0000-7000-8000-00000000000b");
    assert_eq!(main.name.unicode(), "café.example");
    assert_eq!(
        main.document_root.as_ref().map(|r| r.as_str()),
        Some("httpdocs")
    );
    assert_eq!(main.created_at.timestamp_micros(), 5);
    assert_eq!(tx.dns_template().await.unwrap(), default_template());
    assert_eq!(tx.zone(main.id).await.unwrap(), None, "built on first use");
}

#[tokio::test]
async fn r5_1_migration_0016_lists_subscriptions_suspended_before_it() {
    let seed = format!(
        "{ACCOUNTS_AND_SUBSCRIPTIONS} INSERT INTO subscription_suspensions \
         (subscription_id, reason, by_account_id, at) VALUES \
         (X'0190000000007000800000000000000b', 'admin', NULL, 7), \
         (X'0190000000007000800000000000000b', 'expired', NULL, 8);"
    );
    let (_dir, url, pool) = database_at(15, &seed).await;
    pool.close().await;

    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(SqliteStore::connect(&url, Open::MustExist).await.unwrap());
    assert_eq!(
        with_status(&store, Some(Status::Suspended)).await,
        ["xn--caf-dma.example"]
    );
    assert_eq!(
        with_status(&store, Some(Status::Active)).await,
        ["shop.example"]
    );
}

#[tokio::test]
async fn r1_9_migration_0017_indexes_existing_search_keys() {
    let (_dir, url, pool) = database_at(15, ACCOUNTS_AND_SUBSCRIPTIONS).await;

    let store = SqliteStore::connect(&url, Open::MustExist).await.unwrap();
    let hits = |table: &str, fts: &str| {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {table} MATCH '{fts}'");
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(hits("accounts_search", "\"ebu\" AND \"bul\"").await, 1);
    assert_eq!(hits("accounts_search", "\"adm\"").await, 1);
    assert_eq!(hits("subscriptions_search", "\"afé\"").await, 1);
    assert_eq!(hits("subscriptions_search", "\"caf\" AND \"xyz\"").await, 0);

    assert_eq!(customers_found(&store, "zebulon").await, ["quixote"]);
}

/// The field changes of one entry as written before migration 0021: two runs of
/// `customer bob` around one change of `plan Gold`.
const CHANGES_BY_FIELD: &str = "INSERT INTO audit_log (id, at, actor_id, actor_login, \
     request_id, interface, action, status) VALUES (X'0190000000007000800000000000000e', 1, \
     X'0190000000007000800000000000000a', 'admin', 'r1', 'cli', 'customer update', 200); \
     INSERT INTO audit_changes (entry_id, seq, object, field, before_value, after_value) VALUES \
     (X'0190000000007000800000000000000e', 0, 'customer bob', 'email', 'a@x', 'b@x'), \
     (X'0190000000007000800000000000000e', 1, 'customer bob', 'name', NULL, 'Bob'), \
     (X'0190000000007000800000000000000e', 2, 'plan Gold', 'max_dom', '1', NULL), \
     (X'0190000000007000800000000000000e', 3, 'customer bob', 'city', 'Paris', 'Lyon');";

#[tokio::test]
async fn r10_9_migration_0021_keeps_every_field_change_in_order() {
    let (_dir, url, pool) = database_at(20, CHANGES_BY_FIELD).await;

    let store = SqliteStore::connect(&url, Open::MustExist).await.unwrap();
    berth_store::conformance::assert_changes_seeded_before_0021_read_back(&store).await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_changes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 3, "one row per run of changes to one object");
}

/// The details of SQLite's plan for `sql`.
async fn plan_of(pool: &SqlitePool, sql: &str) -> String {
    let rows: Vec<(i64, i64, i64, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
            .fetch_all(pool)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(_, _, _, detail)| detail)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn r1_9_migration_0022_answers_the_search_id_queries_from_indexes_alone() {
    let (_dir, url, pool) = database_at(20, ACCOUNTS_AND_SUBSCRIPTIONS).await;
    pool.close().await;

    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(SqliteStore::connect(&url, Open::MustExist).await.unwrap());
    let pool = SqlitePool::connect(&url).await.unwrap();
    // The id-only queries of `sql::subscription_list` (a search in name order) and of
    // `sql::account_list` (a search in login order), as the admin and within a reseller's
    // scope, read the index alone (a provider's subscriptions: migration 0027's index).
    let subscriptions = "SELECT s.id FROM subscriptions s WHERE 1 = 1 \
         AND s.name_key LIKE '%sh%' ESCAPE '\\' ORDER BY s.name ASC, s.id ASC LIMIT 10";
    let scoped = "SELECT s.id FROM subscriptions s WHERE 1 = 1 AND s.provider_id = X'0a' \
         AND s.name_key LIKE '%sh%' ESCAPE '\\' ORDER BY s.name DESC, s.id DESC LIMIT 10";
    let customers = "SELECT a.id FROM accounts a WHERE a.kind = 'customer' \
         AND a.search_key LIKE '%ze%' ESCAPE '\\' ORDER BY a.login ASC, a.id ASC LIMIT 10";
    let owned = "SELECT a.id FROM accounts a WHERE a.kind = 'customer' \
         AND a.owner_id = X'0a' AND a.search_key LIKE '%ze%' ESCAPE '\\' \
         ORDER BY a.login DESC, a.id DESC LIMIT 10";
    for (sql, index) in [
        (subscriptions, "COVERING INDEX subscriptions_name_search"),
        (scoped, "COVERING INDEX subscriptions_provider_name_search"),
        (customers, "COVERING INDEX accounts_kind_login_search"),
        (owned, "COVERING INDEX accounts_owner_kind_login_search"),
    ] {
        let plan = plan_of(&pool, sql).await;
        assert!(plan.contains(index), "{sql}:\n{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{sql}:\n{plan}");
    }

    // The rows written before the migration are found through the new indexes.
    assert_eq!(customers_found(&*store, "ze").await, ["quixote"]);
    let mut tx = store.read().await.unwrap();
    let found = tx
        .list_subscriptions(&berth_core::hosting::SubscriptionQuery {
            search: Some("sh".into()),
            ..berth_core::hosting::SubscriptionQuery::every(10)
        })
        .await
        .unwrap();
    let names: Vec<&str> = found.iter().map(|s| s.name.ascii()).collect();
    assert_eq!(names, ["shop.example"]);
}

/// Admin `…0a`, reseller `…0e`, its customer `…0c` and the admin's customer `…0f`, each
/// holding one subscription (`…1a`, `…1e`, `…1c`, `…1f`), as written before migration 0027.
const PROVIDERS: &str = "INSERT INTO accounts (id, kind, login, owner_id, password_hash, name, \
     name_key, email, email_key, locale, search_key, created_at, updated_at) VALUES \
     (X'0190000000007000800000000000000a', 'admin', 'admin', NULL, 'x', 'A', 'a', \
      'a@example.com', 'a@example.com', 'en-US', 'admin', 1, 1), \
     (X'0190000000007000800000000000000e', 'reseller', 'r', \
      X'0190000000007000800000000000000a', 'x', 'R', 'r', 'r@example.com', 'r@example.com', \
      'en-US', 'r', 1, 1), \
     (X'0190000000007000800000000000000c', 'customer', 'c', \
      X'0190000000007000800000000000000e', 'x', 'C', 'c', 'c@example.com', 'c@example.com', \
      'en-US', 'c', 1, 1), \
     (X'0190000000007000800000000000000f', 'customer', 'd', \
      X'0190000000007000800000000000000a', 'x', 'D', 'd', 'd@example.com', 'd@example.com', \
      'en-US', 'd', 1, 1); \
     INSERT INTO subscriptions (id, name, name_key, owner_id, sync_state, props, system_user, \
     system_password_hash, created_at, updated_at) VALUES \
     (X'0190000000007000800000000000001a', 'a.example', 'a.example', \
      X'0190000000007000800000000000000a', 'synced', '{}', 'a', 'x', 5, 6), \
     (X'0190000000007000800000000000001e', 'e.example', 'e.example', \
      X'0190000000007000800000000000000e', 'synced', '{}', 'e', 'x', 5, 6), \
     (X'0190000000007000800000000000001c', 'c.example', 'c.example', \
      X'0190000000007000800000000000000c', 'synced', '{}', 'c', 'x', 5, 6), \
     (X'0190000000007000800000000000001f', 'f.example', 'f.example', \
      X'0190000000007000800000000000000f', 'synced', '{}', 'f', 'x', 5, 6);";

/// Each subscription's id and provider, as their last byte in hex, by id.
async fn providers(pool: &SqlitePool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT lower(substr(hex(id), 31)), lower(substr(hex(provider_id), 31)) \
         FROM subscriptions ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(s, p)| ((*s).to_owned(), (*p).to_owned()))
        .collect()
}

#[tokio::test]
async fn r11_2_migration_0027_fills_and_keeps_each_subscriptions_provider() {
    let (_dir, url, pool) = database_at(22, PROVIDERS).await;
    pool.close().await;
    drop(SqliteStore::connect(&url, Open::MustExist).await.unwrap());
    let pool = SqlitePool::connect(&url).await.unwrap();
    // Backfilled: a customer's subscription is provided by its owner, the others by their
    // holder.
    assert_eq!(
        providers(&pool).await,
        pairs(&[("1a", "0a"), ("1c", "0e"), ("1e", "0e"), ("1f", "0a")])
    );
    let run = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query(sql).execute(&pool).await.unwrap() }
    };
    // A raw insert gets its provider from the trigger.
    run(
        "INSERT INTO subscriptions (id, name, name_key, owner_id, sync_state, props, \
         system_user, system_password_hash, created_at, updated_at) VALUES \
         (X'0190000000007000800000000000002c', 'c2.example', 'c2.example', \
          X'0190000000007000800000000000000c', 'synced', '{}', 'c2', 'x', 5, 6)",
    )
    .await;
    assert_eq!(
        providers(&pool).await.last().unwrap(),
        &pairs(&[("2c", "0e")])[0]
    );
    // The customer moves to the admin: both of its subscriptions follow.
    run(
        "UPDATE accounts SET owner_id = X'0190000000007000800000000000000a' \
         WHERE id = X'0190000000007000800000000000000c'",
    )
    .await;
    // The admin's customer's subscription goes to the reseller.
    run(
        "UPDATE subscriptions SET owner_id = X'0190000000007000800000000000000e' \
         WHERE id = X'0190000000007000800000000000001f'",
    )
    .await;
    assert_eq!(
        providers(&pool).await,
        pairs(&[
            ("1a", "0a"),
            ("1c", "0a"),
            ("1e", "0e"),
            ("1f", "0e"),
            ("2c", "0a")
        ])
    );
    // The customer becomes a reseller: it provides its own subscriptions.
    run("UPDATE accounts SET kind = 'reseller' WHERE id = X'0190000000007000800000000000000c'")
        .await;
    assert_eq!(
        providers(&pool).await,
        pairs(&[
            ("1a", "0a"),
            ("1c", "0c"),
            ("1e", "0e"),
            ("1f", "0e"),
            ("2c", "0c")
        ])
    );
}

/// R1.9, R11.2: a reseller's list takes migration 0027's provider index in name order only;
/// sorted otherwise, or narrowed to one subscriber, it walks that order's index (or the
/// subscriber's) and tests the provider per row, never sorting the provider's whole range.
#[tokio::test]
async fn r1_9_a_providers_list_walks_the_index_of_its_order() {
    use berth_core::account::AccountId;
    use berth_core::hosting::{SubscriptionQuery, SubscriptionScope, SubscriptionSort};
    use berth_store::sql::{SearchPath, subscription_list};

    let (_dir, url, pool) = database_at(22, PROVIDERS).await;
    pool.close().await;
    drop(SqliteStore::connect(&url, Open::MustExist).await.unwrap());
    let pool = SqlitePool::connect(&url).await.unwrap();
    let reseller = SubscriptionScope::ProvidedBy(AccountId(uuid::Uuid::nil()));
    let page = |sort, owner: Option<AccountId>| SubscriptionQuery {
        scope: reseller,
        sort,
        owner,
        ..SubscriptionQuery::every(100)
    };
    let holder = Some(AccountId(uuid::Uuid::nil()));
    for (q, index) in [
        (
            page(SubscriptionSort::Name, None),
            "subscriptions_provider_name_search",
        ),
        (
            page(SubscriptionSort::Created, None),
            "subscriptions_created",
        ),
        (
            page(SubscriptionSort::Name, holder),
            "subscriptions_owner_name",
        ),
        (
            SubscriptionQuery {
                descending: true,
                ..page(SubscriptionSort::Created, None)
            },
            "subscriptions_created",
        ),
    ] {
        let (sql, _) = subscription_list(&q, berth_store_sqlite::DIALECT, SearchPath::Scan);
        let plan = plan_of(&pool, &sql).await;
        assert!(
            plan.contains(&format!("USING INDEX {index}")),
            "{q:?}:\n{plan}"
        );
        // One subscriber's few rows may be ordered by id afterwards; never a whole range.
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY"), "{q:?}:\n{plan}");
    }
}
