//! What 朗读 says (语音播报 in 长辈模式): one function per screen, building the spoken text from
//! the same data the screen shows — its heading, the facts that matter (who, which year, how
//! much, what state) and the one action to take — and the words of the button itself.
//!
//! The spoken text is always Mandarin, whatever the screen's language: the phone reads it with
//! a zh-CN voice (`crate::voice`), and a Chinese voice reading English is no help to anyone.
//! So these functions use the Chinese sentences only ([`super::zh::ZH`], [`super::apply::ZH`]),
//! and numbers are written out the way they are said: amounts "五百元", years "二零二七年",
//! dates "三月一日"; a masked name's hidden characters are read "某" (张*伟 → 张某伟), never
//! "星号", and ID and card numbers are not read out beyond a card's last four digits.

use time::OffsetDateTime;
use yanglao_shared::refusal::Reason;
use yanglao_shared::window::CST;
use yanglao_shared::wire::{IntentState, OwnRecord};

use super::apply::ZH as A;
use super::zh::ZH as T;
use crate::applications::{Kind, LocalApplication, Status};
use crate::rules::PayeeStatus;

/// The button's words, in the screen's language (the button sits among the screen's own).
pub struct VoiceStrings {
    pub read_aloud: &'static str,
    pub read_aloud_label: &'static str,
}

pub static ZH: VoiceStrings = VoiceStrings {
    read_aloud: "朗读",
    read_aloud_label: "朗读本页内容",
};

pub static EN: VoiceStrings = VoiceStrings {
    read_aloud: "Read aloud",
    read_aloud_label: "Read this screen aloud (in Mandarin)",
};

pub fn tv() -> &'static VoiceStrings {
    if super::zh() {
        &ZH
    } else {
        &EN
    }
}

mod pay;
mod words;

pub use pay::{
    confirm, pay_card, pay_people, pay_tier, payment_settled, payments, receipt, PaymentSaid,
};
pub use words::{count, date, digits, number, year, yuan};

pub(super) fn date_time(t: OffsetDateTime) -> String {
    date(t.to_offset(CST).date())
}

/// A name as shown, masked or not: the hidden characters are read 某.
pub fn name(shown: &str) -> String {
    shown.replace(['*', '＊'], "某")
}

pub(super) fn card(bank: &str, last_four: &str) -> String {
    format!("{bank}尾号{}", digits(last_four))
}

/// "请点“下一步”。"
pub(super) fn tap(button: &str) -> String {
    format!("请点“{button}”。")
}

pub fn intent_state(state: &IntentState) -> &'static str {
    match state {
        IntentState::Queued => T.st_queued,
        IntentState::Submitted => T.st_submitted,
        IntentState::AwaitingPayment { .. } => T.st_awaiting,
        IntentState::Paid { .. } => T.st_paid,
        IntentState::Failed { .. } => T.st_failed,
        IntentState::NotNeeded { .. } => T.st_not_needed,
    }
}

/// The state and, where the screen gives one, its reason.
pub(super) fn intent_state_said(state: &IntentState) -> String {
    match state {
        IntentState::Failed { reason }
        | IntentState::NotNeeded { reason }
        | IntentState::AwaitingPayment { reason } => {
            format!("{}，{}", intent_state(state), reason_said(reason))
        }
        _ => intent_state(state).to_owned(),
    }
}

pub(super) fn reason_said(reason: &Reason) -> String {
    reason.zh.trim_end_matches('。').to_owned()
}

fn payee_state(status: &PayeeStatus) -> String {
    match status {
        PayeeStatus::Unverified => T.st_unverified.to_owned(),
        PayeeStatus::NoMatch(r) => format!("{}，{}", T.st_no_match, reason_said(r)),
        PayeeStatus::Blocked(r) => format!("{}，{}", T.st_blocked, reason_said(r)),
        PayeeStatus::Paid { .. } => T.st_paid.to_owned(),
        PayeeStatus::InProgress(i) => intent_state(&i.state).to_owned(),
        PayeeStatus::Unpaid { .. } => T.st_unpaid.to_owned(),
    }
}

pub(super) fn step(n: usize) -> String {
    format!("第{}步，共四步。", number(n as u64))
}

/// 我的缴费人员: who, this year's state of each, and how to go on.
pub fn home(year_: i32, people: &[(String, PayeeStatus)], pending: usize) -> String {
    let mut out = format!("{}。{}。", T.home_title, year(year_));
    if people.is_empty() {
        out.push_str(T.home_empty);
        return out;
    }
    out.push_str(&format!("共{}人：", count(people.len())));
    let each: Vec<String> = people
        .iter()
        .map(|(n, s)| format!("{}，{}", name(n), payee_state(s)))
        .collect();
    out.push_str(&each.join("；"));
    out.push('。');
    if pending > 0 {
        out.push_str(&format!(
            "有{}笔缴费还没有结果，可在“{}”里查看。",
            count(pending),
            T.nav_payments
        ));
    }
    if people.iter().any(|(_, s)| crate::rules::payable(s)) {
        out.push_str(&format!("要缴费，{}", tap(T.start_pay)));
    } else {
        out.push_str(&format!("要添加人员，{}", tap(T.add_payee)));
    }
    out
}

/// One person: their state this year, why not (if so), and the way to pay for them.
pub fn person(shown_name: &str, year_: i32, status: &PayeeStatus) -> String {
    let mut out = format!(
        "{}。{}：{}。",
        name(shown_name),
        year(year_),
        payee_state(status)
    );
    if crate::rules::payable(status) {
        out.push_str(&format!("要为这个人缴费，{}", tap(T.pay_for)));
    }
    out
}

