//! A stable sort by an integer key that compiles to no sorting code of its
//! own: it sorts `(key, position)` pairs with the one unstable sort of
//! `(usize, usize)` and moves the items into that order.
//!
//! Every `sort_by_key` on a new element type or closure compiles another
//! copy of the standard library's stable sort, about 10 KB of wasm each;
//! the npm package and the web app carry every copy.

/// Sorts `items` by `key`, keeping the order of items with equal keys.
pub(crate) fn stable_by_key<T>(items: &mut Vec<T>, key: impl Fn(&T) -> usize) {
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
}
