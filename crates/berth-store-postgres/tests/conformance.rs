//! The storage conformance suite on PostgreSQL (a fresh database per case).

use std::sync::Arc;

use async_trait::async_trait;
use berth_store::Store;
use berth_store::conformance::Fixture;
use berth_store_postgres::PostgresStore;
use berth_store_postgres::testing::{TestDatabase, fresh_database};

struct PostgresFixture {
    store: PostgresStore,
    _db: TestDatabase,
}

#[async_trait]
impl Fixture for PostgresFixture {
    fn store(&self) -> Arc<dyn Store> {
        Arc::new(self.store.clone())
    }

    async fn make_undeletable(&self, login: &str) {
        let sql = format!(
            "CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'undeletable'; END $$; \
             CREATE TRIGGER undeletable BEFORE DELETE ON accounts FOR EACH ROW \
             WHEN (OLD.login = '{login}') EXECUTE FUNCTION refuse_delete();"
        );
        self.store.execute_raw(&sql).await.unwrap();
    }
}

async fn fresh() -> Option<PostgresFixture> {
    let db = fresh_database().await?;
    let store = PostgresStore::connect(&db.url).await.unwrap();
    Some(PostgresFixture { store, _db: db })
}

berth_store::conformance_tests!(fresh);
