//! Everything a policy table must be before anyone relies on it, each problem said in Chinese
//! with the policy it is in: the format, ascending tiers with a subsidy each, sensible ages and
//! window, pension figures in range, a source for every figure, and per region a run of years
//! without gaps or overlaps (only the last policy may be open-ended).

use rust_decimal::Decimal;
use thiserror::Error;

use super::{Policy, PolicyTable, POLICY_FORMAT};
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    #[error("政策文件无法读取：{0}")]
    Syntax(String),
    #[error("政策文件格式版本 {0} 不受支持（应为 {POLICY_FORMAT}）")]
    Format(u32),
    #[error("政策“{id}”有误：{problem}")]
    Invalid { id: String, problem: String },
    #[error("地区 {region} 的政策在年份上重叠：{first} 与 {second}")]
    Overlap {
        region: String,
        first: String,
        second: String,
    },
    #[error("地区 {region} 的政策在 {after} 与 {before} 之间缺了年份（{missing} 年没有政策）")]
    Gap {
        region: String,
        after: String,
        before: String,
        missing: i32,
    },
    #[error("地区 {region} 的政策“{id}”没有写结束年份，只有最后一个政策可以不写")]
    OpenBeforeLast { region: String, id: String },
    #[error("政策文件里没有任何政策")]
    Empty,
    #[error("没有地区 {region} {year} 年的缴费政策")]
    Missing { region: String, year: i32 },
}

impl PolicyError {
    /// A stable code for the API's `{code, message}` answer.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Syntax(_) => "policy_syntax",
            Self::Format(_) => "policy_format",
            Self::Invalid { .. } => "policy_invalid",
            Self::Overlap { .. } => "policy_overlap",
            Self::Gap { .. } => "policy_gap",
            Self::OpenBeforeLast { .. } => "policy_open_before_last",
            Self::Empty => "policy_empty",
            Self::Missing { .. } => "policy_missing",
        }
    }
}

/// serde's message, with its usual English phrases said in Chinese (the position stays).
pub(super) fn syntax(e: serde_json::Error) -> PolicyError {
    let text = e
        .to_string()
        .replace("missing field", "缺少字段")
        .replace("unknown field", "未知字段")
        .replace("expected one of", "应为以下之一")
        .replace("invalid type", "类型不对")
        .replace("invalid value", "取值不对")
        .replace("expected", "应为")
        .replace("at line", "位于第")
        .replace(" column ", " 行第 ")
        .replace("EOF while parsing", "文件不完整")
        .replace("trailing characters", "结尾有多余字符");
    PolicyError::Syntax(text)
}

pub(super) fn table(table: &PolicyTable) -> Result<(), PolicyError> {
    if table.format != POLICY_FORMAT {
        return Err(PolicyError::Format(table.format));
    }
    if table.policies.is_empty() {
        return Err(PolicyError::Empty);
    }
    for policy in &table.policies {
        one(policy)?;
    }
    let mut regions: Vec<&str> = table
        .policies
        .iter()
        .map(|p| p.region_code.as_str())
        .collect();
    crate::short_sort::sort_by(&mut regions, |a, b| a.cmp(b));
    regions.dedup();
    for region in regions {
        let mut run: Vec<&Policy> = table
            .policies
            .iter()
            .filter(|p| p.region_code == region)
            .collect();
        crate::short_sort::sort_by_key(&mut run, |p| p.from_year);
        for pair in run.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let Some(a_to) = a.to_year else {
                return Err(match b.from_year <= a.from_year {
                    true => overlap(region, a, b),
                    false => PolicyError::OpenBeforeLast {
                        region: region.to_owned(),
                        id: a.id.clone(),
                    },
                });
            };
            if b.from_year <= a_to {
                return Err(overlap(region, a, b));
            }
            if b.from_year > a_to + 1 {
                return Err(PolicyError::Gap {
                    region: region.to_owned(),
                    after: a.id.clone(),
                    before: b.id.clone(),
                    missing: a_to + 1,
                });
            }
        }
    }
    Ok(())
}

fn overlap(region: &str, a: &Policy, b: &Policy) -> PolicyError {
    PolicyError::Overlap {
        region: region.to_owned(),
        first: a.id.clone(),
        second: b.id.clone(),
    }
}

/// The most a crediting rate may be, in percent: far above any rate ever published (8.29 %).
const MAX_RATE_PERCENT: i64 = 20;

