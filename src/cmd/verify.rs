//! `hcx verify`: one code (text, SHC chunks or a QR image), or every line of a file
//! (`--batch`), judged by the `hcx-verify` facade and printed through its one serializer.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use hcx_verify::{
    Claims, Clock, Format, Missing, Stale, StatusPolicy, TrustListPolicy, TrustStore, Verdict,
    Verified, Verifier, VerifyError,
};

use crate::cli::{
    CliError, CodeInput, EXIT_REJECTED, code_texts, color_stdout, duration, now_or, read_image,
    read_input, read_public_key,
};
use crate::stream::{Line, Outcome, run_stream};

/// Arguments of `hcx verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// A trust input, detected by content: an hcx trust list, X.509 certificates (PEM or DER),
    /// a JWKS, a DCC signer list or an SHC revocation list. Repeatable.
    #[arg(long, value_name = "TRUST.json", required_unless_present = "trust_dir")]
    pub trust: Vec<PathBuf>,
    /// A trust directory kept by `hcx sync`: its trust list and status lists, with the highest
    /// sequences accepted before as rollback floors (the roots are still given with --root).
    #[arg(long = "trust-dir", value_name = "DIR")]
    pub trust_dir: Option<PathBuf>,
    /// Root public key the hcx trust list must be signed by (repeatable).
    #[arg(long, value_name = "ROOT_PUB.pem")]
    pub root: Vec<PathBuf>,
    /// How many distinct roots must have signed the hcx trust list.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threshold: usize,
    /// Refuse hcx trust lists older than this sequence (the highest seen before).
    #[arg(long = "min-sequence", value_name = "N")]
    pub min_sequence: Option<u64>,
    /// Validation time instead of now (RFC 3339).
    #[arg(long, value_name = "T")]
    pub at: Option<String>,
    /// Clock-skew tolerance.
    #[arg(long, value_name = "DUR", default_value = "5m")]
    pub skew: String,
    /// An issuer's signed status list (snapshot or delta), checked against the trust list's
    /// status keys for that issuer, or a directory: every `*.hcxs` and `*.cbor` file in it
    /// (what `hcx status publish` writes to DIR/ISSUER). Repeatable, any order.
    #[arg(long = "status", value_name = "LIST|DIR")]
    pub status: Vec<PathBuf>,
    /// Status data older than this is stale.
    #[arg(long = "status-max-age", value_name = "DUR", default_value = "48h")]
    pub status_max_age: String,
    /// What to do with a code whose issuer has no status list here.
    #[arg(
        long = "when-status-missing",
        value_name = "accept|reject",
        default_value = "accept"
    )]
    pub when_status_missing: MissingArg,
    /// What to do with a code whose issuer's status data is stale.
    #[arg(
        long = "when-status-stale",
        value_name = "reject|accept",
        default_value = "reject"
    )]
    pub when_status_stale: StaleArg,
    /// The highest status-list sequence of an issuer accepted before (`ISSUER=N`): older
    /// status data is a rollback. Repeatable.
    #[arg(long = "status-min-sequence", value_name = "ISSUER=N")]
    pub status_min_sequence: Vec<String>,
    /// Print one JSON object instead of a readable verdict.
    #[arg(long)]
    pub json: bool,
    /// Verify every line of this file (`-` for standard input): one verdict JSON per line.
    #[arg(long, value_name = "IN.txt", group = "CodeInput")]
    pub batch: Option<PathBuf>,
    /// With --batch: write the verdicts here instead of standard output.
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
    #[command(flatten)]
    pub input: CodeInput,
}

/// `--when-status-missing`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MissingArg {
    /// Judge the code without status.
    Accept,
    /// Refuse it: `status_stale` (reason `status_missing`).
    Reject,
}

/// `--when-status-stale`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum StaleArg {
    /// Refuse the code: `status_stale`.
    Reject,
    /// Use the stale data; the verdict says so.
    Accept,
}

/// The status policy the arguments describe.
fn status_policy(args: &VerifyArgs) -> Result<StatusPolicy, CliError> {
    Ok(StatusPolicy {
        max_age_secs: duration(&args.status_max_age)?,
        when_missing: match args.when_status_missing {
            MissingArg::Accept => Missing::Accept,
            MissingArg::Reject => Missing::Reject,
        },
        when_stale: match args.when_status_stale {
            StaleArg::Reject => Stale::Reject,
            StaleArg::Accept => Stale::Accept,
        },
    })
}

