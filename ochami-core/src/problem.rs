//! RFC 7807 problem details, as SMD and BSS send them for every error.

use serde::{Deserialize, Serialize};

/// An `application/problem+json` body: `{"type":"about:blank","title":"Not Found",
/// "detail":"no such xname.","status":404}`.
///
/// ```
/// let p = ochami_core::Problem::new(400, "invalid xname \"x9c9\"");
/// assert_eq!(serde_json::to_string(&p).unwrap(),
///     r#"{"type":"about:blank","title":"Bad Request","detail":"invalid xname \"x9c9\"","status":400}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Always `about:blank` from SMD.
    #[serde(rename = "type", default = "about_blank")]
    pub problem_type: String,
    /// The HTTP reason phrase.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// What went wrong.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// The request path, when set.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instance: String,
    /// The HTTP status.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub status: u16,
}

fn about_blank() -> String {
    "about:blank".into()
}

fn is_zero(s: &u16) -> bool {
    *s == 0
}

impl Problem {
    /// A problem for `status` with its standard reason phrase as title.
    pub fn new(status: u16, detail: impl Into<String>) -> Self {
        Problem {
            problem_type: about_blank(),
            title: reason_phrase(status).into(),
            detail: detail.into(),
            instance: String::new(),
            status,
        }
    }
}

/// The standard reason phrase of the statuses our services send.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}
