//! `yanglao-server serve`: builds the state from the flags and serves until Ctrl-C.

use std::sync::Arc;
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use yanglao_shared::PolicyTable;

use crate::app::{AppState, Parts, Server};
use crate::cli::args::ServeArgs;
use crate::cli::connect;
use crate::clock::Clock;
use crate::gateway::remote::HttpGateway;
use crate::gateway::sandbox::SandboxBank;
use crate::gateway::PaymentGateway;
use crate::storage::settings;

pub async fn serve(args: ServeArgs) -> Result<(), String> {
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
    let db = connect(&args.db.database_url).await?;
    let gateway_secret = match args.gateway_secret.clone() {
        Some(secret) => secret,
        None => settings::notify_secret(&db)
            .await
            .map_err(|e| format!("database: {e}"))?,
    };
    let sandbox = SandboxBank::new(&gateway_secret);
    let gateway: Arc<dyn PaymentGateway> = if args.gateway == "sandbox" {
        Arc::new(sandbox.clone())
    } else {
        Arc::new(HttpGateway::new(&args.gateway))
    };
    let state = AppState::build(Parts {
        db,
        clock: clock.clone(),
        policies,
        region: args.region.clone(),
        gateway,
        gateway_secret,
    })
    .map_err(|e| e.to_string())?;
    let sms = crate::sms::from_config(&args.sms, &state.db)?;
    let state = state.with_sms(sms);
    let dist = args
        .dist
        .join("index.html")
        .exists()
        .then(|| args.dist.clone());
    let reconcile_every = Duration::from_secs(args.reconcile_secs);
    let started = match args.reuse_port {
        true => Server::shared_listener(args.bind)
            .and_then(|listener| Server::start_on(state, listener, dist.clone(), reconcile_every)),
        false => Server::start(state, args.bind, dist.clone(), reconcile_every).await,
    };
    let server = started.map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
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
