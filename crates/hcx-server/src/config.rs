//! `hcx serve`'s configuration: one TOML file, with environment variables over it, and the
//! command line's flags over both.
//!
//! Every setting has a default, so an empty file (or none) is a valid configuration. An
//! environment variable `HCX_SERVE_<KEY>` sets the key of the same name, with `__` between
//! table and key: `HCX_SERVE_LISTEN=127.0.0.1:9000`, `HCX_SERVE_LIMITS__MAX_BATCH=500`. Its
//! value is read as a TOML value when it parses as one (`true`, `42`, `["a.pem"]`) and as a
//! string otherwise. An unknown key, in the file or the environment, is an error: a typo must
//! not silently leave a limit at its default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Prefix of the environment variables that set configuration keys.
pub const ENV_PREFIX: &str = "HCX_SERVE_";

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
    /// The TOML (from the file, the environment or a flag) does not describe a configuration.
    #[error("{0}")]
    Invalid(String),
}

/// The whole configuration of `hcx serve`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The directory published: `trust.json` (the signed trust list) and `status/` (the
    /// output directory of `hcx status publish`).
    pub data_dir: Option<PathBuf>,
    /// The signed trust list, when not `data_dir/trust.json`.
    pub trust_list: Option<PathBuf>,
    /// The status lists' directory, when not `data_dir/status`.
    pub status_dir: Option<PathBuf>,
    /// Root public keys (PEM) the trust list must be signed by.
    pub roots: Vec<PathBuf>,
    /// How many distinct roots must have signed the trust list.
    pub threshold: usize,
    /// The lowest trust-list sequence the server accepts (the highest it published before).
    pub min_sequence: Option<u64>,
    /// The web verifier page's directory, served at `/` with the trust bundle it needs.
    pub web_dir: Option<PathBuf>,
    /// Whether `/v1/verify` accepts a validation time (`at`) instead of the server's clock.
    pub allow_clock: bool,
    /// Clock-skew tolerance when judging codes.
    pub skew: DurationSetting,
    /// Threads that serve HTTP (default: the number of cores).
    pub workers: Option<usize>,
    /// Threads that verify batches (default: the number of cores).
    pub verify_threads: Option<usize>,
    /// How often the data files are checked for changes (`0s`: only on SIGHUP).
    pub watch_interval: DurationSetting,
    /// `text` or `json` log lines on standard error.
    pub log_format: LogFormat,
    /// How verdicts use status data.
    pub status: StatusSettings,
    /// Protection against large, slow and too many requests.
    pub limits: Limits,
    /// Caching of published files.
    pub publish: PublishSettings,
}

/// Log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The status policy of verdicts (SPEC §14.7.5).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusSettings {
    /// Status data older than this is stale.
    pub max_age: DurationSetting,
    /// `accept` or `reject` a code whose issuer has no status data here.
    pub when_missing: String,
    /// `reject` or `accept` a code whose issuer's status data is stale.
    pub when_stale: String,
}

/// Request limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest body of `POST /v1/verify` (JSON or an image).
    pub max_body_bytes: usize,
    /// Largest body of `POST /v1/verify/batch`.
    pub max_batch_body_bytes: usize,
    /// Most codes in one batch request.
    pub max_batch: usize,
    /// Single verifications in progress at once; more are answered 503 at once.
    pub verify_in_flight: usize,
    /// Batches (and image verifications) in progress at once; more are answered 503 at once.
    pub batch_in_flight: usize,
    /// How late the HTTP threads may run (how long a request that arrived waits before it is
    /// looked at) before verify requests are answered 503 at once, without reading their body:
    /// verification runs on the HTTP threads, so under overload the queue is in front of
    /// them, where an in-flight count cannot see it (`0ms` turns this off).
    pub shed_lag: DurationSetting,
    /// Longest time a request may take, body included (then 408).
    pub request_timeout: DurationSetting,
    /// Longest time a client may take to send a request's headers, and longest idle time of
    /// a kept-alive connection (then the connection is closed).
    pub header_timeout: DurationSetting,
    /// Most open connections; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// How long a graceful shutdown waits for requests in progress.
    pub shutdown_grace: DurationSetting,
}

