//! A state as a short run of 64-bit words, without loss: what the explorer fingerprints.
//!
//! The derived `Hash` of a [`State`] writes every field on its own, each enum discriminant as
//! an `isize`: some 150 writes for three hosts. Packing the same fields into words first (a
//! host's flags, enums and ids share one word; a seqno takes a word of its own) leaves about
//! twenty words to mix in. The packing is lossless within one topology, so the fingerprints
//! tell states apart exactly as well as before.
//!
//! Every struct is taken apart with a pattern that names all its fields: a field added to
//! the state and not packed here does not compile.

use strum::VariantArray;

use super::history::{EpochId, Pos};
use super::ids::{HostId, MAX_HOSTS};
use super::state::{
    ClusterReplicator, Connector, CrossSiteReplicator, Data, DsEntry, DsState, FailCause,
    HostState, ManagerView, Quorum, RestartPosition, Session, ShunCause, State,
};
use super::{DataSourceRole, PolicyMode, ReplicatorRole, ReplicatorState};

// The bits each enum gets below; a variant added past them fails the build here.
const _: () = assert!(ReplicatorState::VARIANTS.len() <= 1 << 4);
const _: () = assert!(ReplicatorRole::VARIANTS.len() <= 1 << 3);
const _: () = assert!(DataSourceRole::VARIANTS.len() <= 1 << 3);
const _: () = assert!(PolicyMode::VARIANTS.len() <= 1 << 2);

/// Small values packed sixteen bits at a time into words; a word goes out when it is full,
/// and a partial one when the section ends ([`Units::flush`]).
struct Units<'s, S: FnMut(u64)> {
    sink: &'s mut S,
    word: u64,
    filled: u32,
}

impl<'s, S: FnMut(u64)> Units<'s, S> {
    fn new(sink: &'s mut S) -> Self {
        Self {
            sink,
            word: 0,
            filled: 0,
        }
    }

    fn push(&mut self, unit: u16) {
        self.word |= u64::from(unit) << (16 * self.filled);
        self.filled += 1;
        if self.filled == 4 {
            (self.sink)(self.word);
            self.word = 0;
            self.filled = 0;
        }
    }

    fn flush(self) {
        if self.filled > 0 {
            (self.sink)(self.word);
        }
    }
}

/// A restart position in a byte: 0 kept, 1 cleared, then a host's index past the bases
/// of lost at (2), lost behind at (2 + `MAX_HOSTS`) and skipping (2 + 2 × `MAX_HOSTS`).
fn restart_code(restart: RestartPosition) -> u64 {
    const HOSTS: u64 = crate::model::MAX_HOSTS as u64;
    match restart {
        RestartPosition::Kept => 0,
        RestartPosition::Cleared => 1,
        RestartPosition::LostAt(h) => 2 + u64::from(h.0),
        RestartPosition::LostBehindAt(h) => 2 + HOSTS + u64::from(h.0),
        RestartPosition::Skipping(h) => 2 + 2 * HOSTS + u64::from(h.0),
    }
}

/// `None` as 0, a host as its index plus one (nine bits).
fn host_code(host: Option<HostId>) -> u16 {
    host.map_or(0, |h| u16::from(h.0) + 1)
}

/// A position's epoch (never 0, so 0 means no position) and its seqno.
fn pos_code(pos: Option<Pos>) -> (u64, Option<u64>) {
    pos.map_or((0, None), |p| (u64::from(p.epoch.get()), Some(p.seqno)))
}

