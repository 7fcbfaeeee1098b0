//! `yanglao-server policy import` and `policy list` as processes, on a fresh database of each
//! store, by the machine's clock (so the day in force is far ahead of any test's date).

use crate::cli::run;
use crate::on_both_databases;
use crate::support::Store;

on_both_databases!(
    import_publishes_the_next_version_and_audits_it,
    import_refuses_a_bad_file_and_writes_nothing,
);

/// A file of `text` in the temporary directory, removed when dropped.
struct File(std::path::PathBuf);

impl File {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for File {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn file(text: &str) -> File {
    let path = std::env::temp_dir().join(format!("policy-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, text).unwrap();
    File(path)
}

async fn counts(url: &str) -> (i64, i64) {
    let db = yanglao_server::storage::Db::connect(url).await.unwrap();
    let versions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM policy_versions")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'policy.publish'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    db.pool.close().await;
    (versions, audited)
}

/// The built-in 2027 file (open-ended), in force from 2100.
async fn import_publishes_the_next_version_and_audits_it(_: Store, url: &str) {
    let f = file(yanglao_shared::policy::builtin::file_of(2027).unwrap());
    let path = f.path().to_str().unwrap();
    let args = [
        "policy",
        "import",
        "--database-url",
        url,
        path,
        "--effective-from",
        "2100-01-01",
    ];
    let out = run(&args, &[("USER", Some("clerk"))]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("已发布第2版政策：2100-01-01起生效"),
        "{stdout}"
    );
    assert_eq!(counts(url).await, (1, 1));
    let list = run(&["policy", "list", "--database-url", url], &[]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains("第1版") && listed.contains("第2版  2100-01-01起  2027–年  cli:clerk"),
        "{listed}"
    );
}

async fn import_refuses_a_bad_file_and_writes_nothing(_: Store, url: &str) {
    let f = file(r#"{"format": 1, "policies": []}"#);
    let path = f.path().to_str().unwrap();
    let args = [
        "policy",
        "import",
        "--database-url",
        url,
        path,
        "--effective-from",
        "2100-01-01",
    ];
    let out = run(&args, &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("政策文件格式版本 1 不受支持"), "{stderr}");
    assert_eq!(counts(url).await, (0, 0));
}
