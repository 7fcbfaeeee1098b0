//! Back payment: the applicant's form, the town center's check year by year and payment slip
//! for the payable years (or a return the applicant fixes),
//! the Agricultural Bank receipt and the ledger; never a subsidy, never over a paid year;
//! only the town center of the area acts; bad input refused without writing.

mod eligibility;
mod flow;
mod input;
mod per_year;
mod who;

use uuid::Uuid;
use yanglao_server::staff::roles::Role;
use yanglao_shared::applications::{BackPaymentState, BackPaymentView};

use crate::support::*;

/// Files `years` at `amount` for `person`; the answer is `submitted`.
pub async fn apply(
    app: &TestApp,
    token: &str,
    person: &Person,
    years: &[i32],
    amount: &str,
) -> BackPaymentView {
    let view = app
        .api
        .file_back_payment(token, &back_payment(person, years, amount))
        .await
        .unwrap();
    assert_eq!(view.state, BackPaymentState::Submitted);
    view
}

/// The town center of 龙山街道: (account id, token).
pub async fn town_center(app: &TestApp) -> (String, String) {
    app.staff("13900000041", Role::Town, TOWN, None).await
}

/// The son's application for mother's 2021 and 2020 at 1000 (she paid 2023–2025 herself).
pub struct Applied {
    pub son: String,
    pub id: Uuid,
    pub town_id: String,
    pub town: String,
}

pub async fn applied(app: &TestApp) -> Applied {
    let son = app.account("13800000041").await;
    let (town_id, town) = town_center(app).await;
    let id = apply(app, &son, &mother(), &[2021, 2020], "1000").await.id;
    Applied {
        son,
        id,
        town_id,
        town,
    }
}

impl Applied {
    /// Reviewed: the slip's number.
    pub async fn slip(&self, app: &TestApp) -> String {
        let slip = app
            .api
            .review_back_payment(&self.town, self.id)
            .await
            .unwrap();
        slip.slip_no.expect("a slip number")
    }

    /// Reviewed and paid at the bank with receipt nh2026000123; the slip's number.
    pub async fn paid(&self, app: &TestApp) -> String {
        let slip_no = self.slip(app).await;
        app.api
            .record_bank_receipt(&self.town, self.id, "nh2026000123")
            .await
            .unwrap();
        slip_no
    }
}

/// Contribution rows written by back payment.
pub async fn back_rows(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM contributions WHERE back_payment = 1")
        .await
}
