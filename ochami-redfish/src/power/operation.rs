//! Power operations (what an operator asks for) and how each maps onto the `ResetType`s a
//! BMC advertises.
//!
//! | operation | when the system is off | when it is on |
//! |---|---|---|
//! | `On` | `On` (else `ForceOn`, `PushPowerButton`) | nothing |
//! | `Off` | nothing | `GracefulShutdown` (else `Off`), then `ForceOff` if still on after the graceful timeout |
//! | `SoftOff` | nothing | `GracefulShutdown` (else `Off`) |
//! | `ForceOff` | nothing | `ForceOff` |
//! | `SoftRestart` | power on | `GracefulRestart` (else `ForceRestart`); without either, `Off` then `On` |
//! | `HardRestart` | power on | `ForceRestart` (else `PowerCycle`); without either, `ForceOff` then `On` |
//! | `Init` | power on | `Off` then `On` |
//! | `Nmi` | `Nmi` | `Nmi` |
//!
//! A restart of a system that is off powers it on: either way the system ends on, running
//! whatever it boots next, which is what a restart is asked for (PCS instead fails such a
//! task). When a BMC advertises no values at all (neither the annotation nor an ActionInfo),
//! the DMTF value in the first column is sent as is and the BMC decides.

use serde::{Deserialize, Serialize};

use super::reset_type::ResetType;

/// A power operation on one system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PowerOperation {
    /// Power on (nothing to do when on).
    On,
    /// Graceful shutdown, forced after the graceful timeout.
    Off,
    /// Graceful shutdown only.
    SoftOff,
    /// Immediate power off.
    ForceOff,
    /// Graceful restart.
    SoftRestart,
    /// Immediate restart.
    HardRestart,
    /// Off (graceful, then forced) and on again; power on when off.
    Init,
    /// A non-maskable interrupt (diagnostic dump).
    Nmi,
}

impl PowerOperation {
    /// Every operation, in declaration order.
    pub const ALL: [PowerOperation; 8] = [
        PowerOperation::On,
        PowerOperation::Off,
        PowerOperation::SoftOff,
        PowerOperation::ForceOff,
        PowerOperation::SoftRestart,
        PowerOperation::HardRestart,
        PowerOperation::Init,
        PowerOperation::Nmi,
    ];

    /// The kebab-case name PCS uses (`"soft-restart"`).
    pub fn as_str(self) -> &'static str {
        match self {
            PowerOperation::On => "on",
            PowerOperation::Off => "off",
            PowerOperation::SoftOff => "soft-off",
            PowerOperation::ForceOff => "force-off",
            PowerOperation::SoftRestart => "soft-restart",
            PowerOperation::HardRestart => "hard-restart",
            PowerOperation::Init => "init",
            PowerOperation::Nmi => "nmi",
        }
    }

    /// The SMD `State` a component is in once this operation succeeded on its system: `Off`
    /// after the off operations, `On` after the others; `None` for `Nmi`, which changes
    /// no power state.
    pub fn resulting_state(self) -> Option<ochami_core::State> {
        match self {
            PowerOperation::Off | PowerOperation::SoftOff | PowerOperation::ForceOff => {
                Some(ochami_core::State::Off)
            }
            PowerOperation::Nmi => None,
            PowerOperation::On
            | PowerOperation::SoftRestart
            | PowerOperation::HardRestart
            | PowerOperation::Init => Some(ochami_core::State::On),
        }
    }

    /// Parses a name case-insensitively (`"Soft-Restart"`, `"force-off"`).
    pub fn parse(s: &str) -> Option<PowerOperation> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl std::fmt::Display for PowerOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Candidates for a power-on, best first.
pub(crate) const ON: &[ResetType] = &[
    ResetType::On,
    ResetType::ForceOn,
    ResetType::PushPowerButton,
];
/// Candidates for a graceful power-off.
pub(crate) const GRACEFUL_OFF: &[ResetType] = &[ResetType::GracefulShutdown, ResetType::Off];
/// Candidates for an immediate power-off.
pub(crate) const FORCE_OFF: &[ResetType] = &[ResetType::ForceOff];
/// Candidates for a graceful restart.
pub(crate) const SOFT_RESTART: &[ResetType] =
    &[ResetType::GracefulRestart, ResetType::ForceRestart];
/// Candidates for an immediate restart.
pub(crate) const HARD_RESTART: &[ResetType] = &[ResetType::ForceRestart, ResetType::PowerCycle];
/// Candidates for an NMI.
pub(crate) const NMI: &[ResetType] = &[ResetType::Nmi];

/// Picks the first candidate the BMC allows. `allowed = None` (the BMC advertises nothing)
/// picks the first candidate: the DMTF value, left to the BMC to accept or refuse.
pub(crate) fn choose(allowed: Option<&[ResetType]>, candidates: &[ResetType]) -> Option<ResetType> {
    match allowed {
        None => candidates.first().cloned(),
        Some(allowed) => candidates.iter().find(|c| allowed.contains(c)).cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for op in PowerOperation::ALL {
            assert_eq!(PowerOperation::parse(op.as_str()), Some(op));
            assert_eq!(
                serde_json::to_string(&op).unwrap(),
                format!("\"{}\"", op.as_str())
            );
        }
        assert_eq!(
            PowerOperation::parse("Hard-Restart"),
            Some(PowerOperation::HardRestart)
        );
        assert_eq!(PowerOperation::parse("reboot"), None);
    }

    #[test]
    fn choice_follows_the_advertised_values() {
        // iDRAC 9: no GracefulRestart, so a soft restart falls back to ForceRestart.
        let idrac = [
            ResetType::On,
            ResetType::ForceOff,
            ResetType::ForceRestart,
            ResetType::GracefulShutdown,
            ResetType::PushPowerButton,
            ResetType::Nmi,
        ];
        assert_eq!(
            choose(Some(&idrac), SOFT_RESTART),
            Some(ResetType::ForceRestart)
        );
        // Cray EX: ForceOff, On and the non-DMTF Off; Off is its graceful off.
        let cray = [ResetType::ForceOff, ResetType::On, ResetType::Off];
        assert_eq!(choose(Some(&cray), GRACEFUL_OFF), Some(ResetType::Off));
        assert_eq!(choose(Some(&cray), HARD_RESTART), None);
        // Nothing advertised: the DMTF value.
        assert_eq!(choose(None, SOFT_RESTART), Some(ResetType::GracefulRestart));
        assert_eq!(choose(Some(&[]), ON), None);
    }
}
