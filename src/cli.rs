//! What every command shares: the CLI error type with its exit status, and reading inputs.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;

use hcx_error::{Code, Coded, Reason};

/// Exit status when a code was judged and rejected.
pub const EXIT_REJECTED: u8 = 1;
/// Exit status when the command could not judge (usage, I/O, key or trust list unusable).
pub const EXIT_CANNOT_JUDGE: u8 = 2;
/// Largest file any command reads whole (claims, keys, trust lists, code texts).
pub const MAX_INPUT_BYTES: u64 = 8 * 1024 * 1024;

/// A failure with a stable machine-readable code, a message, and the exit status it maps to.
#[derive(Debug)]
pub struct CliError {
    /// Stable snake_case code (the library's `Error::code`, or `usage` / `io`).
    pub code: Code,
    /// Finer reason, when the library gives one.
    pub reason: Option<Reason>,
    /// Human-readable message.
    pub message: String,
    /// Exit status.
    pub status: u8,
}

impl CliError {
    /// A usage mistake: bad option values or a missing argument.
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            code: Code::Usage,
            reason: None,
            message: message.into(),
            status: EXIT_CANNOT_JUDGE,
        }
    }

    /// A file that could not be read or written.
    pub fn io(path: &Path, err: impl std::fmt::Display) -> CliError {
        CliError {
            code: Code::Io,
            reason: None,
            message: format!("{}: {err}", path.display()),
            status: EXIT_CANNOT_JUDGE,
        }
    }

    /// A library error that means the command could not do its job.
    pub fn failed<E: Coded + std::fmt::Display>(e: &E) -> CliError {
        CliError {
            code: e.code(),
            reason: Some(e.reason()),
            message: e.to_string(),
            status: EXIT_CANNOT_JUDGE,
        }
    }

    /// A library error that judges the input: rejected, unless it concerns the trust list.
    pub fn judged<E: Coded + std::fmt::Display>(e: &E) -> CliError {
        CliError {
            status: e.code().exit_status(),
            ..CliError::failed(e)
        }
    }

    /// The JSON object `verify --json` prints for this error.
    pub fn to_json(&self) -> serde_json::Value {
        let mut error = serde_json::json!({ "code": self.code.as_str(), "message": self.message });
        if let (Some(r), Some(obj)) = (self.reason, error.as_object_mut()) {
            obj.insert("reason".into(), r.as_str().into());
        }
        serde_json::json!({ "valid": false, "error": error })
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
    hcx_format::KeyError,
    hcx_format::TrustListError,
    hcx_format::IssueError,
    hcx_format::DecodeError
);

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

/// Reads a UTF-8 text file (or standard input for `-`).
pub fn read_text(path: &Path) -> Result<String, CliError> {
    String::from_utf8(read_input(path)?).map_err(|_| CliError::io(path, "not UTF-8 text"))
}

/// Reads a private key PEM file.
pub fn read_private_key(path: &Path) -> Result<hcx_format::PrivateKey, CliError> {
    let pem = read_text(path)?;
    hcx_format::PrivateKey::from_pem(&pem).map_err(|e| CliError {
        message: format!("{}: {e}", path.display()),
        ..CliError::failed(&e)
    })
}

/// Reads a public key PEM file (a private key file is accepted too).
pub fn read_public_key(path: &Path) -> Result<hcx_format::PublicKey, CliError> {
    let pem = read_text(path)?;
    hcx_format::public_key_from_any_pem(&pem).map_err(|e| CliError {
        message: format!("{}: {e}", path.display()),
        ..CliError::failed(&e)
    })
}

/// Parses `--at T` (RFC 3339) or takes the current time, in Unix seconds.
pub fn now_or(at: Option<&str>) -> Result<i64, CliError> {
    match at {
        Some(t) => hcx_format::timefmt::parse_rfc3339(t).map_err(CliError::usage),
        None => Ok(hcx_format::timefmt::unix_seconds(
            std::time::SystemTime::now(),
        )),
    }
}

/// Parses a duration option such as `24h`.
pub fn duration(text: &str) -> Result<i64, CliError> {
    hcx_format::timefmt::parse_duration(text)
        .map(|s| i64::try_from(s).unwrap_or(i64::MAX))
        .map_err(CliError::usage)
}

/// Writes a file atomically enough for our use: to a sibling temp file, then renamed over.
pub fn write_file(path: &Path, contents: &[u8]) -> Result<(), CliError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, contents).map_err(|e| CliError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CliError::io(path, e)
    })
}

/// Whether to colour stdout: a terminal, and `NO_COLOR` unset.
pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
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
