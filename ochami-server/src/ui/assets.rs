//! The page's files, built into the binary.

use std::hash::{Hash, Hasher};

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

/// A 64-bit hash of `bytes`, the same in every process of one build (the standard hasher
/// with its fixed keys), which is all an entity tag needs.
pub(super) fn hash(bytes: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}
