//! The user-facing knobs of a discovery run, validated once: the `ochami discover` flags and
//! the keyword arguments of Python's `ochami.discover` both fill a [`DiscoverySettings`] and
//! turn it into [`DiscoveryOptions`] here, so the two accept and refuse exactly the same
//! values with the same messages.

use std::path::PathBuf;
use std::time::Duration;

use crate::discovery::DiscoveryOptions;
use crate::error::{Error, Result};
use crate::scan::Scheme;
use crate::secret::Credentials;
use crate::xname_assign::{XnameAssigner, XnameMap};

/// The longest timeout or deadline accepted, in seconds (a day).
pub const MAX_SECONDS: f64 = 86_400.0;

/// Where BMC xnames come from.
#[derive(Debug, Clone, Default)]
pub enum XnameMapSource {
    /// No map: xnames are generated.
    #[default]
    None,
    /// A file of `<ip|mac|host> <xname>` lines or a JSON object.
    File(PathBuf),
    /// A map built by the caller.
    Map(XnameMap),
}

/// Discovery settings as a person gives them: seconds as numbers, a scheme as text,
/// credentials as two optional strings. [`DiscoverySettings::into_options`] checks them.
///
/// ```
/// use ochami_redfish::DiscoverySettings;
///
/// let mut s = DiscoverySettings::default();
/// s.username = Some("root".into());
/// let e = s.clone().into_options().unwrap_err();
/// assert_eq!(e.to_string(), "username: given without a password");
/// s.password = Some("secret".into());
/// s.timeout_secs = 0.0;
/// assert_eq!(
///     s.into_options().unwrap_err().to_string(),
///     "timeout: 0 is not a number of seconds in (0, 86400]"
/// );
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct DiscoverySettings {
    /// `https` or `http`, for targets that do not name one.
    pub scheme: String,
    /// Ports tried on targets without their own (empty: the scheme's default).
    pub ports: Vec<u16>,
    /// BMC user name; needs `password`.
    pub username: Option<String>,
    /// BMC password; needs `username`.
    pub password: Option<String>,
    /// Do not verify BMC certificates.
    pub insecure: bool,
    /// PEM CA bundle to trust for BMC certificates.
    pub cacert: Option<PathBuf>,
    /// BMCs crawled at once (at least 1).
    pub concurrency: usize,
    /// Connect and per-request timeout, in seconds.
    pub timeout_secs: f64,
    /// Limit of the whole probe + login + crawl of one BMC, in seconds.
    pub deadline_secs: f64,
    /// Where xnames come from.
    pub xname_map: XnameMapSource,
    /// Only BMCs in the map get an xname (the others fail) instead of a generated one.
    pub strict_map: bool,
}

impl Default for DiscoverySettings {
    /// The defaults of `ochami discover`: https, 64 BMCs at once, 10 s per request, 120 s
    /// per BMC, generated xnames.
    fn default() -> Self {
        DiscoverySettings {
            scheme: "https".into(),
            ports: Vec::new(),
            username: None,
            password: None,
            insecure: false,
            cacert: None,
            concurrency: 64,
            timeout_secs: 10.0,
            deadline_secs: 120.0,
            xname_map: XnameMapSource::None,
            strict_map: false,
        }
    }
}

impl std::fmt::Debug for DiscoverySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscoverySettings")
            .field("scheme", &self.scheme)
            .field("ports", &self.ports)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("insecure", &self.insecure)
            .field("cacert", &self.cacert)
            .field("concurrency", &self.concurrency)
            .field("timeout_secs", &self.timeout_secs)
            .field("deadline_secs", &self.deadline_secs)
            .field("strict_map", &self.strict_map)
            .finish_non_exhaustive()
    }
}

fn seconds(setting: &'static str, s: f64) -> Result<Duration> {
    if !(s.is_finite() && s > 0.0 && s <= MAX_SECONDS) {
        return Err(Error::InvalidSetting {
            setting,
            message: format!("{s} is not a number of seconds in (0, 86400]"),
        });
    }
    Ok(Duration::from_secs_f64(s))
}

