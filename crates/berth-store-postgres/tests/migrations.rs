//! Migrations on databases that already hold data: what each one fills in from the rows
//! written before it.

use berth_core::dns::default_template;
use berth_core::site::DomainKind;
use berth_core::status::Status;
use berth_store::Store;
use berth_store::conformance::with_status;
use berth_store_postgres::PostgresStore;
use berth_store_postgres::testing::TestDatabase;
use berth_store_postgres::testing::fresh_database;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

/// Seeds' common start: the admin account (`…0a`) and the head of an insert of subscriptions
/// it owns (each seed adds its rows).
const ADMIN_AND_SUBSCRIPTIONS: &str = "INSERT INTO accounts (id, kind, login, password_hash, \
     name, name_key, email, email_key, locale, search_key, created_at, updated_at) VALUES \
     ('01900000-0000-7000-8000-00000000000a', 'admin', 'admin', 'x', 'Admin', 'admin', \
      'a@example.com', 'a@example.com', 'en-US', '', now(), now()); \
     INSERT INTO subscriptions (id, name, name_key, owner_id, sync_state, props, system_user, \
     system_password_hash, created_at, updated_at) VALUES ";

/// A new database migrated up to `version` and holding `seed`, with its pool; `None` when
/// PostgreSQL is unreachable.
async fn database_at(version: i64, seed: &str) -> Option<(TestDatabase, PgPool)> {
    let db = fresh_database().await?;
    let pool = PgPoolOptions::new().connect(&db.url).await.unwrap();
    sqlx::migrate!("./migrations")
        .run_to(version, &pool)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(seed.to_owned()))
        .execute(&pool)
        .await
        .unwrap();
    Some((db, pool))
}

#[tokio::test]
async fn r7_1_migration_0005_registers_existing_main_domains() {
    let Some((db, pool)) = database_at(
        4,
        &[
            ADMIN_AND_SUBSCRIPTIONS,
            "('01900000-0000-7000-8000-00000000000b', 'xn--caf-dma.example', 'café.example', \
          '01900000-0000-7000-8000-00000000000a', 'synced', '{}', 'cafe', 'x', \
          '2026-01-31T12:00:00Z', '2026-01-31T12:00:01Z');",
        ]
        .concat(),
    )
    .await
    else {
        return;
    };
    pool.close().await;

    let store = PostgresStore::connect(&db.url).await.unwrap();
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
    assert_eq!(main.created_at.to_rfc3339(), "2026-01-31T12:00:00+00:00");
    assert_eq!(tx.dns_template().await.unwrap(), default_template());
    assert_eq!(tx.zone(main.id).await.unwrap(), None, "built on first use");
    drop(tx);
    drop(store);
}

#[tokio::test]
async fn r5_1_migration_0016_lists_subscriptions_suspended_before_it() {
    let Some((db, pool)) = database_at(
        15,
        &[
            ADMIN_AND_SUBSCRIPTIONS,
            "('01900000-0000-7000-8000-00000000000b', 'xn--caf-dma.example', 'café.example', \
          '01900000-0000-7000-8000-00000000000a', 'synced', '{}', 'cafe', 'x', now(), now()), \
         ('01900000-0000-7000-8000-00000000000d', 'shop.example', 'shop.example', \
          '01900000-0000-7000-8000-00000000000a', 'synced', '{}', 'shop', 'x', now(), now()); \
         INSERT INTO subscription_suspensions (subscription_id, reason, by_account_id, at) VALUES \
         ('01900000-0000-7000-8000-00000000000b', 'admin', NULL, now()), \
         ('01900000-0000-7000-8000-00000000000b', 'expired', NULL, now());",
        ]
        .concat(),
    )
    .await
    else {
        return;
    };
    pool.close().await;

    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(PostgresStore::connect(&db.url).await.unwrap());
    assert_eq!(
        with_status(&store, Some(Status::Suspended)).await,
        ["xn--caf-dma.example"]
    );
    assert_eq!(
        with_status(&store, Some(Status::Active)).await,
        ["shop.example"]
    );
    drop(store);
}

#[tokio::test]
async fn r10_9_migration_0021_keeps_every_field_change_in_order() {
    let Some((db, pool)) = database_at(
        20,
        "INSERT INTO audit_log (id, at, actor_id, actor_login, request_id, interface, action, \
         status) VALUES ('01900000-0000-7000-8000-00000000000e', now(), \
         '01900000-0000-7000-8000-00000000000a', 'admin', 'r1', 'cli', 'customer update', 200); \
         INSERT INTO audit_changes (entry_id, seq, object, field, before_value, after_value) \
         VALUES \
         ('01900000-0000-7000-8000-00000000000e', 0, 'customer bob', 'email', 'a@x', 'b@x'), \
         ('01900000-0000-7000-8000-00000000000e', 1, 'customer bob', 'name', NULL, 'Bob'), \
         ('01900000-0000-7000-8000-00000000000e', 2, 'plan Gold', 'max_dom', '1', NULL), \
         ('01900000-0000-7000-8000-00000000000e', 3, 'customer bob', 'city', 'Paris', 'Lyon');",
    )
    .await
    else {
        return;
    };

    let store = PostgresStore::connect(&db.url).await.unwrap();
    berth_store::conformance::assert_changes_seeded_before_0021_read_back(&store).await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_changes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 3, "one row per run of changes to one object");
}

