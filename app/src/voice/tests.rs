//! 朗读 in headless Chromium, which may have no voice at all: the spoken text of every screen,
//! built from the data the screen shows, and the button, which is there only in elder mode
//! with a Mandarin voice.

use time::macros::{date, datetime};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::money::Money;
use yanglao_shared::policy::DEFAULT_REGION;
use yanglao_shared::refusal::Reason;
use yanglao_shared::wire::{Contribution, IntentState, OwnRecord};
use yanglao_shared::PolicyTable;

use super::*;
use crate::applications::Status;
use crate::fixtures::{id, tier, verified_payee};
use crate::i18n::voice as said;
use crate::i18n::voice::{PaymentSaid, RecordSaid};
use crate::rules::{self, PayeeStatus};

fn money(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn reason(zh: &str) -> Reason {
    Reason {
        code: "test".into(),
        zh: zh.into(),
        en: "test".into(),
    }
}

fn paid(amount: &str) -> IntentState {
    IntentState::Paid {
        receipt_no: "R2026030100001".into(),
        paid_at: datetime!(2026-03-01 10:05 +8),
        amount: money(amount),
    }
}

#[wasm_bindgen_test]
fn numbers_amounts_years_and_names_are_said_in_words() {
    let n = |x| said::number(x);
    assert_eq!(
        [
            n(0),
            n(10),
            n(15),
            n(105),
            n(500),
            n(1500),
            n(5000),
            n(20000),
            n(100_005)
        ],
        [
            "零",
            "十",
            "十五",
            "一百零五",
            "五百",
            "一千五百",
            "五千",
            "二万",
            "十万零五"
        ]
    );
    assert_eq!(n(1010), "一千零一十");
    assert_eq!(said::count(2), "两");
    assert_eq!(said::yuan(money("500")), "五百元");
    assert_eq!(said::yuan(money("182.35")), "一百八十二元三角五分");
    assert_eq!(said::yuan(money("5.05")), "五元零五分");
    assert_eq!(said::yuan(money("0.5")), "五角");
    assert_eq!(said::yuan(money("0")), "零元");
    assert_eq!(said::year(2027), "二零二七年度");
    assert_eq!(said::date(date!(2027 - 04 - 30)), "二零二七年四月三十日");
    assert_eq!(said::name("张*伟"), "张某伟");
    assert_eq!(said::name("王**"), "王某某");
}

#[wasm_bindgen_test]
fn home_says_who_each_state_and_the_way_to_pay() {
    let waiting = crate::fixtures::intent(7, id(2), IntentState::Submitted);
    let people = vec![
        (
            "张*伟".to_owned(),
            PayeeStatus::Unpaid { last_failed: None },
        ),
        ("李*".to_owned(), PayeeStatus::InProgress(waiting)),
        (
            "王**".to_owned(),
            PayeeStatus::Blocked(reason("已到领取年龄。")),
        ),
    ];
    let text = said::home(2026, &people, 1);
    assert_eq!(
        text,
        "我的缴费人员。二零二六年度。共三人：张某伟，未缴费；李某，已提交待确认；王某某，不能缴费，已到领取年龄。\
         有一笔缴费还没有结果，可在“缴费进度”里查看。要缴费，请点“缴费”。"
    );
    let none = said::home(2026, &[], 0);
    assert!(
        none.starts_with("我的缴费人员。二零二六年度。还没有缴费人员。"),
        "{none}"
    );
    let all_paid = said::home(
        2026,
        &[("李*".into(), PayeeStatus::Paid { by_me: None })],
        0,
    );
    assert!(
        all_paid.ends_with("要添加人员，请点“新增缴费人员”。"),
        "{all_paid}"
    );
}

#[wasm_bindgen_test]
fn a_person_is_said_with_the_year_the_state_and_the_pay_button() {
    let unpaid = PayeeStatus::Unpaid { last_failed: None };
    assert_eq!(
        said::person("张*伟", 2026, &unpaid),
        "张某伟。二零二六年度：未缴费。要为这个人缴费，请点“为TA缴费”。"
    );
    // Nothing to pay: no button to name.
    assert_eq!(
        said::person("张*伟", 2026, &PayeeStatus::Unverified),
        "张某伟。二零二六年度：待核验。"
    );
}

#[wasm_bindgen_test]
fn the_four_pay_steps_keep_one_total_and_name_the_next_button() {
    let people = said::pay_people(&["张*伟".into(), "李*".into()]);
    assert_eq!(
        people,
        "第一步，共四步。选择缴费人员。可以缴费的有：张某伟、李某。选好人员后，请点“下一步”。"
    );
    assert_eq!(
        said::pay_people(&[]),
        "第一步，共四步。选择缴费人员。现在没有可以缴费的人员。"
    );

    // The tier step with its 养老金测算, from the same estimate the table shows.
    let policy = PolicyTable::builtin()
        .lookup(DEFAULT_REGION, 2026)
        .unwrap()
        .clone();
    let person = verified_payee(1);
    let est = rules::estimate::for_payee(&policy, &person, 2026).unwrap();
    let tiers: Vec<_> = person.tiers().iter().map(|r| r.amount).collect();
    let row = &est.rows[0];
    let text = said::pay_tier("王**", &tiers, Some(tier("500")), Some(row));
    let monthly = said::yuan(row.monthly_at_benefit_age);
    assert!(
        text.starts_with(
            "第二步，共四步。为王某某选择缴费档次。每年可选五百元到五千元，共九个档次"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "已选每年五百元，政府每年补贴六十元，估算六十岁起每月约领{monthly}。这是估算"
        )),
        "{text}"
    );
    // Born 1970 with ten years: fourteen by 60, said, and what to look into.
    assert!(text.contains("累计只有十四年，不满十五年"), "{text}");
    assert!(text.ends_with("请点“下一步”。"), "{text}");
    let unchosen = said::pay_tier("王**", &tiers, None, None);
    assert!(
        unchosen.ends_with("选好档次后，请点“下一步”。"),
        "{unchosen}"
    );

    assert_eq!(
        said::pay_card(Some(("工商银行", "6782")), true),
        "第三步，共四步。选择银行卡。已选工商银行尾号六七八二。测试环境（沙箱），不会真实扣款。请点“下一步”。"
    );
    assert!(said::pay_card(None, false).contains("已选“先不选卡，以后再选”。"));

    let rows = vec![
        ("张*伟".to_owned(), 2026, tier("500")),
        ("李*".to_owned(), 2026, tier("1000")),
    ];
    assert_eq!(
        said::confirm(&rows, Some(("工商银行", "6782")), money("1500"), false),
        "第四步，共四步。确认缴费信息。张某伟，二零二六年度，每年五百元。李某，二零二六年度，每年一千元。\
         银行卡：工商银行尾号六七八二。合计一千五百元。确认无误，请点“确认缴费”。"
    );
    let blocked = said::confirm(&rows[..1], None, money("500"), true);
    assert!(
        blocked.ends_with("现在还不能缴费，请看屏幕上的提示。"),
        "{blocked}"
    );
}

