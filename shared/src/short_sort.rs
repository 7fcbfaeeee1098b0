//! A stable sort for the short lists people see (their people, their payments, the phone's
//! unsent writes, a policy's few regions), kept small in code rather than fast on long input;
//! and ordered sets and maps built one insert at a time ([`set_of`], [`map_of`]), since
//! `collect` into a `BTreeSet` or `BTreeMap` (and `BTreeSet::from([…])`) sorts its input
//! first with the standard sort.
//!
//! Why not `slice::sort_by`: the standard sorts are fast and large, and each call site with
//! its own element type and comparison gets its own copy; the app's thirteen were 53 KB of
//! every phone's first download (twiggy). This is binary insertion: O(n log n) comparisons and
//! O(n²) moves, nothing for a list of hundreds. A long list (a staff export) uses the
//! standard sort.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` by `compare`, keeping equal items in their order.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        // After every item that is not greater: equal ones keep their order.
        let (mut lo, mut hi) = (0, i);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if compare(&items[i], &items[mid]) == Ordering::Less {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        for j in (lo..i).rev() {
            items.swap(j, j + 1);
        }
    }
}

/// Sorts `items` by the key each has, keeping equal keys in their order.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The ordered set of `items` (what `collect::<BTreeSet<_>>()` makes).
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

/// The ordered map of `pairs`, a later pair for a key replacing an earlier one (what
/// `collect::<BTreeMap<_, _>>()` makes).
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        map.insert(key, value);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_stable_sort_does(items in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut ours = items.clone();
            sort_by_key(&mut ours, |(k, _)| *k);
            let mut std = items;
            std.sort_by_key(|(k, _)| *k);
            prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn sets_and_maps_as_collect_makes_them() {
        let pairs = [(3, 'a'), (1, 'b'), (3, 'c')];
        assert_eq!(map_of(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        assert_eq!(set_of([2, 1, 2]), BTreeSet::from([1, 2]));
    }

    #[test]
    fn reverse_and_tie_breaks() {
        let mut v = vec![3, 1, 2, 3, 0];
        sort_by(&mut v, |a, b| b.cmp(a));
        assert_eq!(v, [3, 3, 2, 1, 0]);
        let mut empty: Vec<i32> = vec![];
        sort_by_key(&mut empty, |x| *x);
        assert!(empty.is_empty());
    }
}
