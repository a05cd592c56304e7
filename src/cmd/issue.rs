//! `hcx issue`: the issuer's side.

use std::path::PathBuf;
use std::process::ExitCode;

use std::time::Instant;

use hcx_registry::{CodeId, NewCode, Registry};
use hcx_verify::{BatchIssuer, HealthClaims, IssueError, IssueParams, IssueRequest};
use rayon::prelude::*;
use serde_json::{Value as Json, json};

use crate::cli::{CliError, EXIT_REJECTED, duration, now_or, read_private_key, read_text};
use crate::stream::{Line, Outcome, run_stream_committed};

/// Codes signed together: enough to amortise the shared field inversion, small enough to spread
/// a chunk over the workers.
const SUB_BATCH: usize = 256;

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
    /// Record every code issued in this registry (an SQLite file, created if absent, or a
    /// `postgres://` URL) before printing it, so its status can be published later.
    #[arg(long, value_name = "DB")]
    pub registry: Option<String>,
}

/// Opens the registry named by `--registry`.
fn open_registry(location: &str) -> Result<Registry, CliError> {
    Registry::open(location).map_err(|e| CliError::failed(&e))
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
        return batch(args, &key);
    };
    let json = read_text(claims_path)?;
    let claims = HealthClaims::from_json(&json).map_err(|e| CliError {
        message: format!("{}: {e}", claims_path.display()),
        ..CliError::failed(&IssueError::InvalidClaims(e))
    })?;
    let valid_for = duration(&args.valid_for)?;
    if valid_for == 0 {
        return Err(CliError::usage("--valid-for must be longer than 0s"));
    }
    let params = issue_params(&args.issuer, now_or(args.at.as_deref())?, valid_for);
    let text = match &args.registry {
        // Recorded (and committed) before anything is printed or written.
        Some(location) => {
            open_registry(location)?
                .issue(&key, &params, &claims)
                .map_err(|e| CliError::failed(&e))?
                .0
        }
        None => hcx_verify::issue(&key, &params, &claims)?,
    };
    if let Some(out) = &args.qr {
        crate::output::write_qr(&text, out, hcx_qr::EccLevel::M, 8).map_err(|e| CliError {
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
        eprint!(
            "{}",
            crate::cli::terminal_qr(&code, crate::cli::color_stderr())
        );
    }
    outln!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// One line of `issue --batch` input: a claims object, or claims with their own options.
struct IssueLine {
    claims: HealthClaims,
    valid_for: Option<String>,
    at: Option<String>,
}

fn claims_error(e: hcx_verify::ClaimsError) -> CliError {
    CliError::failed(&IssueError::InvalidClaims(e))
}

/// Reads `{"claims":{…},"valid_for":"5m","at":"…"}` or a bare claims object.
fn parse_issue_line(text: &str) -> Result<IssueLine, CliError> {
    let bad_json = |e: serde_json::Error| {
        claims_error(hcx_verify::ClaimsError {
            field: String::new(),
            problem: format!("not valid claims JSON: {e}"),
        })
    };
    // Most lines are bare claims: read them straight into the type. Anything else (the wrapped
    // form, or an error to explain) goes through the map below, as before.
    if let Ok(claims) = serde_json::from_str::<HealthClaims>(text) {
        return Ok(IssueLine {
            claims: claims.normalized().map_err(claims_error)?,
            valid_for: None,
            at: None,
        });
    }
    let mut map: serde_json::Map<String, Json> = serde_json::from_str(text).map_err(bad_json)?;
    // Claims never have a `claims` field (unknown fields are refused), so its presence marks
    // the wrapped form unambiguously.
    let (claims, valid_for, at) = match map.remove("claims") {
        None => (Json::Object(map), None, None),
        Some(claims) => {
            let mut text_opt = |k: &str| -> Result<Option<String>, CliError> {
                match map.remove(k) {
                    None | Some(Json::Null) => Ok(None),
                    Some(Json::String(s)) => Ok(Some(s)),
                    Some(_) => Err(CliError::usage(format!("`{k}` must be a string"))),
                }
            };
            let (valid_for, at) = (text_opt("valid_for")?, text_opt("at")?);
            if let Some(k) = map.keys().next() {
                return Err(CliError::usage(format!(
                    "unknown field `{k}` (expected `claims`, `valid_for`, `at`)"
                )));
            }
            (claims, valid_for, at)
        }
    };
    let claims = serde_json::from_value::<HealthClaims>(claims)
        .map_err(bad_json)?
        .normalized()
        .map_err(claims_error)?;
    Ok(IssueLine {
        claims,
        valid_for,
        at,
    })
}

/// The output line of one issued code or of one error.
fn issue_outcome(line: u64, result: Result<String, CliError>) -> Outcome {
    match result {
        Ok(code) => Outcome {
            // The same object as `json!({"line": n, "code": code})`, keys in sorted order,
            // written directly.
            json: format!("{{\"code\":{},\"line\":{line}}}", Json::String(code)),
            label: "issued",
            status: 0,
        },
        Err(e) => {
            let mut error = json!({ "code": e.code.as_str(), "message": e.message });
            if let (Some(r), Some(obj)) = (e.reason, error.as_object_mut()) {
                obj.insert("reason".into(), r.as_str().into());
            }
            Outcome {
                json: json!({ "line": line, "error": error }).to_string(),
                label: e.code.as_str(),
                status: EXIT_REJECTED,
            }
        }
    }
}

/// `hcx issue --batch IN [-o OUT] [--jobs N]` (the key is already read).
fn batch(args: &IssueArgs, key: &hcx_verify::PrivateKey) -> Result<ExitCode, CliError> {
    let start = Instant::now();
    let Some(input) = &args.batch else {
        return Err(CliError::usage(
            "give --claims CLAIMS.json or --batch IN.jsonl",
        ));
    };
    // Options given once apply to every line that does not set its own.
    let default_valid_for = duration(&args.valid_for)?;
    if default_valid_for == 0 {
        return Err(CliError::usage("--valid-for must be longer than 0s"));
    }
    let fixed_at = args.at.as_deref().map(|t| now_or(Some(t))).transpose()?;
    // A line's claims and options, checked; what is left is signing.
    let prepare = |text: &str, now: i64| -> Result<(IssueParams, HealthClaims), CliError> {
        if text.trim().is_empty() {
            return Err(CliError::new(
                hcx_verify::Code::InvalidInput,
                Some(hcx_verify::Reason::EmptyLine),
                "empty line: expected a claims object",
            ));
        }
        let line = parse_issue_line(text)?;
        let valid_for = match &line.valid_for {
            Some(d) => duration(d)?,
            None => default_valid_for,
        };
        if valid_for == 0 {
            return Err(CliError::usage("valid_for must be longer than 0s"));
        }
        let at = match &line.at {
            Some(t) => now_or(Some(t))?,
            None => fixed_at.unwrap_or(now),
        };
        Ok((issue_params(&args.issuer, at, valid_for), line.claims))
    };
    let issuer = BatchIssuer::new(key);
    // A code to record: its line's place in the chunk's outcomes, its line number, the row.
    type Pending = Vec<(usize, u64, NewCode)>;
    let process = |first: u64, lines: &[Line]| -> (Vec<Outcome>, Pending) {
        // Without --at, each chunk is issued at the time it is processed.
        let now = now_or(None).unwrap_or(0);
        let numbered: Vec<(u64, &Line)> = (first..).zip(lines).collect();
        let results: Vec<(Outcome, Option<(u64, NewCode)>)> = numbered
            .par_chunks(SUB_BATCH)
            .flat_map_iter(|chunk| {
                let prepared: Vec<Result<(IssueParams, HealthClaims), CliError>> = chunk
                    .iter()
                    .map(|(_, line)| match (line.problem(), line) {
                        (None, Line::Text(t)) => prepare(t, now),
                        (Some((reason, message)), _) => Err(CliError::new(
                            hcx_verify::Code::Malformed,
                            Some(reason),
                            message,
                        )),
                        (None, _) => Err(CliError::usage("unreadable line")),
                    })
                    .collect();
                let requests: Vec<IssueRequest<'_>> = prepared
                    .iter()
                    .filter_map(|p| p.as_ref().ok())
                    .map(|(params, claims)| IssueRequest { params, claims })
                    .collect();
                let mut issued = issuer.issue_many_identified(&requests).into_iter();
                chunk
                    .iter()
                    .zip(prepared)
                    .map(|((n, _), p)| {
                        let result = p.and_then(|(params, _)| {
                            let code = issued
                                .next()
                                .unwrap_or_else(|| {
                                    Err(IssueError::InvalidInput("not issued".to_owned()))
                                })
                                .map_err(|e| CliError::failed(&e))?;
                            let id =
                                CodeId::new(&code.code_id).map_err(|e| CliError::failed(&e))?;
                            let row = NewCode {
                                code_id: id,
                                issued_at: params.issued_at,
                                expires_at: params.expires_at,
                            };
                            Ok((code.text, row))
                        });
                        match result {
                            Ok((text, row)) => (issue_outcome(*n, Ok(text)), Some((*n, row))),
                            Err(e) => (issue_outcome(*n, Err(e)), None),
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut pending = Vec::new();
        let outcomes = results
            .into_iter()
            .enumerate()
            .map(|(i, (outcome, row))| {
                if let Some((n, row)) = row {
                    pending.push((i, n, row));
                }
                outcome
            })
            .collect();
        (outcomes, pending)
    };
    let mut registry = args.registry.as_deref().map(open_registry).transpose()?;
    let issuer_id = args.issuer.as_str();
    // Runs on the writer thread, one transaction per chunk, before the chunk's lines are
    // written: an output line means a recorded code. A code the registry refuses (a duplicate
    // id, or issued before a published list's coverage) gets an error line instead.
    let commit = |pending: Pending, outcomes: &mut [Outcome]| -> Result<(), CliError> {
        let Some(registry) = registry.as_mut() else {
            return Ok(());
        };
        if pending.is_empty() {
            return Ok(());
        }
        let rows: Vec<NewCode> = pending.iter().map(|(_, _, row)| *row).collect();
        let recorded = registry
            .record(issuer_id, &rows)
            .map_err(|e| CliError::failed(&e))?;
        for ((i, n, _), result) in pending.iter().zip(recorded) {
            if let (Err(e), Some(slot)) = (result, outcomes.get_mut(*i)) {
                *slot = issue_outcome(*n, Err(CliError::failed(&e)));
            }
        }
        Ok(())
    };
    let tally = run_stream_committed(input, args.output.as_deref(), args.jobs, &process, commit)?;
    eprintln!(
        "{}",
        tally.summary("issue --batch", "issued", start.elapsed().as_secs_f64())
    );
    Ok(ExitCode::from(tally.worst))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn issue_lines_bare_and_wrapped() {
        let bare = r#"{"status":"green","subject":{"name":"A"}}"#;
        assert!(parse_issue_line(bare).is_ok());
        let wrapped = format!(r#"{{"claims":{bare},"valid_for":"5m"}}"#);
        let l = parse_issue_line(&wrapped).unwrap();
        assert_eq!(l.valid_for.as_deref(), Some("5m"));
        assert!(parse_issue_line(&format!(r#"{{"claims":{bare},"x":1}}"#)).is_err());
        assert_eq!(
            parse_issue_line("{").err().map(|e| e.code),
            Some(hcx_verify::Code::InvalidClaims)
        );
    }
}
