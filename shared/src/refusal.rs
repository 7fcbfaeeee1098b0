//! Every reason the system says no, with a stable code for programs and a sentence in Chinese
//! (and English) for people. A sentence always says what to do next: no dead ends.

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::money::Money;

/// Why a payment for a person-year is refused by the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    NotEnrolled,
    EnrolmentStopped,
    DrawingPension,
    TooYoung {
        min_age: u8,
    },
    AtBenefitAge {
        benefit_age: u8,
    },
    NotATier {
        amount: Money,
    },
    TierRestricted {
        amount: Money,
    },
    WindowNotOpen {
        #[serde(with = "crate::timetext::day")]
        opens: Date,
    },
    WindowClosed {
        #[serde(with = "crate::timetext::day")]
        closed: Date,
    },
    AlreadyPaid {
        year: i32,
    },
    PastYear {
        year: i32,
    },
    FutureYear {
        year: i32,
    },
}

fn ymd(d: &Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month() as u8, d.day())
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotEnrolled => "not_enrolled",
            Self::EnrolmentStopped => "enrolment_stopped",
            Self::DrawingPension => "drawing_pension",
            Self::TooYoung { .. } => "too_young",
            Self::AtBenefitAge { .. } => "at_benefit_age",
            Self::NotATier { .. } => "not_a_tier",
            Self::TierRestricted { .. } => "tier_restricted",
            Self::WindowNotOpen { .. } => "window_not_open",
            Self::WindowClosed { .. } => "window_closed",
            Self::AlreadyPaid { .. } => "already_paid",
            Self::PastYear { .. } => "past_year",
            Self::FutureYear { .. } => "future_year",
        }
    }

    pub fn zh(&self) -> String {
        match self {
            Self::NotEnrolled => "此人尚未参保。请带户口簿和身份证到户籍所在村居办理参保登记，\
                                  审核录入后即可缴费。"
                .into(),
            Self::EnrolmentStopped => {
                "此人的参保状态已暂停或终止，请到镇办社会保障服务中心咨询。".into()
            }
            Self::DrawingPension => "此人已开始领取养老金，不需要再缴费。".into(),
            Self::TooYoung { min_age } => format!("年满{min_age}周岁才能缴费。"),
            Self::AtBenefitAge { benefit_age } => format!(
                "此人已年满{benefit_age}周岁，到了领取待遇年龄，不能再按年缴费。\
                 请到镇办社会保障服务中心办理领取手续。"
            ),
            Self::NotATier { amount } => {
                format!("{amount}元不是可选的缴费档次，请从列出的档次中选择。")
            }
            Self::TierRestricted { amount } => {
                format!("{amount}元档次仅限重度残疾居民选择，请选择其他档次。")
            }
            Self::WindowNotOpen { opens } => format!("缴费期还没开始，{}起可以缴费。", ymd(opens)),
            Self::WindowClosed { closed } => format!(
                "今年的缴费期已于{}结束。错过的年度可以补缴：请在下一个缴费期\
                 带身份证到村居委会或镇办社保中心填写补缴申请表。",
                ymd(closed)
            ),
            Self::AlreadyPaid { year } => format!("{year}年的保险费已经缴过了，不需要再缴。"),
            Self::PastYear { year } => format!(
                "{year}年已过，手机上不能补缴。请在缴费期内带身份证到村居委会或\
                 镇办社保中心填写《补缴居民基本养老保险申请表》，审核后凭缴费单到农业银行缴费。"
            ),
            Self::FutureYear { year } => {
                format!("{year}年的保险费还不能缴，请到{year}年的缴费期再缴。")
            }
        }
    }

    pub fn en(&self) -> String {
        match self {
            Self::NotEnrolled => "Not enrolled. Enrol at the village of household registration \
                                  with the household register and ID card first."
                .into(),
            Self::EnrolmentStopped => {
                "Enrolment is suspended or ended; ask the town center.".into()
            }
            Self::DrawingPension => "Already drawing a pension; no contribution is due.".into(),
            Self::TooYoung { min_age } => format!("Contributions start at age {min_age}."),
            Self::AtBenefitAge { benefit_age } => {
                format!("Aged {benefit_age} or over: benefit age reached, no yearly contribution.")
            }
            Self::NotATier { amount } => format!("{amount} yuan is not one of the tiers."),
            Self::TierRestricted { amount } => {
                format!("The {amount} yuan tier is for severely disabled residents only.")
            }
            Self::WindowNotOpen { opens } => format!("The payment window opens on {opens}."),
            Self::WindowClosed { closed } => format!(
                "This year's payment window closed on {closed}. Missed years can be back-paid \
                 at the village or town center during the next window."
            ),
            Self::AlreadyPaid { year } => format!("{year} is already paid."),
            Self::PastYear { year } => format!(
                "{year} is past: back payment is not possible in the app. Apply at the village \
                 committee or town center with the ID card during the window."
            ),
            Self::FutureYear { year } => format!("{year} cannot be paid yet."),
        }
    }

    pub fn reason(&self) -> Reason {
        Reason {
            code: self.code().to_owned(),
            zh: self.zh(),
            en: self.en(),
        }
    }
}

/// The wire form of any "no" (a refusal, a declined card, a conflict): what the app shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub code: String,
    pub zh: String,
    pub en: String,
}

impl Reason {
    pub fn new(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            zh: zh.into(),
            en: en.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn codes_are_stable_and_match_the_serde_tag() {
        let r = Refusal::WindowClosed {
            closed: date!(2026 - 04 - 30),
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["code"], "window_closed");
        assert_eq!(r.code(), "window_closed");
        assert!(r.zh().contains("2026年4月30日"));
        assert!(Refusal::PastYear { year: 2025 }.zh().contains("补缴"));
    }
}
