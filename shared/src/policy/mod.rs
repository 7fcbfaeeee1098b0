//! Policy as data: the rules that differ by place and year, in a table keyed by region and
//! year. The file format is JSON (format [`POLICY_FORMAT`]) so the server and the app read the
//! very same document; one file per year lives in `shared/policies/` and all of them are built
//! in ([`PolicyTable::builtin`]), so a phone has them offline.
//!
//! A policy holds what a payment needs (tiers, window, ages) and what an estimate of the
//! pension needs ([`PensionRules`]: the basic pension, its age extras and the bonus per year
//! beyond the minimum, the personal account's divisor and the crediting rate), plus the
//! government subsidy of each tier. Every figure carries its source and whether it is
//! confirmed for Wendeng ([`Source`]): the public material is thin (see POLICY-SOURCES.md), and
//! a figure that is not confirmed keeps the 2017 notice's value or the best public one, marked
//! so. Loading validates everything ([`validate`]) and says what is wrong in Chinese.
//!
//! Which table is *in force* on a server (the built-in one, or a version an administrator
//! published) is the server's business (`server/src/policy`); each published table is a
//! numbered [`PolicyVersion`].

use crate::json::FromJson;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::money::Money;
use crate::tiers::{TierAmount, TierRule};
use crate::window::PaymentWindow;

pub mod builtin;
mod validate;

pub use validate::PolicyError;

/// Format 1 (until 2026) had tiers, window and ages only; format 2 adds the subsidy of each
/// tier, the pension rules, and a source and a confirmation for every figure.
pub const POLICY_FORMAT: u32 = 2;

/// The region the built-in table is for, and the one the server uses unless told otherwise.
pub const DEFAULT_REGION: &str = "371003";

/// Where a figure (or a group of figures) was read from, and whether it is confirmed for this
/// region and year. `confirmed: false` means "the best available value, to be checked".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub source: String,
    pub confirmed: bool,
}

/// An amount of yuan with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub value: Money,
    pub source: String,
    pub confirmed: bool,
}

/// The government contribution subsidy (缴费补贴) credited to the personal account with one
/// tier, yuan per year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TierSubsidy {
    pub tier: TierAmount,
    pub value: Money,
    pub source: String,
    pub confirmed: bool,
}

/// A monthly extra from an age on (Weihai 2020: 65–74 +5, 75 and over +10). Each band replaces
/// the one before it; they do not add up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgeExtra {
    pub from_age: u8,
    pub value: Money,
    pub source: String,
    pub confirmed: bool,
}

/// The yearly crediting rate (记账利率) of the personal account, in percent ("2.62").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rate {
    #[serde(with = "rust_decimal::serde::str")]
    #[json(with = "crate::json::decimal_str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2.62"))]
    pub percent: Decimal,
    pub source: String,
    pub confirmed: bool,
}

/// The months the personal account is divided by at benefit age (139 at 60).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Divisor {
    pub value: u32,
    pub source: String,
    pub confirmed: bool,
}

/// What the pension is made of (养老金 = 基础养老金 + 个人账户 ÷ 计发月数, plus extras).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PensionRules {
    /// 基础养老金, yuan per month, paid by government to everyone drawing a pension.
    pub basic_monthly: Figure,
    /// Ascending by age; may be empty.
    pub age_extras: Vec<AgeExtra>,
    /// Yuan per month for each contribution year beyond `min_years_for_pension`, if any.
    pub bonus_per_year_beyond_minimum: Option<Figure>,
    pub account_divisor: Divisor,
    /// The assumption an estimate credits the personal account with, every year.
    pub crediting_rate: Rate,
}

/// One region's rules for a run of years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    /// Six-digit administrative code of the region that sets the rules (文登区 371003).
    pub region_code: String,
    pub region_name: String,
    pub from_year: i32,
    /// Inclusive; `null` means "until a newer policy says otherwise" (only the last one).
    pub to_year: Option<i32>,
    /// Ascending by amount.
    pub tiers: Vec<TierRule>,
    pub tiers_source: Source,
    /// One per tier, in the tiers' order.
    pub subsidies: Vec<TierSubsidy>,
    pub window: PaymentWindow,
    pub window_source: Source,
    pub min_age: u8,
    pub benefit_age: u8,
    pub min_years_for_pension: u8,
    /// Whether back-paid (补缴) years earn the government contribution subsidy.
    pub back_payment_subsidy: bool,
    pub pension: PensionRules,
    /// The document the policy as a whole was read from, for anyone checking it.
    pub source: String,
}

