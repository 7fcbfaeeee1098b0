//! What the benchmarks share: the server binary as child processes, a fresh PostgreSQL
//! database, and a made-up roster imported through `import-roster`. Not timed itself.

#![allow(dead_code)] // each benchmark uses its own part of this

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use uuid::Uuid;

pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn server_bin() -> &'static str {
    env!("CARGO_BIN_EXE_yanglao-server")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Child processes killed (SIGKILL) when dropped, however the benchmark ends.
#[derive(Default)]
pub struct Processes(pub Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `yanglao-server ARGS`, its output (the log goes to standard output) appended to `log`
/// (or dropped).
pub fn spawn(args: &[&str], log: Option<&std::path::Path>) -> Child {
    let mut command = Command::new(server_bin());
    command
        .args(args)
        .env_remove("YANGLAO_GATEWAY_SECRET")
        .env("RUST_LOG", "warn");
    if let Some(log) = log {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        command.stderr(file.try_clone().unwrap()).stdout(file);
    } else {
        command.stderr(Stdio::null()).stdout(Stdio::null());
    }
    command.spawn().expect("yanglao-server starts")
}

/// A new, empty database on the PostgreSQL server of `admin` (scripts/pg.sh's URL).
pub async fn pg_database(admin: &str, prefix: &str) -> String {
    sqlx::any::install_default_drivers();
    let name = format!("{prefix}_{}", Uuid::new_v4().simple());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(admin)
        .await
        .unwrap();
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
}

/// Waits until `GET {base}/health` answers (`base` ends in `/api/v1`).
pub async fn until_up(http: &reqwest::Client, base: &str) {
    for _ in 0..400 {
        if let Ok(r) = http.get(format!("{base}/health")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{base} did not come up");
}

/// A made-up roster of `people` imported as a CSV file; answers the people who can pay
/// `year` (enrolled, not severely disabled, 16 to 59), as (name, ID number).
pub fn roster(url: &str, people: usize, year: i32) -> Vec<(String, String)> {
    let file = std::env::temp_dir().join(format!("yanglao-bench-{}.csv", Uuid::new_v4()));
    let csv = Command::new(server_bin())
        .args(["demo-roster", "--csv", "--size", &people.to_string()])
        .args(["--year", &year.to_string()])
        .output()
        .unwrap();
    assert!(csv.status.success());
    std::fs::write(&file, &csv.stdout).unwrap();
    let started = Instant::now();
    let import = Command::new(server_bin())
        .args([
            "import-roster",
            "--database-url",
            url,
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    println!(
        "roster: {people} people imported in {:.1} s ({:.0} people/s)",
        started.elapsed().as_secs_f64(),
        people as f64 / started.elapsed().as_secs_f64()
    );
    let text = String::from_utf8(csv.stdout).unwrap();
    let _ = std::fs::remove_file(&file);
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let born: i32 = f.first()?.get(6..10)?.parse().ok()?;
            let age = year - born;
            let payable =
                f.get(5) == Some(&"enrolled") && f.get(4) == Some(&"否") && (17..59).contains(&age);
            payable.then(|| (f[1].to_owned(), f[0].to_owned()))
        })
        .collect()
}
