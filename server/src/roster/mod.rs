//! The roster (参保人员名册): the insured residents the pension system knows, and the facts the
//! eligibility decision needs about one of them; their SQL is in `storage::residents`.
//! [`rows`] reads the roster CSV one row at a time, [`import`] writes it (all rows or none;
//! `COPY` on PostgreSQL), [`seed`] makes the demo rosters.

pub mod import;
pub mod rows;
pub mod seed;

use std::collections::BTreeSet;

use sqlx::AnyConnection;
use yanglao_shared::{IdNumber, PersonFacts, PersonName, RosterStatus};

use crate::storage::StorageResult;

#[derive(Debug, Clone)]
pub struct Resident {
    pub id: String,
    pub id_number: IdNumber,
    pub name: PersonName,
    pub town: String,
    pub village: String,
    pub severely_disabled: bool,
    pub status: RosterStatus,
}

pub use crate::storage::residents::{by_id, by_id_number, matching, paid_years};

/// The facts the eligibility decision needs about one resident.
pub async fn facts(conn: &mut AnyConnection, resident: &Resident) -> StorageResult<PersonFacts> {
    Ok(facts_with(resident, paid_years(conn, &resident.id).await?))
}

/// The facts about a resident whose paid years were already read.
pub fn facts_with(resident: &Resident, paid_years: BTreeSet<i32>) -> PersonFacts {
    PersonFacts {
        status: resident.status,
        birth_date: resident.id_number.birth_date(),
        severely_disabled: resident.severely_disabled,
        paid_years,
    }
}
