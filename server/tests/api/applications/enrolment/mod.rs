//! Enrolment: the form, the village's material check, the town center's entry on the roster,
//! and then paying like anyone else; who may see and do what; bad input and duplicates.

mod areas;
mod flow;
mod input;
mod reviewers;
mod roster;

use uuid::Uuid;
use yanglao_server::staff::roles::Role;
use yanglao_shared::applications::{EnrolmentForm, TownReview, VillageCheck};

use crate::support::*;

/// The son's form for [`newcomer`] in 岛山村, with the village assistant and the town center
/// of 龙山街道 who review it.
pub struct Filed {
    pub son: String,
    pub form: EnrolmentForm,
    pub village_id: String,
    pub village: String,
    pub town_id: String,
    pub town: String,
}

pub async fn filed(app: &TestApp) -> Filed {
    let son = app.account("13800000011").await;
    let (village_id, village) = app
        .staff("13900000011", Role::Village, TOWN, Some(VILLAGE))
        .await;
    let (town_id, town) = app.staff("13900000012", Role::Town, TOWN, None).await;
    let form = enrolment(&newcomer(), TOWN, VILLAGE);
    app.api.file_enrolment(&son, &form).await.unwrap();
    Filed {
        son,
        form,
        village_id,
        village,
        town_id,
        town,
    }
}

pub fn send_back(reason: &str) -> VillageCheck {
    VillageCheck {
        checklist: all_seen(),
        approve: false,
        reason: Some(reason.into()),
    }
}

pub fn enter() -> TownReview {
    TownReview {
        approve: true,
        reason: None,
    }
}

impl Filed {
    pub fn id(&self) -> Uuid {
        self.form.id
    }

    /// The village returns the form: "手机号无法接通".
    pub async fn returned(&self, app: &TestApp) {
        app.api
            .village_check(&self.village, self.id(), &send_back("手机号无法接通"))
            .await
            .unwrap();
    }

    /// Returned, then sent again unchanged as revision 1.
    pub async fn fixed(&self, app: &TestApp) -> EnrolmentForm {
        self.returned(app).await;
        let fixed = EnrolmentForm {
            revision: 1,
            ..self.form.clone()
        };
        app.api.file_enrolment(&self.son, &fixed).await.unwrap();
        fixed
    }

    pub async fn village_approved(&self, app: &TestApp) {
        app.api
            .village_check(&self.village, self.id(), &approve_materials())
            .await
            .unwrap();
    }

    pub async fn entered(&self, app: &TestApp) {
        self.village_approved(app).await;
        app.api
            .town_review(&self.town, self.id(), &enter())
            .await
            .unwrap();
    }
}

pub async fn enrolments(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM enrolments").await
}
