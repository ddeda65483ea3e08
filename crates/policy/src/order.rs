//! A stable sort by an integer key that compiles to no sorting code of its
//! own: it sorts `(key, position)` pairs with the one unstable sort of
//! `(usize, usize)` and moves the items into that order (short lists, by
//! insertion in place).
//!
//! Every `sort_by_key` on a new element type or closure compiles another
//! copy of the standard library's stable sort, about 10 KB of wasm each;
//! the npm package and the web app carry every copy.

/// Lists up to this long are sorted by insertion.
const SHORT: usize = 16;

/// Sorts `items` by `key`, keeping the order of items with equal keys.
pub(crate) fn stable_by_key<T>(items: &mut Vec<T>, key: impl Fn(&T) -> usize) {
    // Most lists sorted here (a person's reasons, what leads to a
    // resource) hold a handful of items: sorted in place, with no copies.
    if items.len() <= SHORT {
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 && key(&items[j - 1]) > key(&items[j]) {
                items.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    let mut keyed: Vec<(usize, usize)> = items.iter().map(&key).zip(0..).collect();
    keyed.sort_unstable();
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(keyed.iter().filter_map(|&(_, i)| slots[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_keep_their_order() {
        let mut words = vec!["pear", "fig", "kiwi", "plum", "yam", "lime", "date"];
        stable_by_key(&mut words, |w| w.len());
        assert_eq!(
            words,
            ["fig", "yam", "pear", "kiwi", "plum", "lime", "date"]
        );
        let mut none: Vec<String> = Vec::new();
        stable_by_key(&mut none, String::len);
        assert!(none.is_empty());
    }

    #[test]
    fn long_lists_sort_as_the_standard_stable_sort() {
        for len in [SHORT, SHORT + 1, 200] {
            let items: Vec<(usize, usize)> = (0..len).map(|i| ((i * 7919) % 13, i)).collect();
            let mut ours = items.clone();
            stable_by_key(&mut ours, |&(k, _)| k);
            let mut theirs = items;
            theirs.sort_by_key(|&(k, _)| k);
            assert_eq!(ours, theirs, "{len} items");
        }
    }
}
