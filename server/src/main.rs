//! `yanglao-server`: serve, import the roster, make a demo roster, create staff accounts, or run
//! the sandbox bank.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use yanglao_server::auth::RateLimiter;
use yanglao_server::clock::Clock;
use yanglao_server::config::{Cli, Command, ServeArgs};
use yanglao_server::db::Db;
use yanglao_server::gateway::remote::{sandbox_router, HttpGateway};
use yanglao_server::gateway::sandbox::{test_cards, SandboxBank};
use yanglao_server::gateway::PaymentGateway;
use yanglao_server::{demo, roster_seed, staff, AppState, Server};
use yanglao_shared::applications::back_payable_years;
use yanglao_shared::eligibility::RosterStatus;
use yanglao_shared::PolicyTable;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();
    let result = match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::ImportRoster { db, file } => import(&db.database_url, &file).await,
        Command::DemoRoster { db, size, year } => demo(&db.database_url, size, year).await,
        Command::Ledger { db, year } => ledger(&db.database_url, year).await,
        Command::CreateStaff {
            db,
            mobile,
            password_env,
            role,
            town,
            village,
        } => {
            create_staff(
                &db.database_url,
                mobile,
                &password_env,
                &role,
                town,
                village,
            )
            .await
        }
        Command::SandboxBank {
            bind,
            secret,
            notify_url,
        } => sandbox(bind, &secret, notify_url).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("错误 / error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let policies = match &args.policy {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            PolicyTable::from_json(&text).map_err(|e| e.to_string())?
        }
        None => PolicyTable::builtin(),
    };
    let clock = match &args.clock_start {
        Some(start) => Clock::starting_at(
            OffsetDateTime::parse(start, &Rfc3339).map_err(|e| format!("--clock-start: {e}"))?,
        ),
        None => Clock::system(),
    };
    let db = Db::connect(&args.db.database_url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let sandbox = SandboxBank::new(&args.gateway_secret);
    let gateway: Arc<dyn PaymentGateway> = if args.gateway == "sandbox" {
        Arc::new(sandbox.clone())
    } else {
        Arc::new(HttpGateway::new(&args.gateway))
    };
    let state = AppState {
        db,
        clock: clock.clone(),
        policies: Arc::new(policies),
        region: args.region.clone(),
        gateway,
        gateway_secret: args.gateway_secret.clone().into(),
        limiter: Arc::new(RateLimiter::default()),
    };
    state.current_policy().map_err(|e| e.to_string())?;
    let dist = args
        .dist
        .join("index.html")
        .exists()
        .then(|| args.dist.clone());
    let server = Server::start(
        state,
        args.bind,
        dist.clone(),
        Duration::from_secs(args.reconcile_secs),
    )
    .await
    .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    let public = args.public_url.clone().unwrap_or_else(|| server.url());
    sandbox.set_notify_url(format!("{public}/api/v1/gateway/notify"));
    println!("居民养老缴费 is running at {}", server.url());
    if dist.is_none() {
        println!(
            "(no PWA build found in {}: only the API is served)",
            args.dist.display()
        );
    }
    if clock.is_shifted() {
        println!(
            "demo clock: the server believes it is {}",
            clock.now().to_offset(yanglao_shared::window::CST)
        );
    }
    let stopper = server.shutdown_handle();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stopper();
    });
    server.wait().await;
    Ok(())
}

