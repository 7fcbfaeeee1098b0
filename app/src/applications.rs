//! 参保登记 and 补缴 on the phone: the forms a person prepared (kept, like payments, until the
//! server has them), what the server last said about each, and the steps the applicant sees.
//! No browser here: the store keeps these records, the sync engine sends them.
//!
//! A form is sent with `PUT` under its client-made id, so a retry is recognised by the server,
//! never filed twice. The full name and ID number stay on the phone only while a form waits to
//! be sent (or to be fixed after a refusal); what the server answers is kept masked (a staff
//! member's full view of a person never reaches the phone's storage). To fix a returned form,
//! or to add an enrolled person as a payee, the filed form is fetched again and held only in
//! memory for that screen.
//!
//! The server's state wins: a change waiting on the phone that the server can no longer take
//! (the form is past the point where it may be fixed) is dropped when the server's view
//! arrives, so nothing stays 未成功 for ever.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;
use yanglao_shared::applications::{
    BackPaymentForm, BackPaymentState, BackPaymentView, EnrolmentForm, EnrolmentState,
    EnrolmentView,
};
use yanglao_shared::json::FromJson;

/// What is sent: one of the two paper forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
pub enum ApplicationForm {
    Enrolment(EnrolmentForm),
    BackPayment(BackPaymentForm),
}

impl ApplicationForm {
    pub fn id(&self) -> Uuid {
        match self {
            Self::Enrolment(f) => f.id,
            Self::BackPayment(f) => f.id,
        }
    }
}

/// What the server last said about a form it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
pub enum Filed {
    Enrolment(EnrolmentView),
    BackPayment(BackPaymentView),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
pub enum Kind {
    Enrolment,
    BackPayment,
}

/// A refusal of the last sending: nothing was filed (or changed) on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
pub struct Refused {
    pub code: String,
    pub message: String,
}

/// One application as the phone keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
pub struct LocalApplication {
    pub id: Uuid,
    pub kind: Kind,
    /// Waiting to be sent: a new form, or one fixed after a return or a refusal.
    pub pending: Option<ApplicationForm>,
    /// Why the server would not take `pending`; it is not sent again until fixed.
    pub refused: Option<Refused>,
    pub filed: Option<Filed>,
    /// For the list while the server has not answered yet.
    pub name_masked: String,
    pub id_masked: String,
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    pub prepared_at: OffsetDateTime,
}

/// A form waiting to be sent goes out unless its last sending was refused (it waits for a fix).
/// Generic, so that a reader that keeps neither in full (the store's upgrade) asks the same.
pub fn to_send<'a, P, R>(pending: Option<&'a P>, refused: Option<&R>) -> Option<&'a P> {
    pending.filter(|_| refused.is_none())
}

/// Where an application stands, for its status chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// 待提交: on the phone, sent when a connection appears.
    Waiting,
    /// 未成功: the server refused the form; the reason says what to fix.
    Refused(String),
    Enrolment(EnrolmentState),
    BackPayment(BackPaymentState),
}

/// One line of the applicant's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Done,
    /// The step the application waits on now.
    Now,
    /// Stopped here: returned, refused or rejected.
    Problem,
    Todo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepName {
    Prepared,
    VillageCheck,
    TownEntry,
    CanPay,
    TownCheck,
    BankPayment,
    InLedger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub name: StepName,
    pub mark: Mark,
    pub at: Option<OffsetDateTime>,
}

