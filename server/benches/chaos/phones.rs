//! The payers' phones of the chaos run: set up directly against a server (untimed), then each
//! phone works like the app's outbox through the lossy proxy: it sends its unacknowledged
//! payments (a random part of them per sync, with the same ids every time), now and then one
//! it already sent (an answer it never saw), and pulls with its cursor until every payment is
//! final. Every answer that is a server error, or any other refusal, is counted.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_shared::wire::{IntentState, SyncResponse};

use crate::proxy::Dice;

pub struct Phone {
    pub token: String,
    card: Uuid,
    /// (intent id, payee id, tier)
    payments: Vec<(Uuid, Uuid, &'static str)>,
}

/// What one phone saw.
#[derive(Default)]
pub struct Seen {
    /// Every payment the server acknowledged, with the last state the phone was told.
    pub states: HashMap<Uuid, IntentState>,
    pub payments: usize,
    pub syncs: u64,
    pub server_errors: u64,
    /// Answers other than 200, with their bodies: none is expected.
    pub refusals: Vec<String>,
}

impl Seen {
    pub fn unfinished(&self) -> usize {
        self.payments - self.states.values().filter(|s| s.is_final()).count()
    }
}

const TIERS: [&str; 4] = ["500", "1000", "2000", "5000"];

async fn post(http: &reqwest::Client, url: String, token: Option<&str>, body: &Value) -> Value {
    for _ in 0..20 {
        let mut request = http.post(&url).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        // The server reaches the bank through a lossy proxy too: a card may need a retry.
        match request.send().await {
            Ok(reply) if reply.status().is_success() => return reply.json().await.unwrap(),
            Ok(reply) if reply.status().is_client_error() => {
                panic!("setup {url}: {}", reply.status())
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("setup {url}: no answer");
}

/// `count` phones, each paying for `per_phone` people of `people` for `year`; neighbouring
/// phones share people, so several payers race for most person-years. Cards: most pay, some
/// are declined, some are paid late by the bank, some lose the bank's notification.
pub async fn set_up(
    base: &str,
    count: usize,
    per_phone: usize,
    people: &[(String, String)],
    dice: &Dice,
) -> Vec<Phone> {
    let http = reqwest::Client::new();
    let pool = (count * per_phone / 3).max(per_phone).min(people.len());
    let mut phones = Vec::new();
    for p in 0..count {
        let mobile = format!("139{:08}", dice.below(100_000_000));
        let session = post(
            &http,
            format!("{base}/accounts"),
            None,
            &json!({"mobile": mobile, "password": "chaos-password"}),
        )
        .await;
        let token = session["token"].as_str().expect("registered").to_owned();
        let card_number = match dice.below(10) {
            0 => test_cards::insufficient_funds(),
            1 => test_cards::delayed(),
            2 => test_cards::lost_notification(),
            _ => test_cards::pays(),
        };
        let card = Uuid::new_v4();
        let bind = json!({"id": card, "card_number": card_number});
        post(&http, format!("{base}/methods"), Some(&token), &bind).await;
        let mut payees = Vec::new();
        let mut payments = Vec::new();
        for j in 0..per_phone {
            let (name, id_number) = &people[(p * 3 + j) % pool];
            let payee = Uuid::new_v4();
            payees.push(json!({"id": payee, "name": name, "id_number": id_number}));
            let tier = TIERS[dice.below(TIERS.len() as u64) as usize];
            payments.push((Uuid::new_v4(), payee, tier));
        }
        let sync = json!({"version": 1, "cursor": null, "payees": payees});
        post(&http, format!("{base}/sync"), Some(&token), &sync).await;
        phones.push(Phone {
            token,
            card,
            payments,
        });
    }
    phones
}

/// Runs one phone against `base` (the proxy) until every payment is final or `deadline`.
pub async fn run(
    phone: Phone,
    base: String,
    year: i32,
    dice: Arc<Dice>,
    deadline: Instant,
) -> Seen {
    // One connection per request, so that each of the proxy's faults hits one request.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut seen = Seen {
        payments: phone.payments.len(),
        ..Seen::default()
    };
    let mut cursor: Option<i64> = None;
    while seen.unfinished() > 0 && Instant::now() < deadline {
        let mut outbox: Vec<_> = phone
            .payments
            .iter()
            .filter(|(id, ..)| !seen.states.contains_key(id))
            .collect();
        let take = 1 + dice.below(outbox.len().max(1) as u64) as usize;
        outbox.truncate(take);
        if dice.below(10) == 0 {
            let again = &phone.payments[dice.below(phone.payments.len() as u64) as usize];
            if !outbox.iter().any(|p| p.0 == again.0) {
                outbox.push(again);
            }
        }
        let intents: Vec<Value> = outbox
            .iter()
            .map(|(id, payee, tier)| {
                json!({"id": id, "payee_id": payee, "year": year, "tier": tier,
                       "method_id": phone.card, "prepared_at": "2026-03-01T10:00:00+08:00"})
            })
            .collect();
        let pushing = !intents.is_empty();
        let body = json!({"version": 1, "cursor": cursor, "intents": intents});
        seen.syncs += 1;
        let sent = http
            .post(format!("{base}/sync"))
            .bearer_auth(&phone.token)
            .json(&body)
            .timeout(Duration::from_secs(20))
            .send()
            .await;
        match sent {
            Err(_) => {} // dropped, cut or refused: the outbox sends the same ids again
            Ok(reply) if reply.status().is_server_error() => {
                seen.server_errors += 1;
                let status = reply.status();
                let text = reply.text().await.unwrap_or_default();
                seen.refusals.push(format!("{status}: {text}"));
            }
            Ok(reply) if !reply.status().is_success() => {
                let status = reply.status();
                let text = reply.text().await.unwrap_or_default();
                seen.refusals.push(format!("{status}: {text}"));
            }
            Ok(reply) => {
                // A cut answer fails here, as on a phone: nothing is applied.
                if let Ok(answer) = reply.json::<SyncResponse>().await {
                    for result in answer.intents {
                        if phone.payments.iter().any(|p| p.0 == result.id) {
                            seen.states.insert(result.id, result.state);
                        }
                    }
                    cursor = Some(answer.cursor);
                }
            }
        }
        if !pushing {
            tokio::time::sleep(Duration::from_millis(100 + dice.below(200))).await;
        } else {
            tokio::time::sleep(Duration::from_millis(dice.below(100))).await;
        }
    }
    seen
}
