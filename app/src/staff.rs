//! The staff screens' pure logic (工作台): the cache of window statistics kept on the phone for
//! a weak network, the rows of the tier table, percentages, the year choices, the paging of
//! the unpaid list and the last list loaded, kept on the phone with its time ([`CachedList`])
//! so a village assistant walking the village still sees whom to visit. No browser here, so
//! all of it is tested on the host as well as in wasm.

use serde::Serialize;
use time::OffsetDateTime;
use yanglao_shared::json::FromJson;
use yanglao_shared::money::Money;
use yanglao_shared::wire::{StaffInfo, StaffRole, UnpaidPage, UnpaidPerson, WindowStats};

/// Years kept on the phone: this year and a few before are what staff compare.
pub const CACHE_YEARS: usize = 5;
/// How many past years the selector offers (the server refuses far-off years anyway).
pub const PAST_YEARS: i32 = 4;
/// Rows per page of the unpaid list: small, because a village office may be on 2G.
pub const PAGE_SIZE: i64 = 50;

/// Statistics as the server gave them, and when (server time, as well as the phone knows it),
/// so an offline screen can say how old its numbers are (数据时间).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
pub struct CachedStats {
    pub stats: WindowStats,
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    pub at: OffsetDateTime,
}

/// The last loaded statistics per year, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, FromJson)]
pub struct StatsCache {
    pub entries: Vec<CachedStats>,
}

impl StatsCache {
    /// Keeps `fresh` as the year's latest, newest first, at most [`CACHE_YEARS`] years.
    pub fn remember(&mut self, fresh: CachedStats) {
        self.entries.retain(|e| e.stats.year != fresh.stats.year);
        self.entries.insert(0, fresh);
        self.entries.truncate(CACHE_YEARS);
    }

    /// The cached statistics for `year`; for no year in particular, the last ones loaded
    /// (what the screen showed last time, whatever year that was).
    pub fn pick(&self, year: Option<i32>) -> Option<&CachedStats> {
        match year {
            Some(y) => self.entries.iter().find(|e| e.stats.year == y),
            None => self.entries.first(),
        }
    }
}

/// One line of the amounts-by-tier table, in yuan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRow {
    pub amount: String,
    pub count: i64,
    pub sum: String,
}

/// Fen to yuan text through the shared Money ("5000", "12.5"); an impossible amount shows as
/// a dash rather than a wrong number.
pub fn yuan(fen: i64) -> String {
    Money::from_fen(fen)
        .map(|m| m.to_string())
        .unwrap_or_else(|_| "—".into())
}

/// The tier table, highest tier first (how the notice lists them).
pub fn tier_rows(stats: &WindowStats) -> Vec<TierRow> {
    let mut tiers = stats.tiers.clone();
    yanglao_shared::short_sort::sort_by_key(&mut tiers, |t| std::cmp::Reverse(t.amount_fen));
    tiers
        .iter()
        .map(|t| TierRow {
            amount: yuan(t.amount_fen),
            count: t.count,
            sum: yuan(t.sum_fen),
        })
        .collect()
}

/// A whole-number percentage, rounded half up; none when there is nobody to count.
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part.max(0) * 200 + whole) / (whole * 2))
}

/// This year first, then the years before it.
pub fn year_options(this_year: i32) -> Vec<i32> {
    (0..=PAST_YEARS).map(|back| this_year - back).collect()
}

/// The name the exported list is saved under: the server's own name for it
/// (`shared::exports`), by the staff member's village or town (an administrator's is the whole
/// district) and the server's day.
pub fn csv_filename(staff: Option<&StaffInfo>, year: i32, server_now: OffsetDateTime) -> String {
    let place = staff.and_then(|s| match s.role {
        StaffRole::Admin => None,
        _ => s.village.as_deref().or(s.town.as_deref()),
    });
    let day = yanglao_shared::window::cst_date(server_now);
    yanglao_shared::exports::unpaid_list_name(place, year, day)
}

/// The unpaid list so far, and how many there are in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnpaidList {
    pub year: Option<i32>,
    pub people: Vec<UnpaidPerson>,
    pub total: i64,
}

impl UnpaidList {
    /// Adds a page where it belongs: a page of another year starts the list again, and a page
    /// asked for twice (a retry on a weak network) replaces rows instead of doubling them.
    pub fn merge(&mut self, page: UnpaidPage) {
        if self.year != Some(page.year) {
            *self = Self {
                year: Some(page.year),
                ..Self::default()
            };
        }
        let offset = usize::try_from(page.offset.max(0)).unwrap_or(usize::MAX);
        if offset > self.people.len() {
            // A gap (a page lost in between): keep what is contiguous, ask again from there.
            return;
        }
        self.people.truncate(offset);
        self.people.extend(page.people);
        self.total = page.total;
    }

    /// Where the next page starts.
    pub fn next_offset(&self) -> i64 {
        self.people.len() as i64
    }

    pub fn has_more(&self) -> bool {
        self.next_offset() < self.total
    }
}

/// The last unpaid list loaded on this phone, as far as its pages were loaded, and when (the
/// server's clock, as well as the phone knows it). The names stay masked exactly as the
/// server sent them; it goes on logout with the rest of what only staff see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
pub struct CachedList {
    pub year: i32,
    pub people: Vec<UnpaidPerson>,
    pub total: i64,
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    pub at: OffsetDateTime,
}

impl CachedList {
    /// What to keep of `list` loaded at `at`; nothing before its first page came.
    pub fn of(list: &UnpaidList, at: OffsetDateTime) -> Option<Self> {
        Some(Self {
            year: list.year?,
            people: list.people.clone(),
            total: list.total,
            at,
        })
    }

    /// Whether this list answers a screen asking for `year` (`None`: the server's own this
    /// year, which the phone cannot know offline, so the last list kept answers it).
    pub fn answers(&self, year: Option<i32>) -> bool {
        year.is_none_or(|y| y == self.year)
    }

    /// The list as the screen pages it.
    pub fn to_list(&self) -> UnpaidList {
        UnpaidList {
            year: Some(self.year),
            people: self.people.clone(),
            total: self.total,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
