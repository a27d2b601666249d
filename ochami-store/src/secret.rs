//! BMC credentials at rest: write-only through the store's API, encrypted when a key is
//! given.
//!
//! Reads of Redfish endpoints never carry a password (it reads as `""`); a write without a
//! password keeps the stored one, so a read-modify-write (SMD's `PATCH`) does not erase it.
//! The one way back to a password is
//! [`CredentialStore::redfish_credentials`](crate::CredentialStore::redfish_credentials), the
//! call a power or discovery service makes just before it talks to the BMC.
//!
//! With a [`SecretKey`] (see [`crate::OpenOptions`]) the SQL backends store each password as
//! AES-256-GCM ciphertext (aws-lc-rs), a fresh random 96-bit nonce per value and the
//! endpoint's id as associated data (a value copied onto another endpoint does not open),
//! in the versioned text form [`SEALED_PREFIX`]`<hex(nonce | ciphertext | tag)>`. A value
//! without the prefix is a plaintext row written without a key and keeps working; opening
//! the store with a key encrypts such rows, after checking that the key opens every
//! encrypted one (a wrong key is [`StoreError::SecretKey`] and nothing is written).

use std::fmt;
use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use crate::{Result, StoreError};

/// The prefix of an encrypted value; the version names the format (AES-256-GCM, hex).
pub const SEALED_PREFIX: &str = "enc:v1:";

/// A 256-bit key for credentials at rest. Its `Debug` shows nothing of the key.
#[derive(Clone)]
pub struct SecretKey {
    key: std::sync::Arc<LessSafeKey>,
    /// The first bytes of SHA-256 of the key, hex: names the key in messages (never the key).
    id: String,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn bad_key(path: &Path, reason: &str) -> StoreError {
    StoreError::SecretKey {
        reason: format!("secret key file {}: {reason}", path.display()),
    }
}

impl SecretKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        // AES-256 takes any 32 bytes; construction cannot fail for the right length.
        let unbound = UnboundKey::new(&AES_256_GCM, bytes)
            .unwrap_or_else(|_| unreachable!("AES-256-GCM takes a 32-byte key"));
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
        SecretKey {
            key: std::sync::Arc::new(LessSafeKey::new(unbound)),
            id: hex(&digest.as_ref()[..4]),
        }
    }

    /// A new random key, as the 64 hex characters a key file holds.
    pub fn generate_hex() -> Result<String> {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| StoreError::SecretKey {
            reason: "the system random generator failed".into(),
        })?;
        Ok(hex(&bytes))
    }

    /// Read a key file: 64 hex characters (surrounding white space ignored), as
    /// `openssl rand -hex 32` writes, or exactly 32 raw bytes. Errors name the file, never
    /// its content.
    pub fn from_file(path: &Path) -> Result<Self> {
        let raw = std::fs::read(path).map_err(|e| bad_key(path, &format!("cannot read: {e}")))?;
        if raw.len() == 32 && std::str::from_utf8(&raw).is_err() {
            let mut bytes = [0u8; 32];
            bytes.copy_from_slice(&raw);
            return Ok(SecretKey::from_bytes(&bytes));
        }
        let text = std::str::from_utf8(&raw)
            .map_err(|_| bad_key(path, "expected 64 hex characters or 32 raw bytes"))?
            .trim();
        let bytes = unhex(text)
            .filter(|b| b.len() == 32)
            .ok_or_else(|| bad_key(path, "expected 64 hex characters or 32 raw bytes"))?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        Ok(SecretKey::from_bytes(&key))
    }

    /// A short fingerprint naming this key in messages (not secret).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Encrypt `plaintext` for the record `context` (an endpoint id): [`SEALED_PREFIX`]
    /// followed by hex of nonce, ciphertext and tag. An empty value stays empty.
    pub fn seal(&self, context: &str, plaintext: &str) -> Result<String> {
        if plaintext.is_empty() {
            return Ok(String::new());
        }
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| StoreError::SecretKey {
            reason: "the system random generator failed".into(),
        })?;
        let mut data = plaintext.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut data,
            )
            .map_err(|_| StoreError::SecretKey {
                reason: "encryption failed".into(),
            })?;
        let mut out = String::with_capacity(SEALED_PREFIX.len() + 2 * (NONCE_LEN + data.len()));
        out.push_str(SEALED_PREFIX);
        out.push_str(&hex(&nonce));
        out.push_str(&hex(&data));
        Ok(out)
    }

    /// Decrypt a value [`SecretKey::seal`] wrote for `context`; a value without
    /// [`SEALED_PREFIX`] is plaintext and returned as it is. A value this key does not open
    /// is [`StoreError::SecretKey`] naming `context`.
    pub fn open(&self, context: &str, stored: &str) -> Result<String> {
        let Some(body) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_owned());
        };
        let wrong = || StoreError::SecretKey {
            reason: format!(
                "the credentials of {context} do not decrypt with key {} (wrong key file?)",
                self.id
            ),
        };
        let bytes = unhex(body).ok_or_else(wrong)?;
        if bytes.len() < NONCE_LEN {
            return Err(wrong());
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
        let mut rest = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut rest)
            .map_err(|_| wrong())?;
        String::from_utf8(plain.to_vec()).map_err(|_| wrong())
    }
}

