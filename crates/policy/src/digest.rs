//! A short, stable fingerprint of a preview: what the person saw, so that
//! the server can tell whether the change it is about to apply is the same.
//!
//! The digest must not depend on how the preview happens to be split into
//! blocks (the browser works on a slice of the world, the server on another,
//! and their classes differ), and it must be cheap when a block holds tens
//! of millions of pairs. So it is a *sum over the changed pairs* of a
//! product of hashes, in the prime field of 2^61 - 1:
//!
//! ```text
//! Σ over changed (person p, resource r) of  P(p, before, after) · R(r)
//! ```
//!
//! A block of people times resources with one before and after contributes
//! `(Σ_p P) · (Σ_r R)`, whatever the block boundaries. Two lanes with
//! different keys give 122 bits. Warnings and the transfer's recipient are
//! mixed in at the end. The hash of a string is FNV-1a followed by a
//! SplitMix64 finalizer: the same on every platform, wasm included.

use crate::access::Access;
use crate::preview::{Change, Recipient, Warning};

/// The digest of a preview given as its flat list of changes: the
/// reference that `Preview::digest` computes block by block.
pub fn of_changes(
    changes: &[Change],
    warnings: &[Warning],
    recipient: Option<&Recipient>,
) -> String {
    let mut total = Lanes::default();
    for c in changes {
        total.add(
            Lanes::person(&c.principal, c.before, c.after).times(Lanes::resource(&c.resource)),
        );
    }
    total.finish(&tail(warnings, recipient))
}

/// What a digest holds besides the changes.
pub(crate) fn tail(warnings: &[Warning], recipient: Option<&Recipient>) -> String {
    let mut sorted = warnings.to_vec();
    sorted.sort_unstable();
    let mut tail = String::new();
    for w in sorted {
        tail.push_str(w.as_str());
        tail.push(',');
    }
    if let Some(r) = recipient {
        tail.push_str(&r.email);
        tail.push('>');
        tail.push_str(r.principal.as_deref().unwrap_or(""));
    }
    tail
}

/// 2^61 - 1, a Mersenne prime: products reduce with shifts.
const MODULUS: u64 = (1 << 61) - 1;

/// The keys of the two lanes.
const LANES: [u64; 2] = [0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344];

/// A pair of field elements, one per lane.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Lanes([u64; 2]);

impl Lanes {
    /// The hash of a string under each lane's key, as field elements.
    pub fn of(text: &str, extra: u64) -> Lanes {
        Lanes(LANES.map(|key| reduce(mix(fnv(text.as_bytes(), key) ^ mix(extra)))))
    }

    /// The hash of a person with one before and after.
    pub fn person(id: &str, before: Access, after: Access) -> Lanes {
        Lanes::of(
            id,
            (u64::from(before.code()) << 32) | u64::from(after.code()),
        )
    }

    /// The hash of a resource.
    pub fn resource(id: &str) -> Lanes {
        Lanes::of(id, 0x5245_534F)
    }

    pub fn add(&mut self, other: Lanes) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a = reduce(*a + b);
        }
    }

    pub fn minus(&mut self, other: Lanes) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a = reduce(*a + (MODULUS - b));
        }
    }

    pub fn times(self, other: Lanes) -> Lanes {
        let mut out = [0; 2];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = mul(self.0[i], other.0[i]);
        }
        Lanes(out)
    }

    /// The digest as text: a version tag and 32 hex digits, with the
    /// remaining parts of the preview (warnings, recipient) folded in.
    pub fn finish(self, tail: &str) -> String {
        let [a, b] = self.0;
        let x = mix(fnv(tail.as_bytes(), a));
        let y = mix(fnv(tail.as_bytes(), b ^ LANES[1]));
        format!("v1-{x:016x}{y:016x}")
    }
}

fn fnv(bytes: &[u8], key: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325 ^ key;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// SplitMix64's finalizer: spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn reduce(x: u64) -> u64 {
    let r = (x & MODULUS) + (x >> 61);
    if r >= MODULUS { r - MODULUS } else { r }
}

fn mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    let lo = (p as u64) & MODULUS;
    let hi = (p >> 61) as u64;
    reduce(lo + reduce(hi))
}

impl crate::diff::Subtract for Lanes {
    fn add(&mut self, other: &Self) {
        Lanes::add(self, *other);
    }

    fn subtract(&mut self, other: &Self) {
        self.minus(*other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_distribute_over_sums() {
        // (a + b) · c == a · c + b · c: what makes the digest independent of
        // how blocks are split.
        let (a, b, c) = (Lanes::of("a", 1), Lanes::of("b", 2), Lanes::of("c", 3));
        let mut left = a;
        left.add(b);
        let mut right = a.times(c);
        right.add(b.times(c));
        assert_eq!(left.times(c), right);
    }

    #[test]
    fn field_arithmetic_stays_reduced() {
        let big = Lanes([MODULUS - 1, MODULUS - 2]);
        let mut sum = big;
        sum.add(big);
        assert_eq!(sum, Lanes([MODULUS - 2, MODULUS - 4]));
        assert_eq!(big.times(big), Lanes([1, 4]));
    }

    #[test]
    fn different_inputs_give_different_digests() {
        let one = Lanes::person("carol", Access::NONE, Access::READ).finish("");
        let other = Lanes::person("carol", Access::NONE, Access::NAMES).finish("");
        assert_ne!(one, other);
        assert!(one.starts_with("v1-") && one.len() == 35);
    }
}
