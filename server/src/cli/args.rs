//! Command line and environment. Every flag has a `YANGLAO_*` variable so a service manager can
//! configure the server without a wrapper script.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "yanglao-server", version, about = "居民养老缴费 sync server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API and the PWA.
    Serve(ServeArgs),
    /// Import the roster (参保人员名册) from a CSV file; all rows or none.
    ImportRoster {
        #[command(flatten)]
        db: DbArgs,
        /// CSV with the header id_number,name,town,village,severely_disabled,status,paid[,mobile]
        file: PathBuf,
        /// On PostgreSQL, write with batched INSERTs as on SQLite instead of COPY (to compare).
        #[arg(long)]
        no_copy: bool,
    },
    /// Fill the roster with made-up Wendeng residents (valid ID numbers, invented names).
    DemoRoster {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 60)]
        size: usize,
        /// The year the demo treats as "this year" (paid history ends the year before).
        #[arg(long)]
        year: Option<i32>,
        /// Only print --size made-up residents as an import-roster CSV on standard output
        /// (unique, valid ID numbers; e.g. --size 1000000 for a benchmark); no database.
        #[arg(long)]
        csv: bool,
    },
    /// Print the ledger's totals for a year as JSON (paid contributions, amounts, by channel).
    Ledger {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        year: i32,
    },
    /// Create a staff account (村居协办员 village, 镇办 town, or admin); written to the audit log.
    CreateStaff {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        mobile: String,
        /// The name of the environment variable holding the password (never the password
        /// itself: command lines are visible to every user of the machine and land in history).
        #[arg(long)]
        password_env: String,
        /// village, town or admin
        #[arg(long)]
        role: String,
        #[arg(long)]
        town: String,
        /// Only for --role village.
        #[arg(long)]
        village: Option<String>,
    },
    /// The daily reconciliation (对账) of one day: the bank's statement against the ledger,
    /// both ways; prints the mismatches and records refund cases (退费).
    Reconcile {
        #[command(flatten)]
        db: DbArgs,
        /// The day, YYYY-MM-DD (China Standard Time).
        #[arg(long)]
        date: String,
        /// The bank: the http:// URL of a sandbox-bank process, as `serve --gateway` takes.
        #[arg(long, env = "YANGLAO_GATEWAY")]
        gateway: String,
    },
    /// Print the newest messages of the sandbox SMS gateway (短信沙箱), e.g. a claim's code.
    SmsLog {
        #[command(flatten)]
        db: DbArgs,
        /// Only the messages to this mobile number.
        #[arg(long)]
        mobile: Option<String>,
        /// How many, newest first.
        #[arg(long, default_value_t = 1)]
        limit: u32,
    },
    /// Policy tables (缴费政策): `policy import FILE --effective-from YYYY-MM-DD`.
    Policy {
        #[command(subcommand)]
        action: PolicyCommand,
    },
    /// Print this installation's notification secret, for a separate sandbox-bank process.
    NotifySecret {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Run the sandbox bank (沙箱银行) as its own process, for a gateway that lives elsewhere.
    SandboxBank {
        #[arg(long, env = "YANGLAO_SANDBOX_BIND", default_value = "127.0.0.1:9100")]
        bind: SocketAddr,
        /// The secret notifications are signed with: the server's own, which
        /// `yanglao-server notify-secret` prints. No default; 32 bytes or more.
        #[arg(long, env = "YANGLAO_GATEWAY_SECRET")]
        secret: String,
        /// Where signed payment notifications are sent.
        #[arg(long, env = "YANGLAO_NOTIFY_URL")]
        notify_url: String,
        /// The bank's own SQLite file of orders (made on first start), so a restart forgets
        /// none: beside the server's default database, never inside it.
        #[arg(
            long,
            env = "YANGLAO_SANDBOX_DATA",
            default_value = "data/sandbox-bank.db"
        )]
        data: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Publish a policy table (format 2, as in shared/policies/) as the next version, in force
    /// from a day (China Standard Time, today or later); validated and written to the audit log.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The JSON file.
        file: PathBuf,
        /// The first day in force, YYYY-MM-DD.
        #[arg(long)]
        effective_from: String,
        /// The region the server serves (the file must be for it).
        #[arg(long, env = "YANGLAO_REGION", default_value = yanglao_shared::policy::DEFAULT_REGION)]
        region: String,
    },
    /// List every version: number, first day in force, years, publisher.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// sqlite://path/to/file.db (default) or postgres://user@host:port/db
    #[arg(
        long,
        env = "YANGLAO_DATABASE_URL",
        default_value = "sqlite://data/yanglao.db"
    )]
    pub database_url: String,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long, env = "YANGLAO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// The built PWA (the dist folder scripts/build-app.sh writes).
    #[arg(long, env = "YANGLAO_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// A policy table (JSON, format 2) to use as version 1 instead of the built-in tables
    /// (`shared/policies/`); administrators publish later versions with `policy import`.
    #[arg(long, env = "YANGLAO_POLICY")]
    pub policy: Option<PathBuf>,
    /// Administrative code of the region this server collects for.
    #[arg(long, env = "YANGLAO_REGION", default_value = yanglao_shared::policy::DEFAULT_REGION)]
    pub region: String,
    /// "sandbox" runs the sandbox bank in this process; an http:// URL uses a sandbox bank
    /// started with the sandbox-bank command.
    #[arg(long, env = "YANGLAO_GATEWAY", default_value = "sandbox")]
    pub gateway: String,
    /// The SMS gateway a claim's one-time codes go through: "sandbox" (the only one built
    /// in) sends nothing to a phone and keeps each message in the database, where
    /// `yanglao-server sms-log` reads it.
    #[arg(long, env = "YANGLAO_SMS", default_value = "sandbox")]
    pub sms: String,
    /// The secret the bank signs notifications with, 32 bytes or more. Without it the
    /// installation's own is used, generated at first start and kept in the database
    /// (`yanglao-server notify-secret` prints it for a separate sandbox-bank process).
    #[arg(long, env = "YANGLAO_GATEWAY_SECRET")]
    pub gateway_secret: Option<String>,
    /// The URL the gateway's notifications reach this server at (default: from --bind).
    #[arg(long, env = "YANGLAO_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Demo only: start the server's clock at this instant (RFC 3339), e.g. inside the window.
    #[arg(long, env = "YANGLAO_CLOCK_START")]
    pub clock_start: Option<String>,
    /// Share --bind with other `serve` processes on this machine (SO_REUSEPORT): the kernel
    /// spreads connections over them. Every process may run on one PostgreSQL; see the README.
    #[arg(long, env = "YANGLAO_REUSE_PORT")]
    pub reuse_port: bool,
    /// Seconds between reconciliation passes over unsettled payments.
    #[arg(long, env = "YANGLAO_RECONCILE_SECS", default_value_t = 30)]
    pub reconcile_secs: u64,
}