async fn import(url: &str, file: &std::path::Path) -> Result<(), String> {
    let reader = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let today = yanglao_shared::window::cst_date(OffsetDateTime::now_utc());
    let rows = roster_seed::parse_csv(reader, today)
        .map_err(|errors| roster_seed::ImportError::Rows(errors).to_string())?;
    let db = Db::connect(url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let region = yanglao_shared::policy::DEFAULT_REGION;
    let now = yanglao_server::clock::to_ms(OffsetDateTime::now_utc());
    let n = roster_seed::insert_all(&db, region, &rows, now)
        .await
        .map_err(|e| e.to_string())?;
    println!("导入 {n} 人 / imported {n} residents");
    Ok(())
}

async fn demo(url: &str, size: usize, year: Option<i32>) -> Result<(), String> {
    let db = Db::connect(url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let now = OffsetDateTime::now_utc();
    let year = year.unwrap_or_else(|| yanglao_shared::window::cst_date(now).year());
    let summary = demo::seed(&db, size, year, yanglao_server::clock::to_ms(now)).await?;
    match summary.created_roster {
        true => println!(
            "demo roster: {} made-up Wendeng residents",
            summary.residents
        ),
        false => println!(
            "demo roster: already there ({} residents)",
            summary.residents
        ),
    }
    println!(
        "demo login (演示账号): {} / {}",
        demo::DEMO_MOBILE,
        demo::DEMO_PASSWORD
    );
    if let Some((town, village)) = &summary.staff_area {
        println!(
            "demo staff (演示工作人员) / {}: village assistant {} ({town} {village}), town center {} ({town})",
            demo::DEMO_STAFF_PASSWORD,
            demo::DEMO_VILLAGE_MOBILE,
            demo::DEMO_TOWN_MOBILE
        );
    }
    println!("more people to add (made-up names, valid ID numbers):");
    let march = time::Date::from_calendar_date(year, time::Month::March, 1).expect("valid date");
    let table = PolicyTable::builtin();
    for r in &summary.samples {
        let age = r.id_number.age_on(march);
        let note = match (r.severely_disabled, age >= 60) {
            (true, _) => "，重度残疾，可选300元档",
            (_, true) => "，已到领取年龄",
            _ => "",
        };
        // The years 补缴 could cover, for trying the back-payment form.
        let enrolled = r.status == RosterStatus::Enrolled;
        let unpaid: Vec<String> = back_payable_years(
            |y| table.lookup(yanglao_shared::policy::DEFAULT_REGION, y).ok(),
            r.id_number.birth_date(),
            year,
        )
        .into_iter()
        .filter(|y| r.paid.iter().all(|(paid, _)| paid != y))
        .map(|y| y.to_string())
        .collect();
        let unpaid = match unpaid.is_empty() || !enrolled {
            true => String::new(),
            false => format!("  往年未缴 {}", unpaid.join(",")),
        };
        println!(
            "  {}  {}  （{age}岁{note}）  {}/{}{unpaid}",
            r.name,
            r.id_number.as_str(),
            r.town,
            r.village
        );
    }
    println!(
        "sandbox test cards (沙箱测试卡): pays {}, insufficient funds {}, delayed {}, lost notification {}",
        test_cards::pays(),
        test_cards::insufficient_funds(),
        test_cards::delayed(),
        test_cards::lost_notification()
    );
    Ok(())
}

async fn ledger(url: &str, year: i32) -> Result<(), String> {
    let db = Db::connect(url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let summary = yanglao_server::ledger::year_summary(&db, year)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string(&summary).map_err(|e| e.to_string())?
    );
    Ok(())
}

async fn create_staff(
    url: &str,
    mobile: String,
    password_env: &str,
    role: &str,
    town: String,
    village: Option<String>,
) -> Result<(), String> {
    let role = staff::Role::parse(role).ok_or("--role must be village, town or admin")?;
    let password = std::env::var(password_env)
        .map_err(|_| format!("environment variable {password_env} is not set"))?;
    let db = Db::connect(url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let new = staff::NewStaff {
        mobile,
        password,
        role,
        town,
        village,
    };
    let actor = format!("cli:{}", std::env::var("USER").unwrap_or_default());
    let now = yanglao_server::clock::to_ms(OffsetDateTime::now_utc());
    let id = staff::create(&db, &new, &actor, now).await?;
    println!(
        "工作人员账户已创建 / staff account created: {id} ({})",
        role.as_str()
    );
    Ok(())
}

async fn sandbox(
    bind: std::net::SocketAddr,
    secret: &str,
    notify_url: String,
) -> Result<(), String> {
    let bank = SandboxBank::new(secret);
    bank.set_notify_url(notify_url);
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("{bind}: {e}"))?;
    println!("沙箱银行 (sandbox bank) listening on http://{bind}");
    axum::serve(listener, sandbox_router(bank))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
