//! MAC addresses in every notation BMCs, switches and operators use.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// A 48-bit MAC address.
///
/// Parses `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff` and `aabbccddeeff` (any
/// case, surrounding whitespace ignored) and always writes the lowercase colon form.
///
/// ```
/// use ochami_core::MacAddr;
/// let mac: MacAddr = "AABB.CCDD.EEFF".parse()?;
/// assert_eq!(mac.to_string(), "aa:bb:cc:dd:ee:ff");
/// assert_eq!(mac.to_id(), "aabbccddeeff");
/// assert_eq!(mac.to_dashed(), "aa-bb-cc-dd-ee-ff");
/// # Ok::<(), ochami_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddr([u8; 6]);

impl MacAddr {
    /// The address from its six octets.
    pub const fn new(octets: [u8; 6]) -> Self {
        MacAddr(octets)
    }

    /// The six octets.
    pub const fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// SMD's EthernetInterface id: twelve lowercase hex digits, no separators.
    pub fn to_id(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The dashed form iPXE's `BOOTIF=01-...` uses.
    pub fn to_dashed(&self) -> String {
        let o = self.0;
        format!(
            "{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}",
            o[0], o[1], o[2], o[3], o[4], o[5]
        )
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl FromStr for MacAddr {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let err = |reason| Error::InvalidMac {
            input: input.to_owned(),
            reason,
        };
        let s = input.trim().as_bytes();
        // Layout by length: 17 = six pairs with ':' or '-', 14 = three quads with '.', 12 = bare.
        let (group, sep): (usize, &[u8]) = match s.len() {
            17 => (2, b":-"),
            14 => (4, b"."),
            12 => (12, b""),
            0 => return Err(err("empty")),
            _ => {
                return Err(err(
                    "expected 12 hex digits in the form aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff",
                ));
            }
        };
        let mut digits = [0u8; 12];
        let mut n = 0;
        let mut used_sep = None;
        for (i, &c) in s.iter().enumerate() {
            let pos_in_group = i % (group + 1);
            if !sep.is_empty() && pos_in_group == group {
                if !sep.contains(&c) {
                    return Err(err("unexpected separator"));
                }
                if *used_sep.get_or_insert(c) != c {
                    return Err(err("mixed separators"));
                }
                continue;
            }
            digits[n] = hex(c).ok_or_else(|| err("not a hex digit"))?;
            n += 1;
        }
        if n != 12 {
            return Err(err("expected 12 hex digits"));
        }
        let mut octets = [0u8; 6];
        for (i, o) in octets.iter_mut().enumerate() {
            *o = digits[2 * i] << 4 | digits[2 * i + 1];
        }
        Ok(MacAddr(octets))
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            o[0], o[1], o[2], o[3], o[4], o[5]
        )
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MacAddr({self})")
    }
}

impl Serialize for MacAddr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MacAddr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_notation() {
        for s in [
            "aa:bb:cc:dd:ee:ff",
            "AA-BB-CC-DD-EE-FF",
            "aabb.ccdd.eeff",
            "aabbccddeeff",
            " Aa:bB:cc:DD:ee:ff\n",
        ] {
            let mac: MacAddr = s.parse().unwrap();
            assert_eq!(mac.to_string(), "aa:bb:cc:dd:ee:ff", "{s}");
        }
    }

    #[test]
    fn refuses_malformed() {
        for s in [
            "",
            "aa:bb:cc:dd:ee",
            "aa:bb:cc:dd:ee:gg",
            "aa:bb-cc:dd:ee:ff",
            "aabb.ccdd:eeff",
            "aabbccddeeff00",
            "Not Available",
        ] {
            assert!(s.parse::<MacAddr>().is_err(), "{s:?} accepted");
        }
    }

    #[test]
    fn serde_round_trip() {
        let mac: MacAddr = serde_json::from_str("\"AA-BB-CC-DD-EE-01\"").unwrap();
        assert_eq!(
            serde_json::to_string(&mac).unwrap(),
            "\"aa:bb:cc:dd:ee:01\""
        );
    }
}
