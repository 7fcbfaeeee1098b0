//! Staff roles: 村居协办员 (village assistant, one village of one town), 镇办社会保障服务中心
//! (town center staff, one town) and administrators. Every other account is a resident or
//! payer. Staff accounts are made by the `create-staff` command ([`create`]), never by the API;
//! the [`Staff`] extractor loads the role and [`Staff::area`] keeps each one inside their area.
//! The rules answer with [`ServiceError`]; the rows are in `storage::staff` (and the SQL
//! filter of an [`Area`] in `storage::stats`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde_json::json;
use yanglao_shared::wire::StaffInfo;
use yanglao_shared::MobileNumber;

use crate::accounts::auth::{self, Authed};
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::storage::{self, Db, StorageResult};

/// Staff see other people's data, so their passwords are longer than residents' (8).
pub const MIN_STAFF_PASSWORD: usize = 12;

pub use yanglao_shared::wire::StaffRole as Role;

/// A staff member behind a valid session. A resident's session gets 403 `forbidden`.
#[derive(Debug, Clone)]
pub struct Staff {
    pub account_id: String,
    pub role: Role,
    pub town: Option<String>,
    pub village: Option<String>,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Authed { account_id } = Authed::from_request_parts(parts, state).await?;
        let mut conn = state.db.pool.acquire().await?;
        let info = info(&mut conn, &account_id)
            .await?
            .ok_or(ApiError::Forbidden)?;
        Ok(Self {
            account_id,
            role: info.role,
            town: info.town,
            village: info.village,
        })
    }
}

/// The staff role of an account, if it has one (shown to the app in `GET /me`, and asked when
/// a form arrives from a staff account).
pub async fn info(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
) -> StorageResult<Option<StaffInfo>> {
    storage::staff::load(conn, account_id).await
}

/// The part of the roster a question covers; `None` means every town (or every village).
/// Its SQL filter, `Area::filter`, is written beside the queries in `storage::stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub town: Option<String>,
    pub village: Option<String>,
}

impl Area {
    /// How the audit log names this area.
    pub fn target(&self, year: i32) -> String {
        let any = |v: &Option<String>| v.clone().unwrap_or_else(|| "*".into());
        format!(
            "area:{}/{} year:{year}",
            any(&self.town),
            any(&self.village)
        )
    }
}

impl Staff {
    /// May this member act in `role` on a case of `town`/`village`? Only the named role does
    /// its own step of the notice's division of labour (the village checks, the town enters),
    /// and only inside its own area; everyone else gets 403 `forbidden`.
    pub fn acts_in(&self, role: Role, town: &str, village: &str) -> ServiceResult<()> {
        let in_town = self.town.as_deref() == Some(town);
        let in_village = self.village.as_deref() == Some(village);
        let allowed = self.role == role
            && match role {
                Role::Village => in_town && in_village,
                Role::Town => in_town,
                Role::Admin => true,
            };
        allowed.then_some(()).ok_or(ServiceError::Forbidden)
    }

    /// The area asked about (`town`, `village` from the query), narrowed to this staff member's
    /// own. Asking about anything outside it is refused rather than silently narrowed, so a
    /// screen never shows another village's numbers under the wrong heading.
    pub fn area(&self, town: Option<String>, village: Option<String>) -> ServiceResult<Area> {
        let outside = |asked: &Option<String>, own: &Option<String>| matches!((asked, own), (Some(a), Some(o)) if a != o);
        match self.role {
            Role::Admin => Ok(Area { town, village }),
            Role::Town if outside(&town, &self.town) => Err(ServiceError::Forbidden),
            Role::Town => Ok(Area {
                town: self.town.clone(),
                village,
            }),
            Role::Village if outside(&town, &self.town) || outside(&village, &self.village) => {
                Err(ServiceError::Forbidden)
            }
            Role::Village => Ok(Area {
                town: self.town.clone(),
                village: self.village.clone(),
            }),
        }
    }
}

/// What `create-staff` asks for.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub mobile: String,
    pub password: String,
    pub role: Role,
    pub town: String,
    pub village: Option<String>,
}

/// Creates a staff account (account + role + audit entry in one transaction); returns its id.
/// `actor` names who ran the command, for the audit log.
pub async fn create(db: &Db, new: &NewStaff, actor: &str, now_ms: i64) -> ServiceResult<String> {
    let mobile = MobileNumber::parse(&new.mobile)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    if !auth::password_fits(&new.password, MIN_STAFF_PASSWORD) {
        let message = format!("工作人员密码至少{MIN_STAFF_PASSWORD}位");
        return Err(ServiceError::invalid("password_length", message));
    }
    let town = new.town.trim();
    let village = new.village.as_deref().map(str::trim);
    if town.is_empty() || village == Some("") {
        return Err(ServiceError::invalid(
            "empty_place",
            "镇街、村居名称不能为空",
        ));
    }
    match (new.role, village) {
        (Role::Village, None) => {
            return Err(ServiceError::invalid(
                "village_needed",
                "村居协办员须指定 --village",
            ))
        }
        (Role::Town | Role::Admin, Some(_)) => {
            let message = "只有村居协办员绑定村居（--village）";
            return Err(ServiceError::invalid("village_not_allowed", message));
        }
        _ => {}
    }
    // The command line and the demo, not a request: no async workers to keep free.
    let hash = auth::hash_password(&new.password)?;
    let mut tx = db.begin_write().await?;
    let account_id = storage::accounts::insert(&mut tx, &mobile, &hash, now_ms)
        .await?
        .ok_or_else(|| {
            let message = format!("手机号 {} 已有账户", mobile.as_str());
            ServiceError::conflict("mobile_taken", message)
        })?
        .to_string();
    storage::staff::insert(&mut tx, &account_id, new.role, town, village, now_ms).await?;
    let entry = audit::Entry {
        actor,
        at_ms: now_ms,
        action: "create_staff",
        target: &format!("account:{account_id}"),
        before: None,
        after: Some(json!({
            "mobile": mobile.masked(),
            "role": new.role.as_str(),
            "town": town,
            "village": village,
        })),
    };
    audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(account_id)
}
