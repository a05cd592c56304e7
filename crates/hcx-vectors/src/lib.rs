//! Generates the hcx conformance vectors (`spec/fixtures/`) from fixed seeds, byte for byte.
//!
//! `cargo run -p hcx-vectors -- spec/fixtures` rewrites the directory; the test
//! `tests/fixtures_current.rs` fails when the committed files differ from what this produces.
//! Every key seed is `SHA-256("hcx-fixtures/v1/" + name)`, every code id
//! `SHA-256("hcx-fixtures/v1/cti/" + case)[0..8]` with `case` the name of the case holding the
//! code (SPEC.md §13 lists the exceptions), and Ed25519 signatures are deterministic.
#![forbid(unsafe_code)]
// A developer tool over its own, fixed data: indexing JSON it just built cannot fail on input.
#![allow(missing_docs, clippy::indexing_slicing)]

mod cases;
pub mod example;
pub mod foreign;
pub mod forge;
mod rules;
mod status;
mod trust;

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

/// The reference instant of every vector: 2026-11-21T08:00:00Z.
pub const T0: i64 = 1_795_248_000;
/// One hour, one day, in seconds.
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

/// The reference claims of the README, the demo, the benchmarks and the tests: the one place
/// they are written (also generated as `spec/fixtures/samples/reference-claims.json` for hosts
/// that are not Rust).
pub const REFERENCE_CLAIMS_JSON: &str = r#"{"status":"green","subject":{"name":"张三","birth_date":"1990-03-07","id_type":"CN-RIC","id_suffix":"4312"},"region":"CN-33"}"#;

/// Every file of the fixture directory: relative path → contents.
pub type Files = BTreeMap<String, Vec<u8>>;

/// The 32-byte seed of the named fixture key.
pub fn seed(name: &str) -> [u8; 32] {
    Sha256::digest(format!("hcx-fixtures/v1/{name}").as_bytes()).into()
}

/// The named fixture key.
pub fn signing_key(name: &str) -> SigningKey {
    SigningKey::from_bytes(&seed(name))
}

/// The named fixture key as the library's type.
pub fn private_key(name: &str) -> hcx_format::PrivateKey {
    hcx_format::PrivateKey::from_seed(&seed(name))
}

/// Key names written to `keys/`.
pub const KEY_NAMES: &[&str] = &[
    "root-1",
    "root-2",
    "root-rogue",
    "dingtalk-1",
    "dingtalk-2",
    "dingtalk-status",
    "wechat-1",
    "alipay-1",
    "gov-zj-1",
    "rogue-1",
];

/// Generates every fixture file.
pub fn generate() -> Result<Files, String> {
    let mut files = Files::new();
    for name in KEY_NAMES {
        let key = private_key(name);
        let pem = key.to_pem().map_err(|e| e.to_string())?;
        files.insert(format!("keys/{name}.pem"), pem.as_bytes().to_vec());
        let public = key.public_key().to_pem().map_err(|e| e.to_string())?;
        files.insert(format!("keys/{name}.pub.pem"), public.into_bytes());
    }
    trust::generate(&mut files)?;
    write_cases(&mut files)?;
    samples(&mut files)?;
    foreign::samples(&mut files)?;
    files.insert(
        "worked-example.md".into(),
        example::worked_example()?.into_bytes(),
    );
    Ok(files)
}

/// Writes every case file: the format's cases, then the rules' and the status lists'.
fn write_cases(files: &mut Files) -> Result<(), String> {
    let mut all = cases::cases(files)?;
    all.extend(rules::cases(files)?);
    all.extend(status::cases(files)?);
    for case in &all {
        let mut body = serde_json::to_string_pretty(&case.to_json()).map_err(|e| e.to_string())?;
        body.push('\n');
        let path = format!("cases/{}.json", case.name);
        if files.insert(path, body.into_bytes()).is_some() {
            return Err(format!("two cases named {}", case.name));
        }
    }
    Ok(())
}

/// The directories of the fixture tree this generator owns (and empties before writing).
pub const FIXTURE_DIRS: [&str; 6] = ["keys", "trust", "cases", "images", "samples", "status"];

/// Plain-text samples for documentation and for hosts that want a code without reading a case:
/// the codes of `valid-reference` and `key-unknown-kid`, and the reference claims.
fn samples(files: &mut Files) -> Result<(), String> {
    for (sample, case) in [
        ("samples/reference-code.txt", "valid-reference"),
        ("samples/unknown-key-code.txt", "key-unknown-kid"),
    ] {
        let path = format!("cases/{case}.json");
        let bytes = files
            .get(&path)
            .ok_or_else(|| format!("{path} is not generated"))?;
        let json: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("{path}: {e}"))?;
        let text = json["input"]["text"]
            .as_str()
            .ok_or_else(|| format!("{path} has no input text"))?;
        files.insert(sample.to_owned(), format!("{text}\n").into_bytes());
    }
    files.insert(
        "samples/reference-claims.json".to_owned(),
        format!("{REFERENCE_CLAIMS_JSON}\n").into_bytes(),
    );
    Ok(())
}

/// Writes the fixtures under `dir`, removing stale files in the directories this owns.
pub fn write(dir: &std::path::Path) -> Result<usize, String> {
    let files = generate()?;
    for sub in FIXTURE_DIRS {
        let path = dir.join(sub);
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    refresh_spec_appendix(dir, &files)?;
    for (name, bytes) in &files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(files.len())
}

/// Markers around the generated Appendix A in SPEC.md.
pub const APPENDIX_BEGIN: &str =
    "<!-- BEGIN GENERATED: spec/fixtures/worked-example.md (checked by tests/conformance.rs) -->\n";
/// End marker of the generated Appendix A.
pub const APPENDIX_END: &str = "<!-- END GENERATED -->";

/// SPEC.md with its Appendix A replaced by the generated worked example.
pub fn spec_with_appendix(spec: &str, files: &Files) -> Result<String, String> {
    let example = files.get("worked-example.md").ok_or("no worked example")?;
    let start = spec
        .find(APPENDIX_BEGIN)
        .ok_or("SPEC.md has no appendix marker")?
        + APPENDIX_BEGIN.len();
    let end = spec
        .find(APPENDIX_END)
        .ok_or("SPEC.md has no appendix end marker")?;
    let (head, tail) = (
        spec.get(..start).ok_or("marker")?,
        spec.get(end..).ok_or("marker")?,
    );
    Ok(format!("{head}{}{tail}", String::from_utf8_lossy(example)))
}

/// Rewrites Appendix A of `dir/../SPEC.md`, when that file exists.
fn refresh_spec_appendix(dir: &std::path::Path, files: &Files) -> Result<(), String> {
    let spec_path = dir.join("../SPEC.md");
    let Ok(spec) = std::fs::read_to_string(&spec_path) else {
        return Ok(());
    };
    let updated = spec_with_appendix(&spec, files)?;
    if updated != spec {
        std::fs::write(&spec_path, updated).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    }
    Ok(())
}
