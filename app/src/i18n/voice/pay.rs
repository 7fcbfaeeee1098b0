//! The spoken text of 缴费's four steps, 缴费进度, a payment's answer and the receipt.

use time::OffsetDateTime;
use yanglao_shared::money::Money;
use yanglao_shared::pension::Projection;
use yanglao_shared::tiers::TierAmount;
use yanglao_shared::wire::IntentState;

use super::super::zh::ZH as T;
use super::{card, count, date_time, intent_state_said, name, number, step, tap, year, yuan};

/// 缴费, step 1: whom the account can pay for.
pub fn pay_people(names: &[String]) -> String {
    let mut out = format!("{}{}。", step(1), T.step_people);
    if names.is_empty() {
        out.push_str(T.none_payable);
        return out;
    }
    let names: Vec<String> = names.iter().map(|n| name(n)).collect();
    out.push_str(&format!("可以缴费的有：{}。", names.join("、")));
    out.push_str(&format!("选好人员后，{}", tap(T.next)));
    out
}

/// 缴费, step 2: the tiers for one person, and what the chosen one brings (养老金测算, an
/// estimate, said so).
pub fn pay_tier(
    shown_name: &str,
    tiers: &[TierAmount],
    chosen: Option<TierAmount>,
    estimate: Option<&Projection>,
) -> String {
    let mut out = format!("{}为{}选择缴费档次。", step(2), name(shown_name));
    if let (Some(low), Some(high)) = (tiers.first(), tiers.last()) {
        out.push_str(&format!(
            "每年可选{}到{}，共{}个档次，档次越高，以后领的养老金越多。",
            yuan(low.money()),
            yuan(high.money()),
            count(tiers.len())
        ));
    }
    match (chosen, estimate) {
        (Some(tier), Some(p)) => {
            out.push_str(&format!(
                "已选每年{}，政府每年补贴{}，估算六十岁起每月约领{}。这是估算，不是承诺。",
                yuan(tier.money()),
                yuan(p.subsidy_per_year),
                yuan(p.monthly_at_benefit_age)
            ));
            if !p.reaches_minimum {
                out.push_str(&format!(
                    "按时缴到六十岁累计只有{}年，不满{}年，可以了解补缴。",
                    number(p.years_by_benefit_age as u64),
                    number(p.min_years as u64)
                ));
            }
            out.push_str(&tap(T.next));
        }
        (Some(tier), None) => {
            out.push_str(&format!("已选每年{}。", yuan(tier.money())));
            out.push_str(&tap(T.next));
        }
        (None, _) => out.push_str(&format!("选好档次后，{}", tap(T.next))),
    }
    out
}

/// 缴费, step 3: the card chosen (bank and last four), or none for now.
pub fn pay_card(chosen: Option<(&str, &str)>, sandbox: bool) -> String {
    let mut out = format!("{}{}。", step(3), T.step_card);
    match chosen {
        Some((bank, last_four)) => out.push_str(&format!("已选{}。", card(bank, last_four))),
        None => out.push_str(&format!("已选“{}”。", T.no_card_now)),
    }
    if sandbox {
        out.push_str(&format!("{}。", T.sandbox));
    }
    out.push_str(&tap(T.next));
    out
}

/// 缴费, step 4: each person, year and tier once more, the card, the total, and "pay".
pub fn confirm(
    rows: &[(String, i32, TierAmount)],
    card_: Option<(&str, &str)>,
    total: Money,
    blocked: bool,
) -> String {
    let mut out = format!("{}{}。", step(4), T.step_confirm);
    for (n, y, tier) in rows {
        out.push_str(&format!(
            "{}，{}，每年{}。",
            name(n),
            year(*y),
            yuan(tier.money())
        ));
    }
    match card_ {
        Some((bank, last_four)) => out.push_str(&format!("银行卡：{}。", card(bank, last_four))),
        None => out.push_str(&format!("银行卡：{}。", T.no_card_now)),
    }
    out.push_str(&format!("合计{}。", yuan(total)));
    if blocked {
        out.push_str("现在还不能缴费，请看屏幕上的提示。");
    } else {
        out.push_str("确认无误，请点“确认缴费”。");
    }
    out
}

/// One payment on 缴费进度: who, which year, how much, where it stands.
pub struct PaymentSaid<'a> {
    pub name: &'a str,
    pub year: i32,
    pub tier: TierAmount,
    pub state: &'a IntentState,
    pub mine: bool,
}

/// 缴费进度: every payment with its state, and what to do about one that waits for the person.
pub fn payments(items: &[PaymentSaid]) -> String {
    let mut out = format!("{}。", T.payments_title);
    if items.is_empty() {
        out.push_str(T.payments_empty);
        return out;
    }
    out.push_str(&format!("共{}笔。", count(items.len())));
    for i in items {
        out.push_str(&format!(
            "{}，{}，{}，{}。",
            name(i.name),
            year(i.year),
            yuan(i.tier.money()),
            intent_state_said(i.state)
        ));
    }
    let mine = |f: fn(&IntentState) -> bool| items.iter().any(|i| i.mine && f(i.state));
    if mine(|s| matches!(s, IntentState::AwaitingPayment { .. })) {
        out.push_str(&format!("要选卡缴费，{}", tap(T.attach_card)));
    } else if mine(|s| matches!(s, IntentState::Failed { .. })) {
        out.push_str(&format!("要再试一次，{}", tap(T.pay_again)));
    } else if mine(|s| matches!(s, IntentState::Paid { .. })) {
        out.push_str(&format!("要看收据，{}", tap(T.view_receipt)));
    }
    out
}

/// Said once when a payment waiting for an answer gets one (elder mode, a Chinese voice).
pub fn payment_settled(shown_name: &str, year_: i32, state: &IntentState) -> String {
    match state {
        IntentState::Paid { amount, .. } => format!(
            "{}{}的缴费已完成：{}，{}。",
            name(shown_name),
            year(year_),
            T.st_paid,
            yuan(*amount)
        ),
        _ => format!(
            "{}{}的缴费：{}。",
            name(shown_name),
            year(year_),
            intent_state_said(state)
        ),
    }
}

/// 缴费收据: who, which year, how much, when; or that there is none.
pub fn receipt(paid: Option<(&str, i32, Money, OffsetDateTime)>) -> String {
    let mut out = format!("{}。", T.receipt_title);
    match paid {
        Some((n, y, amount, at)) => {
            out.push_str(&format!(
                "{}，{}，{}{}，缴费日期{}。",
                name(n),
                year(y),
                T.st_paid,
                yuan(amount),
                date_time(at)
            ));
            out.push_str(&format!("要打印，{}", tap(T.print)));
        }
        None => out.push_str(T.receipt_missing),
    }
    out
}
