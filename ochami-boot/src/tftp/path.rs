//! Which file under the TFTP root a requested name means, refusing every name that could
//! lead outside it.

use std::path::{Path, PathBuf};

use super::{ErrorCode, Refusal};

/// The path under `root` that `name` names: its components joined onto `root`, `\` taken
/// as a separator (Windows-style PXE clients), `.` and empty components skipped.
/// Refused with ERROR 2 (access violation): absolute names, any `..` component, a drive
/// prefix (`C:`). The caller must still check that the opened file's canonical path lies
/// inside the canonical root, so a symlink cannot lead out.
///
/// ```
/// use std::path::Path;
/// use ochami_boot::tftp::resolve_path;
/// let root = Path::new("/srv/tftp");
/// assert_eq!(resolve_path(root, "ipxe/./ipxe.efi")?, Path::new("/srv/tftp/ipxe/ipxe.efi"));
/// assert!(resolve_path(root, "../etc/passwd").is_err());
/// assert!(resolve_path(root, "/etc/passwd").is_err());
/// assert!(resolve_path(root, "a\\..\\..\\b").is_err());
/// # Ok::<(), ochami_boot::tftp::Refusal>(())
/// ```
pub fn resolve_path(root: &Path, name: &str) -> Result<PathBuf, Refusal> {
    let refuse = |why: &str| Refusal::new(ErrorCode::AccessViolation, why);
    if name.starts_with('/') || name.starts_with('\\') {
        return Err(refuse("absolute file names are not served"));
    }
    let mut path = root.to_path_buf();
    let mut depth = 0usize;
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(refuse("file names with .. are not served")),
            p if p.contains(':') => return Err(refuse("file names with : are not served")),
            p => {
                path.push(p);
                depth += 1;
            }
        }
    }
    if depth == 0 {
        return Err(Refusal::new(ErrorCode::FileNotFound, "no file named"));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        let root = Path::new("/srv/tftp");
        for bad in [
            "..",
            "../x",
            "a/../../x",
            "a/..",
            "/x",
            "\\x",
            "a\\..\\x",
            "C:x",
            "c:\\windows",
        ] {
            let e = resolve_path(root, bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::AccessViolation, "{bad}");
        }
        assert_eq!(
            resolve_path(root, "./.").unwrap_err().code,
            ErrorCode::FileNotFound
        );
        assert_eq!(
            resolve_path(root, "boot\\x64\\ipxe.efi").unwrap(),
            Path::new("/srv/tftp/boot/x64/ipxe.efi")
        );
        assert_eq!(
            resolve_path(root, "a//b..c").unwrap(),
            Path::new("/srv/tftp/a/b..c")
        );
    }
}
