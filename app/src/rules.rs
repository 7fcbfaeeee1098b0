//! The shared crate's rules applied on the phone, offline too: where the payment window
//! stands, when to warn about the deadline, this year's status of a person, and the
//! eligibility hint shown before paying. The server decides again when the payment arrives.
//! [`estimate`]: what each tier brings (养老金测算), and the name of the policy in use.

use std::collections::BTreeSet;

use time::OffsetDateTime;
use yanglao_shared::eligibility::{decide, PersonFacts};
use yanglao_shared::policy::{Policy, PolicyTable, DEFAULT_REGION};
use yanglao_shared::refusal::{Reason, Refusal};
use yanglao_shared::tiers::TierAmount;
use yanglao_shared::window::{cst_date, WindowState};
use yanglao_shared::wire::{IntentState, PayeeCheck};

use crate::model::{CachedWindow, LocalIntent, LocalPayee};

/// The built-in policy table, parsed once per page (reactive code asks for it often).
pub fn builtin() -> &'static PolicyTable {
    static TABLE: std::sync::OnceLock<PolicyTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(PolicyTable::builtin)
}

/// The policy to apply: the one the server sent last, else the built-in Wendeng table.
pub fn policy_or_builtin(cached: Option<&Policy>, year: i32) -> Policy {
    cached.cloned().unwrap_or_else(|| {
        let table = builtin();
        let policy = table
            .lookup(DEFAULT_REGION, year)
            .or_else(|_| table.lookup(DEFAULT_REGION, 2018));
        policy.expect("the built-in table covers Wendeng").clone()
    })
}

/// Where the window stands now, as well as the phone can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowNow {
    pub state: WindowState,
    /// True when this comes straight from the server's last answer, given today; false when
    /// worked out on the phone (offline since an earlier day, or never synced).
    pub from_server: bool,
}

/// The server's cached window while it still speaks of today (by the corrected clock);
/// otherwise the policy's window, worked out by the shared crate with the corrected clock.
pub fn window_now(
    cached: Option<&CachedWindow>,
    policy: &Policy,
    phone_now: OffsetDateTime,
) -> WindowNow {
    match cached {
        Some(c) => {
            let server_now = c.clock.estimate(phone_now);
            if cst_date(server_now) == cst_date(c.clock.server_time) {
                WindowNow {
                    state: c.window,
                    from_server: true,
                }
            } else {
                WindowNow {
                    state: policy.window.state_at(server_now),
                    from_server: false,
                }
            }
        }
        None => WindowNow {
            state: policy.window.state_at(phone_now),
            from_server: false,
        },
    }
}

pub fn window_year(state: &WindowState) -> i32 {
    match *state {
        WindowState::NotYetOpen { year, .. }
        | WindowState::Open { year, .. }
        | WindowState::Closed { year, .. } => year,
    }
}

/// Days before the deadline from which unsent payments are called out.
pub const WARN_DAYS: u32 = 7;

/// Why the outbox needs attention because of the deadline, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineWarning {
    /// `unsent` payments are waiting and the window closes in `days_left` days (today counts).
    ClosingSoon { unsent: usize, days_left: u32 },
    /// The window closed with `unsent` payments never sent: they will not go through.
    Closed { unsent: usize },
}

pub fn deadline_warning(window: &WindowState, intents: &[LocalIntent]) -> Option<DeadlineWarning> {
    let year = window_year(window);
    let unsent = intents
        .iter()
        .filter(|i| i.mine && i.unsent() && i.intent.year == year)
        .count();
    if unsent == 0 {
        return None;
    }
    match *window {
        WindowState::Open { days_left, .. } if days_left <= WARN_DAYS => {
            Some(DeadlineWarning::ClosingSoon { unsent, days_left })
        }
        WindowState::Closed { .. } => Some(DeadlineWarning::Closed { unsent }),
        _ => None,
    }
}

