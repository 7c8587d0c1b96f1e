//! Listings into the compact model and back.
#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use tungsten_model::ls::{self, Listing};
use tungsten_model::model::{
    DataSourceRole, DsState, HostId, PolicyMode, Quorum, ReplicatorRole, Seqno, ServiceName,
    ShunCause, State, Topology, TopologySpec,
};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/ls/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// `text` read as the listing of service `alpha`, and imported.
fn import_alpha(text: &str) -> ls::Import {
    let listing: Listing = text.parse().unwrap();
    State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap()
}

#[test]
fn seed004_failsafe_imports_with_its_assumptions() {
    let listing: Listing = fixture("seed004_failsafe.txt").parse().unwrap();
    let import = State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap();
    let (t, s) = (&import.topology, &import.state);
    assert_eq!(t.to_string(), "alpha: db1, db2, db3");
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| t.host_id(h).unwrap());
    // Ground truth: db1 and db3 read as down, db2 up with its replicator offline.
    assert!(!s.host(db1).up && !s.host(db3).up);
    // Nothing runs on a host read as down.
    assert!(!s.host(db1).replicator.running && !s.host(db3).replicator.running);
    assert!(s.host(db2).up && s.host(db2).manager && s.host(db2).dataserver);
    assert!(s.host(db2).replicator.running && !s.host(db2).replicator.is_online());
    assert_eq!(s.host(db2).replicator.master, Some(db3));
    assert!(s.host(db2).connector.running && s.host(db2).connector.online);
    // db1's replicator keeps the master role it will come back with.
    assert_eq!(s.host(db1).replicator.role, ReplicatorRole::Master);
    // The view: every datasource failsafe-shunned, no quorum, AUTOMATIC.
    let view = s.view(db2);
    assert_eq!(view.policy, PolicyMode::Automatic);
    assert_eq!(view.quorum, Quorum::NonPrimary);
    assert_eq!(view.coordinator, Some(db2));
    for h in [db1, db2, db3] {
        assert_eq!(view.entry(h).state, DsState::Shunned(ShunCause::Failsafe));
    }
    assert_eq!(view.entry(db3).role, DataSourceRole::Master);
    insta::assert_debug_snapshot!(import.assumptions, @r#"
    [
        "alpha: db1 and db3 cannot be reached (no manager answers, dataserver state unknown): read as down, not cut off by a partition",
        "alpha: the positions of db1, db2 and db3 are not printed: read as holding no events, on one line of history with the others",
    ]
    "#);
    // Projected back with the listing as world data, db2's manager prints the same listing.
    let again = ls::project(t, s, db2, Some(&listing));
    assert_eq!(again, listing);
}

#[test]
fn the_model_survives_json() {
    let listing: Listing = fixture("seed004_last_man_standing.txt").parse().unwrap();
    let import = State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap();
    let json = serde_json::to_string(&import).unwrap();
    let back: ls::Import = serde_json::from_str(&json).unwrap();
    assert_eq!(back, import);
    let t = Topology::multisite(&[("east", &["e1", "e2", "e3"]), ("west", &["w1", "w2", "w3"])])
        .unwrap();
    let s = State::healthy(&t);
    let back: State = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn listings_that_do_not_fit_are_refused() {
    let listing: Listing = fixture("seed004_failsafe.txt").parse().unwrap();
    let alpha = ServiceName::new("alpha").unwrap();
    let err =
        State::from_listings(&[(alpha.clone(), &listing), (alpha.clone(), &listing)]).unwrap_err();
    insta::assert_snapshot!(err, @"service `alpha` has two listings: expected one listing per service");
    let other = Topology::single("alpha", &["db1", "db2"]).unwrap();
    let err = State::from_listings_in(other, &[(alpha.clone(), &listing)]).unwrap_err();
    insta::assert_snapshot!(err, @"listing of `alpha` shows `db3`, which is not a host of that service in the topology");
    let spec = |json: &str| {
        Topology::try_from(serde_json::from_str::<TopologySpec>(json).unwrap()).unwrap()
    };
    let witness =
        spec(r#"{"services":[{"name":"alpha","datasources":["db1","db2"],"witnesses":["db3"]}]}"#);
    let err = State::from_listings_in(witness, &[(alpha.clone(), &listing)]).unwrap_err();
    insta::assert_snapshot!(err, @"listing of `alpha` shows `db3` where a datasource belongs (a datasource block, or a replicator's master), but the topology makes it a witness or a connector host: expected a topology where `db3` holds data");
    let one_connector = spec(
        r#"{"services":[{"name":"alpha","datasources":["db1","db2","db3"],"connectors":["db1"]}]}"#,
    );
    let err = State::from_listings_in(one_connector, &[(alpha, &listing)]).unwrap_err();
    insta::assert_snapshot!(err, @"listing of `alpha` shows a connector on `db2`, where the topology places none: expected a topology with a connector there");
    // The largest seqno a listing can hold, built in code or read.
    let mut past = listing.clone();
    let ls::DataSources::Physical(blocks) = &mut past.datasources else {
        panic!("seed 004 is a physical listing")
    };
    let progress = blocks[1].progress.as_mut().unwrap();
    progress.seqno = Some(Seqno::MAX);
    // The largest seqno itself imports (cargo-mutants: `>=` for `>` went unnoticed).
    let import = State::from_listings(&[(ServiceName::new("alpha").unwrap(), &past)]).unwrap();
    assert!(import.state.validate(&import.topology).is_ok());
    // None past it: a `Seqno` is checked when built, and a listing deserialised with one
    // past the largest is refused before any import sees it.
    let json = serde_json::to_string(&past).unwrap();
    assert!(json.contains("9223372036854775807"));
    let json = json.replace("9223372036854775807", "9223372036854775808");
    let err = serde_json::from_str::<ls::Listing>(&json).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "seqno 9223372036854775808 is past the largest a replicator holds, 9223372036854775807"
        ),
        "{err}"
    );
}

/// `FAILED-OVER-TO-<host>` names the datasource a failover went to; naming a connector host
/// instead, it is kept as the text it is, and the state validates.
#[test]
fn a_failover_to_a_host_that_holds_no_data_is_kept_as_text() {
    let text = fixture("seed004_failsafe.txt")
        .replacen(
            "|connector@db2[7519](ONLINE, created=0, active=0) |",
            "|connector@db2[7519](ONLINE, created=0, active=0) |\n|connector@app1[7520](ONLINE, created=0, active=0) |",
            1,
        )
        .replacen("db1(master:SHUNNED(FAILSAFE_SHUN))", "db1(master:SHUNNED(FAILED-OVER-TO-app1))", 1);
    let import = import_alpha(&text);
    let (t, s) = (&import.topology, &import.state);
    let [db1, db2] = ["db1", "db2"].map(|h| t.host_id(h).unwrap());
    let DsState::Shunned(ShunCause::Other(reason)) = s.view(db2).entry(db1).state else {
        panic!("{:?}", s.view(db2).entry(db1));
    };
    assert_eq!(t.reason(reason).unwrap().as_str(), "FAILED-OVER-TO-app1");
    assert_eq!(s.validate(t), Ok(()));
}

/// A slave's replicator row that does not name its master is read as replicating from the
/// listed master, and a master's as replicating from nobody.
#[test]
fn a_replicator_row_without_a_master_reads_from_the_listed_master() {
    let text = fixture("docs40_healthy_76col.txt").replacen(
        "REPLICATOR(role=slave, master=host1, state=ONLINE)",
        "REPLICATOR(role=slave, state=ONLINE)               ",
        1,
    );
    let import = import_alpha(&text);
    let (t, s) = (&import.topology, &import.state);
    let [host1, host2] = ["host1", "host2"].map(|h| t.host_id(h).unwrap());
    assert_eq!(s.host(host2).replicator.role, ReplicatorRole::Slave);
    assert_eq!(s.host(host2).replicator.master, Some(host1));
    assert_eq!(s.host(host1).replicator.master, None);
}

/// A replicator row no replicator can print is refused: a slave reading from its own host,
/// or a master with a source (a master extracts from its own dataserver).
#[test]
fn a_replicator_reading_from_itself_or_a_master_with_a_source_is_refused() {
    let alpha = ServiceName::new("alpha").unwrap();
    let import = |text: String| {
        let listing: Listing = text.parse().unwrap();
        State::from_listings(&[(alpha.clone(), &listing)]).map(|_| ())
    };
    let healthy = fixture("docs40_healthy_76col.txt");
    assert_eq!(import(healthy.clone()), Ok(()));
    let own = healthy.replacen(
        "REPLICATOR(role=slave, master=host1, state=ONLINE)",
        "REPLICATOR(role=slave, master=host2, state=ONLINE)",
        1,
    );
    insta::assert_snapshot!(import(own).unwrap_err(), @"listing of `alpha` shows the replicator on `host2` reading from itself (`master=host2`): expected another datasource as its master");
    let master = healthy.replacen(
        "REPLICATOR(role=master, state=ONLINE)               ",
        "REPLICATOR(role=master, master=host3, state=ONLINE)",
        1,
    );
    insta::assert_snapshot!(import(master).unwrap_err(), @"listing of `alpha` shows the master replicator on `host1` reading from `host3`: a master extracts from its own dataserver; expected role slave or relay, or no `master=`");
}

