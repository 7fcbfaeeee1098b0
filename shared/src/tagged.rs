//! Reading the wire's internally tagged enums (`{"state": "paid", "receipt_no": …}`) through
//! one flat struct each, instead of serde's derive.
//!
//! Why: the derive reads such an enum by buffering the whole object, then running a struct
//! reader per variant over the buffer; for [`IntentState`], [`PayeeCheck`] and
//! [`WindowState`] that was 30 KB of every phone's first download (twiggy). One flat reader
//! per enum (the tag and every variant's fields as options), then a match, reads the same
//! JSON. Writing stays derived, so the form is defined once; the round-trip tests below hold
//! the two together. A field a variant needs and the object lacks is a `missing field` error,
//! as before; a field of another variant is ignored, as unknown fields always were here.

use serde::{Deserialize, Deserializer};
use time::{Date, OffsetDateTime};

use crate::eligibility::RosterStatus;
use crate::money::Money;
use crate::pension::Contributor;
use crate::refusal::Reason;
use crate::tiers::TierRule;
use crate::window::WindowState;
use crate::wire::{IntentState, PayeeCheck};

fn need<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

impl<'de> Deserialize<'de> for IntentState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Tag {
            Queued,
            Submitted,
            AwaitingPayment,
            Paid,
            Failed,
            NotNeeded,
        }
        #[derive(Deserialize)]
        struct Flat {
            state: Tag,
            reason: Option<Reason>,
            receipt_no: Option<String>,
            amount: Option<Money>,
            #[serde(default, with = "crate::timetext::rfc3339::option")]
            paid_at: Option<OffsetDateTime>,
        }
        let f = Flat::deserialize(d)?;
        Ok(match f.state {
            Tag::Queued => Self::Queued,
            Tag::Submitted => Self::Submitted,
            Tag::AwaitingPayment => Self::AwaitingPayment {
                reason: need(f.reason, "reason")?,
            },
            Tag::Paid => Self::Paid {
                receipt_no: need(f.receipt_no, "receipt_no")?,
                amount: need(f.amount, "amount")?,
                paid_at: need(f.paid_at, "paid_at")?,
            },
            Tag::Failed => Self::Failed {
                reason: need(f.reason, "reason")?,
            },
            Tag::NotNeeded => Self::NotNeeded {
                reason: need(f.reason, "reason")?,
            },
        })
    }
}

impl<'de> Deserialize<'de> for PayeeCheck {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Tag {
            Unverified,
            NoMatch,
            Verified,
        }
        #[derive(Deserialize)]
        struct Flat {
            state: Tag,
            reason: Option<Reason>,
            status: Option<RosterStatus>,
            year: Option<i32>,
            paid_this_year: Option<bool>,
            tiers: Option<Vec<TierRule>>,
            blocked: Option<Reason>,
            contributor: Option<Contributor>,
        }
        let f = Flat::deserialize(d)?;
        Ok(match f.state {
            Tag::Unverified => Self::Unverified,
            Tag::NoMatch => Self::NoMatch {
                reason: need(f.reason, "reason")?,
            },
            Tag::Verified => Self::Verified {
                status: need(f.status, "status")?,
                year: need(f.year, "year")?,
                paid_this_year: need(f.paid_this_year, "paid_this_year")?,
                tiers: need(f.tiers, "tiers")?,
                blocked: f.blocked,
                contributor: f.contributor,
            },
        })
    }
}

impl<'de> Deserialize<'de> for WindowState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Tag {
            NotYetOpen,
            Open,
            Closed,
        }
        #[derive(Deserialize)]
        struct Flat {
            state: Tag,
            year: Option<i32>,
            #[serde(default, with = "crate::timetext::day::option")]
            opens: Option<Date>,
            #[serde(default, with = "crate::timetext::day::option")]
            closes: Option<Date>,
            days_left: Option<u32>,
        }
        let f = Flat::deserialize(d)?;
        let year = need(f.year, "year")?;
        let opens = need(f.opens, "opens")?;
        let closes = need(f.closes, "closes")?;
        Ok(match f.state {
            Tag::NotYetOpen => Self::NotYetOpen {
                year,
                opens,
                closes,
            },
            Tag::Open => Self::Open {
                year,
                opens,
                closes,
                days_left: need(f.days_left, "days_left")?,
            },
            Tag::Closed => Self::Closed {
                year,
                opens,
                closes,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::json;
    use time::macros::{date, datetime};

    use super::*;
    use crate::tiers::TierAmount;

    /// Both readers (serde's here, the phone's crate::json) read back what the derive wrote.
    fn round_trip<T>(value: T)
    where
        T: Serialize + DeserializeOwned + crate::json::FromJson + PartialEq + std::fmt::Debug,
    {
        crate::json::tests::agree(&value);
    }

    fn reason() -> Reason {
        Reason::new("no_payment_method", "还没有选择银行卡", "No card yet")
    }

    #[test]
    fn every_variant_reads_back_what_it_wrote() {
        for state in [
            IntentState::Queued,
            IntentState::Submitted,
            IntentState::AwaitingPayment { reason: reason() },
            IntentState::Paid {
                receipt_no: "WD2027000001".into(),
                amount: TierAmount::parse("500").unwrap().money(),
                paid_at: datetime!(2027-03-01 09:30 +8),
            },
            IntentState::Failed { reason: reason() },
            IntentState::NotNeeded { reason: reason() },
        ] {
            round_trip(state);
        }
        let (opens, closes) = (date!(2027 - 01 - 01), date!(2027 - 04 - 30));
        for window in [
            WindowState::NotYetOpen {
                year: 2027,
                opens,
                closes,
            },
            WindowState::Open {
                year: 2027,
                opens,
                closes,
                days_left: 3,
            },
            WindowState::Closed {
                year: 2027,
                opens,
                closes,
            },
        ] {
            round_trip(window);
        }
        round_trip(PayeeCheck::Unverified);
        round_trip(PayeeCheck::NoMatch { reason: reason() });
        round_trip(PayeeCheck::Verified {
            status: RosterStatus::Enrolled,
            year: 2027,
            paid_this_year: false,
            tiers: vec![],
            blocked: Some(reason()),
            contributor: None,
        });
    }

    #[test]
    fn a_missing_field_or_an_unknown_state_is_an_error() {
        let read = |v: serde_json::Value| serde_json::from_value::<IntentState>(v);
        let mut paid = serde_json::to_value(IntentState::Paid {
            receipt_no: "WD2027000001".into(),
            amount: TierAmount::parse("500").unwrap().money(),
            paid_at: datetime!(2027-03-01 09:30 +8),
        })
        .unwrap();
        paid.as_object_mut().unwrap().remove("paid_at");
        let error = read(paid).unwrap_err().to_string();
        assert!(error.contains("missing field `paid_at`"), "{error}");
        assert!(read(json!({"state": "failed"})).is_err());
        assert!(read(json!({"state": "refunded"})).is_err());
        assert!(read(json!({"reason": reason()})).is_err());
        let window = json!({"state": "open", "year": 2027, "opens": "2027-01-01",
                            "closes": "2027-04-30"});
        assert!(serde_json::from_value::<WindowState>(window).is_err());
        let check = json!({"state": "verified", "status": "enrolled", "year": 2027,
                           "paid_this_year": false});
        assert!(serde_json::from_value::<PayeeCheck>(check).is_err());
    }
}