#[wasm_bindgen_test]
fn payments_say_each_state_with_its_reason_and_what_to_do() {
    let failed = IntentState::Failed {
        reason: reason("银行卡余额不足。"),
    };
    let done = paid("500");
    let items = [
        PaymentSaid {
            name: "张*伟",
            year: 2026,
            tier: tier("500"),
            state: &done,
            mine: true,
        },
        PaymentSaid {
            name: "李*",
            year: 2026,
            tier: tier("800"),
            state: &failed,
            mine: true,
        },
    ];
    assert_eq!(
        said::payments(&items),
        "缴费进度。共两笔。张某伟，二零二六年度，五百元，已缴费。李某，二零二六年度，八百元，未成功，银行卡余额不足。\
         要再试一次，请点“重新缴费”。"
    );
    assert_eq!(said::payments(&[]), "缴费进度。还没有缴费记录。");
    // The change of state, said once it happens.
    assert_eq!(
        said::payment_settled("张*伟", 2026, &done),
        "张某伟二零二六年度的缴费已完成：已缴费，五百元。"
    );
    assert_eq!(
        said::payment_settled("李*", 2026, &failed),
        "李某二零二六年度的缴费：未成功，银行卡余额不足。"
    );
}

#[wasm_bindgen_test]
fn receipt_record_cards_login_guide_and_forms_say_their_facts_and_button() {
    assert_eq!(
        said::receipt(Some(("张*伟", 2026, money("500"), datetime!(2026-03-01 10:05 +8)))),
        "缴费收据。张某伟，二零二六年度，已缴费五百元，缴费日期二零二六年三月一日。要打印，请点“打印”。"
    );
    assert!(said::receipt(None).starts_with("缴费收据。找不到这张收据。"));

    let record = OwnRecord {
        name: "刘伟".into(),
        id_masked: "3710**********0069".into(),
        town: "文登营镇".into(),
        village: "营南村".into(),
        status: yanglao_shared::eligibility::RosterStatus::Enrolled,
        severely_disabled: false,
        years_paid_total: 12,
        min_years_for_pension: 15,
        contributions: vec![
            Contribution {
                year: 2025,
                amount: money("800"),
                back_payment: false,
                receipt_no: None,
                paid_by_other: true,
            },
            Contribution {
                year: 2024,
                amount: money("500"),
                back_payment: false,
                receipt_no: None,
                paid_by_other: false,
            },
        ],
    };
    assert_eq!(
        said::record(RecordSaid::Record(&record)),
        "我的参保记录。刘伟，累计缴费十二年，按月领取养老金要缴满十五年。最近一次：二零二五年度，八百元。要打印，请点“打印”。"
    );
    assert_eq!(
        said::record(RecordSaid::Claim),
        "我的参保记录。请填写本人的姓名和身份证号，然后请点“查询”。"
    );
    assert_eq!(
        said::record(RecordSaid::CodeSent("138****8000")),
        "我的参保记录。验证码已发送到尾号八零零零的手机。请输入六位验证码，然后请点“确认”。"
    );

    assert_eq!(
        said::cards(&[("工商银行", "6782")], true),
        "银行卡。已绑定：工商银行尾号六七八二。测试环境（沙箱），不会真实扣款。要绑定新卡，请输入卡号，然后请点“绑定银行卡”。"
    );
    assert!(said::cards(&[], false).starts_with("银行卡。还没有绑定银行卡。"));

    assert_eq!(
        said::login(false),
        "登录。请输入手机号和密码，然后请点“登录”。"
    );
    assert!(said::login(true).ends_with("请点“注册并登录”。"));
    let guide = said::guide();
    assert!(
        guide.starts_with("帮助。每年1月1日至4月30日是缴费期"),
        "{guide}"
    );
    assert!(guide.ends_with("请点“参保登记、补缴申请”。"), "{guide}");

    assert_eq!(
        said::applications(&[("参保登记", "赵*", "待提交")]),
        "参保登记和补缴申请。共一份。参保登记，赵某，待提交。要新办，请点“填写参保登记表”或“填写补缴申请表”。"
    );
    assert_eq!(said::application_state(&Status::Waiting), "待提交");
    assert!(
        said::enrol_form().starts_with("参保登记表。")
            && said::enrol_form().ends_with("请点“保存并提交”。")
    );
    assert!(said::back_pay_form().starts_with("补缴申请表。"));
}

