//! `hcx keygen` and `hcx pubkey`.

use std::path::PathBuf;
use std::process::ExitCode;

use hcx_format::PrivateKey;

use crate::cli::{CliError, read_public_key};
use crate::output::write_new_key;

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
    /// A private or public key: PEM, or a JWK (RFC 8037).
    #[arg(value_name = "KEY.pem")]
    pub key: PathBuf,
    /// Print the public key as an RFC 8037 JWK (`kty` OKP, `crv` Ed25519) instead of SPKI PEM.
    #[arg(long)]
    pub jwk: bool,
}

/// `hcx keygen -o KEY.pem [--force]`: prints the new key id.
pub fn keygen(args: &KeygenArgs) -> Result<ExitCode, CliError> {
    let key = PrivateKey::generate()?;
    write_new_key(&args.out, &key, args.force)?;
    outln!("{}", key.key_id());
    Ok(ExitCode::SUCCESS)
}

/// `hcx pubkey KEY.pem [--jwk]`: prints the public key as SPKI PEM, or as a JWK.
pub fn pubkey(args: &PubkeyArgs) -> Result<ExitCode, CliError> {
    let key = read_public_key(&args.key)?;
    if args.jwk {
        outln!("{}", key.to_jwk());
    } else {
        out!("{}", key.to_pem()?);
    }
    Ok(ExitCode::SUCCESS)
}
