//! Which file a netbooting client is told to load (DHCP option 67 and the BOOTP `file`
//! field): an iPXE binary over TFTP for a firmware PXE ROM, chosen by its architecture
//! (option 93, RFC 4578), or the HTTP URL of its bootscript once iPXE itself asks.

use ochami_core::MacAddr;

/// A client's system architecture, from DHCP option 93 (RFC 4578, numbers as IANA's
/// "Processor Architecture Types" registry assigns them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientArch {
    /// 0: x86 BIOS (legacy PXE).
    Bios,
    /// 7: x64 UEFI. Also 9 ("EFI BC"), which firmware written to RFC 4578's original
    /// numbering sends for x64.
    X86_64Efi,
    /// 11: ARM 64-bit UEFI.
    Arm64Efi,
    /// Any other type (IA32 UEFI, ARM32, UEFI HTTP boot...): no iPXE binary is offered.
    Other(u16),
}

impl ClientArch {
    /// The architecture for an option 93 value.
    ///
    /// ```
    /// use ochami_boot::dhcp::ClientArch;
    /// assert_eq!(ClientArch::from_code(0), ClientArch::Bios);
    /// assert_eq!(ClientArch::from_code(7), ClientArch::X86_64Efi);
    /// assert_eq!(ClientArch::from_code(9), ClientArch::X86_64Efi);
    /// assert_eq!(ClientArch::from_code(11), ClientArch::Arm64Efi);
    /// assert_eq!(ClientArch::from_code(16), ClientArch::Other(16));
    /// ```
    pub fn from_code(code: u16) -> Self {
        match code {
            0 => ClientArch::Bios,
            7 | 9 => ClientArch::X86_64Efi,
            11 => ClientArch::Arm64Efi,
            other => ClientArch::Other(other),
        }
    }
}

/// The iPXE binaries offered over TFTP, by architecture: file names relative to the TFTP
/// root. Debian's `ipxe` package ships `undionly.kpxe` and `ipxe.efi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootFiles {
    /// For BIOS PXE ROMs (default `undionly.kpxe`).
    pub bios: String,
    /// For x86-64 UEFI (default `ipxe.efi`).
    pub x86_64_efi: String,
    /// For ARM64 UEFI (default `ipxe-arm64.efi`).
    pub arm64_efi: String,
}

impl Default for BootFiles {
    fn default() -> Self {
        BootFiles {
            bios: "undionly.kpxe".into(),
            x86_64_efi: "ipxe.efi".into(),
            arm64_efi: "ipxe-arm64.efi".into(),
        }
    }
}

impl BootFiles {
    /// The binary for an architecture; `None` for architectures without one.
    pub fn for_arch(&self, arch: ClientArch) -> Option<&str> {
        match arch {
            ClientArch::Bios => Some(&self.bios),
            ClientArch::X86_64Efi => Some(&self.x86_64_efi),
            ClientArch::Arm64Efi => Some(&self.arm64_efi),
            ClientArch::Other(_) => None,
        }
    }
}

/// What a client is told to boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootFile {
    /// A file on the TFTP server (`siaddr`): the iPXE binary for a PXE ROM.
    Tftp(String),
    /// A URL for iPXE: the node's bootscript.
    Url(String),
}

impl BootFile {
    /// The text of option 67.
    pub fn as_str(&self) -> &str {
        match self {
            BootFile::Tftp(s) | BootFile::Url(s) => s,
        }
    }
}

/// The boot file for a client: iPXE (user class `iPXE` or option 175) gets
/// `<base_url>/boot/v1/bootscript?mac=<mac>` (known or not: the bootscript service answers
/// an unknown MAC with its unknown-node script); a PXE ROM gets the iPXE binary for its
/// architecture; a client that names no architecture, or one without a binary, gets none
/// (its address is still served).
///
/// ```
/// use ochami_boot::dhcp::{BootFile, BootFiles, ClientArch, boot_file};
/// let files = BootFiles::default();
/// let mac = "AA:BB:CC:DD:EE:FF".parse()?;
/// assert_eq!(boot_file(&files, "http://10.0.0.1:27778/", mac, true, Some(ClientArch::Bios)),
///     Some(BootFile::Url("http://10.0.0.1:27778/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff".into())));
/// assert_eq!(boot_file(&files, "http://s", mac, false, Some(ClientArch::X86_64Efi)),
///     Some(BootFile::Tftp("ipxe.efi".into())));
/// assert_eq!(boot_file(&files, "http://s", mac, false, None), None);
/// # Ok::<(), ochami_core::Error>(())
/// ```
pub fn boot_file(
    files: &BootFiles,
    base_url: &str,
    mac: MacAddr,
    ipxe: bool,
    arch: Option<ClientArch>,
) -> Option<BootFile> {
    if ipxe {
        let base = base_url.trim_end_matches('/');
        return Some(BootFile::Url(format!(
            "{base}/boot/v1/bootscript?mac={mac}"
        )));
    }
    files.for_arch(arch?).map(|f| BootFile::Tftp(f.to_owned()))
}
