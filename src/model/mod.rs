//! The typed vocabulary of a Tungsten cluster: names, roles, states, policies, replicator
//! positions, and the static topology and compact dynamic state built from them.

mod component;
mod datasource_state;
mod name;
mod policy;
mod replicator;
mod role;
mod status;

pub use component::{Connections, ConnectorState, DataServerState, ManagerState};
pub use datasource_state::{
    DataSourceState, DataSourceStateError, ReasonText, ReasonTextError, ShunReason,
};
pub use name::{HostName, MAX_NAME_LEN, NameError, NameKind, ServiceName};
pub use policy::PolicyMode;
pub use replicator::{Epoch, Latency, Position, ReplicatorRole, ReplicatorState, Seqno};
pub use role::{CompositeRole, DataSourceRole};
pub use status::{AlertStatus, Meridiem, StatusTime, StatusTimeError};
