//! Migration 0005 on a database that already holds subscriptions: their main domains enter
//! the domain registry (R7.1), and the default DNS template is there.

use berth_core::dns::default_template;
use berth_core::site::DomainKind;
use berth_store::Store;
use berth_store_postgres::PostgresStore;
use berth_store_postgres::testing::fresh_database;
use sqlx::postgres::PgPoolOptions;

#[tokio::test]
async fn r7_1_migration_0005_registers_existing_main_domains() {
    let Some(db) = fresh_database().await else {
        return;
    };
    let pool = PgPoolOptions::new().connect(&db.url).await.unwrap();
    sqlx::migrate!("./migrations")
        .run_to(4, &pool)
        .await
        .unwrap();
    sqlx::raw_sql(
        "INSERT INTO accounts (id, kind, login, password_hash, name, name_key, email, email_key, \
         locale, search_key, created_at, updated_at) VALUES \
         ('01900000-0000-7000-8000-00000000000a', 'admin', 'admin', 'x', 'Admin', 'admin', \
          'a@example.com', 'a@example.com', 'en-US', '', now(), now()); \
         INSERT INTO subscriptions (id, name, name_key, owner_id, sync_state, props, system_user, \
         system_password_hash, created_at, updated_at) VALUES \
         ('01900000-0000-7000-8000-00000000000b', 'xn--caf-dma.example', 'café.example', \
          '01900000-0000-7000-8000-00000000000a', 'synced', '{}', 'cafe', 'x', \
          '2026-01-31T12:00:00Z', '2026-01-31T12:00:01Z');",
    )
    .execute(&pool)
    .await
    .unwrap();
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
