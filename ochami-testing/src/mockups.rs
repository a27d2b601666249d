//! The Redfish mockup trees (`../shared/redfish-mockups` from the repository root, see its
//! `SOURCES.md`), read in place. When the directory is absent a test prints a notice and
//! skips, except under `CI=true`, where it fails: CI must run every test.

use std::path::PathBuf;

/// The mockups directory, relative to this crate: `<repo>/../shared/redfish-mockups`.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/redfish-mockups")
}

/// The mockups directory when it exists. Otherwise prints
/// `SKIPPED <what>: no Redfish mockups at <path>` and returns `None`, or panics when
/// `CI=true`.
///
/// ```no_run
/// let Some(dir) = ochami_testing::mockups::dir_or_skip("crawl of every mockup") else {
///     return;
/// };
/// assert!(dir.join("SOURCES.md").is_file());
/// ```
pub fn dir_or_skip(what: &str) -> Option<PathBuf> {
    let dir = root();
    if dir.is_dir() {
        return Some(dir);
    }
    let notice = format!("no Redfish mockups at {}", dir.display());
    assert!(!crate::in_ci(), "CI=true but {notice} ({what})");
    eprintln!("\n*** SKIPPED {what}: {notice} ***\n");
    None
}

/// One mockup tree by name (a directory under [`root`]), with the same skip rule as
/// [`dir_or_skip`]; a missing tree in a present directory is a panic (a typo, not a skip).
pub fn tree_or_skip(name: &str) -> Option<PathBuf> {
    let dir = dir_or_skip(&format!("tests of mockup {name}"))?.join(name);
    assert!(dir.is_dir(), "no mockup tree {}", dir.display());
    Some(dir)
}
