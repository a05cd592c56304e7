//! `hcx decode`: what a code holds, clearly marked unverified.

use std::process::ExitCode;

use crate::cli::{CliError, CodeInput, code_texts, read_image};

/// Arguments of `hcx decode`.
#[derive(clap::Args, Debug)]
pub struct DecodeArgs {
    #[command(flatten)]
    pub input: CodeInput,
}

/// `hcx decode …`: the payload as JSON, marked unverified.
pub fn run(args: &DecodeArgs) -> Result<ExitCode, CliError> {
    let texts = match &args.input.qr {
        Some(image) => hcx_verify::scan_image(&read_image(image)?)
            .map_err(|e| CliError::verify(Some(image), &e))?,
        None => code_texts(&args.input.code)?,
    };
    let text = texts.first().cloned().unwrap_or_default();
    let decoded = hcx_verify::decode(&text).map_err(|e| CliError::verify(None, &e))?;
    outln!("{}", decoded.to_json_pretty());
    Ok(ExitCode::SUCCESS)
}
