//! Migration 0017 on a database that already holds accounts and subscriptions: the trigram
//! tables are filled from the existing keys, so a search finds old rows through them.

use berth_core::account::AccountKind;
use berth_core::query::{AccountQuery, AccountSort};
use berth_store::Store;
use berth_store_sqlite::{Open, SqliteStore};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;

#[tokio::test]
async fn r1_9_migration_0017_indexes_existing_search_keys() {
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
        .run_to(15, &pool)
        .await
        .unwrap();
    sqlx::raw_sql(
        "INSERT INTO accounts (id, kind, login, owner_id, password_hash, name, name_key, email, \
         email_key, locale, search_key, created_at, updated_at) VALUES \
         (X'0190000000007000800000000000000a', 'admin', 'admin', NULL, 'x', 'Admin', 'admin', \
          'a@example.com', 'a@example.com', 'en-US', 'admin', 1, 1), \
         (X'0190000000007000800000000000000c', 'customer', 'quixote', \
          X'0190000000007000800000000000000a', 'x', 'Q', 'q', 'q@example.com', 'q@example.com', \
          'en-US', 'quixote' || char(10) || 'zebulon', 1, 1); \
         INSERT INTO subscriptions (id, name, name_key, owner_id, sync_state, props, system_user, \
         system_password_hash, created_at, updated_at) VALUES \
         (X'0190000000007000800000000000000b', 'xn--caf-dma.example', 'café.example', \
          X'0190000000007000800000000000000c', 'synced', '{}', 'cafe', 'x', 5, 6);",
    )
    .execute(&pool)
    .await
    .unwrap();

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

    let mut tx = store.read().await.unwrap();
    let found = tx
        .list_accounts(&AccountQuery {
            kind: AccountKind::Customer,
            owner: None,
            status: None,
            search: Some("zebulon".into()),
            sort: AccountSort::default(),
            after: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].login.as_str(), "quixote");
}
