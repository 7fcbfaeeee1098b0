//! The phone's reader held to serde's: the same trees from the same text, the same values
//! from the same wire JSON, and refusals where serde refuses (but for unknown fields, which
//! the phone ignores on purpose). The server's API tests add every answer they receive
//! (`server/tests/api/support/client.rs`, `strictly`).

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{from_text, parse, to_text, FromJson, Json};
use crate::policy::{builtin::file_of, PolicyTable};
use crate::refusal::{Reason, Refusal};
use crate::wire::{Account, Contribution, OwnRecord, PaymentIntent, StaffInfo, StaffRole};

/// Both readers read `value`'s JSON back as `value`.
pub(crate) fn agree<T>(value: &T)
where
    T: Serialize + DeserializeOwned + FromJson + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value).unwrap();
    assert_eq!(
        &serde_json::from_str::<T>(&text).unwrap(),
        value,
        "serde: {text}"
    );
    assert_eq!(&from_text::<T>(&text).unwrap(), value, "phone: {text}");
}

/// The tree as serde_json would have it (numbers through serde_json's own reading).
fn as_value(json: Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Num(n) => serde_json::from_str(&n).unwrap(),
        Json::Str(s) => Value::String(s),
        Json::Arr(items) => Value::Array(items.into_iter().map(as_value).collect()),
        Json::Obj(object) => {
            let mut map = serde_json::Map::new();
            for (k, v) in object.into_entries() {
                map.insert(k, as_value(v));
            }
            Value::Object(map)
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e15f64..1e15).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[\u{0}-\u{7f}\u{4e00}-\u{4e10}\u{1F600}\"\\\\]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_\u{4e00}-\u{4e05}]{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn parses_what_serde_json_writes(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            serde_json::to_string(&value).unwrap()
        };
        // Compared with serde_json's reading of the same text (its float reading may not
        // give back the very f64 it wrote; that is serde_json's, not the tree's).
        let serde: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(as_value(parse(&text).unwrap()), serde);
    }

    /// A tree written back is the very text serde_json writes for it, byte for byte.
    #[test]
    fn writes_a_tree_back_as_serde_json_writes_it(value in json_value()) {
        let text = serde_json::to_string(&value).unwrap();
        prop_assert_eq!(to_text(&parse(&text).unwrap()), text);
    }

    #[test]
    fn refuses_what_serde_json_refuses_and_never_panics(text in "[\\[\\]{}\",:0-9a-z.eE+\\- \\\\u]{0,24}") {
        let serde = serde_json::from_str::<Value>(&text);
        let ours = parse(&text);
        prop_assert_eq!(serde.is_ok(), ours.is_ok(), "{:?}: {:?}", text, ours);
        if let (Ok(serde), Ok(ours)) = (serde, ours) {
            prop_assert_eq!(as_value(ours), serde);
        }
    }
}