/// In a multisite deployment every connector routes to both sites, so each site's ROUTERS
/// lists the other site's hosts too: those stay hosts of their own site, not connector-only
/// hosts added to this one.
#[test]
fn routers_on_the_other_site_stay_hosts_of_their_own_site() {
    let healthy = fixture("docs40_healthy_76col.txt");
    let site = |prefix: &str| healthy.replace("host", prefix);
    let east = site("e").replacen(
        "ROUTERS:\n",
        "ROUTERS:\n|connector@w1[8805](ONLINE, created=0, active=0)                             |\n",
        1,
    );
    let (east, west): (Listing, Listing) = (east.parse().unwrap(), site("w").parse().unwrap());
    let import = State::from_listings(&[
        (ServiceName::new("east").unwrap(), &east),
        (ServiceName::new("west").unwrap(), &west),
    ])
    .unwrap();
    assert_eq!(
        import.topology.to_string(),
        "east: e1, e2, e3 | west: w1, w2, w3"
    );
}

/// A connector on a host that is no datasource (an application server) becomes a
/// connector-only host of the service.
#[test]
fn a_router_on_an_application_host_becomes_a_connector_host() {
    let text = fixture("docs40_healthy_76col.txt").replacen(
        "ROUTERS:\n",
        "ROUTERS:\n|connector@app1[8805](ONLINE, created=0, active=0)                           |\n",
        1,
    );
    let import = import_alpha(&text);
    let app1 = import.topology.host_id("app1").unwrap();
    assert!(!import.topology.host(app1).is_datasource());
    assert!(import.state.host(app1).connector.running);
}

/// A host id read from JSON at or past [`MAX_HOSTS`] is an error (an embedder's review found
/// a state holding one sending `apply` into a loop); the last id in range, past a small
/// topology's hosts, names no host and reaches nothing.
#[test]
fn a_host_id_out_of_range_from_json_reaches_nothing() {
    use tungsten_model::model::{HostId, MAX_HOSTS};
    let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
    let s = State::healthy(&t);
    assert!(serde_json::from_str::<HostId>("200").is_err());
    assert!(serde_json::from_str::<HostId>(&MAX_HOSTS.to_string()).is_err());
    let last: HostId = serde_json::from_str(&(MAX_HOSTS - 1).to_string()).unwrap();
    assert_eq!(Some(last), HostId::from_index(MAX_HOSTS - 1));
    let db1 = t.host_id("db1").unwrap();
    assert!(!s.reachable(last, db1) && !s.reachable(db1, last));
    assert!(!s.host(last).up);
}

/// The 4.0 healthy listing as the passive site `west` of `east` (`w1` a relay reading `e1`).
fn passive_west(healthy: &str) -> String {
    healthy
        .replace("host", "w")
        .replace("|w1(master:ONLINE", "|w1(relay:ONLINE ")
        .replace("role=master, state", "role=relay, master=e1, state")
}

/// A composite slave listed SHUNNED or FAILED, at a site whose listing (or healthy start) holds
/// its relay ONLINE, is refused: the model reads a passive site's composite state from its
/// relay, so the listing's shun was dropped, `ls` at the composite printed the site ONLINE and
/// a composite `switch` to it read VALID (an operator's review). Listed OFFLINE it imports, as
/// the docs' *operations-composite-recovery* prints a recovered site beside its ONLINE relay;
/// listed `SHUNNED(FAILSAFE_SHUN)` with no listing of its own, the site is read lost.
#[test]
fn a_composite_slave_listed_out_of_service_beside_an_online_relay_is_refused() {
    let healthy = fixture("docs40_healthy_76col.txt");
    let composite = fixture("docs71_composite_76col.txt");
    let name = |s: &str| ServiceName::new(s).unwrap();
    let east: Listing = healthy.replace("host", "e").parse().unwrap();
    let west: Listing = passive_west(&healthy).parse().unwrap();
    let topology: Topology = serde_json::from_str::<tungsten_model::model::TopologySpec>(
        r#"{"services": [{"name": "east", "datasources": ["e1", "e2", "e3"]}, {"name": "west", "datasources": ["w1", "w2", "w3"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#,
    )
    .unwrap()
    .try_into()
    .unwrap();
    let with = |state: &str| -> Listing {
        composite
            .lines()
            .map(|l| {
                if l.starts_with("|west(") {
                    let row = format!("west(composite slave:{state})");
                    format!("|{row:<width$}|\n", width = l.len() - 2)
                } else {
                    format!("{l}\n")
                }
            })
            .collect::<String>()
            .parse()
            .unwrap()
    };
    for state in ["SHUNNED(MANUALLY-SHUNNED)", "FAILED"] {
        let listed = with(state);
        for members in [vec![], vec![(name("east"), &east), (name("west"), &west)]] {
            let mut listings = vec![(name("global"), &listed)];
            listings.extend(members);
            let err = State::from_listings_in(topology.clone(), &listings).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "composite `global` lists `west` as `composite slave:{state}`, but `west` holds its relay ONLINE (its listing, or its healthy start when it has none), and the model reads a passive site's composite state from its relay: give the listings of the composite's members taken with it"
                ),
            );
        }
    }
    let offline = with("OFFLINE");
    assert!(
        State::from_listings_in(
            topology.clone(),
            &[
                (name("global"), &offline),
                (name("east"), &east),
                (name("west"), &west)
            ]
        )
        .is_ok()
    );
    let lost = with("SHUNNED(FAILSAFE_SHUN)");
    assert!(
        State::from_listings_in(topology, &[(name("global"), &lost), (name("east"), &east)])
            .is_ok()
    );
}

/// A composite listing is checked against its members' listings and against the healthy start
/// of a member without one (the first member active): a composite listing showing its second
/// site active, given with a topology and no member listings, started the first site active
/// with nothing said (a review of the documents' listings), and one listing both sites as
/// writing was read as given.
#[test]
fn a_composite_listing_that_disagrees_with_its_members_is_refused() {
    let healthy = fixture("docs40_healthy_76col.txt");
    let composite = fixture("docs71_composite_76col.txt");
    let name = |s: &str| ServiceName::new(s).unwrap();
    let east: Listing = healthy.replace("host", "e").parse().unwrap();
    let both_write: Listing = healthy.replace("host", "w").parse().unwrap();
    let swapped: Listing = composite
        .replace(
            "east(composite master:ONLINE)",
            "east(composite slave:ONLINE) ",
        )
        .replace(
            "west(composite slave:ONLINE) ",
            "west(composite master:ONLINE)",
        )
        .parse()
        .unwrap();
    let listed: Listing = composite.parse().unwrap();
    let err = State::from_listings(&[
        (name("global"), &listed),
        (name("east"), &east),
        (name("west"), &both_write),
    ])
    .unwrap_err();
    assert!(
        err.to_string().starts_with("composite `global` lists `west` as `composite slave:ONLINE`, but `west` holds a datasource in the master role"),
        "{err}"
    );
    let topology: Topology = serde_json::from_str::<tungsten_model::model::TopologySpec>(
        r#"{"services": [{"name": "east", "datasources": ["e1", "e2", "e3"]}, {"name": "west", "datasources": ["w1", "w2", "w3"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#,
    )
    .unwrap()
    .try_into()
    .unwrap();
    let err = State::from_listings_in(topology.clone(), &[(name("global"), &swapped)]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("composite `global` lists `east` as `composite slave:ONLINE`"),
        "{err}"
    );
    // The documents' listing after a composite failover: east superseded, west the master.
    let superseded: Listing = composite
        .replace(
            "east(composite master:ONLINE)      ",
            "east(composite master:SHUNNED(SUPERSEDED))",
        )
        .replace(
            "west(composite slave:ONLINE) ",
            "west(composite master:ONLINE)",
        )
        .parse()
        .unwrap();
    let err =
        State::from_listings_in(topology.clone(), &[(name("global"), &superseded)]).unwrap_err();
    assert!(
        err.to_string().starts_with("composite `global` lists `east` as `composite master:SHUNNED(SUPERSEDED)`, but `east` holds its master ONLINE (its listing, or its healthy start when it has none)"),
        "{err}"
    );
    // The documents' listing before a composite failover, east lost: given with east's
    // healthy listing, that listing disagrees with it (an operator's review found it started
    // healthy, nothing said). Given alone, east is read as lost
    // (`a_site_a_composite_listing_shows_lost_is_read_down_without_a_listing`).
    let lost: Listing = composite
        .replace(
            "east(composite master:ONLINE)      ",
            "east(composite master:SHUNNED(FAILSAFE_SHUN))",
        )
        .parse()
        .unwrap();
    let err = State::from_listings_in(
        topology.clone(),
        &[(name("global"), &lost), (name("east"), &east)],
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("composite `global` lists `east` as `composite master:SHUNNED(FAILSAFE_SHUN)`, but `east` holds its master ONLINE"),
        "{err}"
    );
    let south: Listing = composite.replace("west(", "south(").parse().unwrap();
    let err = State::from_listings_in(topology.clone(), &[(name("global"), &south)]).unwrap_err();
    assert!(
        err.to_string().ends_with("but the topology's `global` has no member `south`: give the listings of the composite's members taken with it"),
        "{err}"
    );
    // The listing that agrees with the healthy start imports, alone or with its members'.
    assert!(State::from_listings_in(topology.clone(), &[(name("global"), &listed)]).is_ok());
    let west: Listing = passive_west(&healthy).parse().unwrap();
    assert!(
        State::from_listings_in(
            topology,
            &[
                (name("global"), &listed),
                (name("east"), &east),
                (name("west"), &west)
            ]
        )
        .is_ok()
    );
}

