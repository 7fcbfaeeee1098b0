//! The one test that pins the JSON of the wire: representative values of the sync round trip
//! and of an error, serialized and compared with literal JSON. A renamed field, a changed
//! tag or a number that became a string fails here, before any phone in the field sees it.
//! (Every other test speaks through the typed client, which refuses unknown fields.)

use serde_json::json;
use time::macros::{date, datetime};
use uuid::Uuid;
use yanglao_shared::tiers::{TierRestriction, TierRule};
use yanglao_shared::window::WindowState;
use yanglao_shared::wire::{
    ErrorBody, IntentResult, IntentState, NewPayee, PayeeCheck, PayeeView, PaymentMethod,
    SyncLimits, SyncRequest, SyncResponse,
};
use yanglao_shared::{Money, Reason, RosterStatus};

use crate::support::{intent, tier};

const PAYEE: Uuid = Uuid::from_u128(1);
const INTENT: Uuid = Uuid::from_u128(2);
const CARD: Uuid = Uuid::from_u128(3);
const OTHER: Uuid = Uuid::from_u128(4);

#[test]
fn the_sync_round_trip_and_errors_keep_their_json_shape() {
    let request = SyncRequest {
        version: 1,
        cursor: Some(41),
        payees: vec![NewPayee {
            id: PAYEE,
            name: "王秀英".into(),
            id_number: "371081196805120228".into(),
        }],
        intents: vec![yanglao_shared::wire::PaymentIntent {
            id: INTENT,
            ..intent(PAYEE, "1500", Some(CARD))
        }],
    };
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "version": 1,
            "cursor": 41,
            "payees": [{
                "id": "00000000-0000-0000-0000-000000000001",
                "name": "王秀英",
                "id_number": "371081196805120228"
            }],
            "intents": [{
                "id": "00000000-0000-0000-0000-000000000002",
                "payee_id": "00000000-0000-0000-0000-000000000001",
                "year": 2026,
                "tier": "1500",
                "method_id": "00000000-0000-0000-0000-000000000003",
                "prepared_at": "2026-03-01T20:00:00+08:00"
            }]
        })
    );

    let reason = Reason::new("window_closed", "已过缴费期", "The window has closed");
    let response = SyncResponse {
        version: 1,
        cursor: 42,
        server_time: datetime!(2026-03-02 10:00 +8),
        window: WindowState::Open {
            year: 2026,
            opens: date!(2026 - 01 - 01),
            closes: date!(2026 - 04 - 30),
            days_left: 60,
        },
        payees: vec![PayeeView {
            id: PAYEE,
            name_masked: "王**".into(),
            id_masked: "371081********0228".into(),
            check: PayeeCheck::Verified {
                status: RosterStatus::Enrolled,
                year: 2026,
                paid_this_year: true,
                tiers: vec![
                    TierRule {
                        amount: tier("300"),
                        restriction: Some(TierRestriction::SeverelyDisabledOnly),
                    },
                    TierRule {
                        amount: tier("500"),
                        restriction: None,
                    },
                ],
                blocked: None,
                contributor: None,
            },
            removed: false,
            label: Some(yanglao_shared::PayeeLabel::parse("妈妈").unwrap()),
        }],
        intents: vec![
            IntentResult {
                id: INTENT,
                payee_id: PAYEE,
                year: 2026,
                tier: tier("1500"),
                state: IntentState::Paid {
                    receipt_no: "WD20260302000001".into(),
                    amount: Money::from_yuan(1500).unwrap(),
                    paid_at: datetime!(2026-03-02 10:00:01 +8),
                },
            },
            IntentResult {
                id: OTHER,
                payee_id: PAYEE,
                year: 2026,
                tier: tier("500"),
                state: IntentState::Failed {
                    reason: reason.clone(),
                },
            },
        ],
        methods: vec![PaymentMethod {
            id: CARD,
            bank: "中国工商银行".into(),
            last_four: "6782".into(),
            sandbox: true,
            removed: false,
        }],
        policy_version: None,
        sync_limits: Some(SyncLimits {
            max_payees: 100,
            max_intents: 200,
        }),
    };
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({
            "version": 1,
            "cursor": 42,
            "server_time": "2026-03-02T10:00:00+08:00",
            "window": {
                "state": "open",
                "year": 2026,
                "opens": "2026-01-01",
                "closes": "2026-04-30",
                "days_left": 60
            },
            "payees": [{
                "id": "00000000-0000-0000-0000-000000000001",
                "name_masked": "王**",
                "id_masked": "371081********0228",
                "check": {
                    "state": "verified",
                    "status": "enrolled",
                    "year": 2026,
                    "paid_this_year": true,
                    "tiers": [
                        { "amount": "300", "restriction": "severely_disabled_only" },
                        { "amount": "500" }
                    ],
                    "blocked": null
                },
                "removed": false,
                "label": "妈妈"
            }],
            "intents": [
                {
                    "id": "00000000-0000-0000-0000-000000000002",
                    "payee_id": "00000000-0000-0000-0000-000000000001",
                    "year": 2026,
                    "tier": "1500",
                    "state": {
                        "state": "paid",
                        "receipt_no": "WD20260302000001",
                        "amount": "1500",
                        "paid_at": "2026-03-02T10:00:01+08:00"
                    }
                },
                {
                    "id": "00000000-0000-0000-0000-000000000004",
                    "payee_id": "00000000-0000-0000-0000-000000000001",
                    "year": 2026,
                    "tier": "500",
                    "state": {
                        "state": "failed",
                        "reason": {
                            "code": "window_closed",
                            "zh": "已过缴费期",
                            "en": "The window has closed"
                        }
                    }
                }
            ],
            "methods": [{
                "id": "00000000-0000-0000-0000-000000000003",
                "bank": "中国工商银行",
                "last_four": "6782",
                "sandbox": true,
                "removed": false
            }],
            "sync_limits": { "max_payees": 100, "max_intents": 200 }
        })
    );

    let error = ErrorBody {
        code: "unsupported_version".into(),
        message: "请更新应用".into(),
    };
    assert_eq!(
        serde_json::to_value(&error).unwrap(),
        json!({ "code": "unsupported_version", "message": "请更新应用" })
    );
}
