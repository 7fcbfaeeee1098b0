//! Under the tier chooser: what each tier brings (养老金测算) for this person — the yearly cost,
//! the government subsidy credited with it and the estimated monthly pension from 60 — with
//! what the estimate assumes, the 15-year warning and the 补缴 hint, and the policy the phone
//! uses. Worked out on the phone from the synced policy (`rules::estimate`), so it works
//! offline; it is labelled 估算 everywhere.

use leptos::prelude::*;
use yanglao_shared::pension::Projection;
use yanglao_shared::tiers::TierAmount;

use crate::i18n::{self, Lang};
use crate::model::LocalPayee;
use crate::rules::estimate;
use crate::state::use_app;

fn zh() -> bool {
    i18n::lang() == Lang::Zh
}

/// An amount with both decimals ("289.50"), as a pension is quoted.
pub fn fen(amount: yanglao_shared::Money) -> String {
    format!("{:.2}", amount.yuan())
}

/// The 15-year line: `None` when the person reaches the minimum by 60.
pub fn minimum_warning(years: u32, reaches: bool, min: u32) -> Option<String> {
    (!reaches).then(|| match zh() {
        true => format!(
            "按时缴到60岁累计只有{years}年，不满{min}年：按月领取养老金要缴满{min}年。"
        ),
        false => format!(
            "Paying every year until 60 makes {years} years, fewer than {min}: a monthly pension needs {min}."
        ),
    })
}

/// The 补缴 hint for the chosen tier's estimate, when there are missed years.
pub fn back_payment_hint(p: &Projection) -> Option<String> {
    let b = p.back_payment.as_ref()?;
    let subsidy = if b.earns_subsidy {
        ""
    } else {
        "，补缴不享受政府补贴"
    };
    Some(match zh() {
        true => format!(
            "往年有{}年未缴。按{}元档补缴需{}元{subsidy}（到村居或镇办社保中心办理）：累计{}年{}，估算每月多领{}元。",
            b.years,
            p.tier,
            b.cost,
            b.years_by_benefit_age,
            if b.reaches_minimum { "，够领取条件" } else { "，仍不满领取年限" },
            b.monthly_gain
        ),
        false => format!(
            "{} past years are unpaid. Back payment at {} yuan costs {} yuan{} (at the village or town center): {} years in all, about {} yuan more a month (estimate).",
            b.years,
            p.tier,
            b.cost,
            if b.earns_subsidy { "" } else { ", with no subsidy" },
            b.years_by_benefit_age,
            b.monthly_gain
        ),
    })
}

/// The estimate of every tier `person` may choose, and the policy it is worked out with.
#[component]
pub fn TierEstimates(person: LocalPayee, year: i32) -> impl IntoView {
    let app = use_app();
    let id = person.id;
    let chosen = move || app.draft.with(|d| d.tiers.get(&id).copied());
    move || {
        i18n::track_lang();
        let policy = app.policy();
        let version = app.data.with(|d| d.policy_version.clone());
        let label = estimate::policy_label(&policy, version.as_ref(), year);
        let used = match zh() {
            true => format!("依据：{label}"),
            false => format!("Rules used: {label}"),
        };
        let Some(est) = estimate::for_payee(&policy, &person, year) else {
            return view! { <p class="muted" data-testid="policy-label">{used}</p> }.into_any();
        };
        let warning = est
            .years()
            .and_then(|(years, reaches, min)| minimum_warning(years, reaches, min));
        let rows = est.rows.clone();
        let for_hint = est.rows.clone();
        let hint = move || {
            let tier: Option<TierAmount> = chosen();
            let p = tier
                .and_then(|t| for_hint.iter().find(|p| p.tier == t))
                .or(for_hint.first())?;
            back_payment_hint(p)
        };
        // Units in the headings, plain numbers in the cells: three columns fit 360 px in
        // elder mode without a number breaking across lines.
        let (head_cost, head_subsidy, head_pension, title) = match zh() {
            true => (
                "每年缴（元）",
                "政府补贴（元/年）",
                "60岁起每月（元，估算）",
                "各档次能领多少（估算）",
            ),
            false => (
                "You pay (¥/yr)",
                "Subsidy (¥/yr)",
                "From 60 (¥/month, estimate)",
                "What each tier brings (estimate)",
            ),
        };
        view! {
            <section class="estimate" data-testid="tier-estimates">
                <h2>{title}</h2>
                <table class="estimate__table">
                    <thead><tr>
                        <th scope="col">{head_cost}</th>
                        <th scope="col">{head_subsidy}</th>
                        <th scope="col">{head_pension}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|p| {
                            let amount = p.tier;
                            view! {
                                <tr
                                    data-testid="estimate-row"
                                    data-amount=amount.to_string()
                                    class:estimate__row--on=move || chosen() == Some(amount)
                                >
                                    <th scope="row">{p.yearly_cost.to_string()}</th>
                                    <td data-testid="estimate-subsidy">{p.subsidy_per_year.to_string()}</td>
                                    <td data-testid="estimate-monthly">{fen(p.monthly_at_benefit_age)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                {warning.map(|w| view! { <p class="warning" role="note" data-testid="estimate-minimum">{w}</p> })}
                {move || hint().map(|h| view! { <p class="muted" data-testid="estimate-back-payment">{h}</p> })}
                <p class="muted" data-testid="estimate-assumptions">{est.assumptions.clone()}</p>
                <p class="muted" data-testid="policy-label">{used}</p>
            </section>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests;
