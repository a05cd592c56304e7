//! Writing what commands produce: files replaced atomically, new private keys (mode 0600), QR
//! images.

use std::io::Write;
use std::path::Path;

use hcx_qr::{EccLevel, EncodeOptions, Error, QrCode};
use hcx_verify::PrivateKey;

use crate::cli::CliError;

/// Writes a file atomically and durably (hcx-server's one rule: a temporary sibling, synced,
/// renamed over, the directory synced): a reader never sees half a file.
pub fn write_file(path: &Path, contents: &[u8]) -> Result<(), CliError> {
    hcx_server::write_atomically(path, contents).map_err(|e| CliError::io(path, e))
}

/// Writes a new private key to `path` with mode 0600; refuses to overwrite unless `force`.
pub fn write_new_key(path: &Path, key: &PrivateKey, force: bool) -> Result<(), CliError> {
    let pem = key.to_pem()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::io(path, "already exists; use --force to overwrite it")
        } else {
            CliError::io(path, e)
        }
    })?;
    // An existing file keeps its old mode on truncation: tighten it explicitly.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| CliError::io(path, e))?;
    }
    file.write_all(pem.as_bytes())
        .map_err(|e| CliError::io(path, e))
}

/// as PNG or SVG, as the extension says, `scale` pixels per module (for `hcx issue --qr`).
pub fn write_qr(text: &str, out: &Path, ecc: EccLevel, scale: u32) -> Result<QrCode, Error> {
    let options = EncodeOptions {
        ecc,
        ..EncodeOptions::default()
    };
    write_qr_with(text, out, &options, scale)
}

/// Like [`write_qr`] with every encoding option.
pub fn write_qr_with(
    text: &str,
    out: &Path,
    options: &EncodeOptions,
    scale: u32,
) -> Result<QrCode, Error> {
    // Check the extension before encoding, so a typo fails before any work.
    hcx_qr::OutputFormat::from_path(out)?;
    let code = hcx_qr::encode(text, options)?;
    code.write_file(out, scale)?;
    Ok(code)
}
