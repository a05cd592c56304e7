//! `hcx status`: an issuer changes the status of codes it issued, publishes signed status
//! lists, and anyone can look at what a list says. The work is hcx-registry's and
//! hcx-status's; this module parses arguments and prints.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hcx_registry::{CodeId, PublishOptions, Registry, RegistryError, Transition};
use hcx_status::{ListKind, SignedStatusList, Status};
use serde_json::{Value as Json, json};

use crate::cli::{CliError, EXIT_REJECTED, duration, now_or, read_private_key, read_public_key};

/// Ids changed per transaction: each chunk is committed (and its lines printed) before the
/// next is read, so a printed line is a durable change, and a long run costs one sync per
/// chunk rather than per code.
const CHANGE_CHUNK: usize = 1000;
/// Longest line of an id file kept (an id is at most 32 hex digits).
const MAX_ID_LINE: u64 = 1024;

/// Arguments of `hcx status`.
#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    #[command(subcommand)]
    command: StatusCommand,
}

#[derive(clap::Subcommand, Debug)]
enum StatusCommand {
    /// Revoke codes for good (issued by mistake, leaked, forged with a stolen key).
    Revoke(ChangeArgs),
    /// Suspend codes until further notice (`restore` lifts it).
    Suspend(ChangeArgs),
    /// Give codes a new colour: verifiers show it instead of the printed one.
    SetColour(SetColourArgs),
    /// Make codes valid as issued again (not revoked ones: revocation is final).
    Restore(ChangeArgs),
    /// Publish the issuer's next signed status list (a snapshot or a delta) into a directory.
    Publish(PublishArgs),
    /// Show what a status list file says.
    Show(ShowArgs),
}

/// The codes to change and where they are recorded.
#[derive(clap::Args, Debug)]
struct ChangeArgs {
    /// The issuer's registry: an SQLite file or a `postgres://` URL.
    #[arg(long, value_name = "DB")]
    registry: String,
    /// The issuer whose codes these are (default: the registry's only issuer).
    #[arg(long, value_name = "ID")]
    issuer: Option<String>,
    /// Also read code ids from this file, one per line (`-` for standard input; blank lines
    /// and lines starting with `#` are skipped).
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    /// One JSON object per code on standard output.
    #[arg(long)]
    json: bool,
    /// Code ids (`code_id` of a verdict: 16 to 32 hex digits).
    #[arg(value_name = "CODE_ID", required_unless_present = "from")]
    ids: Vec<String>,
}

/// `set-colour`: the colour and the codes.
#[derive(clap::Args, Debug)]
struct SetColourArgs {
    /// The holder's colour now.
    #[arg(long, value_name = "green|yellow|red")]
    colour: String,
    #[command(flatten)]
    change: ChangeArgs,
}

