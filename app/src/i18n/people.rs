//! The sentences of the payer's own labels for the people they pay for (称呼: 妈妈, 二叔), and
//! of the staff's unpaid list kept on the phone for a walk through the village. Kept apart
//! from [`super::Strings`] so each file stays a readable size; the Chinese and English tables
//! below are filled field by field in the same order.

use time::OffsetDateTime;

use super::{lang, Lang};

pub struct PeopleStrings {
    // the payer's label
    pub label: &'static str,
    pub label_hint: &'static str,
    pub label_save: &'static str,
    pub label_saved: &'static str,
    pub label_cleared: &'static str,
    pub label_waiting: &'static str,
    // the unpaid list kept on the phone
    pub list_offline_none: &'static str,
    pub list_offline_note: &'static str,
}

pub static ZH: PeopleStrings = PeopleStrings {
    label: "我对他/她的称呼",
    label_hint: "例如 妈妈、二叔，最多10个字。只有您自己能看到，其他缴费人看不到。留空即不用称呼。",
    label_save: "保存称呼",
    label_saved: "称呼已保存，联网后同步到您的其他手机",
    label_cleared: "称呼已去掉",
    label_waiting: "称呼待同步",
    list_offline_none: "没有网络，手机上也没有保存过名单。联网后打开本页即可保存一份。",
    list_offline_note: "没有网络时显示的是手机上保存的名单，联网后自动更新。",
};

pub static EN: PeopleStrings = PeopleStrings {
    label: "What you call them",
    label_hint: "E.g. Mum, Uncle; at most 10 characters. Only you see it, never another payer. Leave empty for none.",
    label_save: "Save",
    label_saved: "Saved; it reaches your other phones when online",
    label_cleared: "Label removed",
    label_waiting: "label not yet synced",
    list_offline_none: "Offline, and no list was ever saved on this phone. Open this screen online once to keep one.",
    list_offline_note: "Offline: the list saved on this phone is shown; it updates when online.",
};

/// The people strings in the screen's language.
pub fn tp() -> &'static PeopleStrings {
    match lang() {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// How old a list kept on the phone is, by the server's clock: "12 分钟前的名单（离线）".
/// `loaded` and `now` are both server time (the list's time as the server told it, and the
/// phone's best estimate of the server's clock now), so a phone whose own clock is off still
/// says the right age.
pub fn list_age(loaded: OffsetDateTime, now: OffsetDateTime) -> String {
    let minutes = (now - loaded).whole_minutes().max(0);
    let (hours, days) = (minutes / 60, minutes / (60 * 24));
    match lang() {
        Lang::Zh if minutes < 1 => "刚刚保存的名单（离线）".to_owned(),
        Lang::Zh if hours < 1 => format!("{minutes} 分钟前的名单（离线）"),
        Lang::Zh if days < 1 => format!("{hours} 小时前的名单（离线）"),
        Lang::Zh => format!("{days} 天前的名单（离线）"),
        Lang::En if minutes < 1 => "List saved just now (offline)".to_owned(),
        Lang::En if hours < 1 => format!("List from {minutes} min ago (offline)"),
        Lang::En if days < 1 => format!("List from {hours} h ago (offline)"),
        Lang::En => format!("List from {days} days ago (offline)"),
    }
}

/// A masked name with the payer's own label after it: "王** · 妈妈" (for headings and the
/// spoken text; the lists show the label as its own element).
pub fn with_label(name_masked: &str, label: Option<&str>) -> String {
    match label {
        Some(l) => format!("{name_masked} · {l}"),
        None => name_masked.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_lists_age_is_said_in_minutes_then_hours_then_days() {
        let at = datetime!(2027-03-01 9:00 +8);
        crate::i18n::set_lang(Lang::Zh);
        assert_eq!(list_age(at, at), "刚刚保存的名单（离线）");
        assert_eq!(
            list_age(at, datetime!(2027-03-01 9:12 +8)),
            "12 分钟前的名单（离线）"
        );
        assert_eq!(
            list_age(at, datetime!(2027-03-01 12:30 +8)),
            "3 小时前的名单（离线）"
        );
        assert_eq!(
            list_age(at, datetime!(2027-03-03 9:00 +8)),
            "2 天前的名单（离线）"
        );
        // A server clock estimate a little behind the list's own time is not "in the future".
        assert_eq!(
            list_age(at, datetime!(2027-03-01 8:59 +8)),
            "刚刚保存的名单（离线）"
        );
    }

    #[test]
    fn a_label_follows_the_masked_name() {
        assert_eq!(with_label("王**", Some("妈妈")), "王** · 妈妈");
        assert_eq!(with_label("王**", None), "王**");
    }

    #[test]
    fn both_languages_fill_every_sentence() {
        for s in [&ZH, &EN] {
            for text in [
                s.label,
                s.label_hint,
                s.label_save,
                s.label_saved,
                s.label_cleared,
                s.label_waiting,
                s.list_offline_none,
                s.list_offline_note,
            ] {
                assert!(!text.is_empty());
            }
        }
    }
}
