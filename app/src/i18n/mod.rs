//! Every sentence people read. Chinese first, English as a toggle. Fixed sentences live in
//! [`Strings`] ([`zh`], [`en`]); sentences with numbers in them are the functions below, both
//! languages side by side. Reasons from the server carry both languages already.
//!
//! The language is a signal: [`tr`], [`ta`] and every function here read it, so text read in
//! a reactive closure (`{fixed(|s| s.save)}`, `{move || i18n::pending_count(n)}`) follows a
//! switch in place. The router and the pages stay as they are, and a form being filled in
//! keeps what was typed.

pub mod apply;
mod en;
pub mod people;
mod strings;
pub mod voice;
mod zh;

use std::fmt::Display;

use leptos::prelude::{ArcRwSignal, Get, GetUntracked, Set};
use leptos::reactive::graph::Observer;

pub use apply::ta;
pub use people::tp;
pub use strings::Strings;
use time::{Date, OffsetDateTime};
use yanglao_shared::eligibility::RosterStatus;
use yanglao_shared::refusal::Reason;
use yanglao_shared::window::CST;
use yanglao_shared::wire::IntentState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

thread_local! {
    static LANG: ArcRwSignal<Lang> = ArcRwSignal::new(Lang::Zh);
}

/// Switches the language: every reactive closure that read text re-runs.
pub fn set_lang(lang: Lang) {
    LANG.with(|l| l.set(lang));
}

/// The language now. Inside a reactive closure this subscribes it to the language; elsewhere
/// (an event handler, a test) it is a plain read.
pub fn lang() -> Lang {
    LANG.with(|l| {
        if Observer::get().is_some() {
            l.get()
        } else {
            l.get_untracked()
        }
    })
}

/// Subscribes the reactive closure this runs in to the language, for a read-only part (a list,
/// a receipt) that is simply built again in the other language: it holds no input to keep.
pub fn track_lang() {
    lang();
}

pub(super) fn zh() -> bool {
    lang() == Lang::Zh
}

pub fn tr() -> &'static Strings {
    match lang() {
        Lang::Zh => &zh::ZH,
        Lang::En => &en::EN,
    }
}

/// A fixed sentence as the page shows it, read again when the language changes:
/// `{fixed(|s| s.save)}`. Every one is this same closure type, so the view code of a text that
/// follows the language is in the wasm once; `{move || tr().save}` was a type of its own,
/// with its own copy of that code, per sentence.
pub fn fixed(
    pick: fn(&Strings) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || pick(tr())
}

pub fn html_lang() -> &'static str {
    if zh() {
        "zh-CN"
    } else {
        "en"
    }
}

