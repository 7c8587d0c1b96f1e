//! proptest strategies for the crate's types (feature `proptest`).
//!
//! They generate well-formed values: names that validate, reasons that print back, listings
//! whose rendering reads back to themselves, and engine inputs over a topology. Use them to
//! property-test code that consumes this crate's types, or your own procedures against the
//! model.

mod input;
mod listing;

pub use input::{Alphabet, cctrl, fault, host, input, sequence, split, trepctl};
pub use listing::{datasource_state, host_name, listing, reason_text, service_name};