impl DiscoverySettings {
    /// Check every setting and build the options (reads the CA file and the xname map).
    ///
    /// Refused: a user name without a password or the reverse, a timeout or deadline that
    /// is not in (0, 86400] seconds, a concurrency of 0, a scheme other than `https`/`http`,
    /// port 0, an unreadable CA file or xname map.
    pub fn into_options(self) -> Result<DiscoveryOptions> {
        if self.concurrency == 0 {
            return Err(Error::InvalidSetting {
                setting: "concurrency",
                message: "must be at least 1".into(),
            });
        }
        if self.ports.contains(&0) {
            return Err(Error::InvalidSetting {
                setting: "port",
                message: "0 is not a port".into(),
            });
        }
        let timeout = seconds("timeout", self.timeout_secs)?;
        let mut options = DiscoveryOptions {
            scheme: self.scheme.parse::<Scheme>()?,
            ports: self.ports,
            insecure: self.insecure,
            concurrency: self.concurrency,
            connect_timeout: timeout,
            request_timeout: timeout,
            bmc_deadline: seconds("deadline", self.deadline_secs)?,
            ..DiscoveryOptions::default()
        };
        options.credentials = match (self.username, self.password) {
            (Some(u), Some(p)) => Some(Credentials::new(u, p)),
            (Some(_), None) => {
                return Err(Error::InvalidSetting {
                    setting: "username",
                    message: "given without a password".into(),
                });
            }
            (None, Some(_)) => {
                return Err(Error::InvalidSetting {
                    setting: "password",
                    message: "given without a username".into(),
                });
            }
            (None, None) => None,
        };
        if let Some(ca) = &self.cacert {
            options = options.with_ca_file(ca)?;
        }
        let map = match self.xname_map {
            XnameMapSource::None => None,
            XnameMapSource::File(path) => Some(XnameMap::from_file(&path)?),
            XnameMapSource::Map(m) => Some(m),
        };
        if let Some(map) = map {
            options.assigner = if self.strict_map {
                XnameAssigner::from_map(map)
            } else {
                XnameAssigner::map_then_generate(map)
            };
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(s: DiscoverySettings) -> String {
        match s.into_options() {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults_are_accepted() {
        let o = DiscoverySettings::default().into_options().unwrap();
        assert_eq!(o.concurrency, 64);
        assert_eq!(o.request_timeout, Duration::from_secs(10));
        assert_eq!(o.bmc_deadline, Duration::from_secs(120));
        assert!(o.credentials.is_none());
    }

    #[test]
    fn each_bad_value_names_its_setting() {
        let base = DiscoverySettings::default;
        let cases: Vec<(DiscoverySettings, &str)> = vec![
            (
                DiscoverySettings {
                    concurrency: 0,
                    ..base()
                },
                "concurrency: must be at least 1",
            ),
            (
                DiscoverySettings {
                    timeout_secs: 0.0,
                    ..base()
                },
                "timeout: 0 is not",
            ),
            (
                DiscoverySettings {
                    timeout_secs: f64::NAN,
                    ..base()
                },
                "timeout: NaN is not",
            ),
            (
                DiscoverySettings {
                    deadline_secs: 1e9,
                    ..base()
                },
                "deadline: 1000000000 is not",
            ),
            (
                DiscoverySettings {
                    ports: vec![0],
                    ..base()
                },
                "port: 0 is not a port",
            ),
            (
                DiscoverySettings {
                    password: Some("pw".into()),
                    ..base()
                },
                "password: given without a username",
            ),
        ];
        for (s, want) in cases {
            let got = refused(s);
            assert!(got.starts_with(want), "{got} does not start with {want}");
        }
    }

    #[test]
    fn password_never_in_debug() {
        let s = DiscoverySettings {
            username: Some("root".into()),
            password: Some("hunter2".into()),
            ..DiscoverySettings::default()
        };
        let d = format!("{s:?}");
        assert!(!d.contains("hunter2") && d.contains("<redacted>"), "{d}");
    }
}