/// How published files are cached.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublishSettings {
    /// `Cache-Control: max-age` of the index (the one file that changes).
    pub index_max_age: DurationSetting,
}

/// A duration written like `90s`, `5m`, `24h`, `30d` or `250ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationSetting(pub Duration);

impl DurationSetting {
    /// Parses `250ms`, `90s`, `5m`, `24h`, `30d`.
    pub fn parse(text: &str) -> Result<DurationSetting, String> {
        if let Some(ms) = text.strip_suffix("ms") {
            return ms
                .parse::<u64>()
                .map(|ms| DurationSetting(Duration::from_millis(ms)))
                .map_err(|_| format!("`{text}` is not a duration like 250ms, 90s, 5m or 24h"));
        }
        hcx_format::timefmt::parse_duration(text).map(|s| DurationSetting(Duration::from_secs(s)))
    }

    /// Whole seconds, saturating.
    pub fn secs(self) -> i64 {
        i64::try_from(self.0.as_secs()).unwrap_or(i64::MAX)
    }
}

impl<'de> Deserialize<'de> for DurationSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        DurationSetting::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: None,
            trust_list: None,
            status_dir: None,
            roots: Vec::new(),
            threshold: 1,
            min_sequence: None,
            web_dir: None,
            allow_clock: false,
            skew: DurationSetting(Duration::from_secs(300)),
            workers: None,
            verify_threads: None,
            watch_interval: DurationSetting(Duration::from_secs(2)),
            log_format: LogFormat::Text,
            status: StatusSettings::default(),
            limits: Limits::default(),
            publish: PublishSettings::default(),
        }
    }
}

impl Default for StatusSettings {
    fn default() -> StatusSettings {
        StatusSettings {
            max_age: DurationSetting(Duration::from_secs(48 * 3600)),
            when_missing: "accept".to_owned(),
            when_stale: "reject".to_owned(),
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 4 * 1024 * 1024,
            max_batch_body_bytes: 6 * 1024 * 1024,
            max_batch: 1000,
            verify_in_flight: 256,
            batch_in_flight: 8,
            shed_lag: DurationSetting(Duration::from_millis(5)),
            request_timeout: DurationSetting(Duration::from_secs(10)),
            header_timeout: DurationSetting(Duration::from_secs(10)),
            max_connections: 16_384,
            shutdown_grace: DurationSetting(Duration::from_secs(10)),
        }
    }
}

impl Default for PublishSettings {
    fn default() -> PublishSettings {
        PublishSettings {
            index_max_age: DurationSetting(Duration::from_secs(30)),
        }
    }
}

