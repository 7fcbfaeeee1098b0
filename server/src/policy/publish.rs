//! Publishing a policy table: validated as a whole (the shared crate's checks, then this
//! server's: its region, a first day in force that is today or later and within the years it
//! covers), stored as the next version and audited in one transaction. A version never changes
//! a payment already made: a payment keeps the version that decided it (`intents.policy_version`).
//! Used by `POST /admin/policies` and by `yanglao-server policy import`.

use serde_json::json;
use time::OffsetDateTime;
use yanglao_shared::policy::PolicyVersion;
use yanglao_shared::window::cst_date;
use yanglao_shared::PolicyTable;

use crate::clock::from_ms;
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::storage::policies::{self, StoredVersion};
use crate::storage::Db;
use yanglao_shared::window::parse_day;

/// What a publisher sends: the document (JSON text, as in `shared/policies/`) and its first day.
#[derive(Debug, Clone)]
pub struct Publication<'a> {
    pub document: &'a str,
    /// `YYYY-MM-DD`, China Standard Time.
    pub effective_from: &'a str,
}

/// Checks `p` for a server of `region` at `now`; the table and the first day on success.
pub fn check(
    region: &str,
    now: OffsetDateTime,
    p: &Publication<'_>,
) -> ServiceResult<(PolicyTable, time::Date)> {
    let effective_from = parse_day(p.effective_from).ok_or_else(|| {
        ServiceError::invalid(
            "bad_date",
            format!(
                "生效日期格式应为 YYYY-MM-DD，例如 2027-01-01：{}",
                p.effective_from
            ),
        )
    })?;
    let table = PolicyTable::from_json(p.document)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    if let Some(other) = table.policies.iter().find(|p| p.region_code != region) {
        return Err(ServiceError::invalid(
            "policy_wrong_region",
            format!(
                "政策“{}”是地区 {} 的，本服务器服务的是地区 {region}",
                other.id, other.region_code
            ),
        ));
    }
    let today = cst_date(now);
    if effective_from < today {
        return Err(ServiceError::invalid(
            "policy_effective_past",
            format!(
                "生效日期 {effective_from} 早于今天（{today}）：已发生的缴费不能按新政策重算，请填今天或以后的日期"
            ),
        ));
    }
    let open = table.policies.iter().any(|p| p.to_year.is_none());
    let last = table.policies.iter().filter_map(|p| p.to_year).max();
    if let (false, Some(last)) = (open, last) {
        if effective_from.year() > last {
            return Err(ServiceError::invalid(
                "policy_effective_after_years",
                format!(
                    "生效日期 {effective_from} 晚于政策覆盖的最后一年 {last} 年，这份政策不会用到"
                ),
            ));
        }
    }
    Ok((table, effective_from))
}

/// Checks, stores and audits `p` as the next version, published by `actor` (a staff account
/// id, or `cli:<user>`).
pub async fn publish(
    db: &Db,
    region: &str,
    now: OffsetDateTime,
    actor: &str,
    p: &Publication<'_>,
) -> ServiceResult<PolicyVersion> {
    let (table, effective_from) = check(region, now, p)?;
    let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    let stored = StoredVersion {
        version: 0,
        region_code: region.to_owned(),
        effective_from: effective_from.to_string(),
        years: table.years(),
        document: p.document.to_owned(),
        published_by: actor.to_owned(),
        published_at_ms: now_ms,
    };
    let mut tx = db.begin_write().await?;
    tx.serialize("policy_versions").await?;
    let number = policies::insert_next(&mut tx, &stored).await?;
    let ids: Vec<&str> = table.policies.iter().map(|p| p.id.as_str()).collect();
    let after = json!({
        "version": number,
        "region": region,
        "effective_from": stored.effective_from,
        "years": stored.years,
        "policies": ids,
        "all_confirmed": table.policies.iter().all(|p| p.all_confirmed()),
    });
    let target = format!("policy_version:{number}");
    audit::commit_change(
        tx,
        actor,
        now_ms,
        "policy.publish",
        &target,
        None,
        Some(after),
    )
    .await?;
    Ok(PolicyVersion {
        number: u32::try_from(number).map_err(|_| ServiceError::Internal("version".into()))?,
        effective_from,
        published_by: Some(actor.to_owned()),
        published_at: Some(from_ms(now_ms)),
        years: stored.years,
    })
}
