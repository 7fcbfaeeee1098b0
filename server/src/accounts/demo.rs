//! The demo the README's main command starts: a made-up Wendeng roster, a ready account (two
//! people to pay for and a sandbox card), so a newcomer can pay within a minute, and two staff
//! accounts (a village assistant and their town center) to try 参保登记 and 补缴 review.
//! Every demo resident has a made-up mobile number on the roster, the first one the demo
//! account's own, so 我的参保记录 can be claimed with a code from the sandbox SMS gateway.

use uuid::Uuid;
use yanglao_shared::MobileNumber;

use crate::accounts::auth::hash_password;
use crate::gateway::sandbox::{bank_of, test_cards, token_for};
use crate::roster;
use crate::roster::seed::{self, NewResident};
use crate::service::{with_causes, ServiceError, ServiceResult};
use crate::staff::roles::{self, NewStaff, Role};
use crate::storage::methods::NewMethod;
use crate::storage::payees::Payee;
use crate::storage::{self, Db};

pub const DEMO_MOBILE: &str = "13800138000";
pub const DEMO_PASSWORD: &str = "yanglao2026";
/// Staff passwords need 12 characters or more.
pub const DEMO_STAFF_PASSWORD: &str = "yanglao-staff";
pub const DEMO_VILLAGE_MOBILE: &str = "13900000001";
pub const DEMO_TOWN_MOBILE: &str = "13900000002";

pub struct DemoSummary {
    pub created_roster: bool,
    pub residents: usize,
    /// Residents not yet on the demo account, to try adding by name and ID number.
    pub samples: Vec<NewResident>,
    /// The demo account's own roster record (its mobile is the account's): the one to claim.
    pub me: Option<NewResident>,
    /// Town and village of the demo staff (those of the first sample person), when they
    /// exist: they are made only along with the demo roster, never on a real one.
    pub staff_area: Option<(String, String)>,
}

/// Idempotent: a second run finds everything in place and changes nothing. The error is a
/// sentence for the terminal.
pub async fn seed(db: &Db, size: usize, year: i32, now_ms: i64) -> Result<DemoSummary, String> {
    make(db, size, year, now_ms)
        .await
        .map_err(|e| with_causes(&e))
}

async fn make(db: &Db, size: usize, year: i32, now_ms: i64) -> ServiceResult<DemoSummary> {
    let rows = seed::demo(size, year);
    let existing = storage::stats::roster_size(&mut *db.pool.acquire().await?).await?;
    let created_roster = existing == 0;
    if created_roster {
        seed::insert_all(db, yanglao_shared::policy::DEFAULT_REGION, &rows, now_ms)
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
    }
    if created_roster || demo_staff_exist(db).await? {
        seed_mobiles(db, &rows, now_ms).await?;
    }
    seed_account(db, &rows[..2.min(rows.len())], now_ms).await?;
    let area = rows
        .get(2)
        .or(rows.first())
        .map(|r| (r.town.clone(), r.village.clone()));
    let staff_area = match area {
        Some(area) if created_roster => {
            seed_staff(db, &area, now_ms).await?;
            Some(area)
        }
        Some(area) if demo_staff_exist(db).await? => Some(area),
        _ => None,
    };
    Ok(DemoSummary {
        created_roster,
        residents: if created_roster {
            rows.len()
        } else {
            existing as usize
        },
        me: rows.first().cloned(),
        samples: rows.into_iter().skip(2).take(4).collect(),
        staff_area,
    })
}

/// The demo roster's made-up mobile numbers: the demo account's for the first resident, then
/// 137 5000 0001, 137 5000 0002, … (a demo roster made before mobiles were kept gets them too).
pub fn demo_mobile(index: usize) -> MobileNumber {
    let text = match index {
        0 => DEMO_MOBILE.to_owned(),
        i => format!("1375{:07}", i % 10_000_000),
    };
    MobileNumber::parse(&text).expect("demo mobiles are valid")
}

async fn seed_mobiles(db: &Db, rows: &[NewResident], now_ms: i64) -> ServiceResult<()> {
    let mut tx = db.begin_write().await?;
    for (i, row) in rows.iter().enumerate() {
        let Some(resident) = roster::by_id_number(&mut tx, &row.id_number).await? else {
            continue;
        };
        if storage::roster_mobiles::of(&mut tx, &resident.id)
            .await?
            .is_none()
        {
            storage::roster_mobiles::set(&mut tx, &resident.id, &demo_mobile(i), now_ms).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn demo_staff_exist(db: &Db) -> ServiceResult<bool> {
    let mut conn = db.pool.acquire().await?;
    Ok(storage::staff::is_staff_mobile(&mut conn, DEMO_VILLAGE_MOBILE).await?)
}

async fn seed_staff(db: &Db, (town, village): &(String, String), now_ms: i64) -> ServiceResult<()> {
    let staff = [
        (DEMO_VILLAGE_MOBILE, Role::Village, Some(village.clone())),
        (DEMO_TOWN_MOBILE, Role::Town, None),
    ];
    for (mobile, role, village) in staff {
        if !account_exists(db, mobile).await? {
            let new = NewStaff {
                mobile: mobile.into(),
                password: DEMO_STAFF_PASSWORD.into(),
                role,
                town: town.clone(),
                village,
            };
            roles::create(db, &new, "demo-roster", now_ms).await?;
        }
    }
    Ok(())
}

async fn account_exists(db: &Db, mobile: &str) -> ServiceResult<bool> {
    let mobile = MobileNumber::parse(mobile).expect("demo mobiles are valid");
    let mut conn = db.pool.acquire().await?;
    Ok(storage::accounts::id_of_mobile(&mut conn, &mobile)
        .await?
        .is_some())
}

async fn seed_account(db: &Db, people: &[NewResident], now_ms: i64) -> ServiceResult<()> {
    if account_exists(db, DEMO_MOBILE).await? {
        return Ok(());
    }
    let mobile = MobileNumber::parse(DEMO_MOBILE).expect("demo mobile is valid");
    let hash = hash_password(DEMO_PASSWORD)?;
    let mut tx = db.begin_write().await?;
    let Some(account) = storage::accounts::insert(&mut tx, &mobile, &hash, now_ms).await? else {
        return Ok(()); // made meanwhile by another run
    };
    let account = account.to_string();
    let seq = tx.version(&account).await?;
    // The payees are the residents themselves, as the roster has them.
    for person in people {
        let Some(resident) = roster::by_id_number(&mut tx, &person.id_number).await? else {
            continue;
        };
        let payee = Payee {
            id: Uuid::new_v4(),
            account_id: account.clone(),
            name: resident.name.to_string(),
            id_number: resident.id_number.as_str().to_owned(),
            resident_id: Some(resident.id),
            removed: false,
            label: None,
        };
        storage::payees::insert(&mut tx, &payee, seq, now_ms).await?;
    }
    let card = test_cards::pays();
    let bank = format!("{}（沙箱）", bank_of(&card[..6]));
    let method = NewMethod {
        id: Uuid::new_v4(),
        account_id: &account,
        gateway_token: &token_for(&card),
        bank: &bank,
        last_four: &card[card.len() - 4..],
    };
    storage::methods::insert(&mut tx, &method, seq, now_ms).await?;
    tx.commit().await?;
    Ok(())
}
