//! The error of parsing an xname or an HMS type name. Its own module so that the xname
//! parser and the HMS type table both use it without importing each other.

/// Why a string is not a valid xname (or HMS type name): the input and the reason, e.g.
/// `invalid xname "x1000c9": chassis ordinal 9 out of range 0-7`.
///
/// Also the error of [`HmsType`](crate::HmsType)'s `FromStr` (`invalid HMS type "Nodes": ...`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {subject} {input:?}: {reason}")]
pub struct XnameError {
    subject: &'static str,
    input: String,
    reason: String,
}

impl XnameError {
    pub(crate) fn new(input: &str, reason: String) -> XnameError {
        XnameError {
            subject: "xname",
            input: input.to_owned(),
            reason,
        }
    }

    pub(crate) fn unknown_type(input: &str) -> XnameError {
        XnameError {
            subject: "HMS type",
            input: input.to_owned(),
            reason: "not a known type name".to_owned(),
        }
    }

    /// The rejected input, exactly as given (untrimmed).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Why it was rejected, e.g. `chassis ordinal 9 out of range 0-7`.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}
