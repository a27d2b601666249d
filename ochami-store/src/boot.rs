//! BSS records as the store keeps them: the names boot parameters are stored under
//! ([`BootKey`]), what is stored under one name ([`BootConfig`]) and the candidates of a
//! bootscript request by MAC — all defined in `ochami-core`, where `ochami-boot` reads them
//! too — and the endpoint-access history.

pub use ochami_core::{BootCandidates, BootConfig, BootKey, merge_patch};
use serde::{Deserialize, Serialize};

/// One row of BSS's endpoint-access history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointAccess {
    /// Node name (xname).
    pub name: String,
    /// `bootscript` or `user-data`.
    pub endpoint: String,
    /// Unix seconds.
    pub last_epoch: i64,
}
