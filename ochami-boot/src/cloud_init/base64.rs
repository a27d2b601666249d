//! Standard base64 (RFC 4648 §4) decoding for group files stored with `encoding: base64`.
//! Line breaks and spaces are skipped (as Go's decoder skips `\r` and `\n`); padding is
//! optional; anything else outside the alphabet is an error naming its position.

/// Decode standard base64.
pub(crate) fn decode(input: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = 0usize;
    for (pos, b) in input.bytes().enumerate() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return Err(format!("invalid base64 character at byte {pos}")),
        };
        if padding > 0 {
            return Err(format!("base64 data after padding at byte {pos}"));
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // 6 leftover bits can never come from whole bytes; 2 or 4 are the padding of the last group.
    if bits >= 6 || padding > 2 {
        return Err("truncated base64 data".to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn rfc4648_vectors() {
        for (enc, dec) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
            ("Zm9vYmE", "fooba"),
            ("Zm9v\nYmFy\n", "foobar"),
        ] {
            assert_eq!(decode(enc).unwrap(), dec.as_bytes(), "{enc:?}");
        }
    }

    #[test]
    fn refuses_garbage() {
        assert!(decode("Zm9v!").unwrap_err().contains("byte 4"));
        assert!(decode("Zg==Zg==").is_err());
        assert!(decode("Z").is_err());
    }
}
