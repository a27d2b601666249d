//! Bounded retries with exponential backoff for connect errors, 5xx and 429.
//!
//! Timeouts and TLS failures are not retried: a hung or misconfigured BMC would only burn
//! the per-BMC deadline. A `Retry-After` header (seconds) is honoured up to `max_backoff`.

use std::time::Duration;

/// How often and how patiently to retry a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = no retry).
    pub max_retries: u32,
    /// Delay before the first retry; doubled after each.
    pub initial_backoff: Duration,
    /// Upper bound of any single delay (also caps `Retry-After`).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The delay before retry number `retry` (0-based), given the server's `Retry-After`.
    pub fn delay(&self, retry: u32, retry_after: Option<&str>) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(16)));
        let server = retry_after
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        server.unwrap_or(exp).min(self.max_backoff)
    }

    /// True for the HTTP statuses worth retrying: 429 and 5xx except 501 (not implemented)
    /// and 505.
    pub fn retry_status(status: u16) -> bool {
        status == 429 || ((500..600).contains(&status) && status != 501 && status != 505)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy {
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
        };
        assert_eq!(p.delay(0, None), Duration::from_millis(100));
        assert_eq!(p.delay(1, None), Duration::from_millis(200));
        assert_eq!(p.delay(2, None), Duration::from_millis(350));
        assert_eq!(p.delay(40, None), Duration::from_millis(350));
        assert_eq!(p.delay(0, Some("120")), Duration::from_millis(350));
        assert_eq!(p.delay(0, Some("0")), Duration::ZERO);
        assert_eq!(
            p.delay(0, Some("Wed, 21 Oct 2015")),
            Duration::from_millis(100)
        );
    }

    #[test]
    fn retried_statuses() {
        assert!(RetryPolicy::retry_status(503));
        assert!(RetryPolicy::retry_status(429));
        assert!(RetryPolicy::retry_status(500));
        assert!(!RetryPolicy::retry_status(501));
        assert!(!RetryPolicy::retry_status(404));
        assert!(!RetryPolicy::retry_status(401));
    }
}
