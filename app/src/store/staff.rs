//! What the 工作台 keeps on the phone for a weak network: the last statistics per year and the
//! last unpaid list, each with the server time it was loaded. Both are the area's names and
//! figures, so [`Store::log_out`] forgets them (a village office may share one phone), and so
//! does a login of another account.

use super::idb::TransactionMode;
use super::{keys, Result, Store, KV};
use crate::staff::{CachedList, CachedStats, StatsCache};

impl Store {
    pub async fn staff_stats(&self) -> Result<StatsCache> {
        Ok(self.get(keys::STAFF_STATS).await?.unwrap_or_default())
    }

    /// Keeps freshly loaded statistics as their year's latest (read and written in one
    /// transaction, so two tabs loading at once do not drop each other's year).
    pub async fn remember_stats(&self, fresh: CachedStats) -> Result<StatsCache> {
        let tx = self.tx(&[KV], TransactionMode::Readwrite)?;
        let mut cache: StatsCache = Self::read_kv(&tx, keys::STAFF_STATS)
            .await?
            .unwrap_or_default();
        cache.remember(fresh);
        Self::write(&tx, KV, keys::STAFF_STATS, &cache)?;
        tx.commit().await?;
        Ok(cache)
    }

    /// Keeps the unpaid list as loaded so far (each page that comes replaces the whole).
    pub async fn remember_unpaid(&self, list: &CachedList) -> Result<()> {
        self.set(keys::STAFF_UNPAID, list).await
    }

    /// The last unpaid list kept on this phone, if any.
    pub async fn unpaid_list(&self) -> Result<Option<CachedList>> {
        self.get(keys::STAFF_UNPAID).await
    }
}
