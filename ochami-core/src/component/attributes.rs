//! SMD's component enumerations (`Cray-HPE/hms-base` spellings), matched case-insensitively
//! on input and always written in their canonical spelling.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical wire spelling.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($text) $(|| t.eq_ignore_ascii_case($alias))* {
                        return Ok($name::$variant);
                    }
                )+
                Err(Error::invalid($field, s, concat!("one of ", $($text, " "),+).trim_end().to_owned()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

wire_enum! {
    /// A component's hardware state (`HMSState`).
    State, "State" {
        /// State not known.
        Unknown => "Unknown",
        /// Location has no component.
        Empty => "Empty",
        /// Present, not powered.
        Populated => "Populated",
        /// Powered off.
        Off => "Off",
        /// Powered on.
        On => "On",
        /// Was Ready, heartbeat lost.
        Standby => "Standby",
        /// Halted by the OS.
        Halt => "Halt",
        /// Booted and heartbeating.
        Ready => "Ready",
    }
}

wire_enum! {
    /// A component's flag (`HMSFlag`); `warn` is accepted for `Warning`.
    Flag, "Flag" {
        /// Flag not known.
        Unknown => "Unknown",
        /// Nothing to report.
        Ok => "OK",
        /// Something to look at.
        Warning => "Warning" | "warn",
        /// Something is wrong.
        Alert => "Alert",
        /// Locked.
        Locked => "Locked",
    }
}

wire_enum! {
    /// A node's role (`HMSRole`).
    Role, "Role" {
        /// Runs jobs.
        Compute => "Compute",
        /// Runs site services.
        Service => "Service",
        /// Runs system services.
        System => "System",
        /// User access and applications.
        Application => "Application",
        /// Storage servers.
        Storage => "Storage",
        /// Management nodes.
        Management => "Management",
    }
}

wire_enum! {
    /// A node's sub-role (`HMSSubRole`).
    SubRole, "SubRole" {
        /// Kubernetes master and the like.
        Master => "Master",
        /// Worker.
        Worker => "Worker",
        /// Storage.
        Storage => "Storage",
    }
}

wire_enum! {
    /// A component's network type (`HMSNetType`).
    NetType, "NetType" {
        /// HPE Slingshot.
        Sling => "Sling",
        /// InfiniBand.
        Infiniband => "Infiniband",
        /// Ethernet.
        Ethernet => "Ethernet",
        /// Vendor specific.
        Oem => "OEM",
        /// No high-speed network.
        None => "None",
    }
}

wire_enum! {
    /// A component's architecture (`HMSArch`).
    Arch, "Arch" {
        /// x86-64.
        X86 => "X86",
        /// AArch64.
        Arm => "ARM",
        /// Not known.
        Unknown => "UNKNOWN",
        /// Anything else.
        Other => "Other",
    }
}

wire_enum! {
    /// A component's hardware class (`HMSClass`).
    Class, "Class" {
        /// Standard rack-mounted.
        River => "River",
        /// Liquid-cooled HPE Cray EX.
        Mountain => "Mountain",
        /// Air-cooled HPE Cray EX.
        Hill => "Hill",
    }
}

impl State {
    /// Whether a non-forced update may move a component from `self` to `to`, following SMD's
    /// `hmsValidStartStatesMap`. `Unknown`, `Empty` and `Populated` can only be set by force.
    ///
    /// ```
    /// use ochami_core::State;
    /// assert!(State::Off.may_become(State::On));
    /// assert!(!State::On.may_become(State::Standby));
    /// assert!(!State::Ready.may_become(State::Empty));
    /// ```
    pub fn may_become(self, to: State) -> bool {
        use State::*;
        let allowed: &[State] = match to {
            Unknown | Empty | Populated => &[],
            Off => &[Off, On, Standby, Halt, Ready],
            On => &[On, Off, Standby, Halt],
            Standby => &[Standby, Ready],
            Halt => &[Halt, Ready],
            Ready => &[Ready, On, Off, Standby, Halt],
        };
        allowed.contains(&self)
    }

    /// SMD's transition rule as the store applies it: with `force` anything goes; without it
    /// the move must be allowed by [`State::may_become`], else [`Error::InvalidTransition`]
    /// naming the component. A component with no state yet may take any state.
    pub fn check_transition(
        id: &str,
        current: Option<State>,
        to: State,
        force: bool,
    ) -> Result<(), Error> {
        match current {
            Some(from) if !force && !from.may_become(to) => Err(Error::InvalidTransition {
                id: id.to_owned(),
                from,
                to,
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_canonical_output() {
        assert_eq!("ready".parse::<State>().unwrap(), State::Ready);
        assert_eq!("WARN".parse::<Flag>().unwrap(), Flag::Warning);
        assert_eq!("ok".parse::<Flag>().unwrap().to_string(), "OK");
        assert_eq!("arm".parse::<Arch>().unwrap().to_string(), "ARM");
        assert_eq!("oem".parse::<NetType>().unwrap().to_string(), "OEM");
        assert_eq!(
            serde_json::from_str::<Role>("\"compute\"").unwrap(),
            Role::Compute
        );
    }

    #[test]
    fn unknown_value_names_field_and_choices() {
        let e = "Active".parse::<State>().unwrap_err().to_string();
        assert!(
            e.contains("State") && e.contains("Active") && e.contains("Ready"),
            "{e}"
        );
    }

    #[test]
    fn transition_table() {
        use State::*;
        assert!(Ready.may_become(Off));
        assert!(Standby.may_become(Ready));
        assert!(!Off.may_become(Standby));
        assert!(!Off.may_become(Halt));
        assert!(!On.may_become(Populated));
        assert!(State::check_transition("x0c0s0b0n0", Some(On), Empty, true).is_ok());
        let err = State::check_transition("x0c0s0b0n0", Some(Off), Standby, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "component x0c0s0b0n0: State Off cannot change to Standby without Force"
        );
        assert!(State::check_transition("x0c0s0b0n0", None, Empty, false).is_ok());
    }
}
