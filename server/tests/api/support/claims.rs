//! Claiming one's own record in tests: a roster mobile for a person (the test roster has
//! none until a test gives one), the code the sandbox SMS gateway kept for a mobile, and the
//! whole two-step claim.

use yanglao_server::roster;
use yanglao_server::sms::sandbox::SandboxSms;
use yanglao_server::storage::roster_mobiles;
use yanglao_shared::wire::{Account, ClaimRequest};
use yanglao_shared::MobileNumber;

use super::{Person, TestApp};

/// The first step's body for `person`, under `name`.
pub fn claim_as(name: &str, person: &Person) -> ClaimRequest {
    ClaimRequest {
        name: name.into(),
        id_number: person.id_number.as_str().into(),
    }
}

pub fn claim_of(person: &Person) -> ClaimRequest {
    claim_as(person.name, person)
}

impl TestApp {
    /// Puts `mobile` on `person`'s roster record.
    pub async fn give_roster_mobile(&self, person: &Person, mobile: &str) {
        let mut conn = self.db.pool.acquire().await.unwrap();
        let resident = roster::by_id_number(&mut conn, &person.id_number)
            .await
            .unwrap()
            .expect("on the roster");
        let mobile = MobileNumber::parse(mobile).unwrap();
        roster_mobiles::set(&mut conn, &resident.id, &mobile, self.clock.now_ms())
            .await
            .unwrap();
    }

    /// Every message the sandbox SMS gateway kept for `mobile`, newest first.
    pub async fn sms_to(&self, mobile: &str) -> Vec<String> {
        let mobile = MobileNumber::parse(mobile).unwrap();
        SandboxSms::new(self.db.clone())
            .recent(Some(&mobile), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|sms| sms.body)
            .collect()
    }

    /// The code of the newest message to `mobile`: its one run of six digits.
    pub async fn sms_code(&self, mobile: &str) -> String {
        let newest = self.sms_to(mobile).await.into_iter().next();
        let body = newest.expect("a message was sent");
        code_in(&body).unwrap_or_else(|| panic!("no code in {body:?}"))
    }

    /// The whole claim of `person`, whose roster mobile becomes `mobile`: start, read the
    /// code, confirm.
    pub async fn claim_proven(&self, token: &str, person: &Person, mobile: &str) -> Account {
        self.give_roster_mobile(person, mobile).await;
        self.api.claim(token, &claim_of(person)).await.unwrap();
        let code = self.sms_code(mobile).await;
        self.api.confirm_claim(token, &code).await.unwrap()
    }
}

pub fn code_in(body: &str) -> Option<String> {
    let digits: Vec<char> = body.chars().collect();
    digits.windows(6).enumerate().find_map(|(i, w)| {
        let run = w.iter().all(char::is_ascii_digit);
        let alone = i == 0 || !digits[i - 1].is_ascii_digit();
        let ends = digits.get(i + 6).is_none_or(|c| !c.is_ascii_digit());
        (run && alone && ends).then(|| w.iter().collect())
    })
}