/// Whether a stored value is encrypted.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// The clear value of `stored` for `context` with `key`, if any: plaintext as it is, an
/// encrypted value opened, and [`StoreError::SecretKey`] for an encrypted value without a key.
pub fn reveal(key: Option<&SecretKey>, context: &str, stored: &str) -> Result<String> {
    match key {
        Some(k) => k.open(context, stored),
        None if is_sealed(stored) => Err(StoreError::SecretKey {
            reason: format!(
                "the credentials of {context} are encrypted and no secret key was given"
            ),
        }),
        None => Ok(stored.to_owned()),
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| {
            let d = |c: u8| char::from(c).to_digit(16);
            u8::try_from(d(pair[0])? * 16 + d(pair[1])?).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RedfishCredentials;

    fn key(b: u8) -> SecretKey {
        SecretKey::from_bytes(&[b; 32])
    }

    #[test]
    fn sealed_values_open_with_their_key_and_context_only() {
        let k = key(7);
        let a = k.seal("x0c0s0b0", "hunter2").unwrap();
        let b = k.seal("x0c0s0b0", "hunter2").unwrap();
        assert!(a.starts_with("enc:v1:") && !a.contains("hunter2"));
        assert_ne!(a, b, "a fresh nonce per value");
        assert_eq!(k.open("x0c0s0b0", &a).unwrap(), "hunter2");
        let err = k.open("x0c0s1b0", &a).unwrap_err().to_string();
        assert!(
            err.contains("x0c0s1b0") && err.contains("wrong key"),
            "{err}"
        );
        assert!(matches!(
            key(8).open("x0c0s0b0", &a),
            Err(StoreError::SecretKey { .. })
        ));
        assert!(matches!(
            k.open("x0c0s0b0", "enc:v1:zz"),
            Err(StoreError::SecretKey { .. })
        ));
        assert_eq!(k.open("x0c0s0b0", "plain").unwrap(), "plain");
        assert_eq!(k.seal("x0c0s0b0", "").unwrap(), "");
        assert!(matches!(
            reveal(None, "x0c0s0b0", &a),
            Err(StoreError::SecretKey { .. })
        ));
        assert_eq!(reveal(None, "x0c0s0b0", "plain").unwrap(), "plain");
    }

    #[test]
    fn key_files_are_hex_or_raw_and_errors_do_not_quote_them() {
        let dir = tempfile::tempdir().unwrap();
        let hex_file = dir.path().join("hex");
        std::fs::write(&hex_file, format!("{}\n", "ab".repeat(32))).unwrap();
        let raw_file = dir.path().join("raw");
        std::fs::write(&raw_file, [0xab; 32]).unwrap();
        let a = SecretKey::from_file(&hex_file).unwrap();
        let b = SecretKey::from_file(&raw_file).unwrap();
        assert_eq!(a.id(), b.id());
        assert_eq!(b.open("x", &a.seal("x", "pw").unwrap()).unwrap(), "pw");
        assert!(!format!("{a:?}").contains("ab"));
        let short = dir.path().join("short");
        std::fs::write(&short, "deadbeef-secretish").unwrap();
        let err = SecretKey::from_file(&short).unwrap_err().to_string();
        assert!(
            err.contains("64 hex characters") && !err.contains("secretish"),
            "{err}"
        );
        assert_eq!(SecretKey::generate_hex().unwrap().len(), 64);
        let debug = format!(
            "{:?}",
            RedfishCredentials {
                user: "root".into(),
                password: "hunter2".into()
            }
        );
        assert!(!debug.contains("hunter2"), "{debug}");
    }
}