/// A datasource state in thirteen bits: the variant (two bits), its cause's variant (three:
/// each cause has at most eight, numbered here) and the cause's host or reason id (eight).
fn ds_state_code(state: DsState) -> u16 {
    let (variant, cause, id) = match state {
        DsState::Online => (0, 0, 0),
        DsState::Offline => (1, 0, 0),
        DsState::Shunned(cause) => {
            let (c, id) = match cause {
                ShunCause::Manual => (0, 0),
                ShunCause::Failsafe => (1, 0),
                ShunCause::FailedOverTo(h) => (2, h.0),
                ShunCause::Superseded => (3, 0),
                ShunCause::SubserviceSwitchFailed => (4, 0),
                ShunCause::Other(r) => (5, r.0),
                ShunCause::Unstated => (6, 0),
                ShunCause::DrainConnections => (7, 0),
            };
            (2, c, id)
        }
        DsState::Failed(cause) => {
            let (c, id) = match cause {
                FailCause::DataServerStopped => (0, 0),
                FailCause::Unreachable => (1, 0),
                FailCause::Replicator => (2, 0),
                FailCause::Operator => (3, 0),
                FailCause::Other(r) => (4, r.0),
                FailCause::Unstated => (5, 0),
            };
            (3, c, id)
        }
    };
    variant | (cause << 2) | (u16::from(id) << 5)
}

/// A view entry in sixteen bits: the role above the state, a fence in the cause bits of the
/// OFFLINE state it marks (OFFLINE has no cause; [`State::validate`] keeps fences on OFFLINE).
fn entry_code(entry: DsEntry, fenced: bool) -> u16 {
    let DsEntry { role, state } = entry;
    ((role as u16) << 13) | ds_state_code(state) | (u16::from(fenced) << 2)
}

/// One host's ground truth: a word of flags (bits 0-8, the orphan mark last), replicator
/// state (9-12) and role (13-15), master (16-24), cross-site replicator state (25-28),
/// whether the orphan mark holds a seqno (29), writing epoch (32-39) and the epochs of its
/// two positions (40-47, 48-55), the replicator's restart position (56-63: 0 kept, 1 cleared,
/// 2 and up lost at a host); then the seqno of each position it holds and the mark's (an
/// epoch is never 0, so the epoch bytes and bit 29 say which follow).
fn pack_host(host: &HostState, sink: &mut impl FnMut(u64)) {
    let HostState {
        up,
        manager,
        connector:
            Connector {
                running: connector_running,
                online: connector_online,
            },
        dataserver,
        replicator:
            ClusterReplicator {
                running: replicator_running,
                state: replicator_state,
                role: replicator_role,
                master,
                restart,
            },
        cross_site:
            CrossSiteReplicator {
                running: cross_running,
                state: cross_state,
                applied,
            },
        data:
            Data {
                pos,
                drift,
                writing,
                orphaned,
            },
    } = *host;
    let flags = [
        up,
        manager,
        connector_running,
        connector_online,
        dataserver,
        replicator_running,
        cross_running,
        drift,
        orphaned.is_some(),
    ]
    .iter()
    .enumerate()
    .fold(0_u64, |acc, (i, &on)| acc | (u64::from(on) << i));
    let (pos_epoch, pos_seqno) = pos_code(pos);
    let (applied_epoch, applied_seqno) = pos_code(applied);
    let orphaned_after = orphaned.and_then(|o| o.shared);
    sink(
        flags
            | (replicator_state as u64) << 9
            | (replicator_role as u64) << 13
            | u64::from(host_code(master)) << 16
            | (cross_state as u64) << 25
            | u64::from(orphaned_after.is_some()) << 29
            | u64::from(writing.map_or(0, EpochId::get)) << 32
            | pos_epoch << 40
            | applied_epoch << 48
            | restart_code(restart) << 56,
    );
    for seqno in [pos_seqno, applied_seqno, orphaned_after]
        .into_iter()
        .flatten()
    {
        sink(seqno);
    }
}

