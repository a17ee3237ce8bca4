//! Health of the application, for `GET /healthz` and monitoring.

use berth_core::Result;

use crate::Berth;

impl Berth {
    /// Whether the database answers: opens a read transaction and runs one query in it.
    pub async fn ping(&self) -> Result<()> {
        let mut tx = self.store.read().await?;
        tx.is_initialized().await?;
        Ok(())
    }
}
