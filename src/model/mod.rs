//! The typed vocabulary of a Tungsten cluster: names, roles, states, policies, replicator
//! positions, and the static topology and compact dynamic state built from them.

mod component;
mod consistency;
mod datasource_state;
mod history;
mod ids;
mod name;
mod pack;
mod policy;
mod replicator;
mod role;
mod state;
mod status;
mod topology;

pub use component::{Connections, ConnectorState, DataServerState, ManagerState};
pub use consistency::StateError;
pub use datasource_state::{
    DataSourceState, DataSourceStateError, ReasonText, ReasonTextError, ShunReason,
};
pub use history::{EpochId, History, HistoryFull, MAX_FORKS, Pos};
pub use ids::{HostId, HostSet, IdRangeError, MAX_HOSTS, MAX_SERVICES, ReasonId, ServiceId};
pub use name::{HostName, MAX_NAME_LEN, NameError, NameKind, ServiceName};
pub use policy::PolicyMode;
pub use replicator::{
    Epoch, Latency, LatencyError, Position, ReplicatorRole, ReplicatorState, Seqno, SeqnoRangeError,
};
pub use role::{CompositeRole, DataSourceRole};
pub use state::{
    ClusterReplicator, Connector, CrossSiteReplicator, Data, DsEntry, DsState, FailCause,
    HostState, ManagerView, Orphaned, Quorum, RestartPosition, Session, ShunCause, State,
};
pub use status::{AlertStatus, Meridiem, StatusTime, StatusTimeError};
pub use topology::{
    CompositeSpec, CrossSiteSpec, DEFAULT_CLUSTER_ROOT, DEFAULT_CROSS_SITE_PREFIX,
    DEFAULT_CROSS_SITE_ROOT, Host, HostKind, InstallRoots, ManagerOptions, Service, ServiceKind,
    ServiceSpec, Topology, TopologyError, TopologySpec,
};