/// The verifier and clock the arguments describe: every trust input read and checked (a broken
/// or untrusted hcx trust list is an error here, before any code is looked at).
fn verifier(args: &VerifyArgs) -> Result<(Verifier, Clock), CliError> {
    let now = now_or(args.at.as_deref())?;
    let clock = Clock::at(now).with_skew(duration(&args.skew)?);
    let roots = args
        .root
        .iter()
        .map(|p| read_public_key(p))
        .collect::<Result<Vec<_>, _>>()?;
    if !roots.is_empty() && (args.threshold == 0 || args.threshold > roots.len()) {
        return Err(CliError::usage(
            "--threshold must be between 1 and the number of --root keys",
        ));
    }
    let synced = match &args.trust_dir {
        Some(dir) => Some(hcx_server::sync::TrustDir::read(dir).map_err(|e| CliError {
            status: crate::cli::EXIT_CANNOT_JUDGE,
            ..CliError::new(hcx_verify::Code::Io, None, e.to_string())
        })?),
        None => None,
    };
    let policy = TrustListPolicy {
        roots,
        threshold: args.threshold,
        min_sequence: args
            .min_sequence
            .max(synced.as_ref().map(|s| s.trust_min_sequence)),
    };
    let mut trust = TrustStore::new();
    if let (Some(dir), Some(synced)) = (&args.trust_dir, &synced) {
        trust
            .add(&synced.trust_list, &policy, now)
            .map_err(|e| CliError::trust(&dir.join(&synced.state.trust_list.file), &e))?;
        for (path, bytes) in &synced.status_lists {
            trust
                .add(bytes, &policy, now)
                .map_err(|e| CliError::trust(path, &e))?;
        }
        for (issuer, sequence) in &synced.status_min_sequences {
            trust.set_status_min_sequence(issuer, *sequence);
        }
    }
    for path in &args.trust {
        let bytes = read_input(path)?;
        if bytes.is_empty() && path.extension().is_some_and(|e| e == "json") {
            return Err(CliError::io(path, "empty trust file"));
        }
        trust
            .add(&bytes, &policy, now)
            .map_err(|e| CliError::trust(path, &e))?;
    }
    for path in args
        .status
        .iter()
        .map(status_files)
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .flatten()
    {
        trust
            .add(&read_input(path)?, &policy, now)
            .map_err(|e| CliError::trust(path, &e))?;
    }
    for floor in &args.status_min_sequence {
        let (issuer, sequence) = floor
            .split_once('=')
            .and_then(|(i, n)| Some((i, n.parse::<u64>().ok()?)))
            .ok_or_else(|| {
                CliError::usage(format!("--status-min-sequence {floor}: expected ISSUER=N"))
            })?;
        trust.set_status_min_sequence(issuer, sequence);
    }
    Ok((
        Verifier::new(trust).with_status_policy(status_policy(args)?),
        clock,
    ))
}

