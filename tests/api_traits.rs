//! What an embedder expects of the public types, checked at compile time: every error is a
//! `std::error::Error` that `?` can carry across threads into `Box<dyn Error + Send + Sync>`
//! (as `anyhow` and tokio tasks need), and the values are `Debug`, `Clone` and comparable.

use tungsten_model::command::{HostRefError, OptionValueError, SeqnoSetError, StopTimeError};
use tungsten_model::fault::EventError;
use tungsten_model::ls::{ImportError, ListingError};
use tungsten_model::machine::{RefusedAt, Rejection, ResolveError};
use tungsten_model::model::{
    DataSourceStateError, HistoryFull, IdRangeError, LatencyError, NameError, ReasonTextError,
    SeqnoRangeError, StateError, StatusTimeError, TopologyError,
};
use tungsten_model::runbook::{ProcedureError, RunbookError, TopologyFileError};
use tungsten_model::{ParseError, UnknownName};

fn an_error<E: std::error::Error + Send + Sync + Clone + PartialEq + 'static>() {}

/// Every public error type, one line each: a new one belongs here.
#[test]
fn public_errors_are_send_sync_static_errors() {
    an_error::<ParseError>();
    an_error::<UnknownName>();
    an_error::<NameError>();
    an_error::<TopologyError>();
    an_error::<StateError>();
    an_error::<StatusTimeError>();
    an_error::<ReasonTextError>();
    an_error::<SeqnoRangeError>();
    an_error::<DataSourceStateError>();
    an_error::<HistoryFull>();
    an_error::<ImportError>();
    an_error::<Rejection>();
    an_error::<RefusedAt>();
    an_error::<ResolveError>();
    an_error::<HostRefError>();
    an_error::<OptionValueError>();
    an_error::<SeqnoSetError>();
    an_error::<StopTimeError>();
    an_error::<RunbookError>();
    an_error::<ProcedureError>();
    an_error::<TopologyFileError>();
    an_error::<EventError>();
    an_error::<IdRangeError>();
    an_error::<LatencyError>();
    an_error::<ListingError>();
}
