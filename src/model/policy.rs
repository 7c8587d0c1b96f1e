//! Policy modes of a dataservice.

use serde::{Deserialize, Serialize};

/// The policy mode of a dataservice: which rule sets its managers apply.
///
/// Source: Continuent docs *operations-policymodes* (6.0). Policy is per dataservice and takes
/// effect at once; cctrl prints `policy mode is now MAINTENANCE`.
///
/// | rule set | AUTOMATIC | MANUAL | MAINTENANCE |
/// |---|---|---|---|
/// | monitoring | yes | yes | yes |
/// | fault detection | yes | yes | no |
/// | failure fencing | yes | yes | no |
/// | failure recovery (failover, auto-recover) | yes | no | no |
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "UPPERCASE")]
#[strum(serialize_all = "UPPERCASE", ascii_case_insensitive)]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
pub enum PolicyMode {
    /// Detects faults, fences, fails over and recovers by itself.
    #[default]
    Automatic,
    /// Detects faults and fences, but leaves recovery to the operator.
    Manual,
    /// Monitors only: no fault detection, fencing or recovery.
    Maintenance,
}

impl PolicyMode {
    /// Whether managers detect faults under this policy (AUTOMATIC and MANUAL).
    #[must_use]
    pub fn detects_faults(self) -> bool {
        self != Self::Maintenance
    }

    /// Whether managers fail over and recover by themselves (AUTOMATIC only).
    #[must_use]
    pub fn recovers(self) -> bool {
        self == Self::Automatic
    }
}

impl crate::text::Named for PolicyMode {
    const WHAT: &'static str = "a policy";
}
