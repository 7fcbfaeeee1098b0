//! The sentences of 参保登记 and 补缴: the applicant's forms and steps, and the staff's review
//! screens. Kept apart from [`super::Strings`] so each file stays a readable size.

use std::fmt::Display;

use yanglao_shared::applications::{BackPaymentState, EnrolmentState};

use super::zh;
use crate::applications::{Status, StepName};

pub struct ApplyStrings {
    // the applicant's list
    pub apps_title: &'static str,
    pub apps_intro: &'static str,
    pub apps_empty: &'static str,
    pub apps_link: &'static str,
    pub new_enrol: &'static str,
    pub new_back_pay: &'static str,
    pub kind_enrol: &'static str,
    pub kind_back: &'static str,
    pub return_reason: &'static str,
    pub refusals: &'static str,
    pub fix: &'static str,
    pub discard: &'static str,
    pub discard_confirm: &'static str,
    pub edit_queued: &'static str,
    pub added_payee: &'static str,
    pub left_off: &'static str,
    pub slip_years: &'static str,
    pub now_enrolled: &'static str,
    pub add_to_pay: &'static str,
    pub slip_go_bank: &'static str,
    pub slip_no: &'static str,
    pub amount_due: &'static str,
    pub bank_receipt: &'static str,
    pub no_subsidy: &'static str,
    pub years: &'static str,
    pub tier: &'static str,
    pub claims_disabled: &'static str,
    pub saved_waiting: &'static str,
    pub refresh: &'static str,
    // the enrolment form
    pub enrol_form_title: &'static str,
    pub enrol_form_intro: &'static str,
    pub town: &'static str,
    pub village: &'static str,
    pub place_hint: &'static str,
    pub place_error: &'static str,
    pub mobile_hint: &'static str,
    pub disabled_claim: &'static str,
    pub materials_note: &'static str,
    pub prefill_offline: &'static str,
    pub prefill_loading: &'static str,
    pub submit_form: &'static str,
    // the back-payment form
    pub back_form_title: &'static str,
    pub back_form_intro: &'static str,
    pub back_years_hint: &'static str,
    pub back_years_none: &'static str,
    pub back_years_need_id: &'static str,
    pub back_tier: &'static str,
    pub back_total: &'static str,
    pub back_window_note: &'static str,
    pub choose_years: &'static str,
    pub choose_tier: &'static str,
    // states and steps
    pub st_waiting: &'static str,
    pub st_refused: &'static str,
    pub en_submitted: &'static str,
    pub en_returned: &'static str,
    pub en_village_approved: &'static str,
    pub en_enrolled: &'static str,
    pub bp_submitted: &'static str,
    pub bp_returned: &'static str,
    pub bp_slip: &'static str,
    pub bp_paid: &'static str,
    pub step_prepared: &'static str,
    pub step_village: &'static str,
    pub step_town_entry: &'static str,
    pub step_can_pay: &'static str,
    pub step_town_check: &'static str,
    pub step_bank: &'static str,
    pub step_ledger: &'static str,
    // staff review
    pub review_enrol_title: &'static str,
    pub review_back_title: &'static str,
    pub review_links: &'static str,
    pub todo: &'static str,
    pub others: &'static str,
    pub none_todo: &'static str,
    pub none_at_all: &'static str,
    pub materials: &'static str,
    pub mat_household: &'static str,
    pub mat_id_card: &'static str,
    pub mat_disability: &'static str,
    pub approve_village: &'static str,
    pub return_it: &'static str,
    pub return_reason_label: &'static str,
    pub approve_town: &'static str,
    pub enter_for: &'static str,
    pub check_title: &'static str,
    pub check_loading: &'static str,
    pub year_payable: &'static str,
    pub nothing_payable: &'static str,
    pub return_form: &'static str,
    pub return_reason_optional: &'static str,
    pub receipt_invalid: &'static str,
    pub record_receipt: &'static str,
    pub receipt_hint: &'static str,
    pub review_offline: &'static str,
    pub review_needs_network: &'static str,
    pub done: &'static str,
    pub reason_needed: &'static str,
    pub mobile: &'static str,
    pub choose: &'static str,
}

