//! The staff screens' pure logic: cache, tiers, percentages, years, paging.

use time::macros::{date, datetime};
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::window::WindowState;
use yanglao_shared::wire::TierTotal;

use super::*;

pub(crate) fn stats(year: i32, tiers: &[(i64, i64)]) -> WindowStats {
    let tiers: Vec<TierTotal> = tiers
        .iter()
        .map(|&(fen, count)| TierTotal {
            amount_fen: fen,
            amount: yuan(fen),
            count,
            sum_fen: fen * count,
        })
        .collect();
    let paid = tiers.iter().map(|t| t.count).sum();
    WindowStats {
        year,
        town: Some("龙山街道".into()),
        village: None,
        enrolled: 10,
        paid,
        charging: 1,
        unpaid: 10 - paid - 1,
        paid_fen: tiers.iter().map(|t| t.sum_fen).sum(),
        tiers,
        days_left: 12,
        window: WindowState::Closed {
            year,
            opens: date!(2027 - 01 - 01),
            closes: date!(2027 - 06 - 30),
        },
    }
}

fn person(n: usize) -> UnpaidPerson {
    UnpaidPerson {
        name: format!("人{n}"),
        id_masked: format!("3710****{n:04}"),
        town: "龙山街道".into(),
        village: "西村".into(),
    }
}

fn page(year: i32, offset: i64, range: std::ops::Range<usize>, total: i64) -> UnpaidPage {
    UnpaidPage {
        year,
        total,
        offset,
        people: range.map(person).collect(),
    }
}

#[wasm_bindgen_test]
fn tiers_are_in_yuan_highest_first() {
    let rows = tier_rows(&stats(2027, &[(50_000, 3), (500_000, 1), (12_050, 2)]));
    assert_eq!(
        rows,
        vec![
            TierRow {
                amount: "5000".into(),
                count: 1,
                sum: "5000".into()
            },
            TierRow {
                amount: "500".into(),
                count: 3,
                sum: "1500".into()
            },
            TierRow {
                amount: "120.5".into(),
                count: 2,
                sum: "241".into()
            },
        ]
    );
    assert_eq!(yuan(-1), "—");
}

#[wasm_bindgen_test]
fn percentages_round_half_up_and_need_someone() {
    assert_eq!(percent(1, 3), Some(33));
    assert_eq!(percent(2, 3), Some(67));
    assert_eq!(percent(1, 8), Some(13));
    assert_eq!(percent(10, 10), Some(100));
    assert_eq!(percent(0, 0), None);
}

#[wasm_bindgen_test]
fn years_offered_are_this_year_and_the_four_before() {
    assert_eq!(year_options(2027), vec![2027, 2026, 2025, 2024, 2023]);
}

#[wasm_bindgen_test]
fn an_exported_list_is_named_by_the_staff_members_area_and_the_servers_day() {
    use yanglao_shared::wire::{StaffInfo, StaffRole};
    let village = StaffInfo {
        role: StaffRole::Village,
        town: Some("文登营镇".into()),
        village: Some("营南村".into()),
    };
    let town = StaffInfo {
        village: None,
        role: StaffRole::Town,
        ..village.clone()
    };
    let admin = StaffInfo {
        role: StaffRole::Admin,
        town: Some("文登区".into()),
        village: None,
    };
    // 23:30 on 28 February UTC is already 1 March in China.
    let now = time::macros::datetime!(2027-02-28 23:30 UTC);
    assert_eq!(
        csv_filename(Some(&village), 2027, now),
        "未缴费名单-营南村-2027-03-01.csv"
    );
    assert_eq!(
        csv_filename(Some(&town), 2027, now),
        "未缴费名单-文登营镇-2027-03-01.csv"
    );
    assert_eq!(
        csv_filename(Some(&admin), 2026, now),
        "未缴费名单-全区-2026年度-2027-03-01.csv"
    );
}

#[wasm_bindgen_test]
fn the_cache_keeps_the_latest_per_year_newest_first() {
    let mut cache = StatsCache::default();
    assert!(cache.pick(None).is_none());
    let at = datetime!(2027-03-01 9:00 +8);
    cache.remember(CachedStats {
        stats: stats(2027, &[]),
        at,
    });
    cache.remember(CachedStats {
        stats: stats(2026, &[(50_000, 2)]),
        at,
    });
    let later = datetime!(2027-03-02 9:00 +8);
    cache.remember(CachedStats {
        stats: stats(2027, &[(50_000, 1)]),
        at: later,
    });
    assert_eq!(cache.entries.len(), 2);
    assert_eq!(cache.pick(None).unwrap().at, later);
    assert_eq!(cache.pick(Some(2027)).unwrap().stats.paid, 1);
    assert_eq!(cache.pick(Some(2026)).unwrap().stats.paid, 2);
    assert!(cache.pick(Some(2020)).is_none());
    for year in 2010..2020 {
        cache.remember(CachedStats {
            stats: stats(year, &[]),
            at,
        });
    }
    assert_eq!(cache.entries.len(), CACHE_YEARS);
    assert_eq!(cache.pick(None).unwrap().stats.year, 2019);
}

#[wasm_bindgen_test]
fn pages_append_retries_replace_and_a_new_year_starts_over() {
    let mut list = UnpaidList::default();
    list.merge(page(2027, 0, 0..50, 120));
    assert_eq!((list.next_offset(), list.has_more()), (50, true));
    list.merge(page(2027, 50, 50..100, 120));
    // The same page again (the first answer was slow, the person tapped twice).
    list.merge(page(2027, 50, 50..100, 120));
    assert_eq!(list.people.len(), 100);
    assert_eq!(list.people[99].name, "人99");
    // A page beyond a gap is not glued on.
    list.merge(page(2027, 150, 150..160, 160));
    assert_eq!(list.people.len(), 100);
    list.merge(page(2027, 100, 100..120, 120));
    assert_eq!((list.people.len(), list.has_more()), (120, false));
    list.merge(page(2026, 0, 0..3, 3));
    assert_eq!(
        (list.year, list.people.len(), list.total),
        (Some(2026), 3, 3)
    );
}

#[wasm_bindgen_test]
fn the_list_kept_on_the_phone_is_the_list_as_loaded_with_its_time() {
    let at = datetime!(2027-03-01 9:00 +8);
    assert_eq!(
        CachedList::of(&UnpaidList::default(), at),
        None,
        "no page yet"
    );
    let mut list = UnpaidList::default();
    list.merge(page(2027, 0, 0..50, 120));
    list.merge(page(2027, 50, 50..60, 120));
    let kept = CachedList::of(&list, at).unwrap();
    assert_eq!(
        (kept.year, kept.people.len(), kept.total, kept.at),
        (2027, 60, 120, at)
    );
    assert_eq!(
        kept.people[0].id_masked, list.people[0].id_masked,
        "masked as sent"
    );
    // Shown again, it pages on from where it stopped.
    let shown = kept.to_list();
    assert_eq!(shown, list);
    assert_eq!((shown.next_offset(), shown.has_more()), (60, true));
    assert!(kept.answers(None) && kept.answers(Some(2027)));
    assert!(
        !kept.answers(Some(2026)),
        "another year's list is not this one"
    );
    let text = serde_json::to_string(&kept).unwrap();
    assert_eq!(
        yanglao_shared::json::from_text::<CachedList>(&text).unwrap(),
        kept
    );
}
