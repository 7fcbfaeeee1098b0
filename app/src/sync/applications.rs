//! The applications' part of a sync: each form waiting on the phone goes out with `PUT` under
//! its own id (a retry is the same application), then the applicant's lists come back when a
//! step may have moved (someone at the village or the town acts next).

use crate::api::{self, ApiError};
use crate::applications::{merge_filed, ApplicationForm, Filed, LocalApplication};
use crate::store::Store;

/// Why the applications' part stopped: the network (retried with the rest of the sync) or
/// the phone's storage.
pub enum Trouble {
    Api(ApiError),
    Store(String),
}

impl From<ApiError> for Trouble {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<crate::store::StoreError> for Trouble {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Store(e.to_string())
    }
}

async fn send(token: &str, form: &ApplicationForm) -> Result<Filed, ApiError> {
    match form {
        ApplicationForm::Enrolment(f) => api::put_enrolment(token, f).await.map(Filed::Enrolment),
        ApplicationForm::BackPayment(f) => api::put_back_payment(token, f)
            .await
            .map(Filed::BackPayment),
    }
}

/// Sends what waits, then refreshes when worth it (`always`: the applications screen is open).
pub async fn exchange(store: &Store, token: &str, always: bool) -> Result<(), Trouble> {
    let apps = store.applications().await?;
    let mut changed = false;
    for app in &apps {
        let Some(form) = app.to_send().cloned() else {
            continue;
        };
        let answer = send(token, &form).await;
        // Re-read: the person may have fixed the form while it was on its way.
        let current = store
            .applications()
            .await?
            .into_iter()
            .find(|a| a.id == app.id);
        let Some(current) = current else {
            continue; // discarded meanwhile
        };
        let updated = match answer {
            Ok(view) => current.answered(&form, view),
            Err(e) if e.is_transient() => return Err(e.into()),
            // A refusal for good: said to the person, not sent again until fixed.
            Err(ApiError::Refused { code, message, .. }) => {
                current.refused_with(&form, code, message)
            }
            Err(e) => return Err(e.into()),
        };
        store.put_applications(&[updated]).await?;
        changed = true;
    }
    // Nothing sent: nothing moved on this phone since `apps` was read, as far as staff go.
    if always || changed || apps.iter().any(LocalApplication::awaits_staff) {
        let enrolments = api::enrolments(token).await?;
        let back_payments = api::back_payments(token).await?;
        let latest = store.applications().await?;
        let updates = merge_filed(&latest, &enrolments, &back_payments);
        if !updates.is_empty() {
            store.put_applications(&updates).await?;
        }
    }
    Ok(())
}