pub fn reason(r: &Reason) -> String {
    if zh() {
        r.zh.clone()
    } else {
        r.en.clone()
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub fn date(d: Date) -> String {
    if zh() {
        format!("{}年{}月{}日", d.year(), d.month() as u8, d.day())
    } else {
        format!(
            "{} {} {}",
            d.day(),
            MONTHS[d.month() as usize - 1],
            d.year()
        )
    }
}

/// Month and day only (the window's year is said once).
pub fn month_day(d: Date) -> String {
    if zh() {
        format!("{}月{}日", d.month() as u8, d.day())
    } else {
        format!("{} {}", d.day(), MONTHS[d.month() as usize - 1])
    }
}

/// An instant in Beijing time, whatever the phone's time zone.
pub fn date_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(CST);
    format!("{} {:02}:{:02}", date(t.date()), t.hour(), t.minute())
}

pub fn yuan(amount: impl Display) -> String {
    if zh() {
        format!("{amount} 元")
    } else {
        format!("¥{amount}")
    }
}

pub fn per_year(amount: impl Display) -> String {
    if zh() {
        format!("{amount} 元/年")
    } else {
        format!("¥{amount} a year")
    }
}

pub fn year(y: i32) -> String {
    if zh() {
        format!("{y}年度")
    } else {
        format!("{y}")
    }
}

pub fn window_open(year: i32, closes: Date, days_left: u32) -> String {
    if zh() {
        format!("{year}年度缴费期至{}，还剩{days_left}天", month_day(closes))
    } else {
        format!(
            "{year} payment window: until {}, {days_left} days left",
            month_day(closes)
        )
    }
}

pub fn window_not_yet(year: i32, opens: Date) -> String {
    if zh() {
        format!("{year}年度缴费期{}开始", month_day(opens))
    } else {
        format!("The {year} payment window opens on {}", month_day(opens))
    }
}

pub fn window_closed(year: i32, closes: Date) -> String {
    if zh() {
        format!("{year}年度缴费期已于{}结束", month_day(closes))
    } else {
        format!("The {year} payment window closed on {}", month_day(closes))
    }
}

pub fn closing_soon(unsent: usize, days_left: u32) -> String {
    if zh() {
        format!(
            "还有{unsent}笔缴费没有提交，离缴费截止只剩{days_left}天（含今天）。请尽快连上网络。"
        )
    } else {
        format!("{unsent} payment(s) not sent yet and only {days_left} day(s) left. Please get online soon.")
    }
}

pub fn closed_unsent(unsent: usize) -> String {
    if zh() {
        format!("缴费期已结束，还有{unsent}笔缴费没能提交，不会扣款。错过的年度请到村居或镇社保中心补缴。")
    } else {
        format!("The window has closed with {unsent} payment(s) never sent; they will not be charged. Missed years can be back-paid at the village or town center.")
    }
}

pub fn step_of(step: usize, steps: usize) -> String {
    if zh() {
        format!("第{step}步，共{steps}步")
    } else {
        format!("Step {step} of {steps}")
    }
}

pub fn choose_tier_for(name: &str) -> String {
    if zh() {
        format!("为{name}选择缴费档次")
    } else {
        format!("Choose a tier for {name}")
    }
}

pub fn confirm_pay(total: impl Display) -> String {
    if zh() {
        format!("确认支付 {total} 元")
    } else {
        format!("Confirm and pay ¥{total}")
    }
}

pub fn card_label(bank: &str, last_four: &str) -> String {
    if zh() {
        format!("{bank} 尾号{last_four}")
    } else {
        format!("{bank} ending {last_four}")
    }
}

pub fn years_paid(years: u32, needed: u8) -> String {
    if zh() {
        format!("已累计缴费{years}年（领取养老金需累计满{needed}年）")
    } else {
        format!("{years} years paid in total ({needed} needed for a pension)")
    }
}

pub fn pending_count(n: usize) -> String {
    if zh() {
        format!("{n}笔缴费等待提交或确认")
    } else {
        format!("{n} payment(s) waiting to be sent or confirmed")
    }
}

pub fn logout_pending(n: usize) -> String {
    if zh() {
        format!(
            "还有{n}笔缴费没提交。退出后它们仍保存在手机上，用同一账号登录后继续提交。确定退出？"
        )
    } else {
        format!("{n} payment(s) are not sent yet. They stay on this phone and are sent after you log in with the same account. Log out?")
    }
}

pub fn birth_date(d: Date) -> String {
    if zh() {
        format!("出生日期：{}", date(d))
    } else {
        format!("Born {}", date(d))
    }
}

pub fn intent_state(state: &IntentState) -> &'static str {
    let t = tr();
    match state {
        IntentState::Queued => t.st_queued,
        IntentState::Submitted => t.st_submitted,
        IntentState::AwaitingPayment { .. } => t.st_awaiting,
        IntentState::Paid { .. } => t.st_paid,
        IntentState::Failed { .. } => t.st_failed,
        IntentState::NotNeeded { .. } => t.st_not_needed,
    }
}

pub fn roster_status(status: RosterStatus) -> &'static str {
    let t = tr();
    match status {
        RosterStatus::Enrolled => t.roster_enrolled,
        RosterStatus::NotEnrolled => t.roster_not_enrolled,
        RosterStatus::DrawingPension => t.roster_drawing,
        RosterStatus::Stopped => t.roster_stopped,
    }
}

/// What the shared crate's input checks say, in the current language. The shared crate words
/// its errors in Chinese; English is looked up by the error's stable code.
pub fn input_error(code: &str, zh_text: String) -> String {
    if zh() {
        return zh_text;
    }
    match code {
        "id_empty" => "Please enter the ID number",
        "id_length" => "An ID number has 18 characters (old cards 15)",
        "id_character" => "Only digits, and X as the last character",
        "id_birth_date" => "The birth date inside the ID number is not a real date",
        "id_birth_date_future" => "The birth date inside the ID number is in the future",
        "id_check_digit" => "The last character does not match: please check each digit",
        "name_empty" => "Please enter the name",
        "name_length" => "A name has 2 to 20 Chinese characters",
        "name_character" => "Chinese characters and the middle dot “·” only",
        "mobile_invalid" => "11 digits, starting with 1",
        "card_character" => "Digits only",
        "card_length" => "A card number has 16 to 19 digits",
        "card_checksum" => "This card number has a typo: please check each digit",
        _ => return zh_text,
    }
    .to_owned()
}

/// When the numbers on screen were loaded (shown when they come from the phone's cache).
pub fn data_time(t: OffsetDateTime) -> String {
    if zh() {
        format!(
            "没有网络，显示的是保存在手机上的数据。数据时间：{}",
            date_time(t)
        )
    } else {
        format!(
            "Offline: showing the figures saved on this phone, as of {}",
            date_time(t)
        )
    }
}

pub fn paid_share(percent: i64) -> String {
    if zh() {
        format!("占{percent}%")
    } else {
        format!("{percent}%")
    }
}

pub fn unpaid_shown(shown: usize, total: i64) -> String {
    if zh() {
        format!("共{total}人，已显示{shown}人")
    } else {
        format!("{shown} of {total} shown")
    }
}

pub fn staff_role(role: yanglao_shared::wire::StaffRole) -> &'static str {
    use yanglao_shared::wire::StaffRole;
    let t = tr();
    match role {
        StaffRole::Village => t.staff_role_village,
        StaffRole::Town => t.staff_role_town,
        StaffRole::Admin => t.staff_role_admin,
    }
}
