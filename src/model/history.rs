//! Positions in a service's transaction history, and the tree of epochs that says which
//! positions lie on the same line of history.
//!
//! Tungsten numbers THL events with a `seqno` that keeps increasing across a service, and
//! starts a new epoch each time a datasource becomes master (`trepctl status`, THL
//! `epochNumber`). Two datasources can hold the same seqno with different events when a
//! promotion left some events behind; the epochs tell them apart. The model keeps a small
//! tree of epochs per service: each epoch starts at a seqno and continues the history of its
//! parent up to just before that seqno.
//!
//! Positions are kept *canonical*: a position names the oldest epoch that holds its last event,
//! so two datasources with the same data have equal positions.

use std::num::NonZeroU8;

use serde::{Deserialize, Serialize};

use super::ids::{MAX_SERVICES, ServiceId};

/// How many epochs (beyond one root per service) the state can hold at once. Epochs no
/// position refers to are reclaimed, so this bounds the number of *diverging* lines of
/// history alive together, not the number of promotions.
pub const MAX_FORKS: usize = 8;

/// An epoch of a service's history. Ids `1..=MAX_SERVICES` are the services' roots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EpochId(NonZeroU8);

impl EpochId {
    /// The root epoch of service `service`: the history a listing's positions are read into.
    #[must_use]
    pub fn root(service: ServiceId) -> Self {
        Self(NonZeroU8::MIN.saturating_add(service.0))
    }

    fn fork_slot(self) -> Option<usize> {
        usize::from(self.0.get())
            .checked_sub(1 + MAX_SERVICES)
            .filter(|&i| i < MAX_FORKS)
    }

    fn from_fork_slot(slot: usize) -> Option<Self> {
        u8::try_from(slot + 1 + MAX_SERVICES)
            .ok()
            .and_then(NonZeroU8::new)
            .map(Self)
    }

    /// The raw number, for display.
    #[must_use]
    pub fn get(self) -> u8 {
        self.0.get()
    }
}

/// A position: the last event a datasource holds. `None` (an `Option<Pos>`) means it holds no
/// event yet, which Tungsten prints as `-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pos {
    /// The sequence number of the last event.
    pub seqno: u64,
    /// The epoch that event belongs to.
    pub epoch: EpochId,
}

/// One epoch that forked from another: it holds events from `start` on, and before that the
/// parent's events (from the parent's own start) up to `start - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
struct Fork {
    start: u64,
    /// 0 when the slot is free, else the parent's id.
    parent: u8,
}

/// Why an epoch could not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("more than {MAX_FORKS} diverging lines of history at once: the model cannot hold another")]
pub struct HistoryFull;

/// The tree of epochs of every service in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct History {
    forks: [Fork; MAX_FORKS],
}

impl History {
    /// The forks as 64-bit words, losslessly (see `State::pack_used`): one word of the
    /// parents (a byte each, 0 for a free slot), then the start of each fork in use.
    pub(crate) fn pack(&self, sink: &mut impl FnMut(u64)) {
        const _: () = assert!(MAX_FORKS <= 8, "the parents fill one word");
        sink(
            self.forks
                .iter()
                .enumerate()
                .fold(0, |acc, (i, fork)| acc | u64::from(fork.parent) << (8 * i)),
        );
        for fork in self.forks.iter().filter(|f| f.parent != 0) {
            sink(fork.start);
        }
    }

