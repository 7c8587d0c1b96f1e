//! tungsten-model (work in progress)
pub mod ls;
pub mod model;
pub mod text;
pub use text::{ParseError, Span};