/// The status list files `--status PATH` names: the file, or a directory's list files in name
/// order (a publisher's directory; SPEC §14.7.5 takes its lists in any order).
fn status_files(path: &PathBuf) -> Result<Vec<PathBuf>, CliError> {
    if !path.is_dir() {
        return Ok(vec![path.clone()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| CliError::io(path, e))? {
        let file = entry.map_err(|e| CliError::io(path, e))?.path();
        if file.is_file() && file.extension().is_some_and(|e| e == "hcxs" || e == "cbor") {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(CliError::io(
            path,
            "no status lists (*.hcxs, *.cbor) in this directory",
        ));
    }
    files.sort();
    Ok(files)
}

/// `hcx verify …`.
pub fn run(args: &VerifyArgs) -> Result<ExitCode, CliError> {
    if let Some(input) = &args.batch {
        return batch(args, input);
    }
    let verdict = verifier(args).and_then(|(verifier, clock)| {
        Ok(match &args.input.qr {
            Some(image) => {
                let bytes = read_image(image)?;
                verifier.verify_image(&bytes, clock)
            }
            None => {
                let texts = code_texts(&args.input.code)?;
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                verifier.verify_chunks(&refs, clock)
            }
        })
    });
    let verdict = match verdict {
        Ok(v) => v,
        Err(e) if args.json => {
            outln!("{}", e.to_json());
            return Ok(ExitCode::from(e.status));
        }
        Err(e) => return Err(e),
    };
    if args.json {
        outln!("{}", verdict.to_json());
        return Ok(ExitCode::from(verdict.exit_status()));
    }
    match &verdict {
        Verdict::Valid(v) => print_valid(v),
        Verdict::Invalid(e) if e.exit_status() == EXIT_REJECTED => {
            let (mark, end) = if color_stdout() {
                ("\x1b[1;31m", "\x1b[0m")
            } else {
                ("", "")
            };
            let e = CliError::verify(args.input.qr.as_deref(), e);
            outln!("{mark}✘ REJECTED{end}  {}: {}", e.code, e.message);
        }
        Verdict::Invalid(e) => return Err(CliError::verify(args.input.qr.as_deref(), e)),
    }
    Ok(ExitCode::from(verdict.exit_status()))
}

/// The readable verdict of a valid code.
fn print_valid(v: &Verified) {
    use hcx_verify::Status;
    // The colour to show is the status list's when it changed the printed one.
    let status = v.current_status();
    let (badge, reset) = match (color_stdout(), status) {
        (true, Some(Status::Green)) => ("\x1b[1;97;42m", "\x1b[0m"),
        (true, Some(Status::Yellow)) => ("\x1b[1;30;43m", "\x1b[0m"),
        (true, Some(Status::Red)) => ("\x1b[1;97;41m", "\x1b[0m"),
        _ => ("", ""),
    };
    let label = status.map_or_else(
        || v.format.as_str().to_uppercase(),
        |s| s.as_str().to_uppercase(),
    );
    let summary = &v.summary;
    let name = summary.name.as_deref().unwrap_or("(no name)");
    let issuer_name = v.issuer.name.as_deref().unwrap_or(&v.issuer.id);
    let zh = v
        .issuer
        .names
        .as_ref()
        .and_then(|n| n.get("zh"))
        .map(|n| format!(" / {n}"))
        .unwrap_or_default();
    let until = v.expires_at.map_or_else(|| "no expiry".to_owned(), rfc3339);
    outln!(
        "✔ VALID  {badge} {label} {reset}  {name}  issued by {issuer_name}{zh} ({}), valid until {until}",
        v.issuer.id
    );
    let mut person = name.to_owned();
    if let Some(b) = &summary.birth_date {
        person.push_str(&format!(", born {b}"));
    }
    if let Claims::Hcx(c) = &v.claims {
        if let Some(sfx) = &c.subject.id_suffix {
            person.push_str(&format!(
                ", {} …{sfx}",
                c.subject.id_type.as_deref().unwrap_or("ID")
            ));
        }
    }
    outln!("  subject    {person}");
    if let Claims::Hcx(c) = &v.claims {
        if let Some(r) = &c.region {
            outln!("  region     {r}");
        }
    }
    for e in &summary.evidence {
        let field = |f: &Option<String>| f.clone().unwrap_or_default();
        outln!(
            "  {:<10} {} {} {}",
            e.kind,
            field(&e.disease),
            field(&e.date),
            field(&e.detail)
        );
    }
    if let Some(r) = &v.status_list {
        let stale = if r.stale { ", STALE" } else { "" };
        outln!(
            "  status     {} (status list {} #{}, {} old{stale})",
            r.outcome.as_str().replace('_', " "),
            r.issuer,
            r.sequence,
            hcx_verify::timefmt::format_duration(u64::try_from(r.age_secs).unwrap_or(0))
        );
    }
    let issued = v.issued_at.map_or_else(|| "?".to_owned(), rfc3339);
    let lifetime = match (v.issued_at, v.expires_at) {
        (Some(i), Some(x)) => format!(
            " (valid for {})",
            hcx_verify::timefmt::format_duration(u64::try_from(x - i).unwrap_or(0))
        ),
        _ => String::new(),
    };
    outln!(
        "  issued     {issued}{lifetime} with key {}  [{}]",
        v.key_id,
        v.format.as_str()
    );
    if let Some(id) = &v.code_id {
        outln!("  code id    {id}");
    }
    debug_assert!(v.format == Format::Hcx || v.code_id.is_none());
}

fn rfc3339(unix: i64) -> String {
    hcx_verify::timefmt::format_rfc3339(unix)
}

/// `hcx verify --batch IN [-o OUT] [--jobs N]`.
fn batch(args: &VerifyArgs, input: &Path) -> Result<ExitCode, CliError> {
    let start = Instant::now();
    let (verifier, clock) = verifier(args)?;
    let process = |_first: u64, lines: &[Line]| -> Vec<Outcome> {
        let texts: Vec<&str> = lines
            .iter()
            .map(|l| match l {
                Line::Text(t) => t.trim(),
                Line::NotUtf8 | Line::TooLong(_) => "",
            })
            .collect();
        // Serialised on the worker threads, beside the verification (`verify_many_with`).
        let mut outcomes = verifier.verify_many_with(&texts, clock, |v| outcome(&v));
        for (o, line) in outcomes.iter_mut().zip(lines) {
            if let Some(e) = unreadable(line) {
                *o = outcome(&Verdict::Invalid(e));
            }
        }
        outcomes
    };
    let tally = run_stream(input, args.output.as_deref(), args.jobs, &process)?;
    eprintln!(
        "{}",
        tally.summary("verify --batch", "valid", start.elapsed().as_secs_f64())
    );
    Ok(ExitCode::from(tally.worst))
}

/// A verdict as a line of `verify --batch` output.
fn outcome(verdict: &Verdict) -> Outcome {
    Outcome {
        json: verdict.to_json(),
        label: verdict.code().map_or("valid", |c| c.as_str()),
        status: verdict.exit_status(),
    }
}

/// The verdict for an input line that is not text at all.
fn unreadable(line: &Line) -> Option<VerifyError> {
    line.problem()
        .map(|(reason, message)| VerifyError::Input { reason, message })
}
