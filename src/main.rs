//! `hcx`: issue and verify open, signed, compact health codes from the command line.
//!
//! Exit status: 0 success (a code is valid), 1 a code was judged and rejected (or an image holds
//! no code), 2 the command could not judge (usage, I/O, unusable key or trust list).

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `print!` to standard output, except that an output that can no longer be written (a closed
/// pipe: `hcx … | head`) ends the program with a message instead of a panic.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*))
    };
}

/// `println!` to standard output, with [`out!`]'s handling of a closed output.
macro_rules! outln {
    () => {
        $crate::cli::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod cli;
mod cmd;
mod output;
mod stream;

/// Issue and verify open, signed, compact health codes (HCX1).
#[derive(Parser, Debug)]
#[command(name = "hcx", version, about, long_about = None, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a new Ed25519 key (PKCS#8 PEM, mode 0600) and print its key id.
    Keygen(cmd::keys::KeygenArgs),
    /// Print the SPKI PEM public key of a key file.
    Pubkey(cmd::keys::PubkeyArgs),
    /// Edit, sign and inspect trust lists.
    Trust(cmd::trust::TrustArgs),
    /// Issue a code from claims JSON and print its text.
    Issue(cmd::issue::IssueArgs),
    /// Verify a code offline against a signed trust list.
    Verify(cmd::verify::VerifyArgs),
    /// Print a code's payload as JSON without verifying it.
    Decode(cmd::decode::DecodeArgs),
    /// Render and read QR codes.
    Qr(cmd::qr::QrArgs),
    /// Change codes' status in an issuer's registry, publish status lists, show a list.
    Status(cmd::status::StatusArgs),
    /// Run the whole story on built-in demo data: issue in DingTalk, verify in WeChat.
    Demo(cmd::demo::DemoArgs),
    /// Publish trust and status data and verify codes over HTTP (`--demo`: in a browser).
    Serve(cmd::serve::ServeArgs),
    /// Fetch and check trust and status data into a verifier's trust directory.
    Sync(cmd::sync::SyncArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen(a) => cmd::keys::keygen(&a),
        Command::Pubkey(a) => cmd::keys::pubkey(&a),
        Command::Trust(a) => cmd::trust::run(&a),
        Command::Issue(a) => cmd::issue::run(&a),
        Command::Verify(a) => cmd::verify::run(&a),
        Command::Decode(a) => cmd::decode::run(&a),
        Command::Qr(a) => return cmd::qr::run(a),
        Command::Status(a) => cmd::status::run(&a),
        Command::Demo(a) => cmd::demo::run(&a),
        Command::Serve(a) => cmd::serve::run(&a),
        Command::Sync(a) => cmd::sync::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => e.report(),
    }
}
