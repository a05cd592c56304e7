//! hcx on the network: `hcx serve` publishes a regulator's signed trust list and issuers'
//! signed status lists as static, content-addressed files any CDN can cache, verifies codes
//! over HTTP for scanners and kiosks that cannot verify themselves, and `hcx sync` keeps an
//! offline verifier's trust directory fresh, refusing rollbacks across restarts.
//!
//! - [`config`]: one TOML file, environment variables over it, flags over both.
//! - [`publication`]: the data directory read, checked through `hcx-verify`, and held in
//!   memory; replaced whole on reload (SIGHUP or a change), never half.
//! - [`api`]: the routes (`POST /v1/verify`, `POST /v1/verify/batch`, `GET /v1/index.json`,
//!   `GET /v1/files/{sha256}.{json,hcxs}`, `/healthz`, `/readyz`, `/metrics`, the web page and
//!   its trust bundle) and their limits; `openapi.json` documents them.
//! - [`lag`]: how late the HTTP threads run, the overload signal that sheds verify requests
//!   with 503 before their queue grows.
//! - [`serve`]: the accept loop (connection cap, header and idle timeouts), reloads, graceful
//!   shutdown.
//! - [`sync`]: the verifier side, with distinct outcomes for an expired trust list, stale
//!   status data, and an unreachable source while the last good data is within policy.
//!
//! Verdicts are the facade's (`hcx_verify::Verdict::to_json`, SPEC §9) byte for byte. Logs
//! never carry a code's content or personal data: no handler logs a request body.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing))]

pub mod api;
pub mod app;
mod clock;
pub mod config;
pub mod data;
pub mod demo;
mod demo_api;
pub mod index;
pub mod lag;
pub mod metrics;
pub mod publication;
pub mod serve;
pub mod sync;
pub mod testkit;
#[cfg(test)]
mod tests;

pub use config::Config;
pub use hcx_format::files::write_atomically;