impl LocalApplication {
    /// A new form, waiting to be sent.
    pub fn prepared(
        form: ApplicationForm,
        name_masked: String,
        id_masked: String,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id: form.id(),
            kind: match form {
                ApplicationForm::Enrolment(_) => Kind::Enrolment,
                ApplicationForm::BackPayment(_) => Kind::BackPayment,
            },
            pending: Some(form),
            refused: None,
            filed: None,
            name_masked,
            id_masked,
            prepared_at: now,
        }
    }

    /// A fixed form for the same application: sent again under the same id.
    pub fn fixed(&self, form: ApplicationForm, name_masked: String, id_masked: String) -> Self {
        Self {
            pending: Some(form),
            refused: None,
            name_masked,
            id_masked,
            ..self.clone()
        }
    }

    /// The revision a fix of this form carries: one past what the server has, so the server
    /// takes it for a fix, not for a late retry of the earlier sending.
    pub fn next_revision(&self) -> u32 {
        match (&self.filed, &self.pending) {
            (Some(Filed::Enrolment(v)), _) => v.revision + 1,
            (Some(Filed::BackPayment(v)), _) => v.revision + 1,
            (None, Some(ApplicationForm::Enrolment(f))) => f.revision,
            (None, Some(ApplicationForm::BackPayment(f))) => f.revision,
            (None, None) => 0,
        }
    }

    /// The form the next sync sends, if any.
    pub fn to_send(&self) -> Option<&ApplicationForm> {
        to_send(self.pending.as_ref(), self.refused.as_ref())
    }

    /// The server took `sent`. If the person changed the form meanwhile, the change still
    /// waits to be sent, as long as the server would take it.
    pub fn answered(&self, sent: &ApplicationForm, view: Filed) -> Self {
        let mut next = self.with_filed(view);
        if next.pending.as_ref() == Some(sent) {
            next.pending = None;
            next.refused = None;
        }
        next
    }

    /// The server's view of this application, kept masked; a waiting change the server can no
    /// longer take goes (and with it the full name and ID number it held).
    fn with_filed(&self, view: Filed) -> Self {
        let view = masked(view);
        let open = takes_a_fix(&view);
        Self {
            pending: self.pending.clone().filter(|_| open),
            refused: self.refused.clone().filter(|_| open),
            filed: Some(view),
            ..self.clone()
        }
    }

    /// The server refused `sent` for good (not a network trouble).
    pub fn refused_with(&self, sent: &ApplicationForm, code: String, message: String) -> Self {
        let mut next = self.clone();
        if next.pending.as_ref() == Some(sent) {
            next.refused = Some(Refused { code, message });
        }
        next
    }

    pub fn status(&self) -> Status {
        if let Some(refused) = &self.refused {
            return Status::Refused(refused.message.clone());
        }
        if self.pending.is_some() {
            return Status::Waiting;
        }
        match &self.filed {
            Some(Filed::Enrolment(v)) => Status::Enrolment(v.state),
            Some(Filed::BackPayment(v)) => Status::BackPayment(v.state),
            None => Status::Waiting,
        }
    }

    /// Worth asking the server about: someone else (village, town) acts next.
    pub fn awaits_staff(&self) -> bool {
        matches!(
            self.status(),
            Status::Enrolment(EnrolmentState::Submitted | EnrolmentState::VillageApproved)
                | Status::BackPayment(BackPaymentState::Submitted | BackPaymentState::SlipIssued)
        )
    }

    /// The applicant has something to do: fix a refused or returned form, or pay a slip at
    /// the bank.
    pub fn awaits_applicant(&self) -> bool {
        matches!(
            self.status(),
            Status::Refused(_)
                | Status::Enrolment(EnrolmentState::Returned)
                | Status::BackPayment(BackPaymentState::Returned | BackPaymentState::SlipIssued)
        )
    }

    /// The person may change the form and send it again under the same id: before the server
    /// has it, after a refusal, or after the village or town returned it.
    pub fn can_fix(&self) -> bool {
        self.filed.as_ref().is_none_or(takes_a_fix)
    }

    /// Never reached the server: it may simply be thrown away.
    pub fn can_discard(&self) -> bool {
        self.filed.is_none()
    }

    /// What changing the form means now: editing a form still queued on the phone (nothing was
    /// sent, so there is nothing to send "again"), or fixing one the server has.
    pub fn change(&self) -> Option<Change> {
        let never_sent = self.filed.is_none() && self.refused.is_none();
        match (self.can_fix(), never_sent) {
            (false, _) => None,
            (true, true) => Some(Change::EditQueued),
            (true, false) => Some(Change::FixAndResend),
        }
    }

    /// Whether the server's form must be fetched to fill the fix form: the phone no longer
    /// holds the full name and ID number once the server has them.
    pub fn needs_filed_form(&self) -> bool {
        self.can_fix() && self.filed.is_some() && self.pending.is_none()
    }

    /// An enrolled person already among this account's payees (compared as both are kept, by
    /// masked name and ID number): the application says so instead of offering to add them.
    pub fn payee_added<'a>(&self, payees: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
        let Some(Filed::Enrolment(v)) = &self.filed else {
            return false;
        };
        v.state == EnrolmentState::Enrolled
            && payees
                .into_iter()
                .any(|(name, id)| name == v.name_masked && id == v.id_masked)
    }

    /// The applicant's timeline: the notice's steps, each done, current, stopped or to come.
    pub fn steps(&self) -> Vec<Step> {
        let step = |name, mark, at| Step { name, mark, at };
        let waiting = self.pending.is_some() || self.refused.is_some();
        let first = if self.refused.is_some() {
            Mark::Problem
        } else if waiting {
            Mark::Now
        } else {
            Mark::Done
        };
        match (&self.filed, self.kind) {
            (Some(Filed::Enrolment(v)), _) if !waiting => {
                use EnrolmentState::*;
                let (village, town, pay) = match v.state {
                    Submitted => (Mark::Now, Mark::Todo, Mark::Todo),
                    VillageApproved => (Mark::Done, Mark::Now, Mark::Todo),
                    Enrolled => (Mark::Done, Mark::Done, Mark::Done),
                    // Returned by the town if the village had approved it, else by the village.
                    Returned if v.town_reviewed_at.is_some() => {
                        (Mark::Done, Mark::Problem, Mark::Todo)
                    }
                    Returned => (Mark::Problem, Mark::Todo, Mark::Todo),
                };
                vec![
                    step(StepName::Prepared, Mark::Done, Some(v.submitted_at)),
                    step(StepName::VillageCheck, village, v.village_checked_at),
                    step(StepName::TownEntry, town, v.town_reviewed_at),
                    step(StepName::CanPay, pay, None),
                ]
            }
            (Some(Filed::BackPayment(v)), _) if !waiting => {
                use BackPaymentState::*;
                let (town, bank, ledger) = match v.state {
                    Submitted => (Mark::Now, Mark::Todo, Mark::Todo),
                    Returned => (Mark::Problem, Mark::Todo, Mark::Todo),
                    SlipIssued => (Mark::Done, Mark::Now, Mark::Todo),
                    Paid => (Mark::Done, Mark::Done, Mark::Done),
                };
                vec![
                    step(StepName::Prepared, Mark::Done, Some(v.submitted_at)),
                    step(StepName::TownCheck, town, v.reviewed_at),
                    step(StepName::BankPayment, bank, v.paid_at),
                    step(StepName::InLedger, ledger, v.paid_at),
                ]
            }
            (_, Kind::Enrolment) => vec![
                step(StepName::Prepared, first, Some(self.prepared_at)),
                step(StepName::VillageCheck, Mark::Todo, None),
                step(StepName::TownEntry, Mark::Todo, None),
                step(StepName::CanPay, Mark::Todo, None),
            ],
            (_, Kind::BackPayment) => vec![
                step(StepName::Prepared, first, Some(self.prepared_at)),
                step(StepName::TownCheck, Mark::Todo, None),
                step(StepName::BankPayment, Mark::Todo, None),
                step(StepName::InLedger, Mark::Todo, None),
            ],
        }
    }
}

