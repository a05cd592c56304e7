//! What every command shares: the CLI error type with its exit status, and reading inputs.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hcx_verify::{Code, Coded, Reason, TrustError, VerifyError};

/// Exit status when a code was judged and rejected.
pub const EXIT_REJECTED: u8 = hcx_verify::Code::Malformed.exit_status();
/// Exit status when the command could not judge (usage, I/O, key or trust list unusable).
pub const EXIT_CANNOT_JUDGE: u8 = hcx_verify::Code::Usage.exit_status();
/// Largest file any command reads whole (claims, keys, trust lists, code texts, images).
pub const MAX_INPUT_BYTES: u64 = 8 * 1024 * 1024;

/// A failure with a stable machine-readable code, a message, and the exit status it maps to.
#[derive(Debug)]
pub struct CliError {
    /// Stable code (the library's, or `usage` / `io`).
    pub code: Code,
    /// Finer reason, when there is one.
    pub reason: Option<Reason>,
    /// Human-readable message.
    pub message: String,
    /// Exit status.
    pub status: u8,
}

impl CliError {
    /// A failure with this code and reason; the exit status is the code's.
    pub fn new(code: Code, reason: Option<Reason>, message: impl Into<String>) -> CliError {
        CliError {
            code,
            reason,
            message: message.into(),
            status: code.exit_status(),
        }
    }

    /// A usage mistake: bad option values or a missing argument.
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(Code::Usage, None, message)
    }

    /// A file that could not be read or written.
    pub fn io(path: &Path, err: impl std::fmt::Display) -> CliError {
        CliError::new(Code::Io, None, format!("{}: {err}", path.display()))
    }

    /// A library error that means the command could not do its job (exit 2, whatever the code).
    pub fn failed<E: Coded + std::fmt::Display>(e: &E) -> CliError {
        CliError {
            status: EXIT_CANNOT_JUDGE,
            ..CliError::new(e.code(), Some(e.reason()), e.to_string())
        }
    }

    /// A trust input that cannot be used, named by its file.
    pub fn trust(path: &Path, e: &TrustError) -> CliError {
        let message = match e {
            TrustError::MissingRoots => format!(
                "{} is an hcx trust list: give the --root key it must be signed by",
                path.display()
            ),
            TrustError::TrustList(_) | TrustError::SeveralTrustLists => e.to_string(),
            _ => format!("{}: {e}", path.display()),
        };
        CliError {
            status: EXIT_CANNOT_JUDGE,
            ..CliError::new(e.code(), Some(e.reason()), message)
        }
    }

    /// A failed verification that ends the command (with `--qr`, named by its image).
    pub fn verify(image: Option<&Path>, e: &VerifyError) -> CliError {
        let message = match (image, e) {
            (Some(path), VerifyError::Image(_)) => format!("{}: {e}", path.display()),
            _ => e.to_string(),
        };
        CliError::new(e.code(), Some(e.reason()), message)
    }

    /// The JSON object `verify --json` prints for this error (the facade's one writer).
    pub fn to_json(&self) -> String {
        hcx_verify::error_json(self.code, self.reason, &self.message)
    }

    /// Prints the error on stderr and returns its exit status.
    pub fn report(&self) -> ExitCode {
        eprintln!("error[{}]: {}", self.code, self.message);
        ExitCode::from(self.status)
    }
}

/// Library errors of commands that do not judge a code: the command could not run.
macro_rules! from_library_errors {
    ($($t:ty),+) => {$(
        impl From<$t> for CliError {
            fn from(e: $t) -> Self {
                CliError::failed(&e)
            }
        }
    )+};
}

from_library_errors!(
    hcx_verify::KeyError,
    hcx_verify::TrustListError,
    hcx_verify::IssueError,
    hcx_qr::Error,
    hcx_registry::RegistryError,
    hcx_status::StatusError
);

/// Where a code comes from: text arguments, `-`, or a QR image (`verify` and `decode`).
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct CodeInput {
    /// The code text, or `-` to read it from standard input. Several `shc:/K/N/` chunks may be
    /// given, in any order.
    #[arg(value_name = "CODE")]
    pub code: Vec<String>,
    /// Read the code from a QR image (PNG or JPEG) instead.
    #[arg(long, value_name = "IMAGE")]
    pub qr: Option<PathBuf>,
}

