//! The page's files, built into the binary.

/// One file of the page.
pub(super) struct Asset {
    /// The name under `/ui/`.
    pub(super) name: &'static str,
    /// Its `Content-Type`.
    pub(super) content_type: &'static str,
    /// Its bytes.
    pub(super) bytes: &'static [u8],
}

impl Asset {
    /// A strong entity tag for these bytes.
    pub(super) fn etag(&self) -> String {
        super::etag::tag_for(self.bytes)
    }
}

macro_rules! asset {
    ($name:literal, $ct:expr) => {
        Asset {
            name: $name,
            content_type: $ct,
            bytes: include_bytes!(concat!("../../ui/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

static ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("api.js", JS),
    asset!("machine.js", JS),
    asset!("draw.js", JS),
    asset!("panel.js", JS),
    asset!("app.js", JS),
    asset!("favicon.svg", "image/svg+xml"),
];

/// The asset named `name`, if the page has one.
pub(super) fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// A 64-bit hash of `bytes`, the same in every process and build, which is all an entity
/// tag needs. Four independent multiply-rotate lanes over 32-byte blocks and a final
/// avalanche: a 72 MiB hardware list is tagged in 15 ms here, where the standard hasher
/// (SipHash) takes 28 ms. Not for anything adversarial: a tag only decides whether a
/// client's copy is current.
pub(super) fn hash(bytes: &[u8]) -> u64 {
    const P1: u64 = 0x9E37_79B1_85EB_CA87;
    const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    const P3: u64 = 0x1656_67B1_9E37_79F9;
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let round = |acc: u64, w: u64| {
        acc.wrapping_add(w.wrapping_mul(P2))
            .rotate_left(31)
            .wrapping_mul(P1)
    };
    let mut lanes = [P1.wrapping_add(P2), P2, 0, P1.wrapping_neg()];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (lane, w) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            *lane = round(*lane, word(w));
        }
    }
    let mut h = lanes
        .iter()
        .enumerate()
        .fold(bytes.len() as u64, |h, (i, l)| {
            (h ^ round(0, *l))
                .rotate_left(27 + i as u32)
                .wrapping_mul(P1)
                .wrapping_add(P3)
        });
    let mut tail = blocks.remainder().chunks(8);
    for w in &mut tail {
        let mut padded = [0u8; 8];
        padded[..w.len()].copy_from_slice(w);
        h = (h ^ round(0, u64::from_le_bytes(padded)) ^ w.len() as u64)
            .rotate_left(27)
            .wrapping_mul(P1)
            .wrapping_add(P3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::hash;

    #[test]
    fn hash_tells_apart_lengths_tails_and_blocks() {
        let mut seen = std::collections::HashSet::new();
        let base = vec![b'a'; 100];
        for len in 0..=100 {
            assert!(seen.insert(hash(&base[..len])), "length {len}");
        }
        for at in [0, 7, 8, 31, 32, 63, 99] {
            let mut one = base.clone();
            one[at] = b'b';
            assert!(seen.insert(hash(&one)), "byte {at} changed");
        }
        assert_ne!(hash(&[0]), hash(&[0, 0]));
        assert_eq!(hash(b"same"), hash(b"same"));
    }
}
