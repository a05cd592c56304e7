//! `hcx sync URL --dir DIR`: keep a verifier's trust directory fresh. The work is
//! hcx-server's (`sync` module); this module parses arguments and prints.
//!
//! Exit status: 0 fresh; 2 could not run (usage, I/O, damaged state, or nothing ever synced
//! and the source failed); 3 the trust list held has expired; 4 some issuer's status data is
//! stale; 5 the source failed or its data was refused, and the last good data is kept and
//! still within policy.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use hcx_server::sync::{Fetch, SyncError, SyncOptions, SyncReport};
use hcx_verify::Code;
use serde_json::json;

use crate::cli::{CliError, duration, now_or, read_public_key};

/// Arguments of `hcx sync`.
#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    /// The publication: `http://HOST/v1` (what `hcx serve` publishes) or the URL of any
    /// copy's index.json (a CDN, object storage).
    #[arg(value_name = "URL")]
    url: String,
    /// The trust directory (created if absent): state.json and files/.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// Root public key the trust list must be signed by (repeatable).
    #[arg(long, value_name = "ROOT_PUB.pem", required = true)]
    root: Vec<PathBuf>,
    /// How many distinct roots must have signed the trust list.
    #[arg(long, value_name = "N", default_value_t = 1)]
    threshold: usize,
    /// Status data older than this is stale (exit status 4).
    #[arg(long = "status-max-age", value_name = "DUR", default_value = "48h")]
    status_max_age: String,
    /// Longest time for each HTTP request.
    #[arg(long, value_name = "DUR", default_value = "30s")]
    timeout: String,
    /// Judge freshness at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "T")]
    at: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// `hcx sync …`.
pub fn run(args: &SyncArgs) -> Result<ExitCode, CliError> {
    let roots = args
        .root
        .iter()
        .map(|p| read_public_key(p))
        .collect::<Result<Vec<_>, _>>()?;
    let timeout = u64::try_from(duration(&args.timeout)?).unwrap_or(30);
    let options = SyncOptions {
        url: args.url.clone(),
        dir: args.dir.clone(),
        roots,
        threshold: args.threshold,
        status_max_age_secs: duration(&args.status_max_age)?,
        timeout: Duration::from_secs(timeout.max(1)),
        now: now_or(args.at.as_deref())?,
    };
    let report = hcx_server::sync::sync(&options).map_err(|e| sync_error(&e))?;
    if args.json {
        outln!("{}", report_json(&report));
    } else {
        print_report(&report);
    }
    Ok(ExitCode::from(report.outcome.exit_status()))
}

fn sync_error(e: &SyncError) -> CliError {
    let code = match e {
        SyncError::Usage(_) => Code::Usage,
        SyncError::Io { .. } => Code::Io,
        SyncError::State(_) => Code::InvalidInput,
        SyncError::NoData { code, .. } => code.parse().unwrap_or(Code::Io),
    };
    CliError {
        status: crate::cli::EXIT_CANNOT_JUDGE,
        ..CliError::new(code, None, e.to_string())
    }
}

fn time(t: i64) -> String {
    hcx_verify::timefmt::format_rfc3339(t)
}

fn report_json(r: &SyncReport) -> serde_json::Value {
    let fetch = match &r.fetch {
        Fetch::Updated => json!("updated"),
        Fetch::NotModified => json!("not_modified"),
        Fetch::Failed { code, message } => json!({"failed": {"code": code, "message": message}}),
    };
    let t = &r.state.trust_list;
    json!({
        "outcome": r.outcome.as_str(),
        "fetch": fetch,
        "trust_list": {"sequence": t.sequence, "issued_at": time(t.issued_at), "expires_at": time(t.expires_at)},
        "status_lists": r.state.status_lists.iter().map(|s| json!({
            "issuer": s.issuer,
            "sequence": s.sequence,
            "issued_at": time(s.issued_at),
            "expires_at": time(s.expires_at),
            "stale": r.stale.contains(&s.issuer),
        })).collect::<Vec<_>>(),
        "refused": r.refused.iter().map(|x| json!({
            "issuer": x.issuer, "code": x.code, "message": x.message, "kept_previous": x.kept_previous,
        })).collect::<Vec<_>>(),
    })
}

fn print_report(r: &SyncReport) {
    use hcx_server::sync::Outcome;
    let headline = match r.outcome {
        Outcome::Fresh => "fresh: trust and status data are current".to_owned(),
        Outcome::TrustListExpired => format!(
            "TRUST LIST EXPIRED at {}: verifiers using this directory cannot verify anything \
             until a newer trust list is synced",
            time(r.state.trust_list.expires_at)
        ),
        Outcome::StatusStale => format!(
            "STATUS DATA STALE for {}: their codes get status_stale until newer status lists are \
             synced (the trust list is still valid)",
            r.stale.join(", ")
        ),
        Outcome::LastGoodWithinPolicy => {
            "source unavailable or refused: keeping the last good data, still within policy"
                .to_owned()
        }
    };
    outln!("{headline}");
    match &r.fetch {
        Fetch::Updated => outln!("  fetched  new data, checked and saved"),
        Fetch::NotModified => outln!("  fetched  nothing new (not modified)"),
        Fetch::Failed { code, message } => outln!("  fetch    failed [{code}]: {message}"),
    }
    let t = &r.state.trust_list;
    outln!(
        "  trust    sequence {}, signed {}, expires {}",
        t.sequence,
        time(t.issued_at),
        time(t.expires_at)
    );
    for s in &r.state.status_lists {
        let stale = if r.stale.contains(&s.issuer) {
            "  STALE"
        } else {
            ""
        };
        outln!(
            "  status   {} #{}, made {}, expires {}{stale}",
            s.issuer,
            s.sequence,
            time(s.issued_at),
            time(s.expires_at)
        );
    }
    for x in &r.refused {
        outln!(
            "  refused  {}'s new status lists [{}]: {} ({})",
            x.issuer,
            x.code,
            x.message,
            if x.kept_previous {
                "previous kept"
            } else {
                "no status data now"
            }
        );
    }
}