    /// Each slot of the fork table: its index, the epoch it holds and that epoch's parent
    /// (both `None` for a free slot), and its start (0 in a free slot, as the engine leaves
    /// it). For [`super::State::validate`].
    pub(crate) fn slots(
        &self,
    ) -> impl Iterator<Item = (usize, Option<EpochId>, Option<EpochId>, u64)> + '_ {
        self.forks.iter().enumerate().map(|(slot, fork)| {
            let parent = NonZeroU8::new(fork.parent).map(EpochId);
            let epoch = parent.and_then(|_| EpochId::from_fork_slot(slot));
            (slot, epoch, parent, fork.start)
        })
    }

    fn fork(&self, epoch: EpochId) -> Option<Fork> {
        epoch
            .fork_slot()
            .and_then(|slot| self.forks.get(slot).copied())
            .filter(|f| f.parent != 0)
    }

    fn parent(&self, epoch: EpochId) -> Option<(EpochId, u64)> {
        let fork = self.fork(epoch)?;
        let parent = NonZeroU8::new(fork.parent).map(EpochId)?;
        Some((parent, fork.start))
    }

    /// The service whose history `epoch` belongs to.
    #[must_use]
    pub fn service_of(&self, epoch: EpochId) -> Option<ServiceId> {
        let mut cur = epoch;
        for _ in 0..=MAX_FORKS {
            match self.parent(cur) {
                Some((parent, _)) => cur = parent,
                None => {
                    let index = usize::from(cur.get()).checked_sub(1)?;
                    return (index < MAX_SERVICES)
                        .then(|| ServiceId::from_index(index))
                        .flatten();
                }
            }
        }
        None
    }

    /// The canonical form of `pos`: the oldest epoch holding the same event.
    #[must_use]
    pub fn canonical(&self, pos: Pos) -> Pos {
        let mut pos = pos;
        for _ in 0..=MAX_FORKS {
            match self.parent(pos.epoch) {
                Some((parent, start)) if pos.seqno < start => pos.epoch = parent,
                _ => break,
            }
        }
        pos
    }

    /// Whether the events up to `pos` are a prefix of the history that ends at `tip`: a
    /// datasource at `pos` can replicate from one at `tip` without conflict, and holds nothing
    /// `tip` lacks.
    #[must_use]
    pub fn contains(&self, tip: Option<Pos>, pos: Option<Pos>) -> bool {
        let Some(pos) = pos else { return true };
        let Some(tip) = tip else { return false };
        let pos = self.canonical(pos);
        let mut epoch = tip.epoch;
        let mut limit = tip.seqno;
        for _ in 0..=MAX_FORKS {
            if epoch == pos.epoch {
                return pos.seqno <= limit;
            }
            match self.parent(epoch) {
                Some((parent, start)) => {
                    let Some(before) = start.checked_sub(1) else {
                        return false;
                    };
                    limit = limit.min(before);
                    epoch = parent;
                }
                None => return false,
            }
        }
        false
    }

    /// The seqno of the last event the lines of history ending at `a` and `b` both hold;
    /// `None` when they share none. A promotion leaves behind the events of a datasource past
    /// this point ([`super::Orphaned`]).
    #[must_use]
    pub fn shared(&self, a: Option<Pos>, b: Option<Pos>) -> Option<u64> {
        let (a, b) = (a?, b?);
        // The deepest epoch on both lines: an event on both lies in an epoch on both, and a
        // line holds fewer events in each epoch further up.
        self.line(a)
            .find_map(|(epoch, in_a)| {
                let (_, in_b) = self.line(b).find(|&(e, _)| e == epoch)?;
                Some(in_a.zip(in_b).map(|(x, y)| x.min(y)))
            })
            .flatten()
    }

    /// The epochs of the line of history ending at `tip`, from `tip`'s own up to its root,
    /// each with the seqno of the last event the line holds in it (`None` for none: the
    /// epoch below it started at seqno 0).
    fn line(&self, tip: Pos) -> impl Iterator<Item = (EpochId, Option<u64>)> + '_ {
        let mut next = Some((tip.epoch, Some(tip.seqno)));
        std::iter::from_fn(move || {
            let (epoch, last) = next?;
            next = self.parent(epoch).map(|(parent, start)| {
                let before = start.checked_sub(1);
                (parent, last.zip(before).map(|(l, b)| l.min(b)))
            });
            Some((epoch, last))
        })
        .take(MAX_FORKS + 1)
    }

    /// Whether `a` and `b` are on one line of history (one contains the other).
    #[must_use]
    pub fn comparable(&self, a: Option<Pos>, b: Option<Pos>) -> bool {
        self.contains(a, b) || self.contains(b, a)
    }

    /// Start a new epoch continuing the history up to `from` (the position of a datasource that
    /// becomes master), in `service`'s tree when `from` is `None`. Epochs that none of `live`
    /// (nor their ancestors) use are reclaimed first if the table is full.
    ///
    /// # Errors
    /// [`HistoryFull`] when [`MAX_FORKS`] epochs are all in use.
    pub fn start_epoch(
        &mut self,
        service: ServiceId,
        from: Option<Pos>,
        live: impl IntoIterator<Item = EpochId>,
    ) -> Result<EpochId, HistoryFull> {
        let parent = from.map_or(EpochId::root(service), |p| self.canonical(p).epoch);
        let start = from.map_or(0, |p| p.seqno.saturating_add(1));
        let slot = match self.forks.iter().position(|f| f.parent == 0) {
            Some(slot) => slot,
            None => {
                self.reclaim(live.into_iter().chain([parent]));
                self.forks
                    .iter()
                    .position(|f| f.parent == 0)
                    .ok_or(HistoryFull)?
            }
        };
        let id = EpochId::from_fork_slot(slot).ok_or(HistoryFull)?;
        self.forks[slot] = Fork {
            start,
            parent: parent.get(),
        };
        Ok(id)
    }

    /// Free every epoch that neither `live` nor an ancestor of one of them uses.
    pub fn reclaim(&mut self, live: impl IntoIterator<Item = EpochId>) {
        let mut keep = [false; MAX_FORKS];
        for epoch in live {
            let mut cur = Some(epoch);
            for _ in 0..=MAX_FORKS {
                let Some(e) = cur else { break };
                if let Some(slot) = e.fork_slot() {
                    keep[slot] = true;
                }
                cur = self.parent(e).map(|(p, _)| p);
            }
        }
        for (fork, keep) in self.forks.iter_mut().zip(keep) {
            if !keep {
                *fork = Fork::default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc() -> ServiceId {
        ServiceId::from_index(0).unwrap()
    }

    #[expect(
        clippy::unnecessary_wraps,
        reason = "every caller wants an optional position"
    )]
    fn at(epoch: EpochId, seqno: u64) -> Option<Pos> {
        Some(Pos { seqno, epoch })
    }

    #[test]
    fn a_fork_shares_its_parents_prefix_only() {
        let mut h = History::default();
        let root = EpochId::root(svc());
        // db3 is promoted at seqno 7 while db1 (old master) had reached 9.
        let e1 = h.start_epoch(svc(), at(root, 7), []).unwrap();
        assert!(h.contains(at(e1, 12), at(root, 7)));
        assert!(h.contains(at(e1, 12), at(root, 3)));
        assert!(
            !h.contains(at(e1, 12), at(root, 9)),
            "orphaned events 8 and 9"
        );
        assert!(!h.contains(at(root, 9), at(e1, 8)));
        // One line of history either way round; the orphaned events are on no line with e1's.
        assert!(h.comparable(at(e1, 12), at(root, 7)));
        assert!(h.comparable(at(root, 7), at(e1, 12)));
        assert!(!h.comparable(at(root, 9), at(e1, 8)));
        assert!(!h.comparable(at(e1, 8), at(root, 9)));
        assert!(h.contains(at(e1, 12), None));
        assert!(!h.contains(None, at(root, 0)));
        // Positions before the fork point are the parent's.
        assert_eq!(
            h.canonical(Pos {
                seqno: 5,
                epoch: e1
            })
            .epoch,
            root
        );
        assert_eq!(h.service_of(e1), Some(svc()));
    }

    /// The last event two lines share: the fork point, or the shorter line's tip when one
    /// contains the other; none across a fork that started at seqno 0.
    #[test]
    fn two_lines_share_the_events_up_to_their_fork() {
        let mut h = History::default();
        let root = EpochId::root(svc());
        // e1 continues the root's events up to 7; e2 continues e1's up to 10; e0 starts over.
        let e1 = h.start_epoch(svc(), at(root, 7), []).unwrap();
        let e2 = h.start_epoch(svc(), at(e1, 10), []).unwrap();
        let e0 = h.start_epoch(svc(), None, []).unwrap();
        assert_eq!(h.shared(at(root, 9), at(e1, 12)), Some(7));
        assert_eq!(h.shared(at(e1, 12), at(root, 9)), Some(7));
        assert_eq!(h.shared(at(root, 3), at(e1, 12)), Some(3));
        assert_eq!(h.shared(at(e1, 12), at(e1, 9)), Some(9));
        assert_eq!(h.shared(at(e2, 15), at(e1, 12)), Some(10));
        assert_eq!(h.shared(at(e2, 15), at(root, 9)), Some(7));
        assert_eq!(h.shared(at(e2, 15), at(root, 5)), Some(5));
        // A position not in canonical form: seqno 5 of e1 is the root's.
        assert_eq!(h.shared(at(e1, 5), at(root, 9)), Some(5));
        assert_eq!(h.shared(at(e0, 4), at(root, 9)), None);
        assert_eq!(h.shared(at(e0, 4), at(e0, 2)), Some(2));
        assert_eq!(h.shared(None, at(root, 9)), None);
        assert_eq!(h.shared(at(root, 9), None), None);
    }

    /// A line through every fork slot, each fork continuing the last: its root event is
    /// still found, however deep the line.
    #[test]
    fn the_deepest_line_shares_its_root_events() {
        let mut h = History::default();
        let root = EpochId::root(svc());
        let mut tip = root;
        for n in 0..MAX_FORKS {
            tip = h.start_epoch(svc(), at(tip, n as u64), []).unwrap();
        }
        let deepest = at(tip, MAX_FORKS as u64 + 3);
        assert_eq!(h.shared(deepest, at(root, 0)), Some(0));
        assert_eq!(h.shared(at(root, 5), deepest), Some(0));
    }

    #[test]
    fn reclaiming_keeps_live_lines() {
        let mut h = History::default();
        let root = EpochId::root(svc());
        let mut last = root;
        for n in 0..MAX_FORKS {
            last = h
                .start_epoch(svc(), at(root, u64::try_from(n).unwrap()), [])
                .unwrap();
        }
        // The table is full; only `last` (and its ancestors) is alive, so a slot is reclaimed.
        let next = h.start_epoch(svc(), at(last, 100), [last]).unwrap();
        assert!(h.contains(at(next, 101), at(last, 100)));
        assert!(h.contains(at(next, 101), at(root, 3)));
    }

    /// Epoch ids past the table (a deserialized state may hold any byte) are no fork:
    /// nothing is kept for them, and nothing indexes past the table.
    #[test]
    fn ids_past_the_table_are_no_fork() {
        let mut h = History::default();
        let root = EpochId::root(svc());
        let e = h.start_epoch(svc(), at(root, 3), []).unwrap();
        for raw in (1 + MAX_SERVICES + MAX_FORKS)..=usize::from(u8::MAX) {
            let id = EpochId(NonZeroU8::new(u8::try_from(raw).unwrap()).unwrap());
            assert_eq!(id.fork_slot(), None, "{raw}");
            assert_eq!(h.service_of(id), None, "{raw}");
            let mut reclaimed = h;
            reclaimed.reclaim([id]);
            assert_eq!(reclaimed, History::default(), "{raw}");
        }
        assert_eq!(h.service_of(e), Some(svc()));
    }

    /// `pack` tells apart histories that differ in which slot holds a fork, in a fork's
    /// parent or in its start: the explorer's fingerprints rely on it being lossless.
    #[test]
    fn pack_tells_every_history_apart() {
        let fork = |parent: u8, start: u64| Fork { start, parent };
        let with = |forks: &[(usize, Fork)]| {
            let mut h = History::default();
            for &(slot, f) in forks {
                h.forks[slot] = f;
            }
            h
        };
        let histories = [
            History::default(),
            with(&[(0, fork(1, 5))]),
            with(&[(1, fork(1, 5))]),
            with(&[(2, fork(1, 5))]),
            with(&[(0, fork(2, 5))]),
            with(&[(0, fork(1, 6))]),
            with(&[(0, fork(1, 5)), (1, fork(1, 5))]),
            with(&[(MAX_FORKS - 1, fork(9, 5))]),
        ];
        let packed: Vec<Vec<u64>> = histories
            .iter()
            .map(|h| {
                let mut words = Vec::new();
                h.pack(&mut |w| words.push(w));
                words
            })
            .collect();
        for (i, a) in packed.iter().enumerate() {
            for b in &packed[i + 1..] {
                assert_ne!(a, b, "{packed:?}");
            }
        }
    }

    #[test]
    fn full_table_with_every_line_alive_is_an_error() {
        let mut h = History::default();
        let root = EpochId::root(svc());
        let mut live = Vec::new();
        for n in 0..MAX_FORKS {
            live.push(
                h.start_epoch(svc(), at(root, u64::try_from(n).unwrap()), live.clone())
                    .unwrap(),
            );
        }
        assert_eq!(
            h.start_epoch(svc(), at(root, 50), live.clone()),
            Err(HistoryFull)
        );
    }
}