#[test]
fn escapes_and_malformed_text() {
    let read = |t: &str| parse(t).map(as_value);
    assert_eq!(
        read(r#""\u4e2d\ud83d\ude00\n\"\\\/""#).unwrap(),
        "中😀\n\"\\/"
    );
    for bad in [
        "",
        " ",
        "[1,]",
        "{\"a\":1,}",
        "{a:1}",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "+1",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\x\"",
        "\"a\u{1}\"",
        "\"open",
        "[1 2]",
        "nul",
        "true false",
        "{\"a\"}",
        "\u{feff}1",
    ] {
        assert!(read(bad).is_err(), "{bad:?} was read");
        assert!(serde_json::from_str::<Value>(bad).is_err(), "{bad:?} serde");
    }
}

#[test]
fn deep_nesting_is_refused_not_recursed() {
    let deep = "[".repeat(100_000);
    assert!(parse(&deep)
        .unwrap_err()
        .to_string()
        .contains("nested too deep"));
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(parse(&ok).is_ok());
}

#[test]
fn every_built_in_policy_file_reads_the_same_both_ways() {
    for year in 2018..2100 {
        let Some(file) = file_of(year) else { break };
        let serde = PolicyTable::from_json(file).unwrap();
        let phone: PolicyTable = from_text(file).unwrap();
        assert_eq!(phone, serde, "{year}");
    }
    agree(&PolicyTable::builtin());
}

#[test]
fn wire_values_read_the_same_both_ways() {
    let intent: PaymentIntent = serde_json::from_value(serde_json::json!({
        "id": "9e8d7c6b-5a49-4f3e-a2d1-c0b9a8f7e6d5",
        "payee_id": "0b6f1c1e-5a4e-4b7f-9c3d-2a1e8f6d4c21",
        "year": 2027, "tier": "1500", "method_id": null,
        "prepared_at": "2027-03-01T09:30:00.123+08:00"
    }))
    .unwrap();
    agree(&intent);
    let account = Account {
        account_id: intent.id,
        mobile_masked: "138****5678".into(),
        own_record: Some(OwnRecord {
            name: "于*东".into(),
            id_masked: "3710**********0024".into(),
            town: "米山镇".into(),
            village: "西寨村".into(),
            status: crate::eligibility::RosterStatus::Enrolled,
            severely_disabled: false,
            years_paid_total: 9,
            min_years_for_pension: 15,
            contributions: vec![Contribution {
                year: 2026,
                amount: crate::money::Money::parse("12.50").unwrap(),
                back_payment: true,
                receipt_no: None,
                paid_by_other: true,
            }],
        }),
        staff: Some(StaffInfo {
            role: StaffRole::Admin,
            town: Some("米山镇".into()),
            village: None,
        }),
    };
    agree(&account);
    for refusal in [
        Refusal::NotEnrolled,
        Refusal::TooYoung { min_age: 16 },
        Refusal::WindowClosed {
            closed: time::macros::date!(2027 - 04 - 30),
        },
    ] {
        agree(&refusal);
    }
    agree(&Reason::new(
        "no_payment_method",
        "还没有选择银行卡",
        "No card yet",
    ));
}

#[test]
fn errors_name_the_field_and_unknown_fields_are_ignored() {
    let error = |t: &str| from_text::<PaymentIntent>(t).unwrap_err().to_string();
    let intent = r#"{"id": "9e8d7c6b-5a49-4f3e-a2d1-c0b9a8f7e6d5",
        "payee_id": "0b6f1c1e-5a4e-4b7f-9c3d-2a1e8f6d4c21", "year": 2027, "tier": "1500",
        "prepared_at": "2027-03-01T09:30:00+08:00""#;
    // A missing option is None, as with serde; an unknown field is ignored (serde refuses).
    assert_eq!(
        from_text::<PaymentIntent>(&format!("{intent}}}"))
            .unwrap()
            .method_id,
        None
    );
    assert!(from_text::<PaymentIntent>(&format!("{intent}, \"extra\": 1}}")).is_ok());
    let wrong = intent.replace("\"year\": 2027", "\"year\": 2027.5");
    assert!(error(&format!("{wrong}}}")).contains("expected an integer at year"));
    let wrong = intent.replace("\"tier\": \"1500\"", "\"tier\": \"1e3\"");
    assert!(error(&format!("{wrong}}}")).ends_with("at tier"));
    let wrong = intent.replace("\"year\": 2027,", "");
    assert_eq!(error(&format!("{wrong}}}")), "missing field `year`");
    let nested = from_text::<Vec<Vec<Refusal>>>(r#"[[], [{"code": "too_young"}]]"#);
    assert_eq!(
        nested.unwrap_err().to_string(),
        "missing field `min_age` at [1][0]"
    );
    let unknown = from_text::<Refusal>(r#"{"code": "too_old"}"#)
        .unwrap_err()
        .to_string();
    assert_eq!(unknown, "unknown variant `too_old`");
    assert!(from_text::<u8>("256").is_err() && from_text::<u8>("-1").is_err());
    assert_eq!(from_text::<i64>("-9223372036854775808").unwrap(), i64::MIN);
}
