//! Staff roles: 村居协办员 (village assistant, one village of one town), 镇办社会保障服务中心
//! (town center staff, one town) and administrators. Every other account is a resident or
//! payer. Staff accounts are made by the `create-staff` command ([`create`]), never by the API;
//! the [`Staff`] extractor loads the role and [`Staff::area`] keeps each one inside their area.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde_json::json;
use sqlx::Row;
use yanglao_shared::MobileNumber;

use crate::accounts::account;
use crate::accounts::auth::{self, Authed};
use crate::app::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::staff::audit;
use crate::storage::Db;

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

/// The staff role of an account, if it has one (shown to the app in `GET /me`).
pub async fn info(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
) -> ApiResult<Option<yanglao_shared::wire::StaffInfo>> {
    let Some(row) = sqlx::query("SELECT role, town, village FROM staff WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    let role: String = row.try_get("role")?;
    Ok(Some(yanglao_shared::wire::StaffInfo {
        role: Role::parse(&role)
            .ok_or_else(|| ApiError::Internal(format!("unknown staff role {role}")))?,
        town: row.try_get("town")?,
        village: row.try_get("village")?,
    }))
}

/// The part of the roster a question covers; `None` means every town (or every village).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub town: Option<String>,
    pub village: Option<String>,
}

impl Area {
    /// ` AND {table}.town = $n ...` for a table (or alias) with `town` and `village` columns,
    /// with the values to bind in order, parameters numbered from `first`.
    pub fn filter(&self, table: &str, first: usize) -> (String, Vec<String>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        for (column, value) in [("town", &self.town), ("village", &self.village)] {
            if let Some(value) = value {
                sql.push_str(&format!(
                    " AND {table}.{column} = ${}",
                    first + values.len()
                ));
                values.push(value.clone());
            }
        }
        (sql, values)
    }

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
    pub fn acts_in(&self, role: Role, town: &str, village: &str) -> ApiResult<()> {
        let in_town = self.town.as_deref() == Some(town);
        let in_village = self.village.as_deref() == Some(village);
        let allowed = self.role == role
            && match role {
                Role::Village => in_town && in_village,
                Role::Town => in_town,
                Role::Admin => true,
            };
        allowed.then_some(()).ok_or(ApiError::Forbidden)
    }

    /// The area asked about (`town`, `village` from the query), narrowed to this staff member's
    /// own. Asking about anything outside it is refused rather than silently narrowed, so a
    /// screen never shows another village's numbers under the wrong heading.
    pub fn area(&self, town: Option<String>, village: Option<String>) -> ApiResult<Area> {
        let outside = |asked: &Option<String>, own: &Option<String>| matches!((asked, own), (Some(a), Some(o)) if a != o);
        match self.role {
            Role::Admin => Ok(Area { town, village }),
            Role::Town if outside(&town, &self.town) => Err(ApiError::Forbidden),
            Role::Town => Ok(Area {
                town: self.town.clone(),
                village,
            }),
            Role::Village if outside(&town, &self.town) || outside(&village, &self.village) => {
                Err(ApiError::Forbidden)
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
pub async fn create(db: &Db, new: &NewStaff, actor: &str, now_ms: i64) -> Result<String, String> {
    let mobile = MobileNumber::parse(&new.mobile).map_err(|e| e.to_string())?;
    if !account::password_fits(&new.password, MIN_STAFF_PASSWORD) {
        return Err(format!("工作人员密码至少{MIN_STAFF_PASSWORD}位"));
    }
    let town = new.town.trim();
    let village = new.village.as_deref().map(str::trim);
    if town.is_empty() || village == Some("") {
        return Err("镇街、村居名称不能为空".into());
    }
    match (new.role, village) {
        (Role::Village, None) => return Err("村居协办员须指定 --village".into()),
        (Role::Town | Role::Admin, Some(_)) => {
            return Err("只有村居协办员绑定村居（--village）".into())
        }
        _ => {}
    }
    let hash = auth::hash_password(&new.password).map_err(|e| e.to_string())?;
    let database = |e: sqlx::Error| format!("database: {e}");
    let mut tx = db.begin_write().await.map_err(database)?;
    let account_id = account::insert(&mut tx, &mobile, &hash, now_ms)
        .await
        .map_err(database)?
        .ok_or_else(|| format!("手机号 {} 已有账户", mobile.as_str()))?
        .to_string();
    sqlx::query(
        "INSERT INTO staff (account_id, role, town, village, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&account_id)
    .bind(new.role.as_str())
    .bind(town)
    .bind(village)
    .bind(now_ms)
    .execute(&mut **tx)
    .await
    .map_err(database)?;
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
    audit::record(&mut tx, &entry).await.map_err(database)?;
    tx.commit().await.map_err(database)?;
    Ok(account_id)
}
