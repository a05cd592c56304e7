//! `hcx keygen` and `hcx pubkey`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hcx_format::PrivateKey;

use crate::cli::{CliError, read_public_key};

/// Arguments of `hcx keygen`.
#[derive(clap::Args, Debug)]
pub struct KeygenArgs {
    /// Where to write the private key (PKCS#8 PEM, file mode 0600).
    #[arg(short = 'o', long = "out", value_name = "KEY.pem")]
    pub out: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `hcx pubkey`.
#[derive(clap::Args, Debug)]
pub struct PubkeyArgs {
    /// A private key (or public key) PEM file.
    #[arg(value_name = "KEY.pem")]
    pub key: PathBuf,
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

/// `hcx keygen -o KEY.pem [--force]`: prints the new key id.
pub fn keygen(args: &KeygenArgs) -> Result<ExitCode, CliError> {
    let key = PrivateKey::generate()?;
    write_new_key(&args.out, &key, args.force)?;
    outln!("{}", key.key_id());
    Ok(ExitCode::SUCCESS)
}

/// `hcx pubkey KEY.pem`: prints the SPKI PEM public key.
pub fn pubkey(args: &PubkeyArgs) -> Result<ExitCode, CliError> {
    let key = read_public_key(&args.key)?;
    out!("{}", key.to_pem()?);
    Ok(ExitCode::SUCCESS)
}
