//! Credentials that cannot leak: [`Secret`] and [`Credentials`] redact themselves in
//! `Debug` and `Display`, and are never serialized.

use std::fmt;

/// A secret string (a password or a session token). `Debug` and `Display` print
/// `"<redacted>"`; read it with [`Secret::expose`] only where it goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; call this only to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// A BMC user name and password. The user name is shown in `Debug`; the password never is.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The BMC user name.
    pub username: String,
    /// The password.
    pub password: Secret,
}

impl Credentials {
    /// Credentials from a user name and a password.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &self.password)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let c = Credentials::new("root", "hunter2");
        let dbg = format!("{c:?} {:?} {}", c.password, c.password);
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("root"));
        assert_eq!(c.password.expose(), "hunter2");
    }
}
