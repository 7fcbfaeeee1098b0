//! The OpenAPI document at `/api/v1/openapi.json`, written by hand from [`ROUTES`]; a test checks
//! that every documented route answers and that the router has no undocumented one.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::AppState;

/// (method, path, summary, needs a session)
pub const ROUTES: &[(&str, &str, &str, bool)] = &[
    ("get", "/health", "Liveness and database check", false),
    (
        "get",
        "/policy",
        "The policy in force for this year (its version and label) and the payment window by the server's clock",
        false,
    ),
    (
        "get",
        "/admin/policies",
        "Admin: every policy version, newest first, with its first day in force and publisher",
        true,
    ),
    (
        "post",
        "/admin/policies",
        "Admin: publish a policy table (format 2) as the next version, in force from a stated day; audited",
        true,
    ),
    (
        "post",
        "/accounts",
        "Register with a mainland mobile number and a password",
        false,
    ),
    ("post", "/sessions", "Log in", false),
    (
        "get",
        "/places",
        "The towns and villages the enrolment form offers",
        false,
    ),
    ("delete", "/sessions", "Log out", true),
    (
        "get",
        "/me",
        "This account, with its own roster record if claimed",
        true,
    ),
    (
        "post",
        "/me/claim",
        "Start claiming one's own roster record: name and ID number send a one-time code to the roster's mobile",
        true,
    ),
    (
        "post",
        "/me/claim/confirm",
        "Prove a claim with the code the roster's mobile received; answers the account with its record",
        true,
    ),
    ("get", "/payees", "The people this account pays for", true),
    (
        "put",
        "/payees/{id}",
        "Add a person (idempotent by the client's id)",
        true,
    ),
    (
        "delete",
        "/payees/{id}",
        "Remove a person from the list",
        true,
    ),
    ("get", "/methods", "Bound cards", true),
    (
        "post",
        "/methods",
        "Bind a UnionPay card through the gateway",
        true,
    ),
    ("delete", "/methods/{id}", "Remove a card", true),
    (
        "post",
        "/sync",
        "Push payment intents and new people; pull changes since a cursor",
        true,
    ),
    (
        "post",
        "/gateway/notify",
        "Signed payment notification from the bank (HMAC-SHA256)",
        false,
    ),
    (
        "get",
        "/receipts/{number}",
        "Verify a receipt (masked name only)",
        false,
    ),
    (
        "get",
        "/staff/stats",
        "Staff: enrolled, paid, unpaid, amounts by tier and days left for their area (?year=)",
        true,
    ),
    (
        "get",
        "/staff/unpaid",
        "Staff: the unpaid list of their area, masked ID numbers (?year=&limit=&offset=)",
        true,
    ),
    (
        "get",
        "/staff/unpaid.csv",
        "Staff: the unpaid list as CSV (UTF-8 with BOM, Chinese headers)",
        true,
    ),
    (
        "get",
        "/enrolments",
        "This account's enrolment forms and each step's status",
        true,
    ),
    (
        "put",
        "/enrolments/{id}",
        "Submit (or fix and resubmit) an enrolment form, idempotent by the client's id",
        true,
    ),
    (
        "get",
        "/staff/enrolments",
        "Staff: the enrolment forms of their area (?state=)",
        true,
    ),
    (
        "post",
        "/staff/enrolments/{id}/village-check",
        "Village assistant: material checklist, then approve or return with a reason",
        true,
    ),
    (
        "post",
        "/staff/enrolments/{id}/town-review",
        "Town center: enter the person on the roster, or return with a reason",
        true,
    ),
    (
        "get",
        "/back-payments",
        "This account's back-payment applications",
        true,
    ),
    (
        "put",
        "/back-payments/{id}",
        "Apply for missed past years (during the window), idempotent by the client's id",
        true,
    ),
    (
        "get",
        "/staff/back-payments",
        "Staff: the back-payment applications of their area (?state=)",
        true,
    ),
    (
        "post",
        "/staff/back-payments/{id}/review",
        "Town center: check eligibility and issue a payment slip, or reject with reasons",
        true,
    ),
    (
        "post",
        "/staff/back-payments/{id}/receipt",
        "Town center: record the Agricultural Bank receipt; the years enter the ledger",
        true,
    ),
    (
        "get",
        "/staff/reconciliation",
        "Town center, admin: the day's reconciliation, bank statement against ledger, both ways \
         (?date=YYYY-MM-DD or ?from=&to=); opens refund cases",
        true,
    ),
    (
        "get",
        "/staff/reconciliation.csv",
        "Town center, admin: the reconciliation's mismatches as CSV (UTF-8 with BOM)",
        true,
    ),
    (
        "get",
        "/staff/refund-cases",
        "Town center, admin: refund cases (bank paid, ledger not) of their area (?state=)",
        true,
    ),
    (
        "post",
        "/staff/refund-cases/{id}/refund",
        "Town center, admin: refund the case's order in full through the bank",
        true,
    ),
    (
        "post",
        "/staff/refund-cases/{id}/book",
        "Town center, admin: book the case's money to its person-year, when still free",
        true,
    ),
    ("get", "/openapi.json", "This document", false),
];

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(document()) }))
}

pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, secured) in ROUTES {
        let mut operation = json!({
            "summary": summary,
            "responses": {
                "200": { "description": "OK (JSON)" },
                "4XX": { "description": "Refused", "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        if *secured {
            operation["security"] = json!([{ "session": [] }]);
        }
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if !params.is_empty() {
            operation["parameters"] = Value::Array(params);
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "居民养老缴费 Yanglao sync API", "version": "1" },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths,
        "components": {
            "securitySchemes": { "session": { "type": "http", "scheme": "bearer" } },
            "schemas": { "Error": { "type": "object", "required": ["code", "message"], "properties": {
                "code": { "type": "string", "description": "Stable code for programs" },
                "message": { "type": "string", "description": "Chinese sentence for people" } } } }
        }
    })
}