impl State {
    /// The slots of the first `hosts` hosts as 64-bit words, in a fixed order, to `sink`.
    ///
    /// Within one topology the words are a lossless encoding: two states give the same words
    /// exactly when [`State::eq_used`] holds (the same slots [`State::hash_used`] hashes).
    /// The explorer's fingerprint mixes these words. One assumption: a free fork slot of the
    /// history holds start 0, as the engine leaves it (`History::reclaim` resets a freed slot);
    /// only a hand-made or deserialised state could break it, and then two states that differ
    /// only in a free slot's start would pack alike.
    pub(crate) fn pack_used(&self, hosts: usize, sink: &mut impl FnMut(u64)) {
        let Self {
            hosts: host_states,
            partition,
            views,
            sessions,
            history,
        } = self;
        let n = hosts.min(MAX_HOSTS);
        for host in &host_states[..n] {
            pack_host(host, sink);
        }
        // Eight labels of one byte each: one word.
        sink(
            partition[..n]
                .iter()
                .enumerate()
                .fold(0, |acc, (i, &label)| acc | u64::from(label) << (8 * i)),
        );
        let mut units = Units::new(sink);
        for view in &views[..n] {
            let ManagerView {
                policy,
                coordinator,
                quorum,
                datasources,
                fenced,
            } = *view;
            let quorum: u16 = match quorum {
                Quorum::Unknown => 0,
                Quorum::Primary => 1,
                Quorum::NonPrimary => 2,
            };
            units.push((policy as u16) | quorum << 2 | host_code(coordinator) << 4);
            for (i, &entry) in datasources[..n].iter().enumerate() {
                let fenced = HostId::from_index(i).is_some_and(|d| fenced.contains(d));
                units.push(entry_code(entry, fenced));
            }
        }
        for &Session { force, service } in &sessions[..n] {
            units.push(u16::from(force) | u16::from(service.0) << 1);
        }
        units.flush();
        history.pack(sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::{ReasonId, ServiceId};
    use crate::model::{Orphaned, Quorum, Topology};

    fn words(state: &State, hosts: usize) -> Vec<u64> {
        let mut out = Vec::new();
        state.pack_used(hosts, &mut |w| out.push(w));
        out
    }

    /// One way to set a field.
    type Setter = Box<dyn Fn(&mut State)>;

    /// No mark, and marks with no shared event, the smallest shared seqnos and the largest.
    fn orphan_marks() -> Vec<Option<Orphaned>> {
        let marks = [None, Some(0), Some(1), Some(u64::MAX)].map(|shared| Orphaned { shared });
        [None].into_iter().chain(marks.map(Some)).collect()
    }

    /// One setter per value, each setting it with `set`.
    fn each<T: Copy + 'static>(
        values: &[T],
        set: impl Fn(&mut State, T) + Copy + 'static,
    ) -> Vec<Setter> {
        values
            .iter()
            .map(|&v| Box::new(move |s: &mut State| set(s, v)) as Setter)
            .collect()
    }

    /// A replicator's restart positions: kept, cleared, and each host-naming one at every
    /// host (at the first and last only, a code mixing up the kinds' bases went unseen by
    /// the mutation run).
    fn restart_positions() -> Vec<RestartPosition> {
        let hosts =
            || (0..crate::model::MAX_HOSTS).filter_map(|h| u8::try_from(h).ok().map(HostId));
        [RestartPosition::Kept, RestartPosition::Cleared]
            .into_iter()
            .chain(hosts().map(RestartPosition::LostAt))
            .chain(hosts().map(RestartPosition::LostBehindAt))
            .chain(hosts().map(RestartPosition::Skipping))
            .collect()
    }

    /// Fence datasource `d` in `view`, or lift its fence.
    fn set_fence(view: &mut ManagerView, d: usize, fenced: bool) {
        let d = HostId::from_index(d).expect("a host slot");
        if fenced {
            view.fenced.insert(d);
        } else {
            view.fenced.remove(d);
        }
    }

    /// Every datasource state a view entry takes, with the cause ids of `ids`, unfenced; and
    /// OFFLINE fenced (a fence marks OFFLINE only: `State::validate`).
    fn entry_states(ids: &[u8]) -> Vec<(DsState, bool)> {
        [DsState::Online, DsState::Offline]
            .into_iter()
            .chain(ids.iter().flat_map(|&i| {
                [
                    DsState::Shunned(ShunCause::Manual),
                    DsState::Shunned(ShunCause::Failsafe),
                    DsState::Shunned(ShunCause::FailedOverTo(HostId(i))),
                    DsState::Shunned(ShunCause::Superseded),
                    DsState::Shunned(ShunCause::SubserviceSwitchFailed),
                    DsState::Shunned(ShunCause::Other(ReasonId(i))),
                    DsState::Shunned(ShunCause::Unstated),
                    DsState::Shunned(ShunCause::DrainConnections),
                    DsState::Failed(FailCause::DataServerStopped),
                    DsState::Failed(FailCause::Unreachable),
                    DsState::Failed(FailCause::Replicator),
                    DsState::Failed(FailCause::Operator),
                    DsState::Failed(FailCause::Other(ReasonId(i))),
                    DsState::Failed(FailCause::Unstated),
                ]
            }))
            .map(|state| (state, false))
            .chain([(DsState::Offline, true)])
            .collect()
    }

    /// Every field, with the values worth telling apart (each enum variant, `None`, the
    /// smallest and largest ids, positions held or not), as changes to a state. Hosts 3 and 4
    /// of five, so that neighbouring slots are covered too.
    fn field_values() -> Vec<Vec<Setter>> {
        let ids = [0_u8, 1, 2, 7, 254, 255];
        let hosts: Vec<Option<HostId>> = [None]
            .into_iter()
            .chain(ids.iter().map(|&i| Some(HostId(i))))
            .collect();
        let epochs: Vec<Option<EpochId>> = [None]
            .into_iter()
            .chain([0, 1, 200].map(|i| Some(EpochId::root(ServiceId(i)))))
            .collect();
        let positions: Vec<Option<Pos>> = [None]
            .into_iter()
            .chain([0, 1, u64::MAX].into_iter().flat_map(|seqno| {
                [0, 3].map(|i| {
                    Some(Pos {
                        seqno,
                        epoch: EpochId::root(ServiceId(i)),
                    })
                })
            }))
            .collect();
        let states = entry_states(&ids);
        let quorums = [Quorum::Unknown, Quorum::Primary, Quorum::NonPrimary];
        let bools = [false, true];
        let mut fields = Vec::new();
        for h in [3, 4] {
            fields.extend([
                each(&bools, move |s, v| s.hosts[h].up = v),
                each(&bools, move |s, v| s.hosts[h].manager = v),
                each(&bools, move |s, v| s.hosts[h].connector.running = v),
                each(&bools, move |s, v| s.hosts[h].connector.online = v),
                each(&bools, move |s, v| s.hosts[h].dataserver = v),
                each(&bools, move |s, v| s.hosts[h].replicator.running = v),
                each(ReplicatorState::VARIANTS, move |s, v| {
                    s.hosts[h].replicator.state = v;
                }),
                each(ReplicatorRole::VARIANTS, move |s, v| {
                    s.hosts[h].replicator.role = v;
                }),
                each(&hosts, move |s, v| s.hosts[h].replicator.master = v),
                each(&restart_positions(), move |s, v| {
                    s.hosts[h].replicator.restart = v;
                }),
                each(&bools, move |s, v| s.hosts[h].cross_site.running = v),
                each(ReplicatorState::VARIANTS, move |s, v| {
                    s.hosts[h].cross_site.state = v;
                }),
                each(&positions, move |s, v| s.hosts[h].cross_site.applied = v),
                each(&positions, move |s, v| s.hosts[h].data.pos = v),
                each(&bools, move |s, v| s.hosts[h].data.drift = v),
                each(&orphan_marks(), move |s, v| s.hosts[h].data.orphaned = v),
                each(&epochs, move |s, v| s.hosts[h].data.writing = v),
                each(&ids, move |s, v| s.partition[h] = v),
                each(PolicyMode::VARIANTS, move |s, v| s.views[h].policy = v),
                each(&hosts, move |s, v| s.views[h].coordinator = v),
                each(&quorums, move |s, v| s.views[h].quorum = v),
                each(DataSourceRole::VARIANTS, move |s, v| {
                    s.views[h].datasources[h].role = v;
                }),
                each(&states, move |s, (v, f)| {
                    s.views[h].datasources[h].state = v;
                    set_fence(&mut s.views[h], h, f);
                }),
                each(&states, move |s, (v, f)| {
                    s.views[h].datasources[3].state = v;
                    set_fence(&mut s.views[h], 3, f);
                }),
                each(&bools, move |s, v| s.sessions[h].force = v),
                each(&ids, move |s, v| s.sessions[h].service = ServiceId(v)),
            ]);
        }
        let forks: Vec<Option<u64>> = [None, Some(0), Some(1), Some(u64::MAX - 1)].into();
        fields.push(each(&forks, |s, v| {
            if let Some(seqno) = v {
                let epoch = EpochId::root(ServiceId(0));
                let from = Some(Pos { seqno, epoch });
                let _ = s.history.start_epoch(ServiceId(0), from, []);
            }
        }));
        fields
    }

    /// The words of hosts `a` and `b`, one after the other, as a state packs neighbours.
    fn two_hosts(a: &HostState, b: &HostState) -> Vec<u64> {
        let mut out = Vec::new();
        pack_host(a, &mut |w| out.push(w));
        pack_host(b, &mut |w| out.push(w));
        out
    }

    /// An orphan mark's seqno goes out after the positions' seqnos, and bit 29 says it is
    /// there. Without that bit, a mark holding a seqno equal to the next host's first word
    /// would pack like a mark with none followed by a host holding one more position.
    #[test]
    fn an_orphan_marks_seqno_is_not_read_as_the_next_hosts_words() {
        let epoch = EpochId::root(ServiceId(0));
        let at = |seqno| Some(Pos { seqno, epoch });
        let empty = HostState::default();
        let first_word = |h: &HostState| two_hosts(h, &empty)[0];
        let next_x = HostState::default();
        let mut next_y = HostState::default();
        next_y.data.pos = at(first_word(&next_x));
        let mut marked_x = HostState::default();
        marked_x.data.pos = at(u64::MAX);
        let mut marked_y = marked_x;
        marked_x.data.orphaned = Some(Orphaned {
            shared: Some(first_word(&next_y)),
        });
        marked_y.data.orphaned = Some(Orphaned { shared: None });
        assert_ne!(two_hosts(&marked_x, &next_x), two_hosts(&marked_y, &next_y));
    }

    /// Every field, changed alone to each of its values: each field changes the words for some
    /// value (none is dropped), and over all these changes together equal words come only
    /// from equal states (no value of one field packs like a value of another).
    #[test]
    fn every_field_changes_the_words_and_no_two_changes_collide() {
        let t = Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap();
        let base = State::healthy(&t);
        let plain = words(&base, 5);
        let mut seen: std::collections::HashMap<Vec<u64>, State> = std::collections::HashMap::new();
        for (i, field) in field_values().iter().enumerate() {
            let mut changed = false;
            for set in field {
                let mut s = base;
                set(&mut s);
                let packed = words(&s, 5);
                changed |= packed != plain;
                if let Some(other) = seen.insert(packed, s) {
                    assert!(
                        other.eq_used(&s, 5),
                        "two states packed alike:\n{s:?}\n{other:?}"
                    );
                }
            }
            assert!(changed, "field {i} never changes the words");
        }
    }

    /// Any two fields set together, over all their values: equal words only for equal states.
    /// Unlike changing one field from a fixed state, this finds a field written over another
    /// one's bits, a value mapped like another, and an id overlapping its own cause.
    #[test]
    fn two_fields_at_any_values_pack_alike_only_when_equal() {
        let t = Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap();
        let base = State::healthy(&t);
        let fields = field_values();
        for (i, a) in fields.iter().enumerate() {
            for b in &fields[i + 1..] {
                let mut seen: std::collections::HashMap<Vec<u64>, State> =
                    std::collections::HashMap::new();
                for set_a in a {
                    for set_b in b {
                        let mut s = base;
                        set_a(&mut s);
                        set_b(&mut s);
                        if let Some(other) = seen.insert(words(&s, 5), s) {
                            assert!(
                                other.eq_used(&s, 5),
                                "two states packed alike:\n{s:?}\n{other:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// Slots past the hosts packed are left out, and equal states pack alike.
    #[test]
    fn only_the_used_slots_are_packed() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let base = State::healthy(&t);
        assert_eq!(words(&base, 3), words(&base.clone(), 3));
        let mut s = base;
        s.hosts[3].up = true;
        s.views[0].datasources[5].role = DataSourceRole::Master;
        assert_eq!(words(&s, 3), words(&base, 3));
        assert_ne!(words(&s, 4), words(&base, 4));
    }
}