pub static ZH: ApplyStrings = ApplyStrings {
    apps_title: "参保登记和补缴申请",
    apps_intro: "在手机上填写《参保登记表》或《补缴申请表》。没有网络也可以填，联网后自动提交；每一步的进度都在这里。",
    apps_empty: "还没有申请。",
    apps_link: "参保登记、补缴申请",
    new_enrol: "填写参保登记表",
    new_back_pay: "填写补缴申请表",
    kind_enrol: "参保登记",
    kind_back: "补缴申请",
    return_reason: "退回原因：",
    refusals: "不符合的原因：",
    fix: "修改后重新提交",
    discard: "删除这份申请",
    discard_confirm: "确定删除？这份申请还没有提交，删除后不能恢复。",
    edit_queued: "修改",
    added_payee: "已添加为缴费人员",
    left_off: "以下年度没有列入缴费单：",
    slip_years: "缴费单年度",
    now_enrolled: "已录入参保名册。添加为缴费人员后就可以缴费。",
    add_to_pay: "添加为缴费人员",
    slip_go_bank: "请带上缴费单号到农业银行网点缴款，缴款后把银行回单交给镇社保中心。",
    slip_no: "缴费单号",
    amount_due: "应缴金额",
    bank_receipt: "银行回单号",
    no_subsidy: "补缴的年度不享受政府缴费补贴。",
    years: "补缴年度",
    tier: "档次",
    claims_disabled: "申报重度残疾",
    saved_waiting: "已保存在手机上（待提交），联网后自动提交。",
    refresh: "刷新",
    enrol_form_title: "参保登记表",
    enrol_form_intro: "为本人或家人登记参加城乡居民基本养老保险（年满16周岁、不是在校学生、没有参加职工养老保险的居民）。村居协办员审核材料，镇社保中心录入后就可以缴费。",
    town: "户籍所在镇（街道）",
    village: "户籍所在村（居）",
    place_hint: "按户口簿填写，例如：龙山街道、西楼村",
    place_error: "请选择（或填写）镇（街道）和村（居），按户口簿",
    mobile_hint: "审核时村居协办员会打这个电话",
    disabled_claim: "重度残疾（需要残疾证明；可以选300元档）",
    materials_note: "请把户口簿、居民身份证（原件和复印件）交给村居协办员审核；重度残疾的还要带残疾证明。",
    prefill_offline: "现在没有网络，不能填入原来填写的内容（为保护隐私，手机上不保存完整的姓名和身份证号码）。联网后重新打开本页，或现在重新填写。",
    prefill_loading: "正在填入原来填写的内容…",
    submit_form: "保存并提交",
    back_form_title: "补缴申请表",
    back_form_intro: "已参保的人员，往年漏缴的可以申请补缴。镇社保中心审核后开具缴费单，再到农业银行缴款。",
    back_years_hint: "只列出按年龄和政策可以补缴的往年；已经缴过的年度，镇社保中心会退回。",
    back_years_none: "按这个身份证号码，没有可以补缴的往年。",
    back_years_need_id: "先填写身份证号码，再选择年度。",
    back_tier: "补缴档次（每年）",
    back_total: "应缴金额（档次 × 年数）",
    back_window_note: "补缴申请在缴费期（每年1月1日至4月30日）内提交。",
    choose_years: "请至少选择一个年度",
    choose_tier: "请选择档次",
    st_waiting: "待提交",
    st_refused: "未成功",
    en_submitted: "等待村居审核",
    en_returned: "被退回，需要修改",
    en_village_approved: "等待镇社保中心录入",
    en_enrolled: "已参保",
    bp_submitted: "等待镇社保中心审核",
    bp_returned: "被退回，需要修改",
    bp_slip: "已开缴费单，待缴款",
    bp_paid: "已补缴",
    step_prepared: "填写并提交",
    step_village: "村居协办员审核材料",
    step_town_entry: "镇社保中心录入参保名册",
    step_can_pay: "参保成功，可以缴费",
    step_town_check: "镇社保中心审核资格、开缴费单",
    step_bank: "到农业银行缴款",
    step_ledger: "录入回单，计入缴费记录",
    review_enrol_title: "参保登记审核",
    review_back_title: "补缴审核",
    review_links: "审核申请",
    todo: "待我处理",
    others: "其他申请",
    none_todo: "没有需要处理的申请。",
    none_at_all: "本辖区还没有申请。",
    materials: "已核对的材料（原件和复印件）",
    mat_household: "户口簿",
    mat_id_card: "居民身份证",
    mat_disability: "重度残疾证明",
    approve_village: "材料齐全，审核通过",
    return_it: "退回",
    return_reason_label: "退回原因（申请人会看到）",
    approve_town: "录入参保名册",
    enter_for: "代居民填写参保登记表",
    check_title: "各年度核查结果",
    check_loading: "正在核查各年度…",
    year_payable: "可以补缴",
    nothing_payable: "没有可以补缴的年度，不能开缴费单，只能退回。",
    return_form: "退回申请（申请人修改后重新提交）",
    return_reason_optional: "退回原因（申请人会看到；核查出的原因会一并告知）",
    receipt_invalid: "这个号码不对：回单号只有字母和数字，请对照回单再输入一次。",
    record_receipt: "登记银行回单",
    receipt_hint: "农业银行回单上的号码（6至32位字母或数字）",
    review_offline: "审核需要联网。",
    review_needs_network: "审核需要联网。填写的内容还在，请连上网络后再点一次。",
    done: "已处理。",
    reason_needed: "退回时请写明原因（2至200字）",
    mobile: "联系电话",
    choose: "请选择",
};