/// Where 我的参保记录 stands: the record, or a step of claiming it.
pub enum RecordSaid<'a> {
    Record(&'a OwnRecord),
    /// The claim's first step: name and ID number.
    Claim,
    /// The code went to the roster's mobile (masked, as shown: only its last four are read).
    CodeSent(&'a str),
}

pub fn record(stage: RecordSaid) -> String {
    let mut out = format!("{}。", T.record_title);
    match stage {
        RecordSaid::Record(r) => {
            out.push_str(&format!(
                "{}，累计缴费{}年，按月领取养老金要缴满{}年。",
                name(&r.name),
                number(r.years_paid_total as u64),
                number(r.min_years_for_pension as u64)
            ));
            if let Some(last) = r.contributions.iter().max_by_key(|c| c.year) {
                out.push_str(&format!(
                    "最近一次：{}，{}。",
                    year(last.year),
                    yuan(last.amount)
                ));
            }
            out.push_str(&format!("要打印，{}", tap(T.print)));
        }
        RecordSaid::Claim => out.push_str(&format!(
            "请填写本人的姓名和身份证号，然后{}",
            tap(T.claim_submit)
        )),
        RecordSaid::CodeSent(mobile) => {
            let last: String = mobile
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            out.push_str(&format!(
                "验证码已发送到尾号{}的手机。请输入六位验证码，然后{}",
                digits(&last),
                tap(T.claim_confirm)
            ));
        }
    }
    out
}

/// 银行卡: the cards bound (bank, last four), and how to bind one.
pub fn cards(bound: &[(&str, &str)], sandbox: bool) -> String {
    let mut out = format!("{}。", T.cards_title);
    if bound.is_empty() {
        out.push_str("还没有绑定银行卡。");
    } else {
        let each: Vec<String> = bound.iter().map(|(b, l)| card(b, l)).collect();
        out.push_str(&format!("已绑定：{}。", each.join("、")));
    }
    if sandbox {
        out.push_str(&format!("{}。", T.sandbox));
    }
    out.push_str(&format!(
        "要绑定新卡，请输入卡号，然后{}",
        tap(T.bind_submit)
    ));
    out
}

/// 登录 or 注册: what to type and which button.
pub fn login(register: bool) -> String {
    if register {
        format!(
            "{}。请输入手机号，设置至少八位的密码，再输入一遍，然后{}",
            T.register_title,
            tap(T.register_submit)
        )
    } else {
        format!(
            "{}。请输入手机号和密码，然后{}",
            T.login_title,
            tap(T.login_submit)
        )
    }
}

/// 帮助: when to pay, and where the things the app cannot do are done.
pub fn guide() -> String {
    format!(
        "{}。{}要办参保登记或补缴，{}",
        T.guide_title,
        T.guide_window,
        tap(A.apps_link)
    )
}

/// The words of an application's state, as its chip shows them in Chinese.
pub fn application_state(status: &Status) -> String {
    use yanglao_shared::applications::{BackPaymentState as B, EnrolmentState as E};
    match status {
        Status::Waiting => A.st_waiting.to_owned(),
        Status::Refused(why) => format!("{}，{}", A.st_refused, why.trim_end_matches('。')),
        Status::Enrolment(E::Submitted) => A.en_submitted.to_owned(),
        Status::Enrolment(E::Returned) => A.en_returned.to_owned(),
        Status::Enrolment(E::VillageApproved) => A.en_village_approved.to_owned(),
        Status::Enrolment(E::Enrolled) => A.en_enrolled.to_owned(),
        Status::BackPayment(B::Submitted) => A.bp_submitted.to_owned(),
        Status::BackPayment(B::SlipIssued) => A.bp_slip.to_owned(),
        Status::BackPayment(B::Paid) => A.bp_paid.to_owned(),
        // Sent back by the town center (its one other state).
        Status::BackPayment(_) => "被退回，需要修改".to_owned(),
    }
}

/// The applicant's list as the screen shows it: kind, masked name, state.
pub fn applications_of(apps: &[LocalApplication]) -> String {
    let items: Vec<(&str, &str, String)> = apps
        .iter()
        .map(|a| {
            let kind = match a.kind {
                Kind::Enrolment => A.kind_enrol,
                Kind::BackPayment => A.kind_back,
            };
            (kind, a.name_masked.as_str(), application_state(&a.status()))
        })
        .collect();
    let items: Vec<(&str, &str, &str)> =
        items.iter().map(|(k, n, s)| (*k, *n, s.as_str())).collect();
    applications(&items)
}

/// 参保登记和补缴申请: each application (kind, who, state) and how to file one.
pub fn applications(items: &[(&str, &str, &str)]) -> String {
    let mut out = format!("{}。", A.apps_title);
    if items.is_empty() {
        out.push_str(A.apps_empty);
    } else {
        out.push_str(&format!("共{}份。", count(items.len())));
        for (kind, n, state) in items {
            out.push_str(&format!("{kind}，{}，{state}。", name(n)));
        }
    }
    out.push_str(&format!(
        "要新办，请点“{}”或“{}”。",
        A.new_enrol, A.new_back_pay
    ));
    out
}

/// The enrolment form: what it asks and the button.
pub fn enrol_form() -> String {
    format!(
        "{}。请填写姓名、身份证号和手机号，选择镇街和村居，然后{}",
        A.enrol_form_title,
        tap(A.submit_form)
    )
}

/// The back-payment form: what it asks and the button.
pub fn back_pay_form() -> String {
    format!(
        "{}。请填写姓名和身份证号，选择要补缴的年度和档次，然后{}",
        A.back_form_title,
        tap(A.submit_form)
    )
}
