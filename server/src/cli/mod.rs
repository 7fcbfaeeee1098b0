//! The `yanglao-server` command line: [`args`] declares the flags (each also read from a
//! `YANGLAO_*` variable), and one file per subcommand does its work. `main.rs` only sets up
//! logging and calls [`run`].

pub mod args;
mod create_staff;
mod demo_roster;
mod import_roster;
mod ledger;
mod notify_secret;
mod policy;
mod reconcile;
mod sandbox_bank;
mod serve;
mod sms_log;

use clap::Parser;

use crate::storage::Db;
use args::{Cli, Command};

/// Parses the command line and runs the subcommand; the error is a sentence for the terminal.
pub async fn run() -> Result<(), String> {
    match Cli::parse().command {
        Command::Serve(args) => serve::serve(args).await,
        Command::ImportRoster { db, file, no_copy } => {
            import_roster::import(&db.database_url, &file, !no_copy).await
        }
        Command::DemoRoster {
            size, year, csv, ..
        } if csv => demo_roster::csv(size, year),
        Command::DemoRoster { db, size, year, .. } => {
            demo_roster::demo(&db.database_url, size, year).await
        }
        Command::Ledger { db, year } => ledger::ledger(&db.database_url, year).await,
        Command::CreateStaff {
            db,
            mobile,
            password_env,
            role,
            town,
            village,
        } => {
            let staff = create_staff::StaffFlags {
                mobile,
                password_env,
                role,
                town,
                village,
            };
            create_staff::create_staff(&db.database_url, staff).await
        }
        Command::Reconcile { db, gateway, date } => {
            reconcile::reconcile(&db.database_url, &gateway, &date).await
        }
        Command::SmsLog { db, mobile, limit } => {
            sms_log::print(&db.database_url, mobile.as_deref(), limit).await
        }
        Command::Policy { action } => policy::run(action).await,
        Command::NotifySecret { db } => notify_secret::print(&db.database_url).await,
        Command::SandboxBank {
            bind,
            secret,
            notify_url,
            data,
        } => sandbox_bank::sandbox(bind, &secret, notify_url, &data).await,
    }
}

/// Opens the database named by a `--database-url`, bringing its schema up to date.
async fn connect(url: &str) -> Result<Db, String> {
    Db::connect(url).await.map_err(|e| format!("database: {e}"))
}