pub static EN: ApplyStrings = ApplyStrings {
    apps_title: "Enrolment and back payment",
    apps_intro: "Fill in the enrolment form or the back-payment form on the phone. It works offline and is sent when a connection appears; every step shows here.",
    apps_empty: "No applications yet.",
    apps_link: "Enrolment, back payment",
    new_enrol: "Fill in an enrolment form",
    new_back_pay: "Fill in a back-payment form",
    kind_enrol: "Enrolment",
    kind_back: "Back payment",
    return_reason: "Returned because: ",
    refusals: "Why not: ",
    fix: "Fix and send again",
    discard: "Delete this application",
    discard_confirm: "Delete it? It was never sent and cannot be recovered.",
    edit_queued: "Edit",
    added_payee: "Added as a person to pay for",
    left_off: "These years are not on the slip:",
    slip_years: "Years on the slip",
    now_enrolled: "On the roster now. Add the person to your list to pay.",
    add_to_pay: "Add to my list",
    slip_go_bank: "Take the slip number to an Agricultural Bank branch to pay, then hand the bank receipt to the town center.",
    slip_no: "Slip number",
    amount_due: "Amount due",
    bank_receipt: "Bank receipt number",
    no_subsidy: "Back-paid years earn no government subsidy.",
    years: "Years",
    tier: "Tier",
    claims_disabled: "Claims severe disability",
    saved_waiting: "Saved on this phone (to send); it goes out when online.",
    refresh: "Refresh",
    enrol_form_title: "Enrolment form",
    enrol_form_intro: "Enrol yourself or a relative (16 or older, not a student, not in the employee scheme). The village assistant checks the papers, the town center enters the person, and then they can pay.",
    town: "Town of household registration",
    village: "Village of household registration",
    place_hint: "As in the household register, e.g. 龙山街道, 西楼村",
    place_error: "Choose (or write) the town and village, as in the household register",
    mobile_hint: "The village assistant calls this number",
    disabled_claim: "Severely disabled (proof needed; may choose the 300 tier)",
    materials_note: "Bring the household register and the ID card (originals and copies) to the village assistant, plus proof of disability if claimed.",
    prefill_offline: "Offline: the form as filed cannot be filled in (for privacy the phone keeps no full name or ID number). Open this page again when online, or type them now.",
    prefill_loading: "Filling in the form as filed…",
    submit_form: "Save and send",
    back_form_title: "Back-payment form",
    back_form_intro: "An enrolled person may back-pay missed past years. The town center checks and issues a payment slip, paid at the Agricultural Bank.",
    back_years_hint: "Only past years allowed by age and policy are listed; a year already paid will be refused by the town center.",
    back_years_none: "By this ID number there are no past years to back-pay.",
    back_years_need_id: "Type the ID number first, then choose years.",
    back_tier: "Tier (per year)",
    back_total: "Amount due (tier × years)",
    back_window_note: "Back-payment forms are accepted during the window (1 January to 30 April).",
    choose_years: "Choose at least one year",
    choose_tier: "Choose a tier",
    st_waiting: "To send",
    st_refused: "Not accepted",
    en_submitted: "Waiting for the village",
    en_returned: "Returned, needs a fix",
    en_village_approved: "Waiting for the town center",
    en_enrolled: "Enrolled",
    bp_submitted: "Waiting for the town center",
    bp_returned: "Returned: needs a fix",
    bp_slip: "Slip issued, to pay",
    bp_paid: "Back-paid",
    step_prepared: "Filled in and sent",
    step_village: "Village assistant checks the papers",
    step_town_entry: "Town center enters the roster",
    step_can_pay: "Enrolled, can pay",
    step_town_check: "Town center checks and issues a slip",
    step_bank: "Pay at the Agricultural Bank",
    step_ledger: "Receipt recorded, years in the ledger",
    review_enrol_title: "Enrolment review",
    review_back_title: "Back-payment review",
    review_links: "Review applications",
    todo: "For me to act on",
    others: "Other applications",
    none_todo: "Nothing to act on.",
    none_at_all: "No applications in this area yet.",
    materials: "Papers checked (originals and copies)",
    mat_household: "Household register",
    mat_id_card: "ID card",
    mat_disability: "Proof of severe disability",
    approve_village: "Papers complete: approve",
    return_it: "Return",
    return_reason_label: "Reason (the applicant reads it)",
    approve_town: "Enter on the roster",
    enter_for: "Fill in a form for a resident",
    check_title: "The check, year by year",
    check_loading: "Checking each year…",
    year_payable: "can be back-paid",
    nothing_payable: "No year can be back-paid: no slip, only a return.",
    return_form: "Return the form (the applicant fixes and resends it)",
    return_reason_optional: "Reason for returning (the applicant sees it, with the check's reasons)",
    receipt_invalid: "That is not a receipt number: letters and digits only. Check the receipt and type it again.",
    record_receipt: "Record the bank receipt",
    receipt_hint: "The number on the Agricultural Bank receipt (6 to 32 letters or digits)",
    review_offline: "Reviewing needs a connection.",
    review_needs_network: "Reviewing needs a connection. What you entered is kept; try again once online.",
    done: "Done.",
    reason_needed: "Write the reason for returning it (2 to 200 characters)",
    mobile: "Phone",
    choose: "Choose",
};

