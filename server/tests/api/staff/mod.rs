//! Staff: who may see which area, the window statistics against a known roster, the CSV
//! export, and an audit log that records every staff read and refuses to be changed.

mod audit;
mod export;
mod roles;
mod stats;

use yanglao_shared::wire::UnpaidPage;

/// "town/village" of each person on the page, in order, repeats dropped.
pub fn villages(page: &UnpaidPage) -> Vec<String> {
    let mut v: Vec<String> = page
        .people
        .iter()
        .map(|p| format!("{}/{}", p.town, p.village))
        .collect();
    v.dedup();
    v
}