/// This year's status of a person, in the order a payer needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayeeStatus {
    /// 待核验: added on the phone, the server has not checked it yet.
    Unverified,
    /// Name and ID match no roster record.
    NoMatch(Reason),
    /// Cannot pay this year (not enrolled, at benefit age, ...).
    Blocked(Reason),
    /// 已缴费 (by anyone; `by_me` when through this account, with the intent).
    Paid { by_me: Option<LocalIntent> },
    /// A payment of this account is on its way; the state says where.
    InProgress(LocalIntent),
    /// 未缴费: may pay now. `last_failed` is the latest failed attempt, if any.
    Unpaid { last_failed: Option<LocalIntent> },
}

pub fn payee_status(payee: &LocalPayee, intents: &[LocalIntent], year: i32) -> PayeeStatus {
    let (paid_this_year, blocked) = match &payee.check {
        PayeeCheck::Unverified => return PayeeStatus::Unverified,
        PayeeCheck::NoMatch { reason } => return PayeeStatus::NoMatch(reason.clone()),
        PayeeCheck::Verified {
            paid_this_year,
            blocked,
            ..
        } => (*paid_this_year, blocked.clone()),
    };
    let mut mine: Vec<&LocalIntent> = intents
        .iter()
        .filter(|i| i.intent.payee_id == payee.id && i.intent.year == year)
        .collect();
    yanglao_shared::short_sort::sort_by_key(&mut mine, |i| i.intent.prepared_at);
    if let Some(paid) = mine
        .iter()
        .find(|i| matches!(i.state, IntentState::Paid { .. }))
    {
        return PayeeStatus::Paid {
            by_me: Some((*paid).clone()),
        };
    }
    if paid_this_year {
        return PayeeStatus::Paid { by_me: None };
    }
    if let Some(reason) = blocked {
        return PayeeStatus::Blocked(reason);
    }
    if let Some(open) = mine.iter().rev().find(|i| !i.state.is_final()) {
        return PayeeStatus::InProgress((*open).clone());
    }
    // Someone else paid (无需缴费) while the server view is not refreshed yet.
    if let Some(not_needed) = mine
        .iter()
        .rev()
        .find(|i| matches!(i.state, IntentState::NotNeeded { .. }))
    {
        return PayeeStatus::InProgress((*not_needed).clone());
    }
    PayeeStatus::Unpaid {
        last_failed: mine
            .iter()
            .rev()
            .find(|i| matches!(i.state, IntentState::Failed { .. }))
            .map(|i| (*i).clone()),
    }
}

/// May a payment for this person be prepared now? Only `Unpaid` people can be chosen.
pub fn payable(status: &PayeeStatus) -> bool {
    matches!(status, PayeeStatus::Unpaid { .. })
}

/// The shared decision, run on the phone as a hint before paying: every reason the server
/// would refuse, as far as the phone knows the facts. Without a birth date (a person added on
/// another phone) only what the server already said applies, so nothing is added.
pub fn eligibility_hint(
    policy: &Policy,
    payee: &LocalPayee,
    year: i32,
    tier: TierAmount,
    server_now: OffsetDateTime,
) -> Vec<Refusal> {
    let (
        PayeeCheck::Verified {
            status,
            paid_this_year,
            tiers,
            ..
        },
        Some(birth_date),
    ) = (&payee.check, payee.birth_date)
    else {
        return Vec::new();
    };
    let facts = PersonFacts {
        status: *status,
        birth_date,
        // The server lists the 300 tier only for the severely disabled.
        severely_disabled: tiers.iter().any(|t| t.restriction.is_some()),
        paid_years: if *paid_this_year {
            yanglao_shared::short_sort::set_of([year])
        } else {
            BTreeSet::new()
        },
    };
    decide(policy, &facts, year, tier, server_now)
        .err()
        .unwrap_or_default()
}

pub mod estimate;

#[cfg(test)]
mod tests;
