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

use crate::model::{State, Topology};

/// The fingerprint of a state: `State`'s derived `Hash` fed to [`Fingerprinter`], so the same
/// state gets the same fingerprint in every run and thread. Never 0 (0 marks an empty slot).
#[must_use]
pub fn fingerprint(state: &State) -> u64 {
    let mut hasher = Fingerprinter::default();
    state.hash(&mut hasher);
    hasher.finish().max(1)
}

/// The fingerprint of a state of `topology`, the one the explorer uses: the slots of the
/// topology's hosts packed losslessly into words (a host's flags, enums and ids share one; a
/// seqno has its own), each word mixed into [`Fingerprinter`]. Within one topology it tells
/// states apart exactly as [`fingerprint`] does, and costs about a fifth as much for three hosts
/// (about twenty words to mix, against some 150 writes of a derived `Hash`). It is a
/// different number from [`fingerprint`]'s for the same state.
#[must_use]
pub fn fingerprint_in(topology: &Topology, state: &State) -> u64 {
    fingerprint_counted(topology, state, None)
}

/// [`fingerprint_in`], with `count` (the failures spent reaching the state, under a failure
/// budget) mixed in after the state when there is one.
pub(crate) fn fingerprint_counted(topology: &Topology, state: &State, count: Option<u8>) -> u64 {
    let mut hasher = Fingerprinter::default();
    state.pack_used(topology.hosts().len(), &mut |word| hasher.mix(word));
    if let Some(count) = count {
        hasher.mix(u64::from(count));
    }
    hasher.finish().max(1)
}

/// The hasher behind [`fingerprint`]: the bytes a derived `Hash` writes are packed eight to a
/// word, and each word is multiplied into two 64-bit lanes, each with its own odd constant
/// and rotation, folded and finished with a full avalanche (`MurmurHash3`'s 64-bit finaliser
/// constants). Integers wider than a byte are written as LEB128 varints (signed ones
/// zigzagged first), so the many small values of a state (enum discriminants, which a derived
/// `Hash` writes as `isize`, ids, seqnos) take a byte each.
///
/// For the values of one type, the byte stream tells them apart: a derived `Hash` writes
/// fields in order, a varint ends itself, and what the type holds after each byte is fixed
/// by the bytes before it. Not collision-resistant against an adversary, which a model
/// checker's own states are not. It replaced `SipHash` (44% of the explorer's time), then a
/// hasher that multiplied every write in (about a fifth of it).
#[derive(Debug, Clone, Copy)]
pub struct Fingerprinter {
    a: u64,
    b: u64,
    /// Bytes written and not yet mixed in, lowest first.
    word: u64,
    /// How many bytes `word` holds (0 to 7).
    filled: u32,
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Self {
            a: 0x243F_6A88_85A3_08D3,
            b: 0x1319_8A2E_0370_7344,
            word: 0,
            filled: 0,
        }
    }
}

impl Fingerprinter {
    fn mix(&mut self, x: u64) {
        self.a = (self.a ^ x)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
        self.b = (self.b.rotate_left(23) ^ x).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    }

    /// Append one byte; a full word is mixed in.
    #[inline]
    fn byte(&mut self, byte: u8) {
        self.word |= u64::from(byte) << (8 * self.filled);
        self.filled += 1;
        if self.filled == 8 {
            self.mix(self.word);
            self.word = 0;
            self.filled = 0;
        }
    }

    /// Append `value` as a LEB128 varint: seven bits a byte, the high bit set on all but the
    /// last.
    #[inline]
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            // The low seven bits, with the continuation bit.
            self.byte((value & 0x7F) as u8 | 0x80);
            value >>= 7;
        }
        self.byte((value & 0x7F) as u8);
    }
}

