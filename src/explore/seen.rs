//! The explorer's memory of states already reached: 64-bit fingerprints in an open-addressing
//! table, at most 16 bytes per state.
//!
//! A fingerprint stands for a state, so two states with the same fingerprint are taken as one
//! and the second is never expanded. With 64-bit fingerprints the chance of any such collision
//! among `n` states is about `n² / 2⁶⁵`: below one in a hundred thousand for ten million
//! states. This is the trade every explicit-state checker that hashes its states makes (TLC
//! and SPIN's bitstate and hash-compact modes among them); a modelling decision, stated here so
//! that a "no counterexample" is read with it in mind.

use std::hash::{Hash, Hasher};

use crate::model::State;

/// The fingerprint of a state: `State`'s derived `Hash` fed to a fixed-key `SipHash` (std's
/// `DefaultHasher::new()`), so the same state gets the same fingerprint in every run and
/// thread. Never 0 (0 marks an empty slot).
#[must_use]
pub fn fingerprint(state: &State) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    state.hash(&mut hasher);
    hasher.finish().max(1)
}

/// A set of fingerprints: linear probing over a flat `u64` table, grown by 8/5 whenever it is
/// more than 4/5 full, so it is always between 1/2 and 4/5 full (once past its first size):
/// 10 to 16 bytes per state.
#[derive(Debug, Clone)]
pub struct FingerprintSet {
    slots: Vec<u64>,
    len: usize,
}

impl Default for FingerprintSet {
    fn default() -> Self {
        Self::with_capacity(1024)
    }
}

impl FingerprintSet {
    /// An empty set with room for `capacity` slots (at least 16).
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            slots: vec![0; capacity.max(16)],
            len: 0,
        }
    }

    /// How many fingerprints it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes its table takes.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<u64>()
    }

    /// The slot where `fp` starts probing: the fingerprint scaled onto the table (its high
    /// bits choose, so any table size works).
    fn home(&self, fp: u64) -> usize {
        let scaled = (u128::from(fp) * self.slots.len() as u128) >> 64;
        // Less than `slots.len()`, which is a `usize`.
        usize::try_from(scaled).unwrap_or(0)
    }

    /// Whether `fp` is in the set.
    #[must_use]
    pub fn contains(&self, fp: u64) -> bool {
        let fp = fp.max(1);
        let mut i = self.home(fp);
        loop {
            match self.slots.get(i) {
                Some(&0) => return false,
                Some(&slot) if slot == fp => return true,
                Some(_) => i += 1,
                None => i = 0,
            }
        }
    }

    /// Add `fp`; true if it was not there.
    pub fn insert(&mut self, fp: u64) -> bool {
        let fp = fp.max(1);
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.grow();
        }
        let home = self.home(fp);
        let added = Self::place(&mut self.slots, home, fp);
        if added {
            self.len += 1;
        }
        added
    }

    /// Put `fp` in the first free slot from `i` on (wrapping), unless it is already there.
    fn place(slots: &mut [u64], mut i: usize, fp: u64) -> bool {
        loop {
            match slots.get(i).copied() {
                Some(0) => {
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = fp;
                    }
                    return true;
                }
                Some(slot) if slot == fp => return false,
                Some(_) => i += 1,
                None => i = 0,
            }
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 8 / 5 + 1;
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        for fp in old.into_iter().filter(|&fp| fp != 0) {
            let home = self.home(fp);
            Self::place(&mut self.slots, home, fp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_was_inserted_and_nothing_else() {
        let mut set = FingerprintSet::with_capacity(16);
        let values: Vec<u64> = (1..5000_u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        for &v in &values {
            assert!(set.insert(v));
            assert!(!set.insert(v));
        }
        assert_eq!(set.len(), values.len());
        assert!(values.iter().all(|&v| set.contains(v)));
        assert!(!set.contains(7));
        // At most 16 bytes per state: the table is at least half full.
        assert!(
            set.bytes() <= 16 * set.len(),
            "{} bytes for {}",
            set.bytes(),
            set.len()
        );
        assert!(set.bytes() >= 8 * set.len());
    }

    #[test]
    fn zero_is_a_fingerprint_like_any_other() {
        let mut set = FingerprintSet::default();
        assert!(set.insert(0));
        assert!(set.contains(0));
        assert!(!set.insert(0));
    }
}
