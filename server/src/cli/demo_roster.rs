//! `yanglao-server demo-roster`: made-up residents, the demo account and demo staff, and
//! what to try with them; with `--csv`, only a made-up roster of any size as the import's CSV
//! on standard output (`demo-roster --csv --size 1000000 > roster.csv`), for benchmarks.

use time::OffsetDateTime;
use yanglao_shared::applications::back_payable_years;
use yanglao_shared::eligibility::RosterStatus;
use yanglao_shared::PolicyTable;

use crate::accounts::demo;
use crate::cli::connect;
use crate::gateway::sandbox::test_cards;

/// Writes `size` made-up residents as a roster CSV to standard output; no database is opened.
pub fn csv(size: usize, year: Option<i32>) -> Result<(), String> {
    let now = OffsetDateTime::now_utc();
    let year = year.unwrap_or_else(|| yanglao_shared::window::cst_date(now).year());
    let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    crate::roster::rows::write_rows(out, crate::roster::seed::big(size, year))
        .map_err(|e| format!("writing the roster: {e}"))?;
    Ok(())
}

pub async fn demo(url: &str, size: usize, year: Option<i32>) -> Result<(), String> {
    let db = connect(url).await?;
    let now = OffsetDateTime::now_utc();
    let year = year.unwrap_or_else(|| yanglao_shared::window::cst_date(now).year());
    let summary = demo::seed(&db, size, year, crate::clock::to_ms(now)).await?;
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
    if let Some(me) = &summary.me {
        println!(
            "the demo account's own record (我的参保记录): {} {} — the code goes to {}; read it \
             with: yanglao-server sms-log --mobile {}",
            me.name,
            me.id_number.as_str(),
            demo::demo_mobile(0).masked(),
            demo::DEMO_MOBILE
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
