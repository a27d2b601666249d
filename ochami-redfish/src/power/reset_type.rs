//! The Redfish power vocabulary: [`ResetType`] (what a `ComputerSystem.Reset` asks for) and
//! [`PowerState`] (what a system reports). Both parse case-insensitively and keep values
//! they do not know, so nothing a BMC advertises is lost or rejected.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Redfish `ResetType` (DMTF `Resource.ResetType`), plus the non-DMTF `Off` that HPE
/// Cray EX node controllers advertise.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResetType {
    /// Turn on.
    On,
    /// Turn off immediately.
    ForceOff,
    /// Shut down the OS, then turn off.
    GracefulShutdown,
    /// Shut down the OS, then restart.
    GracefulRestart,
    /// Restart immediately.
    ForceRestart,
    /// Send a non-maskable interrupt.
    Nmi,
    /// Turn on immediately.
    ForceOn,
    /// Press the power button.
    PushPowerButton,
    /// Off, then on (Redfish 1.4).
    PowerCycle,
    /// Suspend (Redfish 1.13).
    Suspend,
    /// Pause (Redfish 1.13).
    Pause,
    /// Resume (Redfish 1.13).
    Resume,
    /// Full power cycle including auxiliary power (Redfish 1.21).
    FullPowerCycle,
    /// `Off`: not a DMTF value; HPE Cray EX advertises it as its graceful off.
    Off,
    /// Any other value, spelled as the BMC spelled it.
    Other(String),
}

const KNOWN: [(ResetType, &str); 14] = [
    (ResetType::On, "On"),
    (ResetType::ForceOff, "ForceOff"),
    (ResetType::GracefulShutdown, "GracefulShutdown"),
    (ResetType::GracefulRestart, "GracefulRestart"),
    (ResetType::ForceRestart, "ForceRestart"),
    (ResetType::Nmi, "Nmi"),
    (ResetType::ForceOn, "ForceOn"),
    (ResetType::PushPowerButton, "PushPowerButton"),
    (ResetType::PowerCycle, "PowerCycle"),
    (ResetType::Suspend, "Suspend"),
    (ResetType::Pause, "Pause"),
    (ResetType::Resume, "Resume"),
    (ResetType::FullPowerCycle, "FullPowerCycle"),
    (ResetType::Off, "Off"),
];

impl ResetType {
    /// Parses a value case-insensitively (`"forceoff"` is [`ResetType::ForceOff`]);
    /// unknown values become [`ResetType::Other`].
    pub fn parse(s: &str) -> ResetType {
        let t = s.trim();
        KNOWN
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(t))
            .map(|(v, _)| v.clone())
            .unwrap_or_else(|| ResetType::Other(t.to_owned()))
    }

    /// The value as sent on the wire (`"ForceOff"`).
    pub fn as_str(&self) -> &str {
        if let ResetType::Other(s) = self {
            return s;
        }
        KNOWN
            .iter()
            .find(|(v, _)| v == self)
            .map_or("", |(_, name)| name)
    }

    /// The power state this reset ends in, when the state alone proves it was carried out:
    /// `On` for the power-on values, `Off` for the power-off ones, `None` for restarts
    /// (a restarted system reads `On` like one never touched) and the rest.
    pub fn settles_in(&self) -> Option<PowerState> {
        match self {
            ResetType::On | ResetType::ForceOn => Some(PowerState::On),
            ResetType::ForceOff | ResetType::GracefulShutdown | ResetType::Off => {
                Some(PowerState::Off)
            }
            _ => None,
        }
    }
}

impl fmt::Display for ResetType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ResetType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResetType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ResetType::parse(&String::deserialize(d)?))
    }
}

/// A Redfish `PowerState` (System, Chassis, Manager).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PowerState {
    /// On.
    On,
    /// Off.
    Off,
    /// Turning on.
    PoweringOn,
    /// Turning off.
    PoweringOff,
    /// Paused.
    Paused,
    /// Any other value, as the BMC spelled it.
    Other(String),
}

impl PowerState {
    /// Parses a value case-insensitively; unknown values become [`PowerState::Other`].
    pub fn parse(s: &str) -> PowerState {
        match s.trim().to_ascii_lowercase().as_str() {
            "on" => PowerState::On,
            "off" => PowerState::Off,
            "poweringon" => PowerState::PoweringOn,
            "poweringoff" => PowerState::PoweringOff,
            "paused" => PowerState::Paused,
            _ => PowerState::Other(s.trim().to_owned()),
        }
    }

    /// The value as Redfish spells it.
    pub fn as_str(&self) -> &str {
        match self {
            PowerState::On => "On",
            PowerState::Off => "Off",
            PowerState::PoweringOn => "PoweringOn",
            PowerState::PoweringOff => "PoweringOff",
            PowerState::Paused => "Paused",
            PowerState::Other(s) => s,
        }
    }

    /// True when the system is on or heading there (`On`, `PoweringOn`): a power-on has
    /// taken effect.
    pub fn is_on_or_rising(&self) -> bool {
        matches!(self, PowerState::On | PowerState::PoweringOn)
    }

    /// True when the system is off or heading there (`Off`, `PoweringOff`).
    pub fn is_off_or_falling(&self) -> bool {
        matches!(self, PowerState::Off | PowerState::PoweringOff)
    }

    /// True when the system is on for power control purposes. As PCS counts it,
    /// `PoweringOff` is still on and `PoweringOn` still off.
    pub fn counts_as_on(&self) -> bool {
        matches!(
            self,
            PowerState::On | PowerState::PoweringOff | PowerState::Paused
        )
    }
}

impl fmt::Display for PowerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PowerState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PowerState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(PowerState::parse(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_types_parse_case_insensitively_and_keep_unknowns() {
        assert_eq!(ResetType::parse("forceoff"), ResetType::ForceOff);
        assert_eq!(
            ResetType::parse(" GracefulRestart "),
            ResetType::GracefulRestart
        );
        assert_eq!(ResetType::parse("Off"), ResetType::Off);
        assert_eq!(
            ResetType::parse("OemWarmBoot"),
            ResetType::Other("OemWarmBoot".into())
        );
        for (v, name) in KNOWN.iter() {
            assert_eq!(v.as_str(), *name);
            assert_eq!(ResetType::parse(name), *v);
        }
        assert_eq!(
            serde_json::to_string(&ResetType::PowerCycle).unwrap(),
            "\"PowerCycle\""
        );
    }

    #[test]
    fn power_states() {
        assert_eq!(PowerState::parse("poweringOn"), PowerState::PoweringOn);
        assert_eq!(
            PowerState::parse("Weird"),
            PowerState::Other("Weird".into())
        );
        assert!(PowerState::PoweringOff.counts_as_on());
        assert!(!PowerState::PoweringOn.counts_as_on());
        assert_eq!(ResetType::ForceOn.settles_in(), Some(PowerState::On));
        assert_eq!(ResetType::Off.settles_in(), Some(PowerState::Off));
        assert_eq!(ResetType::ForceRestart.settles_in(), None);
    }
}
