//! Change sets callers hand to the store: the PATCH bodies of ethernet interfaces and
//! groups/partitions, defined in `ochami-core` with their body rules and re-exported here
//! (SMD's bulk component updates are `ochami_core::ComponentUpdate`).

pub use ochami_core::{EthernetInterfacePatch, GroupPatch};
