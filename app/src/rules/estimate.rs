//! 养老金测算 on the phone, offline: the shared estimate ([`yanglao_shared::pension`]) for each
//! tier a person may choose, from what the server said of them (birth year, years on record,
//! years 补缴 could cover) and the policy the phone holds; and the name of that policy
//! ("2026年政策（第2版，部分数字待确认）").

use yanglao_shared::pension::{project, Contributor, Projection};
use yanglao_shared::policy::{Policy, PolicyVersion};
use yanglao_shared::wire::PayeeCheck;

use crate::model::LocalPayee;

/// The estimates of one person, one per tier they may choose (in the tiers' order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimates {
    pub contributor: Contributor,
    pub rows: Vec<Projection>,
    /// What the estimate assumes, in one line.
    pub assumptions: String,
}

impl Estimates {
    /// Years by benefit age and whether they reach the minimum: the same for every tier.
    pub fn years(&self) -> Option<(u32, bool, u32)> {
        self.rows
            .first()
            .map(|p| (p.years_by_benefit_age, p.reaches_minimum, p.min_years))
    }
}

/// The estimates for `payee` paying `year` and on, when the server has said what they need
/// (a person verified by a server that sends it); `None` otherwise.
pub fn for_payee(policy: &Policy, payee: &LocalPayee, year: i32) -> Option<Estimates> {
    let PayeeCheck::Verified {
        contributor: Some(contributor),
        paid_this_year,
        ..
    } = &payee.check
    else {
        return None;
    };
    let start = if *paid_this_year { year + 1 } else { year };
    let rows: Vec<Projection> = payee
        .tiers()
        .iter()
        .filter_map(|t| project(policy, contributor, start, t.amount).ok())
        .collect();
    (!rows.is_empty()).then(|| Estimates {
        contributor: *contributor,
        rows,
        assumptions: Projection::assumptions(policy, contributor),
    })
}

/// Which policy the phone uses for `year`: the server's version when it has said one, else
/// the table built into the app.
pub fn policy_label(policy: &Policy, version: Option<&PolicyVersion>, year: i32) -> String {
    policy.label(year, version)
}
