//! Sorting that compiles to one copy of the standard library's sort: every
//! sort by a number goes through the unstable sort of `u64`; sorts by an
//! id's text go through one small merge sort (`by_text`).
//!
//! Every `sort_by_key` or `sort_unstable` on a new element type or closure
//! compiles another copy of the standard library's sort, 3 to 13 KB of wasm
//! each; the npm package and the web app carry every copy. Here a sort by
//! key packs each item's key and position into one `u64` (key above,
//! position below), sorts those and reads the items off in that order:
//! stable, since equal keys keep their positions. Lists of a handful of
//! items (a person's reasons, what leads to a resource) are sorted by
//! insertion in place, with no copies.

/// Lists up to this long are sorted by insertion.
const SHORT: usize = 16;

/// Sorts `items` by `key`, keeping the order of items with equal keys.
/// (Positions take the low 32 bits: lists hold fewer than 2^32 items.)
pub(crate) fn stable_by_key<T: Copy>(items: &mut Vec<T>, key: impl Fn(&T) -> u32) {
    if items.len() <= SHORT {
        by_insertion(items, |a, b| key(a) > key(b));
        return;
    }
    let mut keyed: Vec<u64> = items
        .iter()
        .zip(0u64..)
        .map(|(item, i)| (u64::from(key(item)) << 32) | i)
        .collect();
    keyed.sort_unstable();
    let sorted: Vec<T> = keyed
        .iter()
        .filter_map(|&k| items.get((k & u64::from(u32::MAX)) as usize).copied())
        .collect();
    *items = sorted;
}

/// A value that fits in 32 bits, so that a pair (number, value) sorts as
/// one `u64`.
pub(crate) trait Packs: Copy {
    fn pack(self) -> u32;
    fn unpack(bits: u32) -> Self;
}

/// Sorts pairs by their number, in place: for pairs whose numbers are
/// distinct or whose order among equal numbers does not matter (a grant
/// set's items, a node's exceptions), the hottest sorts of a preview.
pub(crate) fn by_number<T: Packs>(items: &mut [(u32, T)]) {
    if items.len() <= SHORT {
        by_insertion(items, |a, b| a.0 > b.0);
        return;
    }
    let mut packed: Vec<u64> = items
        .iter()
        .map(|&(n, value)| (u64::from(n) << 32) | u64::from(value.pack()))
        .collect();
    packed.sort_unstable();
    for (slot, x) in items.iter_mut().zip(packed) {
        *slot = ((x >> 32) as u32, T::unpack(x as u32));
    }
}

/// Sorts numbers (ids, numbers of resources, people or nodes) ascending.
pub(crate) fn numbers(items: &mut [u32]) {
    if items.len() <= SHORT {
        by_insertion(items, |a, b| a > b);
        return;
    }
    let mut wide: Vec<u64> = items.iter().map(|&x| u64::from(x)).collect();
    wide.sort_unstable();
    for (slot, x) in items.iter_mut().zip(wide) {
        *slot = x as u32;
    }
}

/// Sorts numbers by the text each one names (ids of people or resources),
/// keeping the order of equal texts: a merge sort of the runs already in
/// order (a preview's people come as one run per class), a few hundred
/// bytes of wasm where the standard library's stable sort of numbers by a
/// comparison is several kilobytes.
pub(crate) fn by_text<'t>(items: &mut [u32], text: &dyn Fn(u32) -> &'t str) {
    // Where each run in order starts, and the end.
    let mut bounds = vec![0];
    bounds.extend((1..items.len()).filter(|&i| text(items[i]) < text(items[i - 1])));
    bounds.push(items.len());
    let mut merged = items.to_vec();
    while bounds.len() > 2 {
        let mut next = vec![0];
        for run in bounds.windows(3).step_by(2) {
            let (start, middle, end) = (run[0], run[1], run[2]);
            let (mut i, mut j) = (start, middle);
            for slot in &mut merged[start..end] {
                // The left run's item first unless the right one's text is
                // smaller: equal texts keep their order.
                let left = i < middle && (j >= end || text(items[j]) >= text(items[i]));
                *slot = if left { items[i] } else { items[j] };
                if left {
                    i += 1;
                } else {
                    j += 1;
                }
            }
            next.push(end);
        }
        // An odd run out stays as it is.
        if bounds.len() % 2 == 0 {
            let (start, end) = (bounds[bounds.len() - 2], bounds[bounds.len() - 1]);
            merged[start..end].copy_from_slice(&items[start..end]);
            next.push(end);
        }
        items.copy_from_slice(&merged);
        bounds = next;
    }
}

