use super::*;

fn one_year(year: i32) -> serde_json::Value {
    serde_json::from_str(builtin::file_of(year).unwrap()).unwrap()
}

fn edited(edit: impl Fn(&mut serde_json::Value)) -> Result<PolicyTable, PolicyError> {
    let mut value = one_year(2026);
    edit(&mut value);
    PolicyTable::from_json(&value.to_string())
}

fn problem(r: Result<PolicyTable, PolicyError>) -> String {
    match r {
        Err(PolicyError::Invalid { problem, .. }) => problem,
        other => panic!("expected an invalid policy, got {other:?}"),
    }
}

#[test]
fn builtin_covers_every_year_from_2018_without_gaps() {
    let table = PolicyTable::builtin();
    // builtin() trusts its files: this is the check that they make one valid table.
    table.validate().unwrap();
    for year in 2018..2100 {
        let Some(file) = super::builtin::file_of(year) else {
            break;
        };
        PolicyTable::from_json(file).unwrap_or_else(|e| panic!("{year}: {e}"));
    }
    assert_eq!(table.format, POLICY_FORMAT);
    for year in 2018..=2040 {
        let policy = table.lookup(DEFAULT_REGION, year).unwrap();
        let expected = format!("wendeng-{}", year.min(2027));
        assert_eq!(policy.id, expected);
    }
    assert!(table.lookup(DEFAULT_REGION, 2017).is_err());
    assert_eq!(table.years(), "2018–");
}

#[test]
fn the_2018_table_is_the_notice() {
    let table = PolicyTable::builtin();
    let policy = table.lookup(DEFAULT_REGION, 2018).unwrap();
    let amounts: Vec<String> = policy.tiers.iter().map(|t| t.amount.to_string()).collect();
    assert_eq!(
        amounts,
        ["300", "500", "800", "1000", "1500", "2000", "2500", "3000", "4000", "5000"]
    );
    assert!(policy.tiers[0].restriction.is_some());
    assert!(policy.tiers[1..].iter().all(|t| t.restriction.is_none()));
    assert_eq!(
        (
            policy.min_age,
            policy.benefit_age,
            policy.min_years_for_pension
        ),
        (16, 60, 15)
    );
    assert!(!policy.back_payment_subsidy);
    // The notice confirms the tiers and the window of 2018; nothing else is confirmed.
    assert!(policy.tiers_source.confirmed && policy.window_source.confirmed);
    assert!(!policy.all_confirmed());
    assert_eq!(policy.pension.basic_monthly.value.to_string(), "120");
}

#[test]
fn figures_follow_the_public_sources_and_none_after_2018_is_confirmed() {
    let table = PolicyTable::builtin();
    let basic = |y| {
        table
            .lookup(DEFAULT_REGION, y)
            .unwrap()
            .pension
            .basic_monthly
            .value
            .to_string()
    };
    assert_eq!(basic(2019), "130");
    assert_eq!(basic(2020), "154");
    assert_eq!(basic(2024), "188");
    for year in 2019..=2027 {
        let p = table.lookup(DEFAULT_REGION, year).unwrap();
        assert!(
            !p.tiers_source.confirmed && !p.window_source.confirmed,
            "{year}"
        );
        assert_eq!(p.pension.account_divisor.value, 139);
        assert_eq!(
            p.subsidy(TierAmount::parse("500").unwrap())
                .unwrap()
                .to_string(),
            "60"
        );
        assert!(p
            .label(year, None)
            .ends_with("（内置第1版，部分数字待确认）"));
    }
    let p2024 = table.lookup(DEFAULT_REGION, 2024).unwrap();
    assert_eq!(p2024.pension.crediting_rate.percent.to_string(), "2.62");
}

#[test]
fn labels_name_the_year_the_version_and_whether_all_is_confirmed() {
    let table = PolicyTable::builtin();
    let mut policy = table.lookup(DEFAULT_REGION, 2026).unwrap().clone();
    let v2 = PolicyVersion {
        number: 2,
        effective_from: time::macros::date!(2026 - 01 - 01),
        published_by: None,
        published_at: None,
        years: "2026".into(),
    };
    assert_eq!(
        policy.label(2026, Some(&v2)),
        "2026年政策（第2版，部分数字待确认）"
    );
    policy.tiers_source.confirmed = true;
    policy.window_source.confirmed = true;
    policy.subsidies.iter_mut().for_each(|s| s.confirmed = true);
    let p = &mut policy.pension;
    p.basic_monthly.confirmed = true;
    p.age_extras.iter_mut().for_each(|a| a.confirmed = true);
    p.bonus_per_year_beyond_minimum.as_mut().unwrap().confirmed = true;
    p.account_divisor.confirmed = true;
    p.crediting_rate.confirmed = true;
    assert_eq!(policy.label(2026, Some(&v2)), "2026年政策（第2版）");
}

