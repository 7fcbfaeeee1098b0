//! Policy as data: the rules that differ by place and year (tiers, window, ages), in a table
//! keyed by region and year. The file format is JSON so the server and the app read the very
//! same document; the Wendeng 2018 table (`policy/wendeng-2018.json`) is built in.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::tiers::{TierAmount, TierRule};
use crate::window::PaymentWindow;

pub const POLICY_FORMAT: u32 = 1;
const BUILTIN: &str = include_str!("../policy/wendeng-2018.json");

/// The region the built-in table is for, and the one the server uses unless told otherwise.
pub const DEFAULT_REGION: &str = "371003";

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
    #[error("没有地区 {region} {year} 年的缴费政策")]
    Missing { region: String, year: i32 },
}

/// One region's rules for a run of years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    /// Six-digit administrative code of the region that sets the rules (文登区 371003).
    pub region_code: String,
    pub region_name: String,
    pub from_year: i32,
    /// Inclusive; `null` means "until a newer policy says otherwise".
    pub to_year: Option<i32>,
    /// Ascending by amount.
    pub tiers: Vec<TierRule>,
    pub window: PaymentWindow,
    pub min_age: u8,
    pub benefit_age: u8,
    pub min_years_for_pension: u8,
    /// Whether back-paid (补缴) years earn the government contribution subsidy.
    pub back_payment_subsidy: bool,
    /// Where the rules were read from, for anyone checking them.
    pub source: String,
}

impl Policy {
    pub fn covers(&self, year: i32) -> bool {
        year >= self.from_year && self.to_year.is_none_or(|to| year <= to)
    }

    pub fn tier(&self, amount: TierAmount) -> Option<&TierRule> {
        self.tiers.iter().find(|t| t.amount == amount)
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let invalid = |problem: &str| PolicyError::Invalid {
            id: self.id.clone(),
            problem: problem.to_owned(),
        };
        if self.region_code.len() != 6 || !self.region_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("地区代码应为6位数字"));
        }
        if self.to_year.is_some_and(|to| to < self.from_year) {
            return Err(invalid("结束年份早于开始年份"));
        }
        if self.tiers.is_empty() {
            return Err(invalid("没有缴费档次"));
        }
        if self.tiers.windows(2).any(|w| w[0].amount >= w[1].amount) {
            return Err(invalid("缴费档次应从低到高排列且不重复"));
        }
        if self.window.opens > self.window.closes {
            return Err(invalid("缴费期开始日晚于结束日"));
        }
        if self.min_age >= self.benefit_age {
            return Err(invalid("最低参保年龄应小于领取待遇年龄"));
        }
        Ok(())
    }
}

/// Every policy the system knows, validated as a whole on load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyTable {
    pub format: u32,
    pub policies: Vec<Policy>,
}

impl PolicyTable {
    /// The Wendeng 2018 table compiled into every build.
    pub fn builtin() -> Self {
        Self::from_json(BUILTIN).expect("the built-in policy is valid (tested)")
    }

    pub fn from_json(text: &str) -> Result<Self, PolicyError> {
        let table: Self =
            serde_json::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        table.validate()?;
        Ok(table)
    }

    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.format != POLICY_FORMAT {
            return Err(PolicyError::Format(self.format));
        }
        for policy in &self.policies {
            policy.validate()?;
        }
        for (i, a) in self.policies.iter().enumerate() {
            for b in &self.policies[i + 1..] {
                let overlap = a.region_code == b.region_code
                    && b.to_year.is_none_or(|to| a.from_year <= to)
                    && a.to_year.is_none_or(|to| b.from_year <= to);
                if overlap {
                    return Err(PolicyError::Overlap {
                        region: a.region_code.clone(),
                        first: a.id.clone(),
                        second: b.id.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn lookup(&self, region: &str, year: i32) -> Result<&Policy, PolicyError> {
        self.policies
            .iter()
            .find(|p| p.region_code == region && p.covers(year))
            .ok_or_else(|| PolicyError::Missing {
                region: region.to_owned(),
                year,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_is_the_wendeng_2018_table() {
        let table = PolicyTable::builtin();
        let policy = table.lookup(DEFAULT_REGION, 2026).unwrap();
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
        assert!(table.lookup(DEFAULT_REGION, 2017).is_err());
    }

    fn edited(edit: impl Fn(&mut serde_json::Value)) -> Result<PolicyTable, PolicyError> {
        let mut value: serde_json::Value = serde_json::from_str(BUILTIN).unwrap();
        edit(&mut value);
        PolicyTable::from_json(&value.to_string())
    }

    #[test]
    fn bad_tables_are_refused_on_load() {
        assert!(matches!(
            PolicyTable::from_json("{"),
            Err(PolicyError::Syntax(_))
        ));
        assert!(matches!(
            edited(|v| v["format"] = 2.into()),
            Err(PolicyError::Format(2))
        ));
        let invalid = |r| matches!(r, Err(PolicyError::Invalid { .. }));
        assert!(invalid(edited(
            |v| v["policies"][0]["tiers"] = serde_json::json!([])
        )));
        assert!(invalid(edited(
            |v| v["policies"][0]["tiers"][1]["amount"] = "300".into()
        )));
        assert!(invalid(edited(|v| v["policies"][0]["min_age"] = 60.into())));
        assert!(invalid(edited(
            |v| v["policies"][0]["window"]["opens"] = "05-01".into()
        )));
        assert!(matches!(
            edited(|v| v["policies"][0]["tiers"][1]["amount"] = "500.5".into()),
            Err(PolicyError::Syntax(_))
        ));
        assert!(matches!(
            edited(|v| v["policies"][0]["surprise"] = true.into()),
            Err(PolicyError::Syntax(_))
        ));
        let duplicated = edited(|v| {
            let copy = v["policies"][0].clone();
            v["policies"].as_array_mut().unwrap().push(copy);
        });
        assert!(matches!(duplicated, Err(PolicyError::Overlap { .. })));
    }

    #[test]
    fn later_policies_take_over_by_year() {
        let table = edited(|v| {
            v["policies"][0]["to_year"] = 2025.into();
            let mut next = v["policies"][0].clone();
            next["id"] = "wendeng-2026".into();
            next["from_year"] = 2026.into();
            next["to_year"] = serde_json::Value::Null;
            v["policies"].as_array_mut().unwrap().push(next);
        })
        .unwrap();
        assert_eq!(
            table.lookup(DEFAULT_REGION, 2025).unwrap().id,
            "wendeng-2018"
        );
        assert_eq!(
            table.lookup(DEFAULT_REGION, 2026).unwrap().id,
            "wendeng-2026"
        );
    }
}
