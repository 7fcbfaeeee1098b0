//! The places (镇街 towns, 村居 villages) the server knows: those of roster records and of
//! village assistants. There is no table of places: a place exists because someone lives or
//! works there, so a new roster import or a new assistant brings their village with them.

use sqlx::{AnyConnection, Row};
use yanglao_shared::wire::Place;

use crate::storage::{Db, StorageResult};

const KNOWN: &str = "SELECT town, village FROM residents \
    UNION SELECT town, village FROM staff WHERE village IS NOT NULL";

/// Every known town with its villages, both in order.
pub async fn known(db: &Db) -> StorageResult<Vec<Place>> {
    let sql = format!("SELECT town, village FROM ({KNOWN}) p ORDER BY town, village");
    let rows = sqlx::query(&sql).fetch_all(&db.pool).await?;
    let mut places: Vec<Place> = Vec::new();
    for row in rows {
        let (town, village): (String, String) = (row.try_get("town")?, row.try_get("village")?);
        match places.last_mut() {
            Some(last) if last.town == town => last.villages.push(village),
            _ => places.push(Place {
                town,
                villages: vec![village],
            }),
        }
    }
    Ok(places)
}

/// Whether some roster record or staff member has this town and village.
pub async fn is_known(conn: &mut AnyConnection, town: &str, village: &str) -> StorageResult<bool> {
    let sql = format!("SELECT COUNT(*) FROM ({KNOWN}) p WHERE town = $1 AND village = $2");
    let n: i64 = sqlx::query_scalar(&sql)
        .bind(town)
        .bind(village)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}