#[tokio::test]
async fn r1_9_migration_0024_answers_the_customer_search_ids_from_the_index_alone() {
    let Some((db, pool)) = database_at(
        23,
        "INSERT INTO accounts (id, kind, login, owner_id, password_hash, name, name_key, email, \
         email_key, locale, search_key, created_at, updated_at) VALUES \
         ('01900000-0000-7000-8000-00000000000a', 'admin', 'admin', NULL, 'x', 'Admin', 'admin', \
          'a@example.com', 'a@example.com', 'en-US', 'admin', now(), now()), \
         ('01900000-0000-7000-8000-00000000000c', 'customer', 'quixote', \
          '01900000-0000-7000-8000-00000000000a', 'x', 'Q', 'q', 'q@example.com', \
          'q@example.com', 'en-US', E'quixote\\nzebulon', now(), now()), \
         ('01900000-0000-7000-8000-00000000000d', 'customer', 'sancho', \
          '01900000-0000-7000-8000-00000000000a', 'x', 'S', 's', 's@example.com', \
          's@example.com', 'en-US', E'sancho\\npanza', now(), now());",
    )
    .await
    else {
        return;
    };

    let store = PostgresStore::connect(&db.url).await.unwrap();
    // The id-only queries of `sql::account_list` (a search in login order), as the admin and
    // within an owner's accounts: with scans of the table ruled out, as on a large one, each
    // is an index-only scan of the new indexes, which test `search_key` without the rows.
    let mut conn = pool.acquire().await.unwrap();
    for setup in [
        "VACUUM ANALYZE accounts",
        "SET enable_seqscan = off",
        "SET enable_bitmapscan = off",
    ] {
        sqlx::raw_sql(setup).execute(&mut *conn).await.unwrap();
    }
    let customers = "SELECT a.id FROM accounts a WHERE a.kind = 'customer' \
         AND a.search_key LIKE '%ze%' ESCAPE '\\' ORDER BY a.login COLLATE \"C\" ASC, a.id ASC \
         LIMIT 10";
    let owned = "SELECT a.id FROM accounts a WHERE a.kind = 'customer' \
         AND a.owner_id = '01900000-0000-7000-8000-00000000000a' \
         AND a.search_key LIKE '%ze%' ESCAPE '\\' \
         ORDER BY a.login COLLATE \"C\" DESC, a.id DESC LIMIT 10";
    for (sql, index) in [
        (
            customers,
            "Index Only Scan using accounts_kind_login_search",
        ),
        (
            owned,
            "Index Only Scan Backward using accounts_owner_kind_login_search",
        ),
    ] {
        let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let plan = plan.join("\n");
        assert!(plan.contains(index), "{sql}:\n{plan}");
        assert!(!plan.contains("Sort"), "{sql}:\n{plan}");
    }
    drop(conn);

    // The rows written before the migration are found through the new indexes.
    let mut tx = store.read().await.unwrap();
    let found = tx
        .list_accounts(&berth_core::query::AccountQuery {
            kind: berth_core::account::AccountKind::Customer,
            owner: None,
            status: None,
            search: Some("ze".into()),
            sort: Default::default(),
            after: None,
            limit: 10,
        })
        .await
        .unwrap();
    let logins: Vec<&str> = found.iter().map(|a| a.login.as_str()).collect();
    assert_eq!(logins, ["quixote"]);
}

/// R5.1, migration 0026: two writers that insert reasons with plain SQL — neither taking the
/// suspension writers' lock first, as the store does — on the same subscription at once
/// both succeed, and it is listed once. The trigger takes the lock before the statement
/// that lists the subscription, so the second one's new snapshot sees the first one's
/// listing instead of failing on the primary key of `suspended_subscriptions`.
#[tokio::test]
async fn r5_1_migration_0026_lists_a_subscription_once_under_concurrent_raw_writers() {
    let Some((_db, pool)) = database_at(
        26,
        &[
            ADMIN_AND_SUBSCRIPTIONS,
            "('01900000-0000-7000-8000-00000000000b', 'shop.example', 'shop.example', \
          '01900000-0000-7000-8000-00000000000a', 'synced', '{}', 'shop', 'x', now(), now());",
        ]
        .concat(),
    )
    .await
    else {
        return;
    };
    let insert = |reason: &str| {
        format!(
            "INSERT INTO subscription_suspensions (subscription_id, reason, by_account_id, at) \
             VALUES ('01900000-0000-7000-8000-00000000000b', '{reason}', NULL, now())"
        )
    };
    let mut first = pool.begin().await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(insert("admin")))
        .execute(&mut *first)
        .await
        .unwrap();
    let second = tokio::spawn({
        let (pool, sql) = (pool.clone(), insert("expired"));
        async move {
            let mut tx = pool.begin().await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    first.commit().await.unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), second)
        .await
        .expect("the second writer finishes once the first commits")
        .unwrap()
        .expect("the second writer succeeds");
    let listed: Vec<(String,)> = sqlx::query_as("SELECT name FROM suspended_subscriptions")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(listed, [("shop.example".to_owned(),)]);
}

