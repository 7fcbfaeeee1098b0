//! The applications' part of a sync: a form waiting on the phone goes out with `PUT` under its
//! own id (a retry is the same application) when its log entry comes up, and the applicant's
//! lists come back when a step may have moved (someone at the village or the town acts next).
//! Only the full build carries this ([`PARTS`], handed over by its binary; see
//! [`crate::bundle`]).

use uuid::Uuid;

use super::push::Trouble;
use crate::api::{self, ApiError};
use crate::applications::{merge_filed, ApplicationForm, Filed, LocalApplication};
use crate::bundle::FormParts;
use crate::store::Store;

/// The forms' parts of the store and the sync, for [`crate::bundle::install_forms`].
pub const PARTS: FormParts = FormParts {
    read: |tx| Box::pin(Store::read_applications(tx)),
    send: |store, token, id, seq| Box::pin(send(store, token, id, seq)),
    refresh: |store, token, always| Box::pin(refresh(store, token, always)),
};

async fn put(token: &str, form: &ApplicationForm) -> Result<Filed, ApiError> {
    match form {
        ApplicationForm::Enrolment(f) => api::put_enrolment(token, f).await.map(Filed::Enrolment),
        ApplicationForm::BackPayment(f) => api::put_back_payment(token, f)
            .await
            .map(Filed::BackPayment),
    }
}

async fn current(store: &Store, id: Uuid) -> Result<Option<LocalApplication>, Trouble> {
    Ok(store.applications().await?.into_iter().find(|a| a.id == id))
}

/// Sends the form `id` as the phone has it now (log entry `seq`). The entry is settled once
/// the form has nothing more to send: the server took it, refused it for good (said to the
/// person, not sent again until fixed), or it was discarded.
pub async fn send(store: &Store, token: &str, id: Uuid, seq: u64) -> Result<(), Trouble> {
    let Some(form) = current(store, id).await?.and_then(|a| a.to_send().cloned()) else {
        store.settle(seq).await?;
        return Ok(());
    };
    let answer = put(token, &form).await;
    // Re-read: the person may have fixed the form while it was on its way.
    let Some(current) = current(store, id).await? else {
        store.settle(seq).await?; // discarded meanwhile
        return Ok(());
    };
    let updated = match answer {
        Ok(view) => current.answered(&form, view),
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(ApiError::Refused { code, message, .. }) => current.refused_with(&form, code, message),
        Err(e) => return Err(e.into()),
    };
    // A fix made meanwhile still waits: the entry stays and carries it next.
    let done = updated.to_send().is_none().then_some(seq);
    store.settle_application(&updated, done).await?;
    Ok(())
}

/// Brings the applicant's lists up to date when worth it (`always`: the applications screen
/// is open), or when some application waits on staff.
pub async fn refresh(store: &Store, token: &str, always: bool) -> Result<(), Trouble> {
    let apps = store.applications().await?;
    if !always && !apps.iter().any(LocalApplication::awaits_staff) {
        return Ok(());
    }
    let enrolments = api::enrolments(token).await?;
    let back_payments = api::back_payments(token).await?;
    let latest = store.applications().await?;
    let updates = merge_filed(&latest, &enrolments, &back_payments);
    if !updates.is_empty() {
        store.put_applications(&updates).await?;
    }
    Ok(())
}
