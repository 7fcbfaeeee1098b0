//! `demo-roster --csv` and `import-roster`, as processes: the made-up roster the benchmark uses
//! goes through the import whole, which says how fast it went; a second time, nothing.

use super::run;
use crate::on_both_databases;
use crate::support::Store;

on_both_databases!(a_made_up_roster_imports_whole_and_says_how_fast);

async fn a_made_up_roster_imports_whole_and_says_how_fast(_: Store, url: &str) {
    let made = run(
        &["demo-roster", "--csv", "--size", "300", "--year", "2026"],
        &[],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert_eq!(made.stdout.iter().filter(|b| **b == b'\n').count(), 301);
    let file = std::env::temp_dir().join(format!("roster-{}.csv", uuid::Uuid::new_v4()));
    std::fs::write(&file, &made.stdout).unwrap();
    let file = file.to_str().unwrap();
    let import = || run(&["import-roster", "--database-url", url, file], &[]);
    let first = import();
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(said.contains("imported 300 residents"), "{said}");
    assert!(said.contains("rows/s"), "{said}");
    let second = import();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("300 行有误"));
    let _ = std::fs::remove_file(file);
}
