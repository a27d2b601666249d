//! Power and boot control of ComputerSystems over Redfish.
//!
//! - [`ResetType`], [`PowerState`]: the Redfish vocabulary, parsed tolerantly.
//! - [`PowerOperation`]: what an operator asks for (`on`, `off`, `soft-restart`, ...), mapped
//!   onto the values each BMC advertises, in `ResetType@Redfish.AllowableValues` or in the
//!   action's `@Redfish.ActionInfo` (OpenBMC, HPE Cray EX), with fallbacks (iDRAC 9 has no
//!   `GracefulRestart`: `ForceRestart`; Cray EX's graceful off is the non-DMTF `Off`; a
//!   BMC with no restart value gets off-then-on). A BMC that advertises nothing gets the
//!   DMTF value and decides.
//! - [`RedfishClient::reset`](crate::RedfishClient::reset),
//!   [`RedfishClient::power_operation`](crate::RedfishClient::power_operation),
//!   [`RedfishClient::system_power`](crate::RedfishClient::system_power): one system. A
//!   reset is never sent a second time after a lost answer unless a fresh `PowerState`
//!   read shows it was not carried out; iDRAC's 409 to `On` while on counts as success.
//! - [`BootOverride`] and
//!   [`RedfishClient::set_boot_override`](crate::RedfishClient::set_boot_override): one-time
//!   PXE or UEFI HTTP boot with `If-Match`, the mode only when needed, read back.
//! - [`power_many`], [`power_status_many`]: many systems with bounded concurrency, a
//!   deadline per system, one [`PowerOutcome`] each, and [`PowerAbort`].

mod boot_override;
mod fleet;
mod operation;
mod reset_type;
mod system;

pub use boot_override::{
    BootMode, BootOverride, BootOverrideEnabled, BootOverrideOutcome, BootTarget,
};
pub use fleet::{
    NodePower, PowerAbort, PowerOptions, PowerOutcome, PowerResult, PowerTarget, power_many,
    power_status_many,
};
pub use operation::PowerOperation;
pub use reset_type::{PowerState, ResetType};
pub use system::{
    AllowedValuesSource, OperationOptions, PowerReport, ResetAction, ResetSent, SystemPower,
};