/// Arguments of `hcx status publish`.
#[derive(clap::Args, Debug)]
struct PublishArgs {
    /// The issuer's registry: an SQLite file or a `postgres://` URL.
    #[arg(long, value_name = "DB")]
    registry: String,
    /// The status key (PKCS#8 PEM) the trust list authorises for the issuer's status.
    #[arg(long, value_name = "KEY.pem")]
    key: PathBuf,
    /// The directory served to verifiers; lists go to DIR/<issuer>/.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    output: PathBuf,
    /// The issuer to publish (default: the registry's only issuer).
    #[arg(long, value_name = "ID")]
    issuer: Option<String>,
    /// The list's time instead of now (RFC 3339).
    #[arg(long, value_name = "T")]
    at: Option<String>,
    /// How long verifiers may use the list.
    #[arg(long = "valid-for", value_name = "DUR", default_value = "48h")]
    valid_for: String,
    /// Leave codes issued in the last DUR to the next list (for nodes that record late).
    #[arg(long, value_name = "DUR", default_value = "0s")]
    settle: String,
    /// Keep codes expired for less than DUR covered.
    #[arg(long = "keep-expired", value_name = "DUR", default_value = "24h")]
    keep_expired: String,
    /// Publish a snapshot even when a delta would do.
    #[arg(long)]
    snapshot: bool,
    /// Most deltas after a snapshot before publishing a snapshot again.
    #[arg(long = "max-chain", value_name = "N", default_value_t = hcx_registry::DEFAULT_MAX_CHAIN)]
    max_chain: usize,
    /// Print the publication as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `hcx status show`.
#[derive(clap::Args, Debug)]
struct ShowArgs {
    /// A status list file (`.hcxs`).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Also check the signature with this public key (or a private key file).
    #[arg(long, value_name = "PUB.pem")]
    key: Option<PathBuf>,
    /// Also give the counts per status the registry recorded when it published this list.
    #[arg(long, value_name = "DB")]
    registry: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `hcx status …`.
pub fn run(args: &StatusArgs) -> Result<ExitCode, CliError> {
    match &args.command {
        StatusCommand::Revoke(a) => change(a, Status::Revoked, "revoke"),
        StatusCommand::Suspend(a) => change(a, Status::Suspended, "suspend"),
        StatusCommand::Restore(a) => change(a, Status::Valid, "restore"),
        StatusCommand::SetColour(a) => {
            let to = match a.colour.as_str() {
                "green" => Status::NowGreen,
                "yellow" => Status::NowYellow,
                "red" => Status::NowRed,
                other => {
                    return Err(CliError::usage(format!(
                        "--colour is green, yellow or red, not `{other}`"
                    )));
                }
            };
            change(&a.change, to, "set-colour")
        }
        StatusCommand::Publish(a) => publish(a),
        StatusCommand::Show(a) => show(a),
    }
}

fn open(location: &str) -> Result<Registry, CliError> {
    Registry::open(location).map_err(|e| CliError::failed(&e))
}

/// One id to change: parsed, or the text that is not an id.
type IdArg = (String, Result<CodeId, RegistryError>);

/// The ids of the arguments, then of `--from`, in chunks of [`CHANGE_CHUNK`].
struct Ids<'a> {
    args: std::slice::Iter<'a, String>,
    file: Option<(Box<dyn BufRead>, PathBuf)>,
}

impl Ids<'_> {
    fn next_chunk(&mut self) -> Result<Vec<IdArg>, CliError> {
        let mut chunk = Vec::with_capacity(CHANGE_CHUNK);
        while chunk.len() < CHANGE_CHUNK {
            if let Some(text) = self.args.next() {
                chunk.push((text.clone(), CodeId::from_hex(text)));
                continue;
            }
            let Some((reader, path)) = self.file.as_mut() else {
                break;
            };
            let mut line = Vec::new();
            // Bounded: a line longer than any id is an error, not a memory sink.
            let n = std::io::Read::take(&mut *reader, MAX_ID_LINE)
                .read_until(b'\n', &mut line)
                .map_err(|e| CliError::io(path, e))?;
            if n == 0 {
                self.file = None;
                break;
            }
            if line.last() != Some(&b'\n') && n as u64 == MAX_ID_LINE {
                return Err(CliError::io(
                    path,
                    format!("a line longer than {MAX_ID_LINE} bytes: not a file of code ids"),
                ));
            }
            let text = String::from_utf8_lossy(&line).trim().to_owned();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let id = CodeId::from_hex(&text);
            chunk.push((text, id));
        }
        Ok(chunk)
    }
}

/// `revoke`, `suspend`, `set-colour`, `restore`: one transaction per chunk of ids, each
/// chunk's lines printed once it is committed.
fn change(args: &ChangeArgs, to: Status, verb: &str) -> Result<ExitCode, CliError> {
    let mut registry = open(&args.registry)?;
    let issuer = registry
        .resolve_issuer(args.issuer.as_deref())
        .map_err(|e| CliError::failed(&e))?;
    let file = match &args.from {
        None => None,
        Some(p) if p == Path::new("-") => Some((
            Box::new(std::io::BufReader::new(std::io::stdin())) as Box<dyn BufRead>,
            p.clone(),
        )),
        Some(p) => {
            let f = std::fs::File::open(p).map_err(|e| CliError::io(p, e))?;
            Some((
                Box::new(std::io::BufReader::new(f)) as Box<dyn BufRead>,
                p.clone(),
            ))
        }
    };
    let mut ids = Ids {
        args: args.ids.iter(),
        file,
    };
    let (mut changed, mut unchanged, mut refused) = (0u64, 0u64, 0u64);
    loop {
        let chunk = ids.next_chunk()?;
        if chunk.is_empty() {
            break;
        }
        let valid: Vec<CodeId> = chunk
            .iter()
            .filter_map(|(_, id)| id.as_ref().ok().copied())
            .collect();
        let mut results = registry
            .set_status(&issuer, &valid, to)
            .map_err(|e| CliError::failed(&e))?
            .into_iter();
        // Committed: now each id's line.
        let mut text = String::new();
        for (arg, parsed) in chunk {
            let result = match parsed {
                Ok(_) => results
                    .next()
                    .unwrap_or_else(|| Err(RegistryError::InvalidInput("no result".to_owned()))),
                Err(e) => Err(e),
            };
            match &result {
                Ok(t) if t.from == t.to => unchanged += 1,
                Ok(_) => changed += 1,
                Err(_) => refused += 1,
            }
            line(&mut text, &arg, &result, args.json);
        }
        out!("{text}");
    }
    eprintln!(
        "status {verb}: {changed} changed, {unchanged} already {}, {refused} refused",
        to.name()
    );
    Ok(if refused > 0 {
        ExitCode::from(EXIT_REJECTED)
    } else {
        ExitCode::SUCCESS
    })
}

