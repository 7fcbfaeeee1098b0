//! `yanglao-server create-staff`: a staff account, its password read from the environment;
//! audited.

use time::OffsetDateTime;

use crate::cli::connect;
use crate::staff::roles;

/// The flags of `create-staff`, as typed.
pub struct StaffFlags {
    pub mobile: String,
    pub password_env: String,
    pub role: String,
    pub town: String,
    pub village: Option<String>,
}

pub async fn create_staff(url: &str, flags: StaffFlags) -> Result<(), String> {
    let StaffFlags {
        mobile,
        password_env,
        role,
        town,
        village,
    } = flags;
    let password_env = password_env.as_str();
    let role = roles::Role::parse(&role).ok_or("--role must be village, town or admin")?;
    let password = std::env::var(password_env)
        .map_err(|_| format!("environment variable {password_env} is not set"))?;
    let db = connect(url).await?;
    let new = roles::NewStaff {
        mobile,
        password,
        role,
        town,
        village,
    };
    let actor = format!("cli:{}", std::env::var("USER").unwrap_or_default());
    let now = crate::clock::to_ms(OffsetDateTime::now_utc());
    let id = roles::create(&db, &new, &actor, now)
        .await
        .map_err(|e| crate::service::with_causes(&e))?;
    println!(
        "工作人员账户已创建 / staff account created: {id} ({})",
        role.as_str()
    );
    Ok(())
}