/// What changing a form is, for its button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// 修改: still on the phone, never sent.
    EditQueued,
    /// 修改后重新提交: returned by the village or the town (or refused), sent again.
    FixAndResend,
}

/// Whether the server takes a changed form under this id: one returned by the village or the
/// town (a form past that point is decided; a new one is filed instead).
fn takes_a_fix(view: &Filed) -> bool {
    match view {
        Filed::Enrolment(v) => v.state == EnrolmentState::Returned,
        Filed::BackPayment(v) => v.state == BackPaymentState::Returned,
    }
}

/// The view as the phone keeps it: masked, whatever the server sent.
fn masked(view: Filed) -> Filed {
    match view {
        Filed::Enrolment(v) => Filed::Enrolment(EnrolmentView { full: None, ..v }),
        Filed::BackPayment(v) => Filed::BackPayment(BackPaymentView { full: None, ..v }),
    }
}

/// The records that change when the server's lists arrive: each view goes to its record (a
/// form filed from another phone becomes a new record here); what waits to be sent stays as
/// long as the server would still take it.
pub fn merge_filed(
    local: &[LocalApplication],
    enrolments: &[EnrolmentView],
    back_payments: &[BackPaymentView],
) -> Vec<LocalApplication> {
    let incoming = enrolments
        .iter()
        .map(|v| {
            (
                v.id,
                Kind::Enrolment,
                Filed::Enrolment(v.clone()),
                v.name_masked.clone(),
                v.id_masked.clone(),
                v.submitted_at,
            )
        })
        .chain(back_payments.iter().map(|v| {
            (
                v.id,
                Kind::BackPayment,
                Filed::BackPayment(v.clone()),
                v.name_masked.clone(),
                v.id_masked.clone(),
                v.submitted_at,
            )
        }));
    let mut changed = Vec::new();
    for (id, kind, filed, name_masked, id_masked, at) in incoming {
        match local.iter().find(|a| a.id == id) {
            // Compared as kept (masked).
            Some(a) if a.filed.as_ref() == Some(&masked(filed.clone())) => {}
            Some(a) => changed.push(a.with_filed(filed)),
            None => changed.push(LocalApplication {
                id,
                kind,
                pending: None,
                refused: None,
                filed: Some(masked(filed)),
                name_masked,
                id_masked,
                prepared_at: at,
            }),
        }
    }
    changed
}

/// Newest first: what the person did last is what they look for.
pub fn newest_first(apps: &mut [LocalApplication]) {
    yanglao_shared::short_sort::sort_by(apps, |a, b| {
        b.prepared_at.cmp(&a.prepared_at).then(a.id.cmp(&b.id))
    });
}

#[cfg(test)]
mod tests;