/// The code texts given as arguments (`-` reads standard input), trimmed.
pub fn code_texts(codes: &[String]) -> Result<Vec<String>, CliError> {
    match codes {
        [] => Ok(vec![code_text("-")?]),
        codes => codes.iter().map(|c| code_text(c)).collect(),
    }
}

/// Reads a whole file (or standard input for `-`), refusing files over [`MAX_INPUT_BYTES`].
pub fn read_input(path: &Path) -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    let limit_err = || {
        CliError::io(
            path,
            format!("larger than the {MAX_INPUT_BYTES}-byte limit for this input"),
        )
    };
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| CliError::io(path, e))?;
    } else {
        let file = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
        file.take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| CliError::io(path, e))?;
    }
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(limit_err());
    }
    Ok(buf)
}

/// Reads an image file for `--qr` (up to hcx-qr's own size limit).
pub fn read_image(path: &Path) -> Result<Vec<u8>, CliError> {
    hcx_qr::read_image_file(path).map_err(|e| CliError {
        status: EXIT_CANNOT_JUDGE,
        ..CliError::verify(Some(path), &VerifyError::from(e))
    })
}

/// Reads a UTF-8 text file (or standard input for `-`).
pub fn read_text(path: &Path) -> Result<String, CliError> {
    String::from_utf8(read_input(path)?).map_err(|_| CliError::io(path, "not UTF-8 text"))
}

/// Reads a private key PEM file.
pub fn read_private_key(path: &Path) -> Result<hcx_verify::PrivateKey, CliError> {
    let pem = read_text(path)?;
    hcx_verify::PrivateKey::from_pem(&pem).map_err(|e| CliError {
        message: format!("{}: {e}", path.display()),
        ..CliError::failed(&e)
    })
}

/// Reads a public key PEM file (a private key file is accepted too).
pub fn read_public_key(path: &Path) -> Result<hcx_verify::PublicKey, CliError> {
    let pem = read_text(path)?;
    hcx_verify::public_key_from_any_pem(&pem).map_err(|e| CliError {
        message: format!("{}: {e}", path.display()),
        ..CliError::failed(&e)
    })
}

/// Parses `--at T` (RFC 3339) or takes the current time, in Unix seconds.
pub fn now_or(at: Option<&str>) -> Result<i64, CliError> {
    match at {
        Some(t) => hcx_verify::timefmt::parse_rfc3339(t).map_err(CliError::usage),
        None => Ok(hcx_verify::timefmt::unix_seconds(
            std::time::SystemTime::now(),
        )),
    }
}

/// Parses a duration option such as `24h`.
pub fn duration(text: &str) -> Result<i64, CliError> {
    hcx_verify::timefmt::parse_duration(text)
        .map(|s| i64::try_from(s).unwrap_or(i64::MAX))
        .map_err(CliError::usage)
}

/// Whether to colour stdout: a terminal, and `NO_COLOR` unset.
pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Whether to colour stderr: a terminal, and `NO_COLOR` unset.
pub fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// A QR code drawn with half blocks for a terminal: in ANSI colours (dark on light, whatever
/// the theme) only when `color`, so files and pipes get plain text.
pub fn terminal_qr(code: &hcx_qr::QrCode, color: bool) -> String {
    if color {
        code.to_terminal()
    } else {
        code.to_terminal_plain()
    }
}

/// The code text given as an argument, `-` for standard input, trimmed of surrounding space.
pub fn code_text(arg: &str) -> Result<String, CliError> {
    let text = if arg == "-" {
        read_text(Path::new("-"))?
    } else {
        arg.to_owned()
    };
    Ok(text.trim().to_owned())
}

/// Writes to standard output; if that fails (the reader closed the pipe, the disk is full),
/// says so on stderr and exits with status 2, as for any run that could not finish.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("hcx: cannot write to standard output: {e}");
        }
        std::process::exit(i32::from(EXIT_CANNOT_JUDGE));
    }
}
