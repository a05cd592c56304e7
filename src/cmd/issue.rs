//! `hcx issue`: the issuer's side.

use std::path::PathBuf;
use std::process::ExitCode;

use hcx_format::{HealthClaims, IssueParams};

use crate::cli::{CliError, duration, now_or, read_private_key, read_text};

/// Arguments of `hcx issue`.
#[derive(clap::Args, Debug)]
pub struct IssueArgs {
    /// The issuer's private key (PKCS#8 PEM).
    #[arg(long, value_name = "KEY.pem")]
    pub key: PathBuf,
    /// Issuer id, as registered in the trust list.
    #[arg(long, value_name = "ID")]
    pub issuer: String,
    /// Claims JSON file, or `-` for standard input.
    #[arg(long, value_name = "CLAIMS.json", required_unless_present = "batch")]
    pub claims: Option<PathBuf>,
    /// Issue one code per line of this JSON-lines file (`-` for standard input).
    #[arg(long, value_name = "IN.jsonl", conflicts_with_all = ["claims", "qr", "show"])]
    pub batch: Option<PathBuf>,
    /// With --batch: write the results here instead of standard output.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "OUT.jsonl",
        requires = "batch"
    )]
    pub output: Option<PathBuf>,
    /// With --batch: worker threads (default: all cores).
    #[arg(long, value_name = "N", requires = "batch")]
    pub jobs: Option<usize>,
    /// How long the code stays valid, e.g. `5m` for a dynamic code or `24h`.
    #[arg(long = "valid-for", value_name = "DUR", default_value = "24h")]
    pub valid_for: String,
    /// Issuing time instead of now (RFC 3339).
    #[arg(long, value_name = "T")]
    pub at: Option<String>,
    /// Also write the code as a QR image (.png or .svg).
    #[arg(long, value_name = "OUT.png|OUT.svg")]
    pub qr: Option<PathBuf>,
    /// Also show the code as a QR code in the terminal (on stderr).
    #[arg(long)]
    pub show: bool,
}

/// Issues one code from parsed arguments; shared with `hcx demo`.
pub fn issue_code(
    key: &hcx_format::PrivateKey,
    issuer: &str,
    claims: &HealthClaims,
    issued_at: i64,
    valid_for: i64,
) -> Result<String, CliError> {
    hcx_format::issue(key, &issue_params(issuer, issued_at, valid_for), claims)
        .map_err(|e| CliError::failed(&e))
}

/// What `hcx issue` puts in a code besides the claims.
pub fn issue_params(issuer: &str, issued_at: i64, valid_for: i64) -> IssueParams {
    IssueParams {
        issuer: issuer.to_owned(),
        issued_at,
        expires_at: issued_at.saturating_add(valid_for),
        not_before: None,
    }
}

/// `hcx issue …`: prints the code text on stdout.
pub fn run(args: &IssueArgs) -> Result<ExitCode, CliError> {
    let key = read_private_key(&args.key)?;
    let Some(claims_path) = &args.claims else {
        return crate::cmd::batch::issue(args, &key);
    };
    let json = read_text(claims_path)?;
    let claims = HealthClaims::from_json(&json).map_err(|e| CliError {
        message: format!("{}: {e}", claims_path.display()),
        ..CliError::failed(&hcx_format::IssueError::InvalidClaims(e))
    })?;
    let valid_for = duration(&args.valid_for)?;
    if valid_for == 0 {
        return Err(CliError::usage("--valid-for must be longer than 0s"));
    }
    let text = issue_code(
        &key,
        &args.issuer,
        &claims,
        now_or(args.at.as_deref())?,
        valid_for,
    )?;
    if let Some(out) = &args.qr {
        crate::cmd::qr::write_qr(&text, out, hcx_qr::EccLevel::M, 8).map_err(|e| CliError {
            code: e.code(),
            reason: Some(e.reason()),
            message: format!("{}: {e}", out.display()),
            status: 2,
        })?;
    }
    if args.show {
        let code =
            hcx_qr::encode(&text, &hcx_qr::EncodeOptions::default()).map_err(|e| CliError {
                code: e.code(),
                reason: Some(e.reason()),
                message: e.to_string(),
                status: 2,
            })?;
        eprint!("{}", code.to_terminal());
    }
    outln!("{text}");
    Ok(ExitCode::SUCCESS)
}
