//! The tables built into every build (server and phone): one file per year in
//! `shared/policies/`, merged into one table. A test validates each file and the merge, so
//! [`table`] cannot fail at run time and does not check again.

use super::PolicyTable;

/// Each year's file, oldest first. A new year: add its file here and end the previous year's
/// `to_year` (only the newest may stay open-ended).
const FILES: [&str; 10] = [
    include_str!("../../policies/wendeng-2018.json"),
    include_str!("../../policies/wendeng-2019.json"),
    include_str!("../../policies/wendeng-2020.json"),
    include_str!("../../policies/wendeng-2021.json"),
    include_str!("../../policies/wendeng-2022.json"),
    include_str!("../../policies/wendeng-2023.json"),
    include_str!("../../policies/wendeng-2024.json"),
    include_str!("../../policies/wendeng-2025.json"),
    include_str!("../../policies/wendeng-2026.json"),
    include_str!("../../policies/wendeng-2027.json"),
];

pub(super) fn table() -> PolicyTable {
    let mut policies = Vec::new();
    for file in FILES {
        // The phone's reader (crate::json), which the tests hold to serde's strict one.
        let one: PolicyTable =
            crate::json::from_text(file).expect("each built-in policy file is valid (tested)");
        policies.extend(one.policies);
    }
    // Not validated here: the files are compiled in, and a test validates each and the merge
    // (policy/tests.rs), so checking again at every start would only be code on every phone.
    PolicyTable {
        format: super::POLICY_FORMAT,
        policies,
    }
}

/// The built-in file of one year, as published (for tests and as an import example).
pub fn file_of(year: i32) -> Option<&'static str> {
    let i = usize::try_from(year - 2018).ok()?;
    FILES.get(i).copied()
}
