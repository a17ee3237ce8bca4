//! The storage conformance suite on SQLite.

use std::sync::Arc;

use async_trait::async_trait;
use berth_store::Store;
use berth_store::conformance::Fixture;
use berth_store_sqlite::{Open, SqliteStore};

struct SqliteFixture {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

#[async_trait]
impl Fixture for SqliteFixture {
    fn store(&self) -> Arc<dyn Store> {
        Arc::new(self.store.clone())
    }

    async fn make_undeletable(&self, login: &str) {
        let sql = format!(
            "CREATE TRIGGER undeletable BEFORE DELETE ON accounts WHEN OLD.login = '{login}' \
             BEGIN SELECT RAISE(ABORT, 'undeletable'); END"
        );
        self.store.execute_raw(&sql).await.unwrap();
    }
}

async fn fresh() -> Option<SqliteFixture> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("berth.db").display());
    let store = SqliteStore::connect(&url, Open::CreateIfMissing)
        .await
        .unwrap();
    Some(SqliteFixture { store, _dir: dir })
}

berth_store::conformance_tests!(fresh);