/// Insertion sort: moves each item left past those that come `after` it.
fn by_insertion<T>(items: &mut [T], after: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && after(&items[j - 1], &items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_keep_their_order() {
        let mut words = vec!["pear", "fig", "kiwi", "plum", "yam", "lime", "date"];
        stable_by_key(&mut words, |w| w.len() as u32);
        assert_eq!(
            words,
            ["fig", "yam", "pear", "kiwi", "plum", "lime", "date"]
        );
        let mut none: Vec<&str> = Vec::new();
        stable_by_key(&mut none, |w| w.len() as u32);
        assert!(none.is_empty());
    }

    #[test]
    fn long_lists_sort_as_the_standard_stable_sort() {
        for len in [SHORT, SHORT + 1, 200] {
            let items: Vec<(u32, usize)> = (0..len).map(|i| ((i * 7919 % 13) as u32, i)).collect();
            let mut ours = items.clone();
            stable_by_key(&mut ours, |&(k, _)| k);
            let mut theirs = items;
            theirs.sort_by_key(|&(k, _)| k);
            assert_eq!(ours, theirs, "{len} items");
        }
    }

    #[test]
    fn texts_sort_as_the_standard_stable_sort() {
        let names = ["pear", "fig", "kiwi", "apple", "fig", "date", "kiwi"];
        let text = |i: u32| names.get(i as usize % names.len()).copied().unwrap_or("");
        for len in [0u32, 1, 2, 3, 7, 8, 9, 100, 1000] {
            // In order, reversed, and scrambled: one run, runs of one, many.
            for items in [
                (0..len).collect::<Vec<u32>>(),
                (0..len).rev().collect(),
                (0..len)
                    .map(|i| i.wrapping_mul(2_654_435_761) % len.max(1))
                    .collect(),
            ] {
                let mut ours = items.clone();
                by_text(&mut ours, &text);
                let mut theirs = items;
                theirs.sort_by(|&a, &b| text(a).cmp(text(b)));
                assert_eq!(ours, theirs, "{len} items");
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Byte(u8);

    impl Packs for Byte {
        fn pack(self) -> u32 {
            u32::from(self.0)
        }

        fn unpack(bits: u32) -> Byte {
            Byte(bits as u8)
        }
    }

    #[test]
    fn pairs_sort_by_their_numbers() {
        for len in [0u32, 5, SHORT as u32, 300] {
            let items: Vec<(u32, Byte)> = (0..len)
                .map(|i| (i.wrapping_mul(2_654_435_761) % 1000, Byte((i % 251) as u8)))
                .collect();
            let mut ours = items.clone();
            by_number(&mut ours);
            let mut theirs = items;
            theirs.sort_by_key(|&(n, b)| (n, b.0));
            assert_eq!(ours, theirs, "{len} pairs");
        }
    }

    #[test]
    fn accesses_unpack_as_packed() {
        use crate::access::{Access, Level, Permissions};
        for level in Level::ALL {
            for permissions in [Permissions::EMPTY, Permissions::ALL] {
                let access = Access { level, permissions };
                assert_eq!(Access::unpack(access.pack()), access);
            }
        }
    }

    #[test]
    fn numbers_sort_as_the_standard_sort() {
        for len in [0, 1, SHORT, SHORT + 1, 500] {
            let items: Vec<u32> = (0..len)
                .map(|i| (i as u32).wrapping_mul(2_654_435_761))
                .collect();
            let mut ours = items.clone();
            numbers(&mut ours);
            let mut theirs = items;
            theirs.sort_unstable();
            assert_eq!(ours, theirs, "{len} numbers");
        }
    }
}