pub fn ta() -> &'static ApplyStrings {
    if zh() {
        &ZH
    } else {
        &EN
    }
}

/// The chip of an application: its CSS modifier (shared with payments) and its words.
pub fn status(status: &Status) -> (&'static str, &'static str) {
    let t = ta();
    use BackPaymentState as B;
    use EnrolmentState as E;
    match status {
        Status::Waiting => ("queued", t.st_waiting),
        Status::Refused(_) => ("failed", t.st_refused),
        Status::Enrolment(E::Submitted) => ("submitted", t.en_submitted),
        Status::Enrolment(E::Returned) => ("failed", t.en_returned),
        Status::Enrolment(E::VillageApproved) => ("submitted", t.en_village_approved),
        Status::Enrolment(E::Enrolled) => ("paid", t.en_enrolled),
        Status::BackPayment(B::Submitted) => ("submitted", t.bp_submitted),
        Status::BackPayment(B::Returned) => ("failed", t.bp_returned),
        Status::BackPayment(B::SlipIssued) => ("awaiting", t.bp_slip),
        Status::BackPayment(B::Paid) => ("paid", t.bp_paid),
    }
}

pub fn step(name: StepName) -> &'static str {
    let t = ta();
    match name {
        StepName::Prepared => t.step_prepared,
        StepName::VillageCheck => t.step_village,
        StepName::TownEntry => t.step_town_entry,
        StepName::CanPay => t.step_can_pay,
        StepName::TownCheck => t.step_town_check,
        StepName::BankPayment => t.step_bank,
        StepName::InLedger => t.step_ledger,
    }
}

/// The home screen's call to act on applications (fix one, or pay a slip at the bank).
pub fn awaiting_you(n: usize) -> String {
    if zh() {
        format!("{n}份参保登记或补缴申请需要您处理")
    } else {
        format!("{n} application(s) need you: a fix, or a slip to pay at the bank")
    }
}

/// "2019、2021" / "2019, 2021".
pub fn years(years: &[i32]) -> String {
    let sep = if zh() { "、" } else { ", " };
    years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

/// "500 元 × 2 年 = 1000 元".
pub fn times_years(tier: impl Display, n: usize, total: impl Display) -> String {
    if zh() {
        format!("{tier} 元 × {n} 年 = {total} 元")
    } else {
        format!("¥{tier} × {n} year(s) = ¥{total}")
    }
}

/// The town's slip button: "开具缴费单：2019、2020年，共1000元".
pub fn issue_slip_for(years_on: &[i32], amount: impl Display) -> String {
    if zh() {
        format!("开具缴费单：{}年，共{amount}元", years(years_on))
    } else {
        format!("Issue the slip: {}, ¥{amount} in all", years(years_on))
    }
}

/// The offline line on an application form's screens speaks of the form, not of payments.
/// Its own two sentences, not [`ta`]: the line is in the resident bundle, which must not carry
/// every sentence of the applications' screens.
pub fn offline_line(path: &str) -> Option<&'static str> {
    path.starts_with("/apply").then(|| {
        if zh() {
            "当前没有网络。申请表保存在手机上（待提交），联网后自动提交。"
        } else {
            "Offline. The form is kept on this phone (waiting) and sent when online."
        }
    })
}