#[wasm_bindgen_test]
fn mandarin_voices_are_told_from_others() {
    for lang in ["zh-CN", "zh_CN", "zh", "zh-TW", "cmn-Hans-CN", "ZH-cn"] {
        assert!(is_mandarin(lang), "{lang}");
    }
    for lang in ["zh-HK", "yue-HK", "en-US", "", "ja-JP"] {
        assert!(!is_mandarin(lang), "{lang}");
    }
}

#[wasm_bindgen_test]
fn a_payment_is_announced_when_it_gets_its_answer_not_before_nor_when_first_seen() {
    let before = BTreeMap::from([(id(1), false), (id(2), false), (id(3), true)]);
    let now = BTreeMap::from([(id(1), true), (id(2), false), (id(3), true), (id(4), true)]);
    assert_eq!(newly_settled(&before, &now), vec![id(1)]);
    assert!(newly_settled(&now, &now).is_empty());
}

async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[wasm_bindgen_test]
async fn the_button_shows_only_in_elder_mode_with_a_mandarin_voice() {
    // This browser's own voices must not answer in the middle of the test.
    WATCHING.with(|w| w.set(true));
    crate::i18n::set_lang(crate::i18n::Lang::Zh);
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let app = AppState::new();
    app.elder.set(true);
    set_available(false);
    let mounted = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        provide_context(app);
        view! { {read_aloud(|| "试一试".to_owned())} }
    });
    // What the phone says decides, whatever this browser has: none here.
    set_available(false);
    tick().await;
    let button = || host.query_selector("[data-testid=read-aloud]").unwrap();
    assert!(button().is_none(), "no Mandarin voice: no button");
    set_available(true);
    tick().await;
    let shown = button().expect("a Mandarin voice in elder mode: the button");
    assert_eq!(shown.text_content().unwrap(), "朗读");
    app.elder.set(false);
    tick().await;
    assert!(button().is_none(), "not in normal mode");
    drop(mounted);
    set_available(false);
}
