//! `hcx serve`: publish trust and status data, verify codes over HTTP. The server is
//! hcx-server's; this module reads the configuration (file, environment, flags) and prints.

use std::path::PathBuf;
use std::process::ExitCode;

use hcx_server::config::{Config, ConfigError};
use hcx_server::publication::{LoadError, Publication, Source};
use hcx_server::serve::ServeError;
use hcx_verify::Code;

use crate::cli::CliError;

/// Arguments of `hcx serve`. Flags override the configuration file and `HCX_SERVE_*`
/// environment variables (docs: crates/hcx-server/src/config.rs).
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The configuration file (TOML).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080; port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// The directory published: trust.json and status/ (what `hcx status publish` writes).
    #[arg(long = "data", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The signed trust list, when not DIR/trust.json.
    #[arg(long = "trust", value_name = "TRUST.json")]
    trust_list: Option<PathBuf>,
    /// The status lists' directory, when not DIR/status.
    #[arg(long = "status-dir", value_name = "DIR")]
    status_dir: Option<PathBuf>,
    /// Root public key the trust list must be signed by (repeatable).
    #[arg(long, value_name = "ROOT_PUB.pem")]
    root: Vec<PathBuf>,
    /// How many distinct roots must have signed the trust list.
    #[arg(long, value_name = "N")]
    threshold: Option<usize>,
    /// The web verifier page's directory (served at /, with /trust/bundle.json).
    #[arg(long = "web", value_name = "DIR")]
    web_dir: Option<PathBuf>,
    /// Let requests give a validation time (`at`) instead of the server's clock.
    #[arg(long = "allow-clock")]
    allow_clock: bool,
    /// HTTP threads (default: one per core).
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Threads verifying batches and photos (default: one per core).
    #[arg(long = "verify-threads", value_name = "N")]
    verify_threads: Option<usize>,
    /// Log lines as `text` or `json`.
    #[arg(long = "log-format", value_name = "text|json")]
    log_format: Option<String>,
    /// Run the demo: a made-up regulator and issuer; open the printed address in a browser to
    /// issue, verify, revoke and verify again.
    #[arg(long)]
    demo: bool,
    /// With --demo: where the demo's files go (default: a new directory under the system's
    /// temporary directory).
    #[arg(long = "demo-dir", value_name = "DIR", requires = "demo")]
    demo_dir: Option<PathBuf>,
    /// Write the published tree (index.json and files/) into DIR for a CDN or object storage,
    /// and exit instead of serving.
    #[arg(long, value_name = "DIR", conflicts_with = "demo")]
    export: Option<PathBuf>,
}

/// The flags as configuration keys.
fn overrides(args: &ServeArgs) -> Vec<(&'static str, toml::Value)> {
    use toml::Value;
    let path = |p: &PathBuf| Value::String(p.display().to_string());
    let mut o = Vec::new();
    if let Some(v) = &args.listen {
        o.push(("listen", Value::String(v.clone())));
    }
    if let Some(v) = &args.data_dir {
        o.push(("data_dir", path(v)));
    }
    if let Some(v) = &args.trust_list {
        o.push(("trust_list", path(v)));
    }
    if let Some(v) = &args.status_dir {
        o.push(("status_dir", path(v)));
    }
    if !args.root.is_empty() {
        o.push(("roots", Value::Array(args.root.iter().map(path).collect())));
    }
    if let Some(v) = args.threshold {
        o.push((
            "threshold",
            Value::Integer(i64::try_from(v).unwrap_or(i64::MAX)),
        ));
    }
    if let Some(v) = &args.web_dir {
        o.push(("web_dir", path(v)));
    }
    if args.allow_clock {
        o.push(("allow_clock", Value::Boolean(true)));
    }
    for (key, v) in [
        ("workers", args.workers),
        ("verify_threads", args.verify_threads),
    ] {
        if let Some(v) = v {
            o.push((key, Value::Integer(i64::try_from(v).unwrap_or(i64::MAX))));
        }
    }
    if let Some(v) = &args.log_format {
        o.push(("log_format", Value::String(v.clone())));
    }
    o
}

fn config_error(e: ConfigError) -> CliError {
    CliError::usage(format!("configuration: {e}"))
}

fn load_error(e: &LoadError) -> CliError {
    let code = match e {
        LoadError::Trust { code, .. } => code.parse().unwrap_or(Code::TrustListInvalid),
        LoadError::Io(_) => Code::Io,
        LoadError::Key(_) => Code::InvalidKey,
        LoadError::NoTrustList | LoadError::NoRoots => Code::Usage,
    };
    CliError::failed(&Failure(code, e.to_string()))
}

/// A failure to report through [`CliError::failed`].
struct Failure(Code, String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl hcx_verify::Coded for Failure {
    fn code(&self) -> Code {
        self.0
    }
    fn reason(&self) -> hcx_verify::Reason {
        hcx_verify::Reason::InvalidInput
    }
}

/// `hcx serve …`.
pub fn run(args: &ServeArgs) -> Result<ExitCode, CliError> {
    let config = Config::load(args.config.as_deref(), std::env::vars(), &overrides(args))
        .map_err(config_error)?;
    if let Some(dir) = &args.export {
        let source = Source::from_config(&config).map_err(|e| load_error(&e))?;
        let now = hcx_verify::timefmt::unix_seconds(std::time::SystemTime::now());
        let publication = Publication::load(&source, None, now).map_err(|e| load_error(&e))?;
        publication.export(dir).map_err(|e| CliError::io(dir, e))?;
        outln!(
            "exported trust list {} and {} issuers' status lists to {} (index.json, files/)",
            publication.trust.0,
            publication.chains.len(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    hcx_server::serve::init_logging(config.log_format);
    let demo = if args.demo {
        let dir = args.demo_dir.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("hcx-serve-demo-{}", std::process::id()))
        });
        let demo = hcx_server::demo::Demo::create(&dir).map_err(|e| CliError::io(&dir, e))?;
        Some(demo)
    } else {
        None
    };
    let demo_dir = demo.as_ref().map(|d| d.dir().to_owned());
    let result = hcx_server::serve::run_blocking(config, demo, move |addr| match &demo_dir {
        Some(dir) => {
            outln!("hcx serve --demo: open http://{addr}/demo/ in a browser");
            outln!(
                "  demo files (root.pub.pem, trust.json, status/): {}",
                dir.display()
            );
            outln!(
                "  offline: hcx sync http://{addr}/v1 --dir trust --root {}",
                dir.join("root.pub.pem").display()
            );
        }
        None => outln!("hcx serve: listening on http://{addr}"),
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(ServeError::Load(e)) => Err(load_error(&e)),
        Err(ServeError::Io(e)) => Err(CliError::new(Code::Io, None, e.to_string())),
    }
}
