//! What the ledger reads to decide a payment, read once for a whole sync instead of once per
//! payment: the intents already stored under the request's ids, each person's roster record,
//! the years those residents have paid, and each card's token. A sync's push reads them in
//! three queries ([`Reads::for_push`]); every other decision (a year freed, a card given later)
//! starts from [`Reads::default`], which reads each thing when it is asked for, as before.
//!
//! Nothing read here changes while the push's transaction runs: the push stores its new
//! intents in one statement after every payment was judged, and answers an id repeated in the
//! request as its first (`arrive`), so each stored intent is asked for once.

use std::collections::{BTreeSet, HashMap, HashSet};

use uuid::Uuid;
use yanglao_shared::wire::PaymentIntent;
use yanglao_shared::PersonFacts;

use crate::roster::{self, Resident};
use crate::storage::intents::{self, Intent};
use crate::storage::{contributions, methods, payees, residents, StorageResult, WriteTx};

#[derive(Default)]
pub struct Reads {
    /// The intents stored under these ids before the push (ids absent were not stored).
    stored: HashMap<Uuid, Intent>,
    /// Ids whose stored intent was read for the push, and not yet used by an arrival.
    stored_read: HashSet<Uuid>,
    /// The people read for the push: on this account's list (matched to a record or not);
    /// a person read and absent is not on the list.
    payees: HashMap<Uuid, Option<Resident>>,
    payees_read: HashSet<Uuid>,
    /// The paid years of the residents read for the push (a resident with none is absent).
    paid: HashMap<String, BTreeSet<i32>>,
    paid_read: HashSet<String>,
    /// Each card's usable token for an account, once asked for.
    tokens: HashMap<(String, String), Option<String>>,
}

impl Reads {
    /// Everything a push of these payments for `account_id` will ask, in three queries.
    pub async fn for_push(
        tx: &mut WriteTx,
        account_id: &str,
        payments: &[PaymentIntent],
    ) -> StorageResult<Self> {
        let ids: Vec<Uuid> = payments.iter().map(|p| p.id).collect();
        let stored = intents::load_many(tx, &ids).await?;
        let payee_ids: Vec<Uuid> = payments.iter().map(|p| p.payee_id).collect();
        let payees = payees::with_residents(tx, account_id, &payee_ids).await?;
        let mut resident_ids: Vec<&str> =
            payees.values().flatten().map(|r| r.id.as_str()).collect();
        resident_ids.sort_unstable();
        resident_ids.dedup();
        let paid = contributions::paid_years_of(tx, &resident_ids).await?;
        let paid_read = resident_ids.iter().map(|&id| id.to_owned()).collect();
        Ok(Self {
            stored: stored.into_iter().map(|i| (i.id, i)).collect(),
            stored_read: ids.into_iter().collect(),
            payees,
            payees_read: payee_ids.into_iter().collect(),
            paid,
            paid_read,
            tokens: HashMap::new(),
        })
    }

    /// The person's roster record as [`residents::of_payee`] answers it.
    pub fn resident_of(&self, payee_id: Uuid) -> Option<Option<&Resident>> {
        self.payees.get(&payee_id).map(Option::as_ref)
    }

    /// The intent already stored under `id`, if any (read for the push the first time it is
    /// asked, from the database after that).
    pub async fn stored(&mut self, tx: &mut WriteTx, id: Uuid) -> StorageResult<Option<Intent>> {
        if self.stored_read.remove(&id) {
            return Ok(self.stored.remove(&id));
        }
        intents::load(tx, id).await
    }

    /// The person on this account's list, with its roster record when matched.
    pub async fn payee(
        &self,
        tx: &mut WriteTx,
        account_id: &str,
        payee_id: Uuid,
    ) -> StorageResult<Option<Option<Resident>>> {
        if self.payees_read.contains(&payee_id) {
            return Ok(self.payees.get(&payee_id).cloned());
        }
        residents::of_payee(tx, account_id, payee_id).await
    }

    /// The facts the eligibility decision needs about the resident.
    pub async fn facts(&self, tx: &mut WriteTx, resident: &Resident) -> StorageResult<PersonFacts> {
        if self.paid_read.contains(&resident.id) {
            let paid = self.paid.get(&resident.id).cloned().unwrap_or_default();
            return Ok(roster::facts_with(resident, paid));
        }
        roster::facts(tx, resident).await
    }

    /// The card's token if it is this account's and not removed.
    pub async fn token(
        &mut self,
        tx: &mut WriteTx,
        account_id: &str,
        method_id: &str,
    ) -> StorageResult<Option<String>> {
        let key = (account_id.to_owned(), method_id.to_owned());
        if let Some(token) = self.tokens.get(&key) {
            return Ok(token.clone());
        }
        let token = methods::usable_token(tx, account_id, method_id).await?;
        self.tokens.insert(key, token.clone());
        Ok(token)
    }
}