impl Hasher for Fingerprinter {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.byte(byte);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.byte(i);
    }

    fn write_u16(&mut self, i: u16) {
        self.varint(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.varint(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.varint(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.varint(i as u64);
    }

    fn write_isize(&mut self, i: isize) {
        let i = i as i64;
        // Zigzag: small magnitudes of either sign become small varints.
        self.varint(((i << 1) ^ (i >> 63)).cast_unsigned());
    }

    fn finish(&self) -> u64 {
        let mut copy = *self;
        if copy.filled > 0 {
            // The count keeps a trailing zero byte from vanishing.
            copy.mix(copy.word ^ (u64::from(copy.filled) << 59));
        }
        let mut h = copy.a ^ copy.b.rotate_left(32);
        h ^= h >> 33;
        h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 33;
        h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        h ^ (h >> 33)
    }
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
    ///
    /// # Panics
    /// As [`Vec`] does, where `capacity` slots of 8 bytes exceed `isize::MAX` bytes (and where
    /// the memory cannot be had, the allocator ends the process).
    /// [`Self::try_with_capacity`] returns an error in both cases instead.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            slots: vec![0; capacity.max(16)],
            len: 0,
        }
    }

    /// [`Self::with_capacity`], or the error where the table cannot be allocated: for a
    /// caller that takes the capacity from its own input (an embedder's review found
    /// `with_capacity(usize::MAX)` panicking).
    ///
    /// # Errors
    /// [`TryReserveError`](std::collections::TryReserveError) where `capacity` slots exceed
    /// `isize::MAX` bytes or the allocator refuses them.
    pub fn try_with_capacity(capacity: usize) -> Result<Self, std::collections::TryReserveError> {
        let size = capacity.max(16);
        let mut slots = Vec::new();
        slots.try_reserve_exact(size)?;
        slots.resize(size, 0);
        Ok(Self { slots, len: 0 })
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

    /// Load the slot where a lookup of `fp` starts, so that a lookup soon after finds it in
    /// the cache. Warming a batch of fingerprints before looking them up lets their cache
    /// misses overlap (the table is far larger than the cache once it holds millions).
    pub fn warm(&self, fp: u64) {
        std::hint::black_box(self.slots.get(self.home(fp.max(1))).copied());
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
        let size = self.slots.len() * 8 / 5;
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
    fn states_one_step_apart_get_distinct_fingerprints() {
        use crate::explore::{Alphabet, Inputs, Typing};
        use crate::machine::{self, Rules};
        use crate::model::Topology;
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let start = State::healthy(&t);
        let inputs = Inputs::new(&t, &start, Alphabet::ALL, 2);
        let mut states = std::collections::HashSet::new();
        let mut prints = std::collections::HashSet::new();
        let mut used = std::collections::HashSet::new();
        let mut frontier = vec![start];
        let mut buffer = Vec::new();
        for _ in 0..2 {
            let mut next = Vec::new();
            for s in &frontier {
                inputs.fill(s, Typing::EveryManager, &mut buffer);
                for input in &buffer {
                    if let Ok(n) = machine::step(&t, s, input, &Rules::default(), &mut ())
                        && states.insert(n)
                    {
                        prints.insert(fingerprint(&n));
                        used.insert(fingerprint_in(&t, &n));
                        assert_eq!(n.eq_used(s, 3), n == *s);
                        next.push(n);
                    }
                }
            }
            frontier = next;
        }
        assert!(states.len() > 1000, "{}", states.len());
        assert_eq!(prints.len(), states.len());
        // Over the topology's hosts alone, the states are told apart just as well.
        assert_eq!(used.len(), states.len());
    }

    /// Fingerprints are the same in every run, thread, build and platform (a count or a
    /// trace can be reproduced), so the hash is pinned over every `write_*` a derived `Hash`
    /// uses. A deliberate change of the hash changes this number.
    #[test]
    fn fingerprints_are_stable() {
        let mut h = Fingerprinter::default();
        h.write_u8(1);
        h.write_u16(2);
        h.write_u32(3);
        h.write_u64(4);
        h.write_usize(5);
        h.write_isize(-6);
        h.write(b"0123456789");
        h.write(b"01234567");
        assert_eq!(h.finish(), 3_950_242_075_829_187_260);
    }

    /// The explorer's fingerprints are pinned too: the packing and the mixing of words.
    #[test]
    fn explorer_fingerprints_are_stable() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let healthy = State::healthy(&t);
        assert_eq!(fingerprint_in(&t, &healthy), 2_159_768_840_247_591_777);
        assert_eq!(
            fingerprint_counted(&t, &healthy, Some(1)),
            7_657_380_543_168_520_228
        );
    }

    /// Integers go in as LEB128 varints (signed ones zigzagged), a byte each when small, and
    /// bytes are packed eight to a word before they are mixed in.
    #[test]
    fn integers_are_varints_packed_into_words() {
        let bytes = |write: &dyn Fn(&mut Fingerprinter)| {
            let mut h = Fingerprinter::default();
            write(&mut h);
            (h.word.to_le_bytes(), h.filled)
        };
        let word = |b: &[u8]| {
            let mut w = [0_u8; 8];
            w[..b.len()].copy_from_slice(b);
            (w, u32::try_from(b.len()).unwrap())
        };
        assert_eq!(bytes(&|h| h.write_u64(5)), word(&[5]));
        assert_eq!(bytes(&|h| h.write_u64(127)), word(&[0x7F]));
        assert_eq!(bytes(&|h| h.write_u64(128)), word(&[0x80, 0x01]));
        assert_eq!(bytes(&|h| h.write_u32(300)), word(&[0xAC, 0x02]));
        assert_eq!(bytes(&|h| h.write_u16(u16::MAX)), word(&[0xFF, 0xFF, 0x03]));
        assert_eq!(bytes(&|h| h.write_isize(0)), word(&[0]));
        assert_eq!(bytes(&|h| h.write_isize(-1)), word(&[1]));
        assert_eq!(bytes(&|h| h.write_isize(1)), word(&[2]));
        assert_eq!(bytes(&|h| h.write_usize(3)), word(&[3]));
        assert_eq!(bytes(&|h| h.write_u8(0xFF)), word(&[0xFF]));
        assert_eq!(bytes(&|h| h.write(&[1, 2, 3])), word(&[1, 2, 3]));
        // Eight bytes make a word, which is mixed in and leaves the buffer empty.
        let before = Fingerprinter::default();
        let mut h = before;
        h.write(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!((h.a, h.b, h.filled), (before.a, before.b, 7));
        h.write_u8(8);
        assert_eq!((h.word, h.filled), (0, 0));
        assert_ne!((h.a, h.b), (before.a, before.b));
        // u64::MAX takes ten bytes: one word mixed in, two bytes left.
        let mut h = Fingerprinter::default();
        h.write_u64(u64::MAX);
        assert_eq!(h.filled, 2);
        assert_eq!(h.word.to_le_bytes()[..2], [0xFF, 0x01]);
    }

    /// A trailing zero byte counts: a state's last field may be a zero.
    #[test]
    fn trailing_zero_bytes_count() {
        let print = |bytes: &[u8]| {
            let mut h = Fingerprinter::default();
            h.write(bytes);
            h.finish()
        };
        let prints: std::collections::HashSet<u64> = (0..=16).map(|n| print(&vec![0; n])).collect();
        assert_eq!(prints.len(), 17);
    }

    /// Each lane on its own tells every small word apart, and each `write_*` counts: two lanes
    /// that each carry the whole input make a collision need two at once.
    #[test]
    fn each_lane_and_each_write_keeps_every_bit() {
        let mut a = std::collections::HashSet::new();
        let mut b = std::collections::HashSet::new();
        for x in 0..4096_u64 {
            let mut h = Fingerprinter::default();
            h.mix(x);
            a.insert(h.a);
            b.insert(h.b);
        }
        assert_eq!((a.len(), b.len()), (4096, 4096));
        let writes: [fn(&mut Fingerprinter, u8); 7] = [
            |h, x| h.write_u8(x),
            |h, x| h.write_u16(u16::from(x) << 8),
            |h, x| h.write_u32(u32::from(x) << 24),
            |h, x| h.write_u64(u64::from(x) << 56),
            |h, x| h.write_usize(usize::from(x)),
            |h, x| h.write_isize(-isize::from(x)),
            |h, x| h.write(&[0, 0, 0, 0, 0, 0, 0, 0, 0, x]),
        ];
        for write in writes {
            let prints: std::collections::HashSet<u64> = (0..=255_u8)
                .map(|x| {
                    let mut h = Fingerprinter::default();
                    write(&mut h, x);
                    h.finish()
                })
                .collect();
            assert_eq!(prints.len(), 256);
        }
    }

    /// The finish avalanches: flipping any one bit of a word flips about half of the
    /// fingerprint's bits.
    #[test]
    fn one_bit_in_flips_half_the_bits_out() {
        for bit in 0..64 {
            let mut flipped = 0;
            for x in 0..256_u64 {
                let word = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let print = |w: u64| {
                    let mut h = Fingerprinter::default();
                    h.write_u64(w);
                    h.finish()
                };
                flipped += (print(word) ^ print(word ^ (1 << bit))).count_ones();
            }
            let mean = f64::from(flipped) / 256.0;
            assert!((28.0..=36.0).contains(&mean), "bit {bit}: {mean}");
        }
    }

    /// Homes spread over the whole table, whatever its size, and stay inside it.
    #[test]
    fn homes_spread_over_the_table() {
        for size in [16, 25, 1024, 1000] {
            let set = FingerprintSet::with_capacity(size);
            let homes: std::collections::HashSet<usize> = (1..=8 * size as u64)
                .map(|i| set.home(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
                .collect();
            assert!(homes.iter().all(|&h| h < size));
            assert!(homes.len() * 10 >= size * 9, "{} of {size}", homes.len());
        }
        let set = FingerprintSet::with_capacity(16);
        assert_eq!(set.home(u64::MAX), 15);
        assert_eq!(set.home(1), 0);
    }

    /// A capacity the allocator cannot give is an error from `try_with_capacity`, not a
    /// panic; one it can gives the set `with_capacity` gives.
    #[test]
    fn a_capacity_too_large_is_an_error_where_asked_for() {
        assert!(FingerprintSet::try_with_capacity(usize::MAX).is_err());
        assert!(FingerprintSet::try_with_capacity(usize::MAX / 4).is_err());
        let Ok(mut set) = FingerprintSet::try_with_capacity(100) else {
            panic!("100 slots are had");
        };
        assert_eq!((set.len(), set.bytes()), (0, 800));
        assert!(set.insert(7) && !set.insert(7));
        let Ok(small) = FingerprintSet::try_with_capacity(0) else {
            panic!("16 slots are had");
        };
        assert_eq!(small.bytes(), FingerprintSet::with_capacity(0).bytes());
    }

    /// The table grows by 8/5 once it would be more than 4/5 full.
    #[test]
    fn grows_by_eight_fifths_past_four_fifths() {
        let mut set = FingerprintSet::with_capacity(16);
        assert!(set.is_empty());
        for i in 1..=12_u64 {
            set.insert(i << 40);
        }
        assert!(!set.is_empty());
        assert_eq!(set.bytes(), 16 * 8);
        set.insert(13 << 40);
        assert_eq!(set.bytes(), 25 * 8);
        assert!((1..=13_u64).all(|i| set.contains(i << 40)));
    }

    #[test]
    fn zero_is_a_fingerprint_like_any_other() {
        let mut set = FingerprintSet::default();
        assert!(set.insert(0));
        assert!(set.contains(0));
        assert!(!set.insert(0));
    }
}