impl Config {
    /// Reads the configuration: the file (if any), then each `HCX_SERVE_*` variable of `env`
    /// over it, then `overrides` (the command line's flags, as TOML keys) over both.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        overrides: &[(&str, toml::Value)],
    ) -> Result<Config, ConfigError> {
        let mut table = match file {
            None => toml::Table::new(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
                    path: path.to_owned(),
                    error,
                })?;
                text.parse::<toml::Table>()
                    .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?
            }
        };
        let mut from_env: Vec<(String, String)> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        from_env.sort();
        for (name, value) in from_env {
            let key = name
                .get(ENV_PREFIX.len()..)
                .unwrap_or_default()
                .to_ascii_lowercase()
                .replace("__", ".");
            set(&mut table, &key, env_value(&value))
                .map_err(|e| ConfigError::Invalid(format!("{name}: {e}")))?;
        }
        for (key, value) in overrides {
            set(&mut table, key, value.clone()).map_err(ConfigError::Invalid)?;
        }
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_owned()))?;
        config.check()?;
        Ok(config)
    }

    /// Checks what types alone cannot: ranges and names.
    pub fn check(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_owned()));
        let l = &self.limits;
        if l.max_batch == 0 || l.verify_in_flight == 0 || l.batch_in_flight == 0 {
            return bad("limits.max_batch, verify_in_flight and batch_in_flight are at least 1");
        }
        if l.max_connections == 0 || l.max_body_bytes == 0 || l.max_batch_body_bytes == 0 {
            return bad("limits.max_connections and the body limits are at least 1");
        }
        if l.request_timeout.0.is_zero() || l.header_timeout.0.is_zero() {
            return bad("limits.request_timeout and header_timeout are longer than 0");
        }
        if self.workers == Some(0) || self.verify_threads == Some(0) {
            return bad("workers and verify_threads are at least 1");
        }
        if !matches!(self.status.when_missing.as_str(), "accept" | "reject") {
            return bad("status.when_missing is `accept` or `reject`");
        }
        if !matches!(self.status.when_stale.as_str(), "accept" | "reject") {
            return bad("status.when_stale is `reject` or `accept`");
        }
        if !self.roots.is_empty() && (self.threshold == 0 || self.threshold > self.roots.len()) {
            return bad("threshold must be between 1 and the number of roots");
        }
        Ok(())
    }

    /// The signed trust list's path.
    pub fn trust_list_path(&self) -> Option<PathBuf> {
        self.trust_list
            .clone()
            .or_else(|| self.data_dir.as_ref().map(|d| d.join("trust.json")))
    }

    /// The status lists' directory.
    pub fn status_dir_path(&self) -> Option<PathBuf> {
        self.status_dir
            .clone()
            .or_else(|| self.data_dir.as_ref().map(|d| d.join("status")))
    }

    /// The status policy of verdicts.
    pub fn status_policy(&self) -> hcx_verify::StatusPolicy {
        hcx_verify::StatusPolicy {
            max_age_secs: self.status.max_age.secs(),
            when_missing: if self.status.when_missing == "reject" {
                hcx_verify::Missing::Reject
            } else {
                hcx_verify::Missing::Accept
            },
            when_stale: if self.status.when_stale == "accept" {
                hcx_verify::Stale::Accept
            } else {
                hcx_verify::Stale::Reject
            },
        }
    }
}

/// An environment variable's value: TOML when it parses as a value, a string otherwise.
fn env_value(text: &str) -> toml::Value {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_owned()))
}

/// Sets `a.b.c` in a table, creating the tables on the way.
fn set(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), String> {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts
        .pop()
        .filter(|k| !k.is_empty())
        .ok_or("an empty key")?;
    let mut at = table;
    for part in parts {
        let next = at
            .entry(part.to_owned())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        at = next
            .as_table_mut()
            .ok_or_else(|| format!("`{part}` is not a table"))?;
    }
    at.insert(last.to_owned(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_file_env_and_flags_in_that_order() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("hcx.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9001\"\nallow_clock = true\n[limits]\nmax_batch = 10\n",
        )?;
        let env = vec![
            ("HCX_SERVE_LISTEN".to_owned(), "127.0.0.1:9002".to_owned()),
            (
                "HCX_SERVE_LIMITS__VERIFY_IN_FLIGHT".to_owned(),
                "7".to_owned(),
            ),
            ("UNRELATED".to_owned(), "x".to_owned()),
        ];
        let flags = [("listen", toml::Value::String("127.0.0.1:9003".into()))];
        let c = Config::load(Some(&file), env.clone(), &flags)?;
        assert_eq!(c.listen.port(), 9003);
        assert!(c.allow_clock);
        assert_eq!(c.limits.max_batch, 10);
        assert_eq!(c.limits.verify_in_flight, 7);
        assert_eq!(c.limits.batch_in_flight, Limits::default().batch_in_flight);
        let c = Config::load(Some(&file), env, &[])?;
        assert_eq!(c.listen.port(), 9002);
        Ok(())
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let env = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
        let err = |e: Result<Config, ConfigError>| e.err().map(|e| e.to_string());
        assert!(
            err(Config::load(
                None,
                env("HCX_SERVE_LIMITS__MAX_BTACH", "5"),
                &[]
            ))
            .is_some_and(|m| m.contains("max_btach"))
        );
        assert!(
            err(Config::load(
                None,
                env("HCX_SERVE_LIMITS__MAX_BATCH", "0"),
                &[]
            ))
            .is_some()
        );
        assert!(
            err(Config::load(None, env("HCX_SERVE_SKEW", "5 minutes"), &[]))
                .is_some_and(|m| m.contains("duration"))
        );
        assert!(Config::load(None, env("HCX_SERVE_SKEW", "250ms"), &[]).is_ok());
    }
}