/// R5.1, migration 0026: the store and the trigger take one and the same lock — the key the
/// store's statement names is the one the trigger takes.
#[test]
fn r5_1_the_store_and_the_trigger_take_the_same_suspension_lock() {
    let trigger = include_str!("../migrations/0026_suspension_writers_lock.sql");
    let call = berth_store::sql::SUSPENSION_LOCK
        .strip_prefix("SELECT ")
        .unwrap();
    assert!(trigger.contains(&format!("PERFORM {call};")), "{call}");
}

/// Reseller `…0e`, its customer `…0c` and the admin's customer `…0f` (after
/// [`ADMIN_AND_SUBSCRIPTIONS`]'s admin `…0a`), each of the four holding one subscription
/// (`…1a`, `…1e`, `…1c`, `…1f`), as written before migration 0027.
const PROVIDERS: &str = "INSERT INTO accounts (id, kind, login, owner_id, password_hash, \
     name, name_key, email, email_key, locale, search_key, created_at, updated_at) VALUES \
     ('01900000-0000-7000-8000-00000000000a', 'admin', 'admin', NULL, 'x', 'A', 'a', \
      'a@example.com', 'a@example.com', 'en-US', '', now(), now()), \
     ('01900000-0000-7000-8000-00000000000e', 'reseller', 'r', \
      '01900000-0000-7000-8000-00000000000a', 'x', 'R', 'r', 'r@example.com', 'r@example.com', \
      'en-US', '', now(), now()), \
     ('01900000-0000-7000-8000-00000000000c', 'customer', 'c', \
      '01900000-0000-7000-8000-00000000000e', 'x', 'C', 'c', 'c@example.com', 'c@example.com', \
      'en-US', '', now(), now()), \
     ('01900000-0000-7000-8000-00000000000f', 'customer', 'd', \
      '01900000-0000-7000-8000-00000000000a', 'x', 'D', 'd', 'd@example.com', 'd@example.com', \
      'en-US', '', now(), now()); \
     INSERT INTO subscriptions (id, name, name_key, owner_id, sync_state, props, system_user, \
     system_password_hash, created_at, updated_at) VALUES \
     ('01900000-0000-7000-8000-00000000001a', 'a.example', 'a.example', \
      '01900000-0000-7000-8000-00000000000a', 'synced', '{}', 'a', 'x', now(), now()), \
     ('01900000-0000-7000-8000-00000000001e', 'e.example', 'e.example', \
      '01900000-0000-7000-8000-00000000000e', 'synced', '{}', 'e', 'x', now(), now()), \
     ('01900000-0000-7000-8000-00000000001c', 'c.example', 'c.example', \
      '01900000-0000-7000-8000-00000000000c', 'synced', '{}', 'c', 'x', now(), now()), \
     ('01900000-0000-7000-8000-00000000001f', 'f.example', 'f.example', \
      '01900000-0000-7000-8000-00000000000f', 'synced', '{}', 'f', 'x', now(), now());";

/// Each subscription's id and provider, as their last byte in hex, by id.
async fn providers(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT right(id::text, 2), right(provider_id::text, 2) FROM subscriptions ORDER BY id",
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
    let Some((db, pool)) = database_at(26, PROVIDERS).await else {
        return;
    };
    sqlx::migrate!("./migrations").run(&pool).await.unwrap();
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
    // A raw insert gets its provider from the trigger (the column is NOT NULL).
    run(
        "INSERT INTO subscriptions (id, name, name_key, owner_id, sync_state, props, \
         system_user, system_password_hash, created_at, updated_at) VALUES \
         ('01900000-0000-7000-8000-00000000002c', 'c2.example', 'c2.example', \
          '01900000-0000-7000-8000-00000000000c', 'synced', '{}', 'c2', 'x', now(), now())",
    )
    .await;
    assert_eq!(
        providers(&pool).await.last().unwrap(),
        &pairs(&[("2c", "0e")])[0]
    );
    // The customer moves to the admin: both of its subscriptions follow.
    run(
        "UPDATE accounts SET owner_id = '01900000-0000-7000-8000-00000000000a' \
         WHERE id = '01900000-0000-7000-8000-00000000000c'",
    )
    .await;
    // The admin's customer's subscription goes to the reseller.
    run(
        "UPDATE subscriptions SET owner_id = '01900000-0000-7000-8000-00000000000e' \
         WHERE id = '01900000-0000-7000-8000-00000000001f'",
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
    run("UPDATE accounts SET kind = 'reseller' WHERE id = '01900000-0000-7000-8000-00000000000c'")
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
    pool.close().await;
    drop(db);
}
