//! `cargo run -p hcx-vectors -- spec/fixtures`: regenerates the conformance vectors.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "spec/fixtures".to_owned());
    match hcx_vectors::write(std::path::Path::new(&dir)) {
        Ok(n) => {
            println!("wrote {n} files to {dir}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