/// The line printed for one id (refusals go to stderr unless `--json`).
fn line(out: &mut String, arg: &str, result: &Result<Transition, RegistryError>, json: bool) {
    use std::fmt::Write;
    match (result, json) {
        (Ok(t), true) => {
            let _ = writeln!(
                out,
                "{}",
                json!({"code_id": t.code_id.to_hex(), "status": t.to.name(), "previous": t.from.name()})
            );
        }
        (Ok(t), false) if t.from == t.to => {
            let _ = writeln!(out, "{}  {} (unchanged)", t.code_id, t.to.name());
        }
        (Ok(t), false) => {
            let _ = writeln!(
                out,
                "{}  {} (was {})",
                t.code_id,
                t.to.name(),
                t.from.name()
            );
        }
        (Err(e), true) => {
            let error = CliError::failed(e);
            let body: Json = serde_json::from_str(&error.to_json()).unwrap_or(Json::Null);
            let _ = writeln!(
                out,
                "{}",
                json!({"code_id": arg, "error": body.get("error").cloned().unwrap_or(Json::Null)})
            );
        }
        (Err(e), false) => eprintln!("error[{}]: {arg}: {e}", e.code()),
    }
}

/// `hcx status publish`.
fn publish(args: &PublishArgs) -> Result<ExitCode, CliError> {
    let key = read_private_key(&args.key)?;
    let mut registry = open(&args.registry)?;
    let issuer = registry
        .resolve_issuer(args.issuer.as_deref())
        .map_err(|e| CliError::failed(&e))?;
    let options = PublishOptions {
        valid_for: duration(&args.valid_for)?,
        settle: duration(&args.settle)?,
        keep_expired: duration(&args.keep_expired)?,
        force_snapshot: args.snapshot,
        max_chain: args.max_chain,
        ..PublishOptions::new(&issuer, now_or(args.at.as_deref())?)
    };
    let published = registry
        .publish(&key, &args.output, &options)
        .map_err(|e| CliError::failed(&e))?;
    let e = &published.epoch;
    let covered: u64 = e.counts.iter().sum();
    if args.json {
        outln!(
            "{}",
            json!({
                "issuer": e.issuer,
                "sequence": e.sequence,
                "kind": kind_name(e.kind),
                "file": published.file.display().to_string(),
                "index": published.index.display().to_string(),
                "bytes": e.bytes,
                "payload_hash": hex::encode(e.payload_hash),
                "base_hash": e.base_hash.map(hex::encode),
                "issued_at": time(e.issued_at),
                "expires_at": time(e.expires_at),
                "covered": covered,
                "counts": hcx_registry::counts_by_name(&e.counts),
            })
        );
    } else {
        outln!(
            "published {} status list {} ({}{}): {} bytes, {covered} codes covered ({})",
            e.issuer,
            e.sequence,
            kind_name(e.kind),
            if e.kind == ListKind::Delta {
                format!(" on {}", e.sequence.saturating_sub(1))
            } else {
                String::new()
            },
            e.bytes,
            counts_text(&e.counts)
        );
        outln!("  file:   {}", published.file.display());
        outln!("  latest: {}", published.index.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn kind_name(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Snapshot => "snapshot",
        ListKind::Delta => "delta",
    }
}

fn time(t: i64) -> String {
    hcx_verify::timefmt::format_rfc3339(t)
}

/// `990 valid, 10 revoked`: the non-zero counts.
fn counts_text(counts: &[u64; 6]) -> String {
    let parts: Vec<String> = Status::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{n} {}", s.name()))
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Reads a list file, refusing one over the format's size limit before reading it.
fn read_list(path: &Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let max = hcx_status::limits::MAX_LIST_BYTES as u64;
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut buf))
        .map_err(|e| CliError::io(path, e))?;
    Ok(buf)
}

/// `hcx status show FILE`.
fn show(args: &ShowArgs) -> Result<ExitCode, CliError> {
    let bytes = read_list(&args.file)?;
    let named = |e: hcx_status::StatusError| CliError {
        message: format!("{}: {e}", args.file.display()),
        ..CliError::failed(&e)
    };
    let signed = SignedStatusList::parse(&bytes).map_err(named)?;
    let summary = signed.summary_unverified().map_err(named)?;
    let h = &summary.header;
    let signature = match &args.key {
        None => "not checked".to_owned(),
        Some(path) => {
            let key = read_public_key(path)?;
            signed.verify(&key, &h.issuer).map_err(named)?;
            "valid".to_owned()
        }
    };
    let counts = match &args.registry {
        None => None,
        Some(location) => {
            let epochs = open(location)?
                .epochs(&h.issuer)
                .map_err(|e| CliError::failed(&e))?;
            let found = epochs
                .into_iter()
                .find(|e| e.sequence == h.sequence && e.payload_hash == summary.payload_hash);
            Some(found.map(|e| e.counts).ok_or_else(|| {
                CliError::new(
                    hcx_verify::Code::InvalidInput,
                    Some(hcx_verify::Reason::InvalidInput),
                    format!(
                        "the registry has no list {} of `{}` with this content",
                        h.sequence, h.issuer
                    ),
                )
            })?)
        }
    };
    let maps: Vec<Json> = summary
        .maps
        .iter()
        .map(|m| {
            json!({
                "role": m.role,
                "solution_bytes": m.solution_bytes,
                "last": m.last,
                "levels": m.levels.iter().map(|l| json!({
                    "class": l.class,
                    "marks": if l.marks_class { "class" } else { "others" },
                    "filter_planes": l.filter_planes,
                    "filter_columns": l.filter_columns,
                    "exact_columns": l.exact_columns,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    if args.json {
        let mut doc = json!({
            "issuer": h.issuer,
            "kind": kind_name(summary.kind),
            "sequence": h.sequence,
            "issued_at": time(h.issued_at),
            "expires_at": time(h.expires_at),
            "coverage": {"issued_before": time(h.coverage.issued_before), "expiring_after": time(h.coverage.expiring_after)},
            "payload_hash": hex::encode(summary.payload_hash),
            "key_id": signed.key_id().to_string(),
            "signature": signature,
            "bytes": bytes.len(),
            "maps": maps,
        });
        if let Some(obj) = doc.as_object_mut() {
            if let Some(b) = summary.base_hash {
                obj.insert("base_hash".into(), hex::encode(b).into());
            }
            if let Some(c) = &counts {
                obj.insert("counts".into(), json!(hcx_registry::counts_by_name(c)));
            }
        }
        outln!("{doc}");
        return Ok(ExitCode::SUCCESS);
    }
    outln!("issuer:      {}", h.issuer);
    outln!("kind:        {}", kind_name(summary.kind));
    outln!("sequence:    {}", h.sequence);
    outln!("issued at:   {}", time(h.issued_at));
    outln!("expires at:  {}", time(h.expires_at));
    outln!(
        "covers:      codes issued before {} and expiring after {}",
        time(h.coverage.issued_before),
        time(h.coverage.expiring_after)
    );
    outln!("payload:     sha256 {}", hex::encode(summary.payload_hash));
    if let Some(b) = summary.base_hash {
        outln!(
            "base:        sha256 {} (list {})",
            hex::encode(b),
            h.sequence.saturating_sub(1)
        );
    }
    outln!(
        "signed by:   key id {} (signature {signature})",
        signed.key_id()
    );
    outln!("size:        {} bytes", bytes.len());
    match &counts {
        Some(c) => outln!("counts:      {} (from the registry)", counts_text(c)),
        None => outln!(
            "counts:      not in the file (a list names no codes); give --registry DB for the \
             counts recorded at publication"
        ),
    }
    for m in &summary.maps {
        let levels: Vec<String> = m
            .levels
            .iter()
            .map(|l| {
                format!(
                    "{}{}",
                    l.class,
                    if l.filter_planes > 0 {
                        format!(" (filter k={})", l.filter_planes)
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        outln!(
            "map {}:  {} bytes; levels: {}; then {}",
            m.role,
            m.solution_bytes,
            if levels.is_empty() {
                "none".to_owned()
            } else {
                levels.join(", ")
            },
            m.last
        );
    }
    Ok(ExitCode::SUCCESS)
}
