//! The `yanglao-server` subcommands, run as the processes the README's commands start, on a
//! fresh database of each store; [`big_roster`] is the made-up roster through the import;
//! [`reconcile`] the daily reconciliation against a sandbox bank over HTTP; [`sms_log`] the
//! sandbox SMS outbox a claim's code is read from.

mod big_roster;
mod create_staff;
mod demo_roster;
mod reconcile;
mod sms_log;

/// Runs `yanglao-server` with `args` and `env` (name, value; `None` removes it).
pub fn run(args: &[&str], env: &[(&str, Option<&str>)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_yanglao-server"));
    cmd.args(args);
    for (name, value) in env {
        match value {
            Some(value) => cmd.env(name, value),
            None => cmd.env_remove(name),
        };
    }
    cmd.output().unwrap()
}