/// A block copied without its component rows (the documents' blog posts print a header and
/// STATUS only) is read with its replicator OFFLINE:NORMAL: the import says so (it did not).
#[test]
fn a_block_without_a_replicator_row_is_an_assumption() {
    let listing: Listing = "COORDINATOR[db1:AUTOMATIC:ONLINE]\n\nDATASOURCES:\n|db1(slave:SHUNNED(MANUALLY-SHUNNED), |\n|progress=31893503241, latency=0.777) |\n|STATUS [SHUNNED] [2023/01/13 04:30:02 AM EST] |\n"
        .parse()
        .unwrap();
    let name = ServiceName::new("alpha").unwrap();
    let import = State::from_listings(&[(name, &listing)]).unwrap();
    assert_eq!(
        import.assumptions,
        [
            "alpha: the listing prints no ROUTERS section: the connectors on db1 are read as running and routing (ONLINE), so a master the managers hold takes writes; paste the whole `ls` output to have them as they are",
            "alpha: the blocks of db1 print no DATASERVER row: read as the dataserver running",
            "alpha: the blocks of db1 print no REPLICATOR row: read as the replicator OFFLINE:NORMAL in the role its datasource has"
        ]
    );
    // A whole listing says nothing of the kind.
    let whole: Listing = fixture("docs40_healthy_76col.txt").parse().unwrap();
    let import = State::from_listings(&[(ServiceName::new("alpha").unwrap(), &whole)]).unwrap();
    assert_eq!(import.assumptions, Vec::<String>::new());
}

