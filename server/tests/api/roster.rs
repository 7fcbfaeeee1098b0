//! The roster import is all or nothing: one ID already on the roster fails the whole file,
//! with its line number, and nothing is half-imported. The mobile numbers it gives are where a
//! claim's code goes ([`mobiles`]).

use time::macros::date;
use yanglao_server::roster::seed::{self, ImportError};

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(an_import_with_one_bad_row_imports_nothing_and_names_its_line);

async fn an_import_with_one_bad_row_imports_nothing_and_names_its_line(app: &TestApp) {
    let before = app.count("SELECT COUNT(*) FROM residents").await;
    let contributions = app.count("SELECT COUNT(*) FROM contributions").await;
    let fresh = yanglao_shared::synthetic::id_number("371003", date!(1990 - 06 - 01), 5);
    let csv = format!(
        "id_number,name,town,village,severely_disabled,status,paid\n\
         {},新居民,龙山街道,岛山村,否,enrolled,2025:500\n\
         {},王秀英,龙山街道,岛山村,否,enrolled,\n",
        fresh.as_str(),
        mother().id_number.as_str()
    );
    let rows = seed::parse_csv(csv.as_bytes(), date!(2026 - 03 - 01)).unwrap();
    let err = seed::insert_all(&app.db, "371003", &rows, 0)
        .await
        .unwrap_err();
    match err {
        ImportError::Rows(rows) => assert_eq!(rows[0].line, 3, "the second data row is line 3"),
        other => panic!("{other}"),
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM residents").await,
        before,
        "nothing half-imported"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contributions").await,
        contributions
    );
}

/// The roster's `mobile` column: where a claim's code goes, imported through `COPY` and
/// through the batched inserts, or the whole file refused for one bad number.
mod mobiles {
    use time::macros::date;
    use yanglao_server::roster::import::{self, ImportError};
    use yanglao_server::sms::sandbox::SandboxSms;
    use yanglao_server::storage::Db;
    use yanglao_shared::synthetic;
    use yanglao_shared::wire::ClaimRequest;
    use yanglao_shared::MobileNumber;

    use crate::on_both_databases;
    use crate::support::claims::code_in;
    use crate::support::*;

    on_both_databases!(
        a_claim_sends_its_code_to_the_mobile_the_import_gave,
        a_bad_mobile_refuses_the_file_naming_its_line,
    );

    const TODAY: time::Date = date!(2026 - 03 - 02);
    const HEADER: &str = "id_number,name,town,village,severely_disabled,status,paid,mobile";

    fn id(seq: u16) -> String {
        synthetic::id_number("371003", date!(1975 - 05 - 01), seq)
            .as_str()
            .to_owned()
    }

    /// `COPY` on PostgreSQL when the URL is given; the batched inserts (SQLite, `--no-copy`)
    /// when it is not.
    async fn import(
        db: &Db,
        url: &str,
        copy: bool,
        csv: &str,
    ) -> Result<import::Imported, ImportError> {
        import::import_csv(db, copy.then_some(url), csv.as_bytes(), TODAY, "371003", 0).await
    }

    /// A new account of `mobile` starts a claim of (`name`, `id_number`): its token, and the
    /// masked number the code went to, or the refusal's code.
    async fn claim(api: &Client, mobile: &str, name: &str, id_number: &str) -> (String, String) {
        let (_, session) = api.register(&credentials(mobile, PASSWORD)).await.unwrap();
        let claim = ClaimRequest {
            name: name.into(),
            id_number: id_number.into(),
        };
        let answer = match api.claim(&session.token, &claim).await {
            Ok(started) => started.mobile_masked,
            Err(refused) => refused.code,
        };
        (session.token, answer)
    }

    async fn code_sent_to(db: &Db, mobile: &str) -> Option<String> {
        let mobile = MobileNumber::parse(mobile).unwrap();
        let sent = SandboxSms::new(db.clone())
            .recent(Some(&mobile), 10)
            .await
            .unwrap();
        sent.first().and_then(|sms| code_in(&sms.body))
    }

    async fn a_claim_sends_its_code_to_the_mobile_the_import_gave(_: Store, url: &str) {
        let db = Db::connect(url).await.unwrap();
        for (copy, first) in [(true, 1), (false, 11)] {
            let csv = format!(
                "{HEADER}\n\
                 {},刘桂兰,龙山街道,岛山村,否,enrolled,2025:500,139 1234 00{first:02}\n\
                 {},孙志强,龙山街道,岛山村,否,enrolled,,\n",
                id(first),
                id(first + 1),
            );
            let done = import(&db, url, copy, &csv).await.unwrap();
            assert_eq!((done.residents, done.paid_years, done.mobiles), (2, 1, 1));
        }
        let in_db: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM roster_mobiles")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(in_db, 2);
        let (server, _clock, _bank) = start_server(db.clone()).await;
        let api = Client::new(&server.url());
        // One imported through COPY (on PostgreSQL), one through the batched inserts.
        for (account, first) in [("13700000005", 1), ("13700000006", 11)] {
            let (token, sent_to) = claim(&api, account, "刘桂兰", &id(first)).await;
            assert_eq!(sent_to, format!("139****00{first:02}"));
            let code = code_sent_to(&db, &format!("139123400{first:02}")).await;
            let me = api.confirm_claim(&token, &code.expect("a code")).await;
            assert_eq!(me.unwrap().own_record.unwrap().name, "刘桂兰");
        }
        // A row without a number is claimed through the village assistant.
        let (_, refused) = claim(&api, "13700000007", "孙志强", &id(2)).await;
        assert_eq!(refused, "no_roster_mobile");
        server.stop().await;
    }

    async fn a_bad_mobile_refuses_the_file_naming_its_line(_: Store, url: &str) {
        let db = Db::connect(url).await.unwrap();
        for copy in [true, false] {
            let csv = format!(
                "{HEADER}\n\
                 {},刘桂兰,龙山街道,岛山村,否,enrolled,2025:500,13912340001\n\
                 {},孙志强,龙山街道,岛山村,否,enrolled,,1234\n",
                id(1),
                id(2),
            );
            match import(&db, url, copy, &csv).await.unwrap_err() {
                ImportError::Rows(rows) => {
                    assert_eq!(rows.len(), 1);
                    assert_eq!(rows[0].line, 3);
                    assert!(rows[0].message.contains("手机号"), "{}", rows[0].message);
                }
                other => panic!("{other}"),
            }
            for table in ["residents", "contributions", "roster_mobiles"] {
                let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(&db.pool)
                    .await
                    .unwrap();
                assert_eq!(n, 0, "nothing of the file in {table}");
            }
        }
    }
}
