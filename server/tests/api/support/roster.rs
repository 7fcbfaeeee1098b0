//! The people on the test roster. Every server starts with [`village`]: four residents of
//! 龙山街道/岛山村. A test that needs more seeds it: [`second_village`] (two residents of
//! 西楼村 in the same town) or [`bulk`] (residents of 泽库村, 泽库镇, for paging and load).

use time::macros::date;
use yanglao_server::roster::seed::NewResident;
use yanglao_shared::money::Money;
use yanglao_shared::{synthetic, IdNumber, PersonName, RosterStatus};

pub const TOWN: &str = "龙山街道";
pub const VILLAGE: &str = "岛山村";
pub const SECOND_VILLAGE: &str = "西楼村";
pub const BULK_TOWN: &str = "泽库镇";
pub const BULK_VILLAGE: &str = "泽库村";

/// A resident, or someone who is not (yet) one.
#[derive(Clone)]
pub struct Person {
    pub name: &'static str,
    pub id_number: IdNumber,
}

/// Enrolled, paid 500 in 2023, 2024 and 2025.
pub fn mother() -> Person {
    Person {
        name: "王秀英",
        id_number: synthetic::id_number("371081", date!(1968 - 05 - 12), 22),
    }
}

/// Enrolled, paid 500 in 2025.
pub fn father() -> Person {
    Person {
        name: "李建国",
        id_number: synthetic::id_number("371003", date!(1966 - 11 - 03), 13),
    }
}

/// Enrolled and severely disabled (the 300 tier is hers); never paid.
pub fn disabled_neighbour() -> Person {
    Person {
        name: "丛玉梅",
        id_number: synthetic::id_number("371003", date!(1975 - 02 - 28), 44),
    }
}

/// Drawing a pension: nothing more to pay.
pub fn pensioner() -> Person {
    Person {
        name: "于德福",
        id_number: synthetic::id_number("371003", date!(1950 - 01 - 01), 15),
    }
}

/// Not on the roster: someone to enrol.
pub fn newcomer() -> Person {
    Person {
        name: "毕春燕",
        id_number: synthetic::id_number("371003", date!(1985 - 04 - 10), 52),
    }
}

fn resident(p: Person, town: &str, village: &str, paid: &[(i32, i64)]) -> NewResident {
    NewResident {
        id_number: p.id_number,
        name: PersonName::parse(p.name).unwrap(),
        town: town.into(),
        village: village.into(),
        severely_disabled: false,
        status: RosterStatus::Enrolled,
        paid: paid
            .iter()
            .map(|&(year, yuan)| (year, Money::from_yuan(yuan).unwrap()))
            .collect(),
        mobile: None,
    }
}

/// 岛山村 of 龙山街道: three enrolled (mother, father, the disabled neighbour) and a pensioner.
pub fn village() -> Vec<NewResident> {
    let at_home = |p: Person, paid: &[i32]| {
        let paid: Vec<(i32, i64)> = paid.iter().map(|&y| (y, 500)).collect();
        resident(p, TOWN, VILLAGE, &paid)
    };
    vec![
        at_home(mother(), &[2023, 2024, 2025]),
        at_home(father(), &[2025]),
        NewResident {
            severely_disabled: true,
            ..at_home(disabled_neighbour(), &[])
        },
        NewResident {
            status: RosterStatus::DrawingPension,
            ..at_home(pensioner(), &[])
        },
    ]
}

/// 西楼村, the second village of 龙山街道: 刘桂兰 paid 800 for 2026 at the counter, 孙志强 not.
pub fn second_village() -> Vec<NewResident> {
    let person = |name: &'static str, day: u8| Person {
        name,
        id_number: synthetic::id_number(
            "371003",
            date!(1990 - 06 - 01).replace_day(day).unwrap(),
            31,
        ),
    };
    vec![
        resident(person("刘桂兰", 1), TOWN, SECOND_VILLAGE, &[(2026, 800)]),
        resident(person("孙志强", 2), TOWN, SECOND_VILLAGE, &[]),
    ]
}

/// `n` enrolled residents of 泽库村, 泽库镇, none paid.
pub fn bulk(n: u16) -> Vec<NewResident> {
    (0..n)
        .map(|i| {
            let birth = date!(1980 - 01 - 01) + time::Duration::days(i64::from(i));
            let person = Person {
                name: "测试居民",
                id_number: synthetic::id_number("371003", birth, 101 + i % 800),
            };
            resident(person, BULK_TOWN, BULK_VILLAGE, &[])
        })
        .collect()
}
