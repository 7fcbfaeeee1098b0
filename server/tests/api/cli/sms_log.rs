//! `sms-log`, how the demo and the end-to-end tests read a claim's code: it prints the sandbox
//! SMS gateway's messages from the database, newest first, only those to `--mobile` when
//! given; and `demo-roster` gives every demo resident a roster mobile, the demo account's own
//! record the account's number.

use yanglao_server::sms::sandbox::SandboxSms;
use yanglao_server::sms::SmsGateway;
use yanglao_server::storage::Db;
use yanglao_shared::MobileNumber;

use super::run;
use crate::on_both_databases;
use crate::support::Store;

on_both_databases!(
    it_prints_the_newest_message_to_a_mobile,
    the_demo_roster_has_mobiles_and_names_the_accounts_own_record,
);

fn sms_log(url: &str, args: &[&str]) -> String {
    let mut all = vec!["sms-log", "--database-url", url];
    all.extend_from_slice(args);
    let out = run(&all, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn it_prints_the_newest_message_to_a_mobile(_: Store, url: &str) {
    let db = Db::connect(url).await.unwrap();
    let sandbox = SandboxSms::new(db);
    let (hers, his) = ("13912345678", "13912345679");
    for (to, text) in [
        (hers, "验证码111111"),
        (his, "验证码222222"),
        (hers, "验证码333333"),
    ] {
        let to = MobileNumber::parse(to).unwrap();
        sandbox.send(&to, text).await.unwrap();
    }
    let newest = sms_log(url, &["--mobile", hers]);
    assert!(newest.contains("13912345678  验证码333333"), "{newest}");
    assert_eq!(newest.lines().count(), 1);
    let all = sms_log(url, &["--limit", "5"]);
    let order: Vec<&str> = all
        .lines()
        .map(|l| l.rsplit("  ").next().unwrap())
        .collect();
    assert_eq!(order, ["验证码333333", "验证码222222", "验证码111111"]);
    assert!(sms_log(url, &["--mobile", "13700000000"]).contains("no sandbox messages"));
}

async fn the_demo_roster_has_mobiles_and_names_the_accounts_own_record(_: Store, url: &str) {
    let out = run(
        &["demo-roster", "--database-url", url, "--year", "2027"],
        &[],
    );
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let own = printed
        .lines()
        .find(|l| l.contains("own record (我的参保记录)"))
        .expect("the demo names the account's own record");
    assert!(own.contains("138****8000"), "{own}");
    let id_number = own.split_whitespace().find(|w| w.len() == 18).unwrap();
    let db = Db::connect(url).await.unwrap();
    let mobile: String = sqlx::query_scalar(
        "SELECT m.mobile FROM roster_mobiles m JOIN residents r ON r.id = m.resident_id \
         WHERE r.id_number = $1",
    )
    .bind(id_number)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(mobile, "13800138000");
    let without: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM residents r WHERE NOT EXISTS \
         (SELECT 1 FROM roster_mobiles m WHERE m.resident_id = r.id)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(without, 0, "every demo resident has a mobile");
}
