//! The mutation log on disk, and the one way to write offline: each write below puts (or
//! takes away) its record and appends its [`Mutation`] in one transaction, so a closed tab
//! never leaves a change nobody will send, or an entry without the change it names. The sync
//! engine reads the log in order and settles entries as the server answers
//! ([`crate::sync::push`]).
//!
//! Adding the next kind of offline write: a [`Mutation`] variant, a method here that writes its
//! record and calls [`Store::append`], and its send arm in the push.

use uuid::Uuid;
use yanglao_shared::json::{self, FromJson, Json};
use yanglao_shared::wire::{LabelChange, PayeeView};
use yanglao_shared::PayeeLabel;

use super::idb::{TransactionMode, Tx};
use super::{keys, Result, Store, APPLICATIONS, INTENTS, KV, METHODS, MUTATIONS, PAYEES};
use crate::applications::{to_send, LocalApplication};
use crate::model::{LocalIntent, LocalPayee};
use crate::mutations::{Logged, Mutation};

impl Store {
    /// The log, oldest first.
    pub async fn log(&self) -> Result<Vec<Logged>> {
        let tx = self.tx(&[MUTATIONS], TransactionMode::Readonly)?;
        let mut log: Vec<Logged> = Self::read_all(&tx, MUTATIONS).await?;
        yanglao_shared::short_sort::sort_by_key(&mut log, |l| l.seq);
        Ok(log)
    }

    /// A person to pay for, kept as 待核验 until the server has matched them with the roster.
    pub async fn add_payee(&self, payee: &LocalPayee) -> Result<()> {
        let tx = self.tx(&[PAYEES, KV, MUTATIONS], TransactionMode::Readwrite)?;
        Self::write(&tx, PAYEES, &payee.id.to_string(), payee)?;
        Self::append(&tx, &[Mutation::AddPayee { id: payee.id }]).await?;
        tx.commit().await
    }

    /// Takes a person off this phone's list now and tells the server when it can. A person
    /// the server never had is simply gone: their entry finds no record to send, and the
    /// server answers the removal with 404, which counts as done.
    pub async fn remove_payee(&self, id: Uuid) -> Result<()> {
        let tx = self.tx(&[PAYEES, KV, MUTATIONS], TransactionMode::Readwrite)?;
        tx.delete(PAYEES, &id.to_string())?;
        Self::append(&tx, &[Mutation::RemovePayee { id }]).await?;
        tx.commit().await
    }

    /// Takes a card off this phone's list now and tells the server when it can.
    pub async fn remove_card(&self, id: Uuid) -> Result<()> {
        let tx = self.tx(&[METHODS, KV, MUTATIONS], TransactionMode::Readwrite)?;
        tx.delete(METHODS, &id.to_string())?;
        Self::append(&tx, &[Mutation::RemoveCard { id }]).await?;
        tx.commit().await
    }

    /// Stores payments all together or not at all: this resolves only once they are on disk,
    /// each with its entry (a card attached later writes the same id again).
    pub async fn prepare_payments(&self, intents: &[LocalIntent]) -> Result<()> {
        let tx = self.tx(&[INTENTS, KV, MUTATIONS], TransactionMode::Readwrite)?;
        // Loops, not iterator chains: each `collect` is code of its own in the resident bundle.
        let mut entries = Vec::with_capacity(intents.len());
        for intent in intents {
            Self::write(&tx, INTENTS, &intent.id().to_string(), intent)?;
            entries.push(Mutation::PreparePayment { id: intent.id() });
        }
        Self::append(&tx, &entries).await?;
        tx.commit().await
    }

    /// A new or fixed 参保登记 / 补缴 form, sent under its own id.
    pub async fn file_application(&self, app: &LocalApplication) -> Result<()> {
        let tx = self.tx(&[APPLICATIONS, KV, MUTATIONS], TransactionMode::Readwrite)?;
        Self::write(&tx, APPLICATIONS, &app.id.to_string(), app)?;
        Self::append(&tx, &[Mutation::FileApplication { id: app.id }]).await?;
        tx.commit().await
    }

