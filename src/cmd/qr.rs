//! `hcx qr`: encode a text as a QR image (PNG, SVG, terminal) and decode every QR code in images.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hcx_qr::{EccLevel, EncodeOptions, Error};
use hcx_verify::{Code, Coded};

use crate::output::write_qr_with;

/// Arguments of `hcx qr`.
#[derive(clap::Args, Debug)]
pub struct QrArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: QrCommand,
}

/// The `hcx qr` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum QrCommand {
    /// Encode a text as a QR code (PNG or SVG file, or drawn in the terminal).
    Encode(EncodeArgs),
    /// Print the text of every QR code found in images, one per line.
    Decode(DecodeArgs),
}

/// Arguments of `hcx qr encode`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["out", "terminal"])))]
pub struct EncodeArgs {
    /// The text to encode, or `-` to read it from standard input (one trailing newline is dropped).
    pub text: String,
    /// Output file; its extension (.png or .svg) picks the format.
    #[arg(short = 'o', long, value_name = "OUT.png|OUT.svg")]
    pub out: Option<PathBuf>,
    /// Draw the code in the terminal with Unicode half blocks instead of writing a file.
    #[arg(long)]
    pub terminal: bool,
    /// Error-correction level: L, M, Q or H.
    #[arg(long, default_value = "M", value_name = "L|M|Q|H")]
    pub ecc: EccLevel,
    /// Pixels per module.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub scale: u32,
    /// Largest QR version allowed (1 to 40); a longer text is an error rather than a dense code.
    #[arg(long, default_value_t = 40, value_name = "N")]
    pub max_version: u8,
    /// Print {"version","ecc","mode","modules"} as JSON on standard output.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `hcx qr decode`.
#[derive(clap::Args, Debug)]
pub struct DecodeArgs {
    /// PNG or JPEG files.
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<PathBuf>,
    /// Print one JSON object per code instead of its text: image, text, format, and for QR
    /// codes version, ecc and the data segments (mode and character count).
    #[arg(long)]
    pub json: bool,
}

/// Runs `hcx qr`: exit 0 on success, 1 if an image holds no code, 2 on any other error.
pub fn run(args: QrArgs) -> ExitCode {
    match args.command {
        QrCommand::Encode(a) => run_encode(a),
        QrCommand::Decode(a) => run_decode(a),
    }
}

/// Prints the error and gives its exit status (its code's: `no_code_found` is 1, the rest 2).
fn report(context: Option<&Path>, e: &Error) -> u8 {
    match context {
        // I/O errors already name their file.
        Some(p) if !matches!(e, Error::Io { .. }) => {
            eprintln!("error[{}]: {}: {e}", e.code(), p.display());
        }
        _ => eprintln!("error[{}]: {e}", e.code()),
    }
    Coded::code(e).exit_status()
}

/// The exit status when standard output cannot be written.
fn stdout_failed() -> ExitCode {
    ExitCode::from(Code::Io.exit_status())
}

/// Encodes `text` with ECC `ecc` (max version 40, quiet zone 4) and writes it to `out`
fn read_text(arg: &str) -> Result<String, Error> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|source| Error::Io {
            path: PathBuf::from("<stdin>"),
            source,
        })?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

fn run_encode(a: EncodeArgs) -> ExitCode {
    let text = match read_text(&a.text) {
        Ok(t) => t,
        Err(e) => return ExitCode::from(report(None, &e)),
    };
    let options = EncodeOptions {
        ecc: a.ecc,
        max_version: a.max_version,
        ..EncodeOptions::default()
    };
    let result = match &a.out {
        Some(out) => write_qr_with(&text, out, &options, a.scale),
        None => hcx_qr::encode(&text, &options).inspect(|code| {
            out!(
                "{}",
                crate::cli::terminal_qr(code, crate::cli::color_stdout())
            );
        }),
    };
    let code = match result {
        Ok(c) => c,
        Err(e) => return ExitCode::from(report(None, &e)),
    };
    if a.json {
        let info = serde_json::json!({
            "version": code.version(),
            "ecc": code.ecc().to_string(),
            "mode": code.mode(),
            "modules": code.modules(),
        });
        outln!("{info}");
    }
    if std::io::stdout().flush().is_err() {
        return stdout_failed();
    }
    ExitCode::SUCCESS
}

fn run_decode(a: DecodeArgs) -> ExitCode {
    let mut status = 0u8;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in &a.images {
        // Texts alone skip re-reading each symbol's data for its segments.
        let lines = if a.json {
            hcx_qr::decode_file_symbols(path).map(|symbols| {
                symbols
                    .iter()
                    .map(|symbol| symbol_json(path, symbol).to_string())
                    .collect::<Vec<_>>()
            })
        } else {
            hcx_qr::decode_file(path)
        };
        match lines {
            Ok(lines) => {
                for line in lines {
                    if writeln!(out, "{line}").is_err() {
                        return stdout_failed();
                    }
                }
            }
            Err(e) => status = status.max(report(Some(path), &e)),
        }
    }
    if out.flush().is_err() {
        return stdout_failed();
    }
    ExitCode::from(status)
}

/// `hcx qr decode --json`'s object for one code.
fn symbol_json(image: &Path, symbol: &hcx_qr::Symbol) -> serde_json::Value {
    let segments = symbol.segments.as_ref().map(|list| {
        list.iter()
            .map(|seg| serde_json::json!({ "mode": seg.mode.as_str(), "count": seg.count }))
            .collect::<Vec<_>>()
    });
    serde_json::json!({
        "image": image.display().to_string(),
        "text": symbol.text,
        "format": symbol.format.as_str(),
        "version": symbol.version,
        "ecc": symbol.ecc.map(|e| e.to_string()),
        "segments": segments,
    })
}