#[test]
fn bad_tables_are_refused_with_what_is_wrong() {
    assert!(matches!(
        PolicyTable::from_json("{"),
        Err(PolicyError::Syntax(_))
    ));
    assert!(matches!(
        edited(|v| v["format"] = 1.into()),
        Err(PolicyError::Format(1))
    ));
    assert!(matches!(
        edited(|v| v["policies"] = serde_json::json!([])),
        Err(PolicyError::Empty)
    ));
    let p = |v: &mut serde_json::Value| v["policies"][0].clone();
    let _ = p;
    assert!(
        problem(edited(|v| v["policies"][0]["tiers"] = serde_json::json!([])))
            .contains("没有缴费档次")
    );
    assert!(problem(edited(
        |v| v["policies"][0]["tiers"][1]["amount"] = "300".into()
    ))
    .contains("从低到高"));
    assert!(problem(edited(|v| v["policies"][0]["min_age"] = 60.into())).contains("最低参保年龄"));
    assert!(problem(edited(
        |v| v["policies"][0]["window"]["opens"] = "05-01".into()
    ))
    .contains("缴费期"));
    // A subsidy per tier, in the tiers' order, below the tier.
    assert!(problem(edited(|v| {
        v["policies"][0]["subsidies"].as_array_mut().unwrap().pop();
    }))
    .contains("10 个档次，9 项补贴"));
    assert!(problem(edited(
        |v| v["policies"][0]["subsidies"][2]["tier"] = "1000".into()
    ))
    .contains("800 元档的位置写的是 1000 元档"));
    assert!(problem(edited(
        |v| v["policies"][0]["subsidies"][1]["value"] = "500".into()
    ))
    .contains("不应达到或超过"));
    assert!(problem(edited(
        |v| v["policies"][0]["pension"]["basic_monthly"]["value"] = "0".into()
    ))
    .contains("基础养老金"));
    assert!(problem(edited(
        |v| v["policies"][0]["pension"]["crediting_rate"]["percent"] = "25".into()
    ))
    .contains("记账利率"));
    assert!(problem(edited(
        |v| v["policies"][0]["pension"]["account_divisor"]["value"] = 0.into()
    ))
    .contains("计发月数"));
    assert!(problem(edited(
        |v| v["policies"][0]["pension"]["age_extras"][1]["from_age"] = 64.into()
    ))
    .contains("高龄加发"));
    assert!(problem(edited(
        |v| v["policies"][0]["subsidies"][0]["source"] = " ".into()
    ))
    .contains("没有写来源"));
    assert!(problem(edited(|v| v["policies"][0]["to_year"] = 2025.into())).contains("结束年份"));
    // Numbers are decimal strings, never floats; no field goes unnoticed.
    assert!(matches!(
        edited(|v| v["policies"][0]["tiers"][1]["amount"] = "500.5".into()),
        Err(PolicyError::Syntax(_))
    ));
    assert!(matches!(
        edited(|v| v["policies"][0]["pension"]["crediting_rate"]["percent"] = 2.62.into()),
        Err(PolicyError::Syntax(_))
    ));
    match edited(|v| v["policies"][0]["surprise"] = true.into()) {
        Err(PolicyError::Syntax(text)) => assert!(text.contains("未知字段"), "{text}"),
        other => panic!("{other:?}"),
    }
    match edited(|v| {
        v["policies"][0]
            .as_object_mut()
            .unwrap()
            .remove("subsidies");
    }) {
        Err(e @ PolicyError::Syntax(_)) => {
            assert!(e.to_string().contains("缺少字段 `subsidies`"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

fn two(first: (i32, Option<i32>), second: (i32, Option<i32>)) -> Result<PolicyTable, PolicyError> {
    edited(|v| {
        let mut next = v["policies"][0].clone();
        v["policies"][0]["from_year"] = first.0.into();
        v["policies"][0]["to_year"] = first.1.map_or(serde_json::Value::Null, Into::into);
        next["id"] = "wendeng-next".into();
        next["from_year"] = second.0.into();
        next["to_year"] = second.1.map_or(serde_json::Value::Null, Into::into);
        v["policies"].as_array_mut().unwrap().push(next);
    })
}

#[test]
fn years_run_without_gaps_or_overlaps_and_only_the_last_is_open() {
    assert!(two((2025, Some(2025)), (2026, None)).is_ok());
    assert!(matches!(
        two((2025, Some(2026)), (2026, None)),
        Err(PolicyError::Overlap { .. })
    ));
    assert!(matches!(
        two((2025, None), (2025, Some(2025))),
        Err(PolicyError::Overlap { .. })
    ));
    match two((2024, Some(2024)), (2026, None)) {
        Err(e @ PolicyError::Gap { missing: 2025, .. }) => {
            assert!(e.to_string().contains("2025 年没有政策"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        two((2024, None), (2026, Some(2026))),
        Err(PolicyError::OpenBeforeLast { .. })
    ));
    // In any order in the file.
    let table = two((2026, None), (2025, Some(2025))).unwrap();
    assert_eq!(
        table.lookup(DEFAULT_REGION, 2025).unwrap().id,
        "wendeng-next"
    );
    assert_eq!(
        table.lookup(DEFAULT_REGION, 2030).unwrap().id,
        "wendeng-2026"
    );
    assert_eq!(table.years(), "2025–");
}