    /// Gives a person the payer's own label (or takes it away, `None`) now, on this phone,
    /// and queues the change under a new id for the server. A second change before the first
    /// went out replaces it in the record and rides the same log entry. `false` when the
    /// person is no longer on this phone's list.
    pub async fn set_label(
        &self,
        payee_id: Uuid,
        change_id: Uuid,
        label: Option<PayeeLabel>,
    ) -> Result<bool> {
        let tx = self.tx(&[PAYEES, KV, MUTATIONS], TransactionMode::Readwrite)?;
        let key = payee_id.to_string();
        let text = tx.get_text(PAYEES, &key).await?;
        let Some(mut payee) = text.and_then(|t| json::from_text::<LocalPayee>(&t).ok()) else {
            return Ok(false);
        };
        payee.label_change = Some(LabelChange {
            id: change_id,
            label: label.as_ref().map(|l| l.as_str().to_owned()),
        });
        payee.label = label;
        Self::write(&tx, PAYEES, &key, &payee)?;
        Self::append(&tx, &[Mutation::SetLabel { id: payee_id }]).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The server answered label change `sent` of the person `payee_id` (entry `seq`): with
    /// the person's view (`Some`: its label is now the server's), or for good without one
    /// (the person is gone there, or the change was refused: `pull_all` starts the next pull
    /// from the beginning so the server's own label shows again). When the person changed
    /// the label again meanwhile, that newer change stays queued, and so does the entry.
    pub async fn settle_label(
        &self,
        seq: u64,
        payee_id: Uuid,
        sent: Uuid,
        view: Option<&PayeeView>,
        pull_all: bool,
    ) -> Result<()> {
        let tx = self.tx(&[PAYEES, KV, MUTATIONS], TransactionMode::Readwrite)?;
        let key = payee_id.to_string();
        let text = tx.get_text(PAYEES, &key).await?;
        let payee = text.and_then(|t| json::from_text::<LocalPayee>(&t).ok());
        let newer = payee
            .as_ref()
            .and_then(|p| p.label_change.as_ref())
            .is_some_and(|c| c.id != sent);
        if let Some(mut payee) = payee.filter(|_| !newer) {
            payee.label_change = None;
            if let Some(view) = view {
                payee.label = view.label.clone();
            }
            Self::write(&tx, PAYEES, &key, &payee)?;
        }
        if !newer {
            tx.delete(MUTATIONS, &Logged::store_key(seq))?;
        }
        if pull_all {
            tx.delete(KV, keys::CURSOR)?;
        }
        tx.commit().await
    }

    /// The server has what entry `seq` carried (or never will): it leaves the log.
    pub async fn settle(&self, seq: u64) -> Result<()> {
        let tx = self.tx(&[MUTATIONS], TransactionMode::Readwrite)?;
        tx.delete(MUTATIONS, &Logged::store_key(seq))?;
        tx.commit().await
    }

    /// Writes the server's answer to a form, and settles its entry (`Some`) when the form
    /// has nothing more to send, in one transaction.
    pub async fn settle_application(&self, app: &LocalApplication, seq: Option<u64>) -> Result<()> {
        let tx = self.tx(&[APPLICATIONS, MUTATIONS], TransactionMode::Readwrite)?;
        Self::write(&tx, APPLICATIONS, &app.id.to_string(), app)?;
        if let Some(seq) = seq {
            tx.delete(MUTATIONS, &Logged::store_key(seq))?;
        }
        tx.commit().await
    }

    /// The server refused a removal for good: the entry goes, and the next pull starts from
    /// the beginning, so what the server still has shows again on the phone.
    pub async fn settle_and_pull_all(&self, seq: u64) -> Result<()> {
        let tx = self.tx(&[KV, MUTATIONS], TransactionMode::Readwrite)?;
        tx.delete(MUTATIONS, &Logged::store_key(seq))?;
        tx.delete(KV, keys::CURSOR)?;
        tx.commit().await
    }

    /// Appends each of `mutations` unless the very same one still waits (a second tap, a form
    /// fixed before it was sent): the record is read when it is sent, so one entry carries the
    /// latest. Sequence numbers only grow, even across an emptied log. The log is read once
    /// for all of them, so a village's 500 payments prepared together cost one read, not 500.
    pub(super) async fn append(tx: &Tx, mutations: &[Mutation]) -> Result<()> {
        let mut log: Vec<Logged> = Self::read_all(tx, MUTATIONS).await?;
        let last: u64 = Self::read_kv(tx, keys::LOG_SEQ).await?.unwrap_or(0);
        let mut seq = log.iter().map(|l| l.seq).fold(last, u64::max);
        for &mutation in mutations {
            // A scan in memory: a set would add its own code to the resident bundle for
            // nothing at a phone's sizes.
            if log.iter().any(|l| l.mutation == mutation) {
                continue;
            }
            seq += 1;
            let entry = Logged { seq, mutation };
            Self::write(tx, MUTATIONS, &Logged::store_key(seq), &entry)?;
            log.push(entry);
        }
        if seq > last {
            Self::write(tx, KV, keys::LOG_SEQ, &seq)?;
        }
        Ok(())
    }
}

/// Of a kept form, what the upgrade needs: whether it waits to be sent
/// ([`crate::applications::to_send`]). Read this narrowly so that the resident build, which
/// also runs the upgrade, carries none of the forms' code.
#[derive(FromJson)]
struct QueuedForm {
    id: uuid::Uuid,
    pending: Option<Json>,
    refused: Option<Json>,
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    prepared_at: time::OffsetDateTime,
}

/// The version-3 upgrade, inside its own transaction: what versions 1 and 2 kept waiting in
/// the records themselves becomes log entries — people first (a payment needs its person),
/// then payments and forms in the order they were prepared. The records stay as they are.
pub(super) async fn move_queued_into_log(tx: &Tx) -> Result<()> {
    let payees: Vec<LocalPayee> = Store::read_all(tx, PAYEES).await?;
    let mut intents: Vec<LocalIntent> = Store::read_all(tx, INTENTS).await?;
    let mut apps: Vec<QueuedForm> = Store::read_all(tx, APPLICATIONS).await?;
    yanglao_shared::short_sort::sort_by_key(&mut intents, |i| i.intent.prepared_at);
    yanglao_shared::short_sort::sort_by_key(&mut apps, |a| a.prepared_at);
    let mut waiting = Vec::new();
    for p in payees.iter().filter(|p| p.pending.is_some()) {
        waiting.push(Mutation::AddPayee { id: p.id });
    }
    for i in intents.iter().filter(|i| i.to_send()) {
        waiting.push(Mutation::PreparePayment { id: i.id() });
    }
    for a in apps.iter() {
        if to_send(a.pending.as_ref(), a.refused.as_ref()).is_some() {
            waiting.push(Mutation::FileApplication { id: a.id });
        }
    }
    Store::append(tx, &waiting).await
}

#[cfg(test)]
mod tests;