impl Policy {
    pub fn covers(&self, year: i32) -> bool {
        year >= self.from_year && self.to_year.is_none_or(|to| year <= to)
    }

    pub fn tier(&self, amount: TierAmount) -> Option<&TierRule> {
        self.tiers.iter().find(|t| t.amount == amount)
    }

    /// The yearly subsidy credited with `tier` (paid in the window, not back-paid).
    pub fn subsidy(&self, tier: TierAmount) -> Option<Money> {
        self.subsidies
            .iter()
            .find(|s| s.tier == tier)
            .map(|s| s.value)
    }

    /// The lowest tier open to everyone (500 in Wendeng; 300 is for the severely disabled).
    pub fn lowest_open_tier(&self) -> Option<TierAmount> {
        self.tiers
            .iter()
            .find(|t| t.restriction.is_none())
            .map(|t| t.amount)
    }

    /// Whether every figure of this policy is confirmed for its region and years.
    pub fn all_confirmed(&self) -> bool {
        let p = &self.pension;
        self.tiers_source.confirmed
            && self.window_source.confirmed
            && self.subsidies.iter().all(|s| s.confirmed)
            && p.basic_monthly.confirmed
            && p.age_extras.iter().all(|a| a.confirmed)
            && p.bonus_per_year_beyond_minimum
                .as_ref()
                .is_none_or(|b| b.confirmed)
            && p.account_divisor.confirmed
            && p.crediting_rate.confirmed
    }

    /// How a phone names the policy it uses for `year`: "2026年政策（第2版，部分数字待确认）".
    pub fn label(&self, year: i32, version: Option<&PolicyVersion>) -> String {
        let mut parts = Vec::new();
        match version {
            Some(v) if v.number > 1 => parts.push(format!("第{}版", v.number)),
            _ => parts.push("内置第1版".to_owned()),
        }
        if !self.all_confirmed() {
            parts.push("部分数字待确认".to_owned());
        }
        format!("{year}年政策（{}）", parts.join("，"))
    }
}

/// A numbered table in force on a server from a day in China. Number 1 is the table built into
/// this release; an administrator's import is the next number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyVersion {
    pub number: u32,
    /// The first day (China Standard Time) the version is in force.
    #[serde(with = "crate::timetext::day")]
    pub effective_from: Date,
    /// The staff account that published it (`cli:<user>` from the command line); `None` for
    /// the built-in table.
    #[serde(default)]
    pub published_by: Option<String>,
    #[serde(default, with = "crate::timetext::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    /// The years its policies cover, e.g. "2026" or "2026–".
    #[serde(default)]
    pub years: String,
}

/// `POST /api/v1/admin/policies`: an administrator publishes a table. The document is the
/// JSON text itself (as in `shared/policies/`), so that what is wrong in it can be said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishPolicy {
    pub document: String,
    /// `YYYY-MM-DD`, China Standard Time: today or later.
    pub effective_from: String,
}

/// A version as the admin screen lists it (`GET /api/v1/admin/policies`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedPolicy {
    pub version: PolicyVersion,
    /// The ids of its policies ("wendeng-2027").
    pub policies: Vec<String>,
    pub all_confirmed: bool,
    /// Whether it decides this year's payments today.
    pub in_force: bool,
}

/// Every policy the system knows, validated as a whole on load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyTable {
    pub format: u32,
    pub policies: Vec<Policy>,
}

impl PolicyTable {
    /// The tables of `shared/policies/`, one per year, merged and validated (tested).
    pub fn builtin() -> Self {
        builtin::table()
    }

    /// Reads and validates a table; the error says in Chinese what is wrong and where.
    pub fn from_json(text: &str) -> Result<Self, PolicyError> {
        let table: Self = serde_json::from_str(text).map_err(validate::syntax)?;
        table.validate()?;
        Ok(table)
    }

    pub fn validate(&self) -> Result<(), PolicyError> {
        validate::table(self)
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

    /// The years the table covers, as a label ("2018–2027", "2026", "2026–").
    pub fn years(&self) -> String {
        let from = self.policies.iter().map(|p| p.from_year).min();
        let open = self.policies.iter().any(|p| p.to_year.is_none());
        let to = self.policies.iter().filter_map(|p| p.to_year).max();
        match (from, open, to) {
            (None, ..) => String::new(),
            (Some(f), true, _) => format!("{f}–"),
            (Some(f), false, Some(t)) if t == f => format!("{f}"),
            (Some(f), false, Some(t)) => format!("{f}–{t}"),
            (Some(f), false, None) => format!("{f}"),
        }
    }
}

#[cfg(test)]
mod tests;