/// A relay reading another site that no composite joins to its own is refused for that, not
/// for the host being "not of the service" (a review of the documents' listings).
#[test]
fn a_relay_without_a_composite_is_refused_for_that() {
    let healthy = fixture("docs40_healthy_76col.txt");
    let east: Listing = healthy.replace("host", "e").parse().unwrap();
    let west: Listing = passive_west(&healthy).parse().unwrap();
    let name = |s: &str| ServiceName::new(s).unwrap();
    let err = State::from_listings(&[(name("east"), &east), (name("west"), &west)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "listing of `west` shows the relay on `w1` reading `e1` of `east`, but no composite joins `east` and `west`: give the composite's listing too (without a topology), or a topology that declares the composite (a JSON `TopologySpec` with `composites`: the one-line `single` and `multisite` forms declare none)"
    );
    let composite: Listing = fixture("docs71_composite_76col.txt").parse().unwrap();
    assert!(
        State::from_listings(&[
            (name("east"), &east),
            (name("west"), &west),
            (name("global"), &composite)
        ])
        .is_ok()
    );
}

/// A listing lacks a datasource its topology gives its service: `ls` lists every one, so the
/// listing is partial (a block copied from a page), and the state the model made up for the
/// others (with no assumption said) decided the verdict (a review of the documents' listings).
#[test]
fn a_listing_that_lacks_a_datasource_of_its_topology_is_refused() {
    let healthy = fixture("docs40_healthy_76col.txt");
    let listing: Listing = healthy.parse().unwrap();
    let name = |s: &str| ServiceName::new(s).unwrap();
    let topology = Topology::single("alpha", &["host1", "host2", "host3", "host4"]).unwrap();
    let err = State::from_listings_in(topology, &[(name("alpha"), &listing)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "listing of `alpha` does not show `host4`, which the topology gives `alpha`: `ls` lists every datasource of its service; give the whole listing, or a topology without them"
    );
}

/// A composite's listing may come before its members'; a name given twice, to a composite and
/// to a physical service, is refused.
#[test]
fn a_composite_listed_first_imports_and_its_name_is_its_own() {
    let healthy = fixture("docs40_healthy_76col.txt");
    let composite: Listing = fixture("docs71_composite_76col.txt").parse().unwrap();
    let east: Listing = healthy.replace("host", "e").parse().unwrap();
    let west: Listing = passive_west(&healthy).parse().unwrap();
    let name = |s: &str| ServiceName::new(s).unwrap();
    let import = State::from_listings(&[
        (name("global"), &composite),
        (name("east"), &east),
        (name("west"), &west),
    ])
    .unwrap();
    assert_eq!(import.topology.physical_services().count(), 2);
    assert!(import.topology.service_id("global").is_some());
    let err = State::from_listings(&[
        (name("east"), &composite),
        (name("east"), &east),
        (name("west"), &west),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "service `east` has two listings: expected one listing per service"
    );
}

/// With two master rows (the old master OFFLINE, the new one ONLINE), a slave's replicator
/// row that names no master reads from the ONLINE one.
#[test]
fn a_slave_without_a_named_master_reads_from_the_online_master() {
    let pad = |s: &str, to: &str| format!("{s:<w$}", w = to.len());
    let mut text = fixture("docs40_healthy_76col.txt");
    for (from, to) in [
        (
            "host1(master:ONLINE, progress=3, THL latency=0.561)",
            "host1(master:OFFLINE, progress=3, THL latency=0.561)",
        ),
        (
            "host2(slave:ONLINE, progress=3, latency=1.243)      ",
            "host2(master:ONLINE, progress=3, THL latency=1.243)",
        ),
        (
            "REPLICATOR(role=slave, master=host1, state=ONLINE)",
            "REPLICATOR(role=master, state=ONLINE)",
        ),
        (
            "REPLICATOR(role=slave, master=host1, state=ONLINE)",
            "REPLICATOR(role=slave, state=ONLINE)",
        ),
    ] {
        text = text.replacen(&format!("{from} "), &pad(to, &format!("{from} ")), 1);
    }
    let import = import_alpha(&text);
    let (t, s) = (&import.topology, &import.state);
    let [host2, host3] = ["host2", "host3"].map(|h| t.host_id(h).unwrap());
    assert_eq!(s.host(host2).replicator.role, ReplicatorRole::Master);
    assert_eq!(s.host(host3).replicator.master, Some(host2));
}

/// A stopped replicator keeps its role, and a slave's keeps the master it will read from
/// once started.
#[test]
fn a_stopped_replicator_keeps_its_role_and_master() {
    let text = fixture("docs40_healthy_76col.txt")
        .replacen(
            "REPLICATOR(role=master, state=ONLINE) ",
            "REPLICATOR(role=master, state=STOPPED)",
            1,
        )
        .replacen(
            "REPLICATOR(role=slave, master=host1, state=ONLINE) ",
            "REPLICATOR(role=slave, master=host1, state=STOPPED)",
            1,
        );
    let import = import_alpha(&text);
    let (t, s) = (&import.topology, &import.state);
    let [host1, host2] = ["host1", "host2"].map(|h| t.host_id(h).unwrap());
    for h in [host1, host2] {
        assert!(!s.host(h).replicator.running);
    }
    assert_eq!(s.host(host1).replicator.role, ReplicatorRole::Master);
    assert_eq!(s.host(host2).replicator.role, ReplicatorRole::Slave);
    assert_eq!(s.host(host2).replicator.master, Some(host1));
}

/// A healthy three-node cluster after `process` on db2 stops, with db1's and db2's ids.
fn db2_stopped(process: tungsten_model::fault::Process) -> (Topology, State, [HostId; 2]) {
    use tungsten_model::fault::Fault;
    use tungsten_model::machine::{self, Input};
    let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
    let ids = ["db1", "db2"].map(|h| t.host_id(h).unwrap());
    let stop = Input::Fault(Fault::Stop(ids[1], process));
    let s = machine::apply(&t, &State::healthy(&t), &stop)
        .unwrap()
        .state;
    (t, s, ids)
}

/// A failure reason the managers write (`DATASERVER 'db2@alpha' STOPPED`) reads back as its
/// cause for a host of the listed service; naming another service, it is kept as text.
#[test]
fn a_failure_reason_reads_back_as_its_cause_only_for_its_own_service() {
    use tungsten_model::fault::Process;
    use tungsten_model::model::FailCause;
    let (t, s, [db1, db2]) = db2_stopped(Process::DataServer);
    let failed = DsState::Failed(FailCause::DataServerStopped);
    assert_eq!(s.view(db1).entry(db2).state, failed);
    let text = ls::project(&t, &s, db1, None).to_string();
    assert!(text.contains("DATASERVER 'db2@alpha' STOPPED"), "{text}");
    let read = |text: &str| {
        let listing: Listing = text.parse().unwrap();
        let import =
            State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap();
        let h = import.topology.host_id("db2").unwrap();
        import.state.view(h).entry(h).state
    };
    assert_eq!(read(&text), failed);
    let replicator = text.replace(
        "DATASERVER 'db2@alpha' STOPPED",
        "REPLICATOR 'db2@alpha' FAILED",
    );
    assert_eq!(read(&replicator), DsState::Failed(FailCause::Replicator));
    let elsewhere = read(&text.replace("'db2@alpha'", "'db2@gamma'"));
    assert!(
        matches!(elsewhere, DsState::Failed(FailCause::Other(_))),
        "{elsewhere:?}"
    );
}

/// A host whose manager is stopped answers nothing: its block has no progress and its
/// replicator's status is not available, though the network reaches it.
#[test]
fn a_host_without_its_manager_shows_no_replicator_status() {
    use tungsten_model::fault::Process;
    use tungsten_model::model::ReplicatorState;
    let (t, s, [db1, db2]) = db2_stopped(Process::Manager);
    assert!(s.reachable(db1, db2) && s.host(db2).replicator.is_online());
    let listing = ls::project(&t, &s, db1, None);
    let block = listing.datasource("db2").unwrap();
    assert_eq!(block.progress, None);
    assert_eq!(
        block.replicator.as_ref().map(|r| r.state),
        Some(ReplicatorState::StatusNotAvailable)
    );
}

/// A SUSPECT replicator (its manager doubts its health, seen in 4.0 listings) is imported as
/// ONLINE, and the import says so in an assumption line: it may be picked by a failover.
/// Before, it was read as ONLINE with nothing said (found by an operator's review).
#[test]
fn a_suspect_replicator_is_read_as_online_and_said_so() {
    use tungsten_model::model::ReplicatorState;
    let import = import_alpha(&host2_reads(
        "master=host1, state=ONLINE)",
        "master=host1, state=SUSPECT)",
    ));
    let host2 = import.topology.host_id("host2").unwrap();
    assert_eq!(
        import.state.host(host2).replicator.state,
        ReplicatorState::Online
    );
    insta::assert_snapshot!(import.assumptions.join("\n"), @"alpha: the replicator of host2 is SUSPECT (the manager doubts its health): read as ONLINE, so a failover may pick it; check with `trepctl status` before relying on it");
    // On a host no manager answers for, the listed replicator is not read at all (it is
    // derived from the datasource's role), so nothing is said of it: seed 004's db3 with a
    // SUSPECT row is read as down, not as a SUSPECT replicator read as ONLINE (found by an
    // independent review).
    let seed004 = fixture("seed004_failsafe.txt");
    let at = seed004
        .rfind("| REPLICATOR(state=STATUS NOT AVAILABLE) |")
        .unwrap();
    let mut text = seed004.clone();
    text.replace_range(
        at..at + "| REPLICATOR(state=STATUS NOT AVAILABLE) |".len(),
        "| REPLICATOR(role=master, state=SUSPECT) |",
    );
    let import = import_alpha(&text);
    assert!(
        import.assumptions.iter().all(|a| !a.contains("SUSPECT")),
        "{:?}",
        import.assumptions
    );
}

/// A replicator still provisioning or restoring does not hold its data yet: it is imported as
/// OFFLINE:NORMAL, with a stated assumption, so a failover passes it over; one synchronizing
/// counts as online, as candidate selection counts it (Continuent docs
/// *manual-switch-versus-automatic-failover*). Before, both read as ONLINE, and a failover
/// could promote a half-provisioned host2.
#[test]
fn a_provisioning_replicator_is_no_failover_candidate() {
    use tungsten_model::fault::{Fault, Process};
    use tungsten_model::machine::{self, Input};
    use tungsten_model::model::ReplicatorState;
    let text = fixture("docs40_healthy_76col.txt")
        .replacen(
            &format!("master=host1, state=ONLINE){}", " ".repeat(19)),
            "master=host1, state=GOING-ONLINE:PROVISIONING)",
            1,
        )
        .replacen(
            &format!("master=host1, state=ONLINE){}", " ".repeat(20)),
            "master=host1, state=GOING-ONLINE:SYNCHRONIZING)",
            1,
        );
    let import = import_alpha(&text);
    let (t, s) = (&import.topology, &import.state);
    let [host1, host2, host3] = ["host1", "host2", "host3"].map(|h| t.host_id(h).unwrap());
    assert_eq!(
        s.host(host2).replicator.state,
        ReplicatorState::OfflineNormal
    );
    assert_eq!(s.host(host3).replicator.state, ReplicatorState::Online);
    assert!(
        import
            .assumptions
            .iter()
            .any(|a| a.contains("host2 are provisioning or restoring")),
        "{:?}",
        import.assumptions
    );
    let crash = Input::Fault(Fault::Stop(host1, Process::DataServer));
    let after = machine::apply(t, s, &crash).unwrap().state;
    let view = after.view(host3);
    assert_eq!(view.entry(host3).role, DataSourceRole::Master);
    assert_eq!(view.entry(host2).role, DataSourceRole::Slave);
}

/// The healthy docs 4.0 listing with `from` replaced by `to` in host2's block, padded to the
/// box's width.
fn host2_reads(from: &str, to: &str) -> String {
    let text = fixture("docs40_healthy_76col.txt");
    let block = text.find("|host2(").unwrap();
    let at = block + text[block..].find(from).unwrap();
    let width = from.len().max(to.len());
    assert!(text[at + from.len()..].starts_with(&" ".repeat(width - from.len())));
    format!("{}{to:<width$}{}", &text[..at], &text[at + width..])
}

/// A composite whose member has no listing of its own is refused, naming the member.
#[test]
fn a_composite_needs_the_listing_of_every_member() {
    let composite: Listing = fixture("docs71_composite_76col.txt").parse().unwrap();
    let east: Listing = fixture("docs40_healthy_76col.txt")
        .replace("host", "e")
        .parse()
        .unwrap();
    let name = |s: &str| ServiceName::new(s).unwrap();
    let err =
        State::from_listings(&[(name("global"), &composite), (name("east"), &east)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "composite `global` lists `west`, which has no listing: give the physical listing of every member"
    );
}

/// `SHUNNED(FAILED-OVER-TO-<host>)` naming a host of the listed service reads back as the
/// failover that replaced the datasource.
#[test]
fn a_failed_over_master_reads_back_as_failed_over_to_its_successor() {
    use tungsten_model::fault::Fault;
    use tungsten_model::machine::{self, Input};
    let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
    let [db1, db2] = ["db1", "db2"].map(|h| t.host_id(h).unwrap());
    let mut s = State::healthy(&t);
    for f in [Fault::HostCrash(db1), Fault::HostRestart(db1)] {
        s = machine::apply(&t, &s, &Input::Fault(f)).unwrap().state;
    }
    let replaced = DsState::Shunned(ShunCause::FailedOverTo(db2));
    assert_eq!(s.view(db2).entry(db1).state, replaced);
    let text = ls::project(&t, &s, db2, None).to_string();
    assert!(text.contains("SHUNNED(FAILED-OVER-TO-db2)"), "{text}");
    let import = import_alpha(&text);
    let t = &import.topology;
    let [db1, db2] = ["db1", "db2"].map(|h| t.host_id(h).unwrap());
    assert_eq!(
        import.state.view(db2).entry(db1).state,
        DsState::Shunned(ShunCause::FailedOverTo(db2))
    );
}

/// A host whose connector the managers list as running is up, though no manager answers for
/// it and its dataserver state is unknown: a crashed host's connector drops out of ROUTERS.
/// The import says what it assumed, and gives a state `validate` accepts (the `parse_ls`
/// fuzzer found the host read as down beside its running connector).
#[test]
fn a_host_whose_connector_runs_is_up() {
    let text = fixture("seed004_failsafe.txt").replacen(
        "|connector@db2[7519](ONLINE, created=0, active=0) |",
        "|connector@db2[7519](ONLINE, created=0, active=0) |\n|connector@db1[7520](ONLINE, created=0, active=0) |",
        1,
    );
    let listing: Listing = text.parse().unwrap();
    let import = State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap();
    let (t, s) = (&import.topology, &import.state);
    let [db1, db3] = ["db1", "db3"].map(|h| t.host_id(h).unwrap());
    let host = s.host(db1);
    assert!(host.up && !host.manager && host.dataserver);
    assert!(host.connector.running && host.connector.online);
    assert!(!s.host(db3).up);
    // Membership is evaluated afresh: db2 reaches db1's host, a majority, while every entry
    // stays FAILSAFE_SHUN until it is recovered, as when hosts come back after a quorum loss.
    assert_eq!(s.view(db1).quorum, Quorum::Primary);
    assert_eq!(s.validate(t), Ok(()));
    // A connector in an unknown state is no sign of its host: db1 is down, and so is it.
    let unknown = text.replacen(
        "connector@db1[7520](ONLINE,",
        "connector@db1[7520](UNKNOWN,",
        1,
    );
    let unknown = import_alpha(&unknown);
    let host = unknown.state.host(db1);
    assert!(!host.up && !host.connector.running);
    assert_eq!(unknown.state.validate(&unknown.topology), Ok(()));
    insta::assert_debug_snapshot!(import.assumptions, @r#"
    [
        "alpha: db3 cannot be reached (no manager answers, dataserver state unknown): read as down, not cut off by a partition",
        "alpha: no manager answers for db1 and the dataserver state is unknown, but the connector runs: read as up, with the dataserver running and the replicator OFFLINE:NORMAL in the role its datasource has",
        "alpha: the positions of db1, db2 and db3 are not printed: read as holding no events, on one line of history with the others",
    ]
    "#);
}

/// Every fixture listing that imports by itself gives a state `validate` accepts.
#[test]
fn every_fixture_that_imports_validates() {
    let dir = format!("{}/tests/fixtures/ls", env!("CARGO_MANIFEST_DIR"));
    let mut imported = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Some fixtures hold one datasource block, not a whole listing.
        let Ok(listing) = text.parse::<Listing>() else {
            continue;
        };
        let service =
            ls::prompt_service(&text).unwrap_or_else(|| ServiceName::new("alpha").unwrap());
        if let Ok(import) = State::from_listings(&[(service, &listing)]) {
            assert_eq!(
                import.state.validate(&import.topology),
                Ok(()),
                "{}",
                path.display()
            );
            imported.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    // The composites' listings import only beside their members'.
    for name in [
        "docs40_healthy_76col.txt",
        "seed004_failsafe.txt",
        "seed004_last_man_standing.txt",
    ] {
        assert!(imported.iter().any(|i| i == name), "{name}: {imported:?}");
    }
}

/// A host whose manager answers is up, even when its dataserver's state is unknown.
#[test]
fn a_host_whose_manager_answers_is_up() {
    let text = host2_reads("DATASERVER(state=ONLINE)", "DATASERVER(state=UNKNOWN)");
    let import = import_alpha(&text);
    let host2 = import.topology.host_id("host2").unwrap();
    assert!(import.state.host(host2).up);
    assert!(import.state.host(host2).manager);
}

/// With its manager stopped, a host's replicator row is not trusted: the replicator is
/// taken as running but OFFLINE:NORMAL in the role its datasource has, reading from the
/// listed master.
#[test]
fn a_replicator_row_is_read_only_where_the_manager_answers() {
    use tungsten_model::model::ReplicatorState;
    let text = host2_reads("MANAGER(state=ONLINE)", "MANAGER(state=STOPPED)");
    let import = import_alpha(&text);
    let t = &import.topology;
    let [host1, host2] = ["host1", "host2"].map(|h| t.host_id(h).unwrap());
    let host = import.state.host(host2);
    assert!(host.up && !host.manager);
    assert!(host.replicator.running);
    assert_eq!(host.replicator.state, ReplicatorState::OfflineNormal);
    assert_eq!(host.replicator.role, ReplicatorRole::Slave);
    assert_eq!(host.replicator.master, Some(host1));
}

/// With no ONLINE master listed, a slave whose replicator row names no master reads from the
/// master that is listed, whatever its state.
#[test]
fn a_slave_without_a_named_master_reads_from_an_offline_master() {
    let text = fixture("docs40_healthy_76col.txt")
        .replacen(
            "host1(master:ONLINE, progress=3, THL latency=0.561) ",
            "host1(master:OFFLINE, progress=3, THL latency=0.561)",
            1,
        )
        .replacen(
            "REPLICATOR(role=slave, master=host1, state=ONLINE)",
            "REPLICATOR(role=slave, state=ONLINE)              ",
            1,
        );
    assert!(text.contains("host1(master:OFFLINE") && text.contains("role=slave, state=ONLINE"));
    let import = import_alpha(&text);
    let t = &import.topology;
    let [host1, host2] = ["host1", "host2"].map(|h| t.host_id(h).unwrap());
    assert_eq!(import.state.host(host2).replicator.master, Some(host1));
}

/// A healthy three-node `alpha`, with db1's, db2's and db3's ids.
fn alpha() -> (Topology, [HostId; 3]) {
    let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
    let ids = ["db1", "db2", "db3"].map(|h| t.host_id(h).unwrap());
    (t, ids)
}

/// The healthy state of `t` after `inputs`.
fn after(t: &Topology, inputs: &[tungsten_model::machine::Input]) -> State {
    let mut s = State::healthy(t);
    for input in inputs {
        s = tungsten_model::machine::apply(t, &s, input).unwrap().state;
    }
    s
}

/// A replicator running in OFFLINE:ERROR is a problem with one of its datasource's services:
/// DIMINISHED, with its reason (helper-94 F3: it printed OK).
#[test]
fn a_replicator_in_error_makes_its_datasource_diminished() {
    use tungsten_model::fault::Fault;
    use tungsten_model::machine::{CctrlOp, Input};
    use tungsten_model::model::AlertStatus;
    let (t, [db1, db2, _]) = alpha();
    let s = after(
        &t,
        &[
            Input::Cctrl {
                at: db1,
                op: CctrlOp::SetPolicy(PolicyMode::Maintenance),
            },
            Input::Fault(Fault::ReplicatorError(db2)),
        ],
    );
    let listing = ls::project(&t, &s, db1, None);
    let block = listing.datasource("db2").unwrap();
    assert_eq!(
        (
            block.status.alert,
            block.reason.as_ref().map(ToString::to_string)
        ),
        (
            AlertStatus::Diminished,
            Some("REPLICATOR STOPPED WITH ERROR".to_owned())
        )
    );
}

/// A projected listing prints a STATUS for each datasource as its manager sets it: OK when
/// ONLINE, DIMINISHED with `REASON[REPLICATOR STOPPED]` when ONLINE with its replicator
/// stopped, WARN when OFFLINE, CRITICAL with the failure as the reason when FAILED; and
/// routers only for running connectors.
#[test]
fn a_projected_listing_derives_each_status_and_lists_running_routers() {
    use tungsten_model::command::DatasourceAction;
    use tungsten_model::fault::{Fault, Process};
    use tungsten_model::machine::{CctrlOp, Input};
    use tungsten_model::model::{AlertStatus, FailCause};
    let status = |listing: &Listing, h: &str| {
        let block = listing.datasource(h).unwrap();
        (
            block.status.alert,
            block.reason.as_ref().map(ToString::to_string),
        )
    };
    let (t, [db1, db2, db3]) = alpha();
    let healthy = ls::project(&t, &State::healthy(&t), db1, None);
    for h in ["db1", "db2", "db3"] {
        assert_eq!(status(&healthy, h), (AlertStatus::Ok, None), "{h}");
    }
    assert_eq!(healthy.routers.as_ref().map(Vec::len), Some(3));

    let s = after(
        &t,
        &[
            Input::Cctrl {
                at: db1,
                op: CctrlOp::SetPolicy(PolicyMode::Maintenance),
            },
            Input::Fault(Fault::Stop(db2, Process::Replicator)),
            Input::Fault(Fault::Stop(db3, Process::Connector)),
            Input::Cctrl {
                at: db1,
                op: CctrlOp::Datasource(db3, DatasourceAction::Offline),
            },
        ],
    );
    assert!(!s.host(db2).replicator.running);
    let listing = ls::project(&t, &s, db1, None);
    assert_eq!(
        status(&listing, "db2"),
        (
            AlertStatus::Diminished,
            Some("REPLICATOR STOPPED".to_owned())
        )
    );
    assert_eq!(status(&listing, "db3"), (AlertStatus::Warn, None));
    // Given the listing before, a datasource whose state changed (its role did not) gets a
    // fresh STATUS; one that kept both keeps the old line.
    let world = healthy
        .to_string()
        .replace("STATUS [OK]", "STATUS [OK] [2024/01/02 03:04:05 AM UTC]");
    let world: Listing = world.parse().unwrap();
    let listing = ls::project(&t, &s, db1, Some(&world));
    assert_eq!(status(&listing, "db3"), (AlertStatus::Warn, None));
    assert_eq!(
        listing.datasource("db1").unwrap().status,
        world.datasource("db1").unwrap().status
    );
    assert!(listing.datasource("db1").unwrap().status.time.is_some());
    let routers: Vec<String> = listing
        .routers
        .iter()
        .flatten()
        .map(|r| r.host.to_string())
        .collect();
    assert_eq!(routers, ["db1", "db2"]);

    let s = after(&t, &[Input::Fault(Fault::HostCrash(db3))]);
    let unreachable = DsState::Failed(FailCause::Unreachable);
    assert_eq!(s.view(db1).entry(db3).state, unreachable);
    let listing = ls::project(&t, &s, db1, None);
    assert_eq!(
        status(&listing, "db3"),
        (
            AlertStatus::Critical,
            Some("HOST 'db3@alpha' UNREACHABLE".to_owned())
        )
    );
    // And it reads back as the failure it names.
    let import = import_alpha(&listing.to_string());
    let db3 = import.topology.host_id("db3").unwrap();
    assert_eq!(import.state.view(db3).entry(db3).state, unreachable);
}

/// Cross-site replicators are not in `ls`: imported listings take them as online and caught
/// up with the master of the site they read from, at the position its listing gives.
#[test]
fn imported_cross_site_replicators_are_caught_up_with_their_source() {
    use tungsten_model::fault::Fault;
    use tungsten_model::machine::Input;
    let t = tungsten_model::runbook::scenario("seed000-drifted")
        .unwrap()
        .topology;
    let [db1, db4] = ["db1", "db4"].map(|h| t.host_id(h).unwrap());
    let s = after(
        &t,
        &[
            Input::Fault(Fault::Write(db1)),
            Input::Fault(Fault::Write(db1)),
        ],
    );
    assert!(s.host(db1).data.pos.is_some());
    let east = ls::project(&t, &s, db1, None);
    let west = ls::project(&t, &s, db4, None);
    let name = |s: &str| ServiceName::new(s).unwrap();
    let import =
        State::from_listings_in(t.clone(), &[(name("east"), &east), (name("west"), &west)])
            .unwrap();
    // Listings carry seqnos, not epochs: the import puts each site's in its root epoch.
    let db1 = import.topology.host_id("db1").unwrap();
    let east_at = import.state.host(db1).data.pos;
    assert_eq!(
        east_at.map(|p| p.seqno),
        s.host(db1).data.pos.map(|p| p.seqno)
    );
    for h in ["db4", "db5", "db6"] {
        let h = import.topology.host_id(h).unwrap();
        let cross = import.state.host(h).cross_site;
        assert!(cross.is_online(), "{h:?}");
        assert_eq!(cross.applied, east_at, "{h:?}");
    }
}

/// A listing whose coordinator is a connector host (it runs no manager) is refused: the
/// coordinator is one of the service's managers.
#[test]
fn a_coordinator_must_run_a_manager() {
    let text = fixture("docs40_healthy_76col.txt")
        .replacen("COORDINATOR[host1:", "COORDINATOR[app1:", 1)
        .replacen(
            "|connector@host1[8805](ONLINE, created=0, active=0)      ",
            "|connector@app1[8805](ONLINE, created=0, active=0)       ",
            1,
        );
    assert!(text.contains("COORDINATOR[app1:") && text.contains("connector@app1["));
    let listing: Listing = text.parse().unwrap();
    let err = State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the coordinator `app1` of `alpha` runs no manager: a coordinator is one of the service's managers (a datasource or an active witness)"
    );
}

/// `ls` with no viewer named shows the view of a running manager: a state read from JSON whose
/// views name a coordinator with its manager stopped (the engine never leaves one: each
/// group's coordinator is one of its members) falls back to the manager itself.
#[test]
fn the_default_viewer_runs_a_manager() {
    use tungsten_model::fault::{Fault, Process};
    use tungsten_model::machine::{CctrlOp, Input};
    let (t, [db1, db2, _]) = alpha();
    let s = after(
        &t,
        &[
            Input::Cctrl {
                at: db1,
                op: CctrlOp::SetPolicy(PolicyMode::Maintenance),
            },
            Input::Fault(Fault::Stop(db1, Process::Manager)),
        ],
    );
    let alpha = t.host(db1).service;
    assert_eq!(s.view(db2).coordinator, Some(db2));
    assert_eq!(ls::default_viewer(&t, &s, alpha), Some(db2));
    // Name db1 the coordinator in every view, as a hand-written state could.
    let mut json: serde_json::Value = serde_json::to_value(s).unwrap();
    let db1_json = serde_json::to_value(db1).unwrap();
    for view in json["views"].as_array_mut().unwrap() {
        view["coordinator"] = db1_json.clone();
    }
    let stale: State = serde_json::from_value(json).unwrap();
    assert_eq!(stale.view(db2).coordinator, Some(db1));
    assert_eq!(ls::default_viewer(&t, &stale, alpha), Some(db2));
}

/// A shun reason or failure text the model has no cause for is kept as the listing wrote it,
/// and the same text twice is one reason (cargo-mutants, `topology.rs`: `Topology::reason`
/// answering none, and `intern_reason` adding every text anew or answering the first id,
/// went unnoticed).
#[test]
fn a_reason_the_model_does_not_know_reads_back_as_written() {
    for to in ["slave:SHUNNED(LOST-CONTACT)", "slave:FAILED(DISK FULL)"] {
        let tail = ", progress=3, latency=1.243)";
        let text = host2_reads(&format!("slave:ONLINE{tail}"), &format!("{to}{tail}"));
        let import = import_alpha(&text);
        let (t, s) = (&import.topology, &import.state);
        let [host1, host2] = ["host1", "host2"].map(|h| t.host_id(h).unwrap());
        let back = ls::project(t, s, host1, None).to_string();
        assert!(back.contains(&format!("|host2({to}")), "{to}:\n{back}");
        // Interning the same text again finds it; another text gets a new id.
        let mut t = t.clone();
        let cause = match s.view(host1).entry(host2).state {
            DsState::Shunned(ShunCause::Other(id))
            | DsState::Failed(tungsten_model::model::FailCause::Other(id)) => id,
            other => panic!("{other:?}"),
        };
        let same = t.reason(cause).unwrap().clone();
        assert_eq!(t.intern_reason(&same).unwrap(), cause);
        let other = tungsten_model::model::ReasonText::new("SOMETHING ELSE".to_owned()).unwrap();
        let new = t.intern_reason(&other).unwrap();
        assert_ne!(new, cause);
        assert_eq!(t.reason(new), Some(&other));
        assert_eq!(t.intern_reason(&other).unwrap(), new);
    }
}

/// A master that cannot be reached prints no progress (cctrl has no replicator to ask), while
/// its slaves print theirs. Read as holding nothing, it would leave its slaves ahead of it
/// and every step of a plan from there reported as breaking position order; it is read as
/// holding what its most advanced datasource prints, and the assumption says what that
/// cannot see. (Found by an operator's review: `ls` itself was reported UNSAFE.)
#[test]
fn an_unreachable_master_with_no_progress_holds_what_its_slaves_print() {
    let import = import_alpha(UNREACHABLE_MASTER);
    let (t, s) = (&import.topology, &import.state);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| t.host_id(h).unwrap());
    assert_eq!(s.host(db1).data.pos.map(|p| p.seqno), Some(43));
    assert_eq!(s.host(db2).data.pos.map(|p| p.seqno), Some(38));
    assert_eq!(s.host(db3).data.pos.map(|p| p.seqno), Some(43));
    assert!(s.validate(t).is_ok());
    assert_eq!(tungsten_model::machine::invariant::check(t, s), None);
    insta::assert_debug_snapshot!(import.assumptions, @r#"
    [
        "alpha: db1 cannot be reached (no manager answers, dataserver state unknown): read as down, not cut off by a partition",
        "alpha: the position of db1 (master role) is not printed: read as holding every event the most advanced datasource prints (to seqno 43) and no more; any beyond (not yet extracted, or orphaned by a failover) are not seen: check with `thl list` or tungsten_find_orphaned before recovering it or promoting around it",
    ]
    "#);
}

/// A slave whose position is not printed is still read as holding no events: nothing it
/// replicates from bounds it from below.
#[test]
fn a_slave_with_no_progress_still_holds_no_events() {
    let text = UNREACHABLE_MASTER.replace(", progress=38, latency=0.120", "");
    let import = import_alpha(&text);
    let (t, s) = (&import.topology, &import.state);
    let [db1, db2] = ["db1", "db2"].map(|h| t.host_id(h).unwrap());
    assert_eq!(s.host(db1).data.pos.map(|p| p.seqno), Some(43));
    assert_eq!(s.host(db2).data.pos, None);
    insta::assert_debug_snapshot!(import.assumptions, @r#"
    [
        "alpha: db1 cannot be reached (no manager answers, dataserver state unknown): read as down, not cut off by a partition",
        "alpha: the positions of db2 are not printed: read as holding no events, on one line of history with the others",
        "alpha: the position of db1 (master role) is not printed: read as holding every event the most advanced datasource prints (to seqno 43) and no more; any beyond (not yet extracted, or orphaned by a failover) are not seen: check with `thl list` or tungsten_find_orphaned before recovering it or promoting around it",
    ]
    "#);
}

const UNREACHABLE_MASTER: &str = "\
COORDINATOR[db2:MANUAL:ONLINE]
ROUTERS:
+---------------------------------------------------------------------------------+
|connector@db2[16111](ONLINE, created=0, active=0)                                |
|connector@db3[16036](ONLINE, created=0, active=0)                                |
+---------------------------------------------------------------------------------+
DATASOURCES:
+---------------------------------------------------------------------------------+
|db1(master:FAILED(NODE 'db1' IS UNREACHABLE))                                    |
|STATUS [CRITICAL] [2025/01/28 09:08:12 AM UTC]                                   |
+---------------------------------------------------------------------------------+
|  MANAGER(state=STOPPED)                                                         |
|  REPLICATOR(state=STATUS NOT AVAILABLE)                                         |
|  DATASERVER(state=UNKNOWN)                                                      |
|  CONNECTIONS(created=0, active=0)                                               |
+---------------------------------------------------------------------------------+
+---------------------------------------------------------------------------------+
|db2(slave:ONLINE, progress=38, latency=0.120)                                    |
|STATUS [OK] [2025/01/28 09:08:12 AM UTC]                                         |
+---------------------------------------------------------------------------------+
|  MANAGER(state=ONLINE)                                                          |
|  REPLICATOR(role=slave, master=db1, state=ONLINE)                               |
|  DATASERVER(state=ONLINE)                                                       |
|  CONNECTIONS(created=0, active=0)                                               |
+---------------------------------------------------------------------------------+
+---------------------------------------------------------------------------------+
|db3(slave:ONLINE, progress=43, latency=0.120)                                    |
|STATUS [OK] [2025/01/28 09:08:12 AM UTC]                                         |
+---------------------------------------------------------------------------------+
|  MANAGER(state=ONLINE)                                                          |
|  REPLICATOR(role=slave, master=db1, state=ONLINE)                               |
|  DATASERVER(state=ONLINE)                                                       |
|  CONNECTIONS(created=0, active=0)                                               |
+---------------------------------------------------------------------------------+
";

/// No listing, or a topology of no service, is refused: a topology with no host would leave
/// every accessor that names a host nothing to name (found by an API review: both read `Ok`,
/// then `Topology::host_name` panicked).
#[test]
fn a_topology_of_no_service_is_refused() {
    let error = State::from_listings(&[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "no service: expected at least one service with a datasource"
    );
    let error = serde_json::from_str::<Topology>(r#"{"services":[]}"#).unwrap_err();
    assert!(error.to_string().starts_with("no service"), "{error}");
    let spec: TopologySpec = serde_json::from_str(r#"{"services":[]}"#).unwrap();
    assert_eq!(
        Topology::try_from(spec),
        Err(tungsten_model::model::TopologyError::NoService)
    );
}

/// The Continuent 4.0 healthy listing with its ROUTERS section cut out, as a paste that
/// stops short of it.
fn healthy_without_routers() -> String {
    let text = fixture("docs40_healthy_76col.txt");
    let start = text.find("ROUTERS:").unwrap();
    let end = text.find("DATASOURCES:").unwrap();
    format!("{}{}", &text[..start], &text[end..])
}

/// A listing with no ROUTERS section says nothing of the connectors: they are read as
/// running and routing, so the master takes writes, and the import says so (an independent
/// review found them read as stopped with nothing said: no master was writable, and a plan
/// making two masters writable would have read safe).
#[test]
fn a_listing_without_routers_reads_its_connectors_as_routing_and_says_so() {
    use tungsten_model::machine::invariant::writable_masters;
    let import = import_alpha(&healthy_without_routers());
    let (t, s) = (&import.topology, &import.state);
    let alpha = t.service_id("alpha").unwrap();
    for h in ["host1", "host2", "host3"] {
        let connector = s.host(t.host_id(h).unwrap()).connector;
        assert!(connector.running && connector.online, "{h}");
    }
    assert_eq!(
        writable_masters(t, s, alpha, t.host_set()).len(),
        1,
        "the master takes writes"
    );
    insta::assert_debug_snapshot!(import.assumptions, @r#"
    [
        "alpha: the listing prints no ROUTERS section: the connectors on host1, host2 and host3 are read as running and routing (ONLINE), so a master the managers hold takes writes; paste the whole `ls` output to have them as they are",
    ]
    "#);
    // With the section printed, nothing is assumed of the connectors.
    let listed = import_alpha(&fixture("docs40_healthy_76col.txt"));
    assert!(
        !listed.assumptions.iter().any(|a| a.contains("ROUTERS")),
        "{:?}",
        listed.assumptions
    );
}

/// A replicator listed GOING-ONLINE:SYNCHRONIZING is read as ONLINE, and the import says so,
/// as it does for a SUSPECT one (an independent review found nothing said).
#[test]
fn a_synchronizing_replicator_is_read_as_online_and_said() {
    use tungsten_model::model::ReplicatorState;
    let text = fixture("docs40_healthy_76col.txt");
    let at = text.find("REPLICATOR(role=slave").unwrap();
    let line_end = at + text[at..].find(')').unwrap();
    let row = &text[at..=line_end];
    let synchronizing = row.replace("state=ONLINE", "state=GOING-ONLINE:SYNCHRONIZING");
    let text = format!("{}{}{}", &text[..at], synchronizing, &text[line_end + 1..]);
    let import = import_alpha(&text);
    let t = &import.topology;
    let said: Vec<&String> = import
        .assumptions
        .iter()
        .filter(|a| a.contains("SYNCHRONIZING"))
        .collect();
    insta::assert_debug_snapshot!(said, @r#"
    [
        "alpha: the replicator of host2 is GOING-ONLINE:SYNCHRONIZING: read as ONLINE and holding what the listing shows, as failover counts a synchronizing replicator a candidate; check with `trepctl status` that it reaches ONLINE",
    ]
    "#);
    let host = said[0].split("replicator of ").nth(1).unwrap();
    let host = host.split(' ').next().unwrap();
    assert_eq!(
        import.state.host(t.host_id(host).unwrap()).replicator.state,
        ReplicatorState::Online
    );
}

/// Projected back with its own listing as world data, a listing printed without a ROUTERS
/// section, and with a block that prints no progress, is given back as it was (an
/// independent review found an empty ROUTERS box and `progress=-1, THL latency=-1.000`
/// added to the documents' DIMINISHED example).
#[test]
fn what_a_listing_leaves_out_stays_out_when_projected_back() {
    let text = healthy_without_routers();
    let at = text.find("host1(master:ONLINE").unwrap();
    let header_end = at + text[at..].find(')').unwrap();
    let text = format!("{}host1(master:ONLINE{}", &text[..at], &text[header_end..]).replace(
        "REPLICATOR(role=master, state=ONLINE)",
        "REPLICATOR(state=STOPPED)",
    );
    let listing: Listing = text.parse().unwrap();
    assert!(listing.routers.is_none());
    let import = State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap();
    let host1 = import.topology.host_id("host1").unwrap();
    let again = ls::project(&import.topology, &import.state, host1, Some(&listing));
    assert_eq!(again.to_string(), listing.to_string());
}

/// A passive site's listing alone, its relay reading the other site's master, is refused
/// with what to give: that site's listing and the composite's (a review of the documents'
/// listings found it refused as showing a host not in its service, though no topology was
/// given).
#[test]
fn a_relay_site_listed_alone_asks_for_the_site_it_reads() {
    let block = fixture("docs70_relay_trailing_blanks_block.txt");
    let text = format!("COORDINATOR[db4:AUTOMATIC:ONLINE]\n\nDATASOURCES:\n{block}");
    let listing: Listing = text.parse().unwrap();
    let err = State::from_listings(&[(ServiceName::new("beta").unwrap(), &listing)]).unwrap_err();
    insta::assert_snapshot!(err, @"listing of `beta` shows the relay on `db4` reading `db2`, which no listing shows: a relay reads another site's master, so give that site's listing and the composite's (`use <composite>`, then `ls`), or a topology that declares them");
}

/// A block that lost its DATASERVER or MANAGER row in the paste is read one way or the other,
/// and the import says which (an operator's review found seed 004's listing with db2's
/// DATASERVER row lost read as running with nothing said: had the row shown it stopped, the
/// plan forcing db2 to be the master was refused).
#[test]
fn a_block_that_lost_a_row_says_how_it_is_read() {
    let text = fixture("seed004_last_man_standing.txt");
    let row = |host: &str, name: &str| {
        let block = text.find(&format!("|{host}(")).unwrap();
        let at = block + text[block..].find(name).unwrap();
        let start = text[..at].rfind('\n').unwrap() + 1;
        let end = at + text[at..].find('\n').unwrap() + 1;
        (start, end)
    };
    let (ds_start, ds_end) = row("db2", "DATASERVER(");
    let lost_dataserver = format!("{}{}", &text[..ds_start], &text[ds_end..]);
    let import = import_alpha(&lost_dataserver);
    assert!(
        import
            .state
            .host(import.topology.host_id("db2").unwrap())
            .dataserver
    );
    assert!(
        import.assumptions.contains(
            &"alpha: the blocks of db2 print no DATASERVER row: read as the dataserver running"
                .to_owned()
        ),
        "{:?}",
        import.assumptions
    );
    // db2 is the coordinator, whose manager answers: db1's row is the one to lose.
    let (m_start, m_end) = row("db1", "MANAGER(");
    let lost_manager = format!("{}{}", &text[..m_start], &text[m_end..]);
    let said: Vec<String> = import_alpha(&lost_manager)
        .assumptions
        .into_iter()
        .filter(|a| a.contains("MANAGER"))
        .collect();
    insta::assert_debug_snapshot!(said, @r#"
    [
        "alpha: the blocks of db1 print no MANAGER row: read as the manager not answering (stopped, or the host down when nothing else shows it up)",
    ]
    "#);
}

/// A listing that lost a datasource's whole block, which another's replicator reads, is
/// refused for that, with the hint that a block may have been lost (an operator's review
/// found it refused as showing a host not in its service).
#[test]
fn a_listing_that_lost_a_block_read_by_another_says_so() {
    let text = fixture("seed004_failsafe.txt");
    let start = text.find("|db3(").unwrap();
    let start = text[..start].rfind("+-").unwrap();
    let end = start
        + text[start..]
            .match_indices("+-")
            .nth(2)
            .map(|(i, _)| i)
            .unwrap();
    let end = end + text[end..].find('\n').map_or(text.len() - end, |i| i + 1);
    let lost = format!("{}{}", &text[..start], &text[end..]);
    assert!(!lost.contains("|db3("), "{lost}");
    let listing: Listing = lost.parse().unwrap();
    let err = State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap_err();
    insta::assert_snapshot!(err, @"listing of `alpha` shows `db2` reading `db3`, which has no block in that listing: expected a block for every datasource (was one lost in the paste?)");
}

/// A block whose role is `witness` is refused, with the way to read it: the model takes
/// witnesses from the topology (an audit against the docs found one read as a datasource,
/// a replicator and a dataserver added to it on the way back).
#[test]
fn a_witness_block_is_refused_with_the_way_to_declare_it() {
    let listed = fixture("docs40_healthy_76col.txt");
    let border = format!("+{}+", "-".repeat(76));
    let row = |text: &str| format!("|{text:<76}|");
    let with_witness = [
        listed.trim_end().to_owned(),
        border.clone(),
        row("host4(witness:ONLINE)"),
        row("STATUS [OK] [2013/05/03 09:11:10 PM BST]"),
        border.clone(),
        row("  MANAGER(state=ONLINE)"),
        border,
    ]
    .join("\n");
    let listing: Listing = with_witness.parse().unwrap();
    assert_eq!(
        listing.datasource("host4").map(|b| b.role),
        Some(DataSourceRole::Witness)
    );
    let error =
        State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap_err();
    assert!(
        matches!(&error, ls::ImportError::WitnessBlock { host, .. } if host == "host4"),
        "{error}"
    );
    assert!(
        error.to_string().contains("declare `host4` a witness"),
        "{error}"
    );
}

/// A lost site whose listing prints no positions, beside a passive site whose relay reads it:
/// the lost site's master is read as holding what the relay's site prints, the events it
/// replicated from it. Read as holding nothing, the relay was ahead of its source, and the
/// docs' composite failover started with `position-order` broken, a listing artefact (found by
/// an operator's review of *operations-composite-failover*).
#[test]
fn a_lost_master_without_positions_holds_what_a_passive_site_read_from_it() {
    let healthy = fixture("docs40_healthy_76col.txt");
    let name = |s: &str| ServiceName::new(s).unwrap();
    let block = |host: &str, role: &str| {
        format!(
            "+----------------------------------------------------------------------------+\n\
             |{host}({role}:SHUNNED(FAILSAFE_SHUN))                                      |\n\
             |STATUS [SHUNNED] [2025/01/28 02:39:49 PM UTC]                              |\n\
             +----------------------------------------------------------------------------+\n\
             |  MANAGER(state=STOPPED)                                                   |\n\
             |  REPLICATOR(state=STATUS NOT AVAILABLE)                                   |\n\
             |  DATASERVER(state=UNKNOWN)                                                |\n\
             |  CONNECTIONS(created=0, active=0)                                         |\n\
             +----------------------------------------------------------------------------+\n"
        )
    };
    let east: Listing = format!(
        "COORDINATOR[e1:AUTOMATIC:ONLINE]\n\nDATASOURCES:\n{}{}{}",
        block("e1", "master"),
        block("e2", "slave"),
        block("e3", "slave")
    )
    .parse()
    .unwrap();
    let west: Listing = passive_west(&healthy).parse().unwrap();
    let topology: Topology = serde_json::from_str::<tungsten_model::model::TopologySpec>(
        r#"{"services": [{"name": "east", "datasources": ["e1", "e2", "e3"]}, {"name": "west", "datasources": ["w1", "w2", "w3"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#,
    )
    .unwrap()
    .try_into()
    .unwrap();
    let import =
        State::from_listings_in(topology, &[(name("east"), &east), (name("west"), &west)]).unwrap();
    let (t, s) = (&import.topology, &import.state);
    let e1 = t.host_id("e1").unwrap();
    assert_eq!(s.host(e1).data.pos.map(|p| p.seqno), Some(3));
    assert_eq!(
        tungsten_model::machine::invariant::check_all(t, s),
        [],
        "{:?}",
        import.assumptions
    );
    assert!(
        import.assumptions.iter().any(|a| a.starts_with(
            "east: the position of e1 (master role) is not printed: read as holding every event a site replicating from it prints (to seqno 3)"
        )),
        "{:?}",
        import.assumptions
    );
}

/// The docs' composite-failover listing alone (*operations-composite-failover*, 7.0: `beta`
/// the active site, `composite master:SHUNNED(FAILSAFE_SHUN)`): no listing of beta can be
/// taken, its managers being gone, so beta is read as down, every datasource
/// `SHUNNED(FAILSAFE_SHUN)` in its managers' views, and the import says so. It was refused,
/// with the advice to give beta's listing (an operator's review).
#[test]
fn a_site_a_composite_listing_shows_lost_is_read_down_without_a_listing() {
    let listing: Listing = fixture("docs70_composite_failsafe_83col.txt")
        .parse()
        .unwrap();
    let topology: Topology = serde_json::from_str::<TopologySpec>(
        r#"{"services": [{"name": "beta", "datasources": ["db4", "db5", "db6"]}, {"name": "alpha", "datasources": ["db1", "db2", "db3"]}], "composites": [{"name": "global", "members": ["beta", "alpha"]}]}"#,
    )
    .unwrap()
    .try_into()
    .unwrap();
    let import =
        State::from_listings_in(topology, &[(ServiceName::new("global").unwrap(), &listing)])
            .unwrap();
    let (t, s) = (&import.topology, &import.state);
    for name in ["db4", "db5", "db6"] {
        let h = t.host_id(name).unwrap();
        assert!(!s.host(h).up && !s.manager_running(h), "{name}");
        for d in ["db4", "db5", "db6"] {
            assert_eq!(
                s.view(h).entry(t.host_id(d).unwrap()).state,
                DsState::Shunned(ShunCause::Failsafe),
                "{name}'s view of {d}"
            );
        }
    }
    let db1 = t.host_id("db1").unwrap();
    assert!(s.host(db1).up && s.manager_running(db1));
    assert_eq!(
        import.assumptions,
        [
            "beta: listed as `composite master:SHUNNED(FAILSAFE_SHUN)` and given no listing of its own: db4, db5 and db6 read as down, not cut off by a partition, every datasource SHUNNED(FAILSAFE_SHUN)"
        ]
    );
    assert!(s.validate(t).is_ok());
    assert_eq!(tungsten_model::machine::invariant::check_all(t, s), []);
    // FAILED is what `datasource beta fail` prints for a live site, whose listing can be
    // taken: without it, the composite listing disagrees with beta's healthy start.
    let failed: Listing = fixture("docs70_composite_failsafe_83col.txt")
        .replace(
            "beta(composite master:SHUNNED(FAILSAFE_SHUN))",
            "beta(composite master:FAILED)                ",
        )
        .parse()
        .unwrap();
    let err = State::from_listings_in(
        import.topology.clone(),
        &[(ServiceName::new("global").unwrap(), &failed)],
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("composite `global` lists `beta` as `composite master:FAILED`"),
        "{err}"
    );
}

/// An import read from JSON is checked as `Start` is: its state must be one the engine could
/// hold over its topology. One whose state another topology's import held (three hosts
/// healthy, read over one host) loaded, and became a `Start` that `Start`'s own JSON refuses.
#[test]
fn an_import_read_from_json_fits_its_topology() {
    let import = import_alpha(&fixture("seed004_failsafe.txt"));
    let json = serde_json::to_value(&import).unwrap();
    assert_eq!(
        serde_json::from_value::<ls::Import>(json.clone()).unwrap(),
        import
    );

    let other = Topology::single("alpha", &["db1"]).unwrap();
    let mut mismatched = json;
    mismatched["topology"] = serde_json::to_value(&other).unwrap();
    let err = serde_json::from_value::<ls::Import>(mismatched.clone()).unwrap_err();
    let start_err =
        serde_json::from_value::<tungsten_model::runbook::Start>(mismatched).unwrap_err();
    assert_eq!(err.to_string(), start_err.to_string());
}
