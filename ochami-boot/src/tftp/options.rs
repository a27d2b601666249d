//! Option negotiation (RFC 2347): `blksize` (RFC 2348), `timeout` and `tsize` (RFC 2349).
//! The OACK lists only the options accepted, with values possibly lowered; unknown or
//! malformed options are left out (the client then uses the defaults). Without an accepted
//! option there is no OACK and the transfer starts with DATA block 1.

/// The block size without a `blksize` option (RFC 1350).
pub const DEFAULT_BLKSIZE: u16 = 512;

/// The smallest `blksize` a client may ask for (RFC 2348).
pub const MIN_BLKSIZE: u16 = 8;

/// The largest `blksize` a client may ask for (RFC 2348).
pub const MAX_BLKSIZE: u16 = 65464;

/// The retransmission timeout without a `timeout` option, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u8 = 2;

/// What a transfer runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferOptions {
    /// Bytes per DATA block.
    pub blksize: u16,
    /// Seconds before an unacknowledged packet is sent again.
    pub timeout_secs: u8,
}

impl Default for TransferOptions {
    fn default() -> Self {
        TransferOptions {
            blksize: DEFAULT_BLKSIZE,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
        }
    }
}

/// Negotiate a read request's options (names lowercased, as [`super::ReadRequest`] has
/// them) for a file of `file_size` bytes (`None` when unknown: no `tsize` answer).
/// `blksize` is lowered to `max_blksize` (the server's limit, e.g. 1468 for a 1500-byte MTU);
/// `tsize` is answered with the file's size; `timeout` 1-255 is accepted as asked.
///
/// Returns the transfer's options and the OACK's entries (empty: send no OACK).
///
/// ```
/// use ochami_boot::tftp::negotiate;
/// let asked = [("blksize".to_owned(), "9000".to_owned()), ("tsize".to_owned(), "0".to_owned()),
///              ("windowsize".to_owned(), "8".to_owned())];
/// let (opts, oack) = negotiate(&asked, Some(4096), 1468);
/// assert_eq!(opts.blksize, 1468);
/// assert_eq!(oack, [("blksize".to_owned(), "1468".to_owned()), ("tsize".to_owned(), "4096".to_owned())]);
/// assert!(negotiate(&[], Some(1), 1468).1.is_empty());
/// ```
pub fn negotiate(
    asked: &[(String, String)],
    file_size: Option<u64>,
    max_blksize: u16,
) -> (TransferOptions, Vec<(String, String)>) {
    let mut opts = TransferOptions::default();
    let mut oack = Vec::new();
    let max_blksize = max_blksize.clamp(MIN_BLKSIZE, MAX_BLKSIZE);
    for (name, value) in asked {
        if oack.iter().any(|(n, _): &(String, String)| n == name) {
            continue;
        }
        match name.as_str() {
            "blksize" => {
                if let Some(size) = value.parse::<u32>().ok().filter(|s| *s >= 8) {
                    let size =
                        u16::try_from(size.min(u32::from(max_blksize))).unwrap_or(max_blksize);
                    opts.blksize = size;
                    oack.push((name.clone(), size.to_string()));
                }
            }
            "timeout" => {
                if let Some(secs) = value.parse::<u8>().ok().filter(|s| *s >= 1) {
                    opts.timeout_secs = secs;
                    oack.push((name.clone(), secs.to_string()));
                }
            }
            "tsize" => {
                if let (Some(size), Ok(_)) = (file_size, value.parse::<u64>()) {
                    oack.push((name.clone(), size.to_string()));
                }
            }
            _ => {}
        }
    }
    (opts, oack)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn bad_values_are_left_out() {
        let (opts, oack) = negotiate(
            &ask(&[
                ("blksize", "7"),
                ("timeout", "0"),
                ("timeout", "256"),
                ("tsize", "x"),
            ]),
            Some(10),
            1468,
        );
        assert_eq!(opts, TransferOptions::default());
        assert!(oack.is_empty());
    }

    #[test]
    fn accepted_values() {
        let (opts, oack) = negotiate(
            &ask(&[("timeout", "5"), ("blksize", "1024"), ("blksize", "8")]),
            None,
            65535,
        );
        assert_eq!(opts.blksize, 1024, "the first blksize counts");
        assert_eq!(opts.timeout_secs, 5);
        assert_eq!(oack, ask(&[("timeout", "5"), ("blksize", "1024")]));
        let (_, oack) = negotiate(&ask(&[("tsize", "0")]), None, 1468);
        assert!(oack.is_empty(), "no size, no tsize answer");
        let (opts, _) = negotiate(&ask(&[("blksize", "65535")]), None, u16::MAX);
        assert_eq!(opts.blksize, MAX_BLKSIZE);
    }
}