fn one(p: &Policy) -> Result<(), PolicyError> {
    let invalid = |problem: String| PolicyError::Invalid {
        id: p.id.clone(),
        problem,
    };
    let check = |ok: bool, problem: &str| match ok {
        true => Ok(()),
        false => Err(invalid(problem.to_owned())),
    };
    check(!p.id.trim().is_empty(), "缺少政策编号（id）")?;
    check(
        p.region_code.len() == 6 && p.region_code.bytes().all(|b| b.is_ascii_digit()),
        "地区代码应为6位数字",
    )?;
    check(
        (2009..=2100).contains(&p.from_year),
        "开始年份应在2009年（制度建立）到2100年之间",
    )?;
    check(
        p.to_year.is_none_or(|to| to >= p.from_year),
        "结束年份早于开始年份",
    )?;
    check(!p.tiers.is_empty(), "没有缴费档次")?;
    check(
        p.tiers.windows(2).all(|w| w[0].amount < w[1].amount),
        "缴费档次应从低到高排列且不重复",
    )?;
    check(
        p.lowest_open_tier().is_some(),
        "至少要有一个人人可选的缴费档次",
    )?;
    if p.subsidies.len() != p.tiers.len() {
        return Err(invalid(format!(
            "每个缴费档次都要有一项补贴标准：有 {} 个档次，{} 项补贴",
            p.tiers.len(),
            p.subsidies.len()
        )));
    }
    for (tier, subsidy) in p.tiers.iter().zip(&p.subsidies) {
        if subsidy.tier != tier.amount {
            return Err(invalid(format!(
                "补贴应与缴费档次一一对应、顺序相同：{} 元档的位置写的是 {} 元档",
                tier.amount, subsidy.tier
            )));
        }
        if subsidy.value >= tier.amount.money() {
            return Err(invalid(format!(
                "{} 元档的补贴 {} 元不应达到或超过缴费额",
                tier.amount, subsidy.value
            )));
        }
        sourced(&subsidy.source, &format!("{} 元档的补贴", tier.amount)).map_err(&invalid)?;
    }
    check(p.window.opens <= p.window.closes, "缴费期开始日晚于结束日")?;
    check(p.min_age < p.benefit_age, "最低参保年龄应小于领取待遇年龄")?;
    check(
        (1..=40).contains(&p.min_years_for_pension),
        "领取养老金的最低缴费年限应在1到40年之间",
    )?;
    sourced(&p.tiers_source.source, "缴费档次").map_err(&invalid)?;
    sourced(&p.window_source.source, "缴费期").map_err(&invalid)?;
    sourced(&p.source, "政策").map_err(&invalid)?;
    pension(p).map_err(invalid)
}

fn sourced(source: &str, what: &str) -> Result<(), String> {
    match source.trim().is_empty() {
        true => Err(format!("{what}没有写来源（source）")),
        false => Ok(()),
    }
}

fn pension(p: &Policy) -> Result<(), String> {
    let r = &p.pension;
    if r.basic_monthly.value == Money::ZERO {
        return Err("基础养老金应大于零".into());
    }
    sourced(&r.basic_monthly.source, "基础养老金")?;
    if !(1..=300).contains(&r.account_divisor.value) {
        return Err("个人账户计发月数应在1到300之间（60岁为139）".into());
    }
    sourced(&r.account_divisor.source, "计发月数")?;
    let rate = r.crediting_rate.percent;
    if rate < Decimal::ZERO || rate > Decimal::from(MAX_RATE_PERCENT) {
        return Err(format!(
            "记账利率应在0%到{MAX_RATE_PERCENT}%之间，写的是 {rate}%"
        ));
    }
    sourced(&r.crediting_rate.source, "记账利率")?;
    if let Some(bonus) = &r.bonus_per_year_beyond_minimum {
        sourced(&bonus.source, "长缴费加发")?;
    }
    let mut last_age = p.benefit_age;
    for (i, extra) in r.age_extras.iter().enumerate() {
        if extra.from_age <= last_age && !(i == 0 && extra.from_age == p.benefit_age) {
            return Err(format!(
                "高龄加发应按年龄从低到高排列，且不低于领取年龄 {}：{} 岁",
                p.benefit_age, extra.from_age
            ));
        }
        sourced(&extra.source, &format!("{}岁起的高龄加发", extra.from_age))?;
        last_age = extra.from_age;
    }
    Ok(())
}
