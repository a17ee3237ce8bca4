//! Both backends for service tests: every test runs once on SQLite and once on PostgreSQL.

use std::sync::Arc;

use berth_app::Berth;
use berth_core::clock::FixedClock;
use berth_store_postgres::PostgresStore;
use berth_store_postgres::testing::{TestDatabase, fresh_database};
use berth_store_sqlite::{Open, SqliteStore};
use chrono::{TimeZone, Utc};

/// A fresh, initialized application and what keeps its database alive.
pub struct Env {
    pub app: Berth,
    _keep: Keep,
}

#[allow(dead_code)]
enum Keep {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

/// The admin password every test environment starts with.
pub const ADMIN_PASSWORD: &str = "admin-pass-123";

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
    ))
}

async fn initialized(app: Berth, keep: Keep) -> Env {
    app.init(Some(ADMIN_PASSWORD), "admin@example.com")
        .await
        .unwrap();
    Env { app, _keep: keep }
}

pub async fn sqlite() -> Option<Env> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("berth.db").display());
    let store = SqliteStore::connect(&url, Open::CreateIfMissing)
        .await
        .unwrap();
    Some(initialized(Berth::new(Arc::new(store), clock()), Keep::Sqlite(dir)).await)
}

pub async fn postgres() -> Option<Env> {
    let db = fresh_database().await?;
    let store = PostgresStore::connect(&db.url).await.unwrap();
    Some(initialized(Berth::new(Arc::new(store), clock()), Keep::Postgres(db)).await)
}

/// Declares each listed `async fn name(env: Env)` as two tests, `sqlite::name` and
/// `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(env) = $crate::common::sqlite().await else { return };
                    super::$name(env).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(env) = $crate::common::postgres().await else { return };
                    super::$name(env).await;
                }
            )*
        }
    };
}
