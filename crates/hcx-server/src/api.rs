//! The HTTP interface: routes, handlers and the middleware that protects them. `openapi.json`
//! (beside this crate's `Cargo.toml`) documents exactly [`ROUTES`]; a test checks both ways.
// Handlers answer early with a finished `Response` (`Result<_, Response>`): it is built once
// per refused request, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::error_handling::HandleErrorLayer;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hcx_verify::{Clock, Code, Verdict};
use http_body_util::BodyExt;
use serde::Deserialize;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;

use crate::app::{App, unix_now};
use crate::index;
use crate::publication::{Publication, StaticFile};

/// The OpenAPI document of this interface.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Every route (method, path template) of the API; the OpenAPI document lists exactly these.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/v1/verify"),
    ("post", "/v1/verify/batch"),
    ("get", "/v1/index.json"),
    ("get", "/v1/files/{name}"),
    ("get", "/trust/bundle.json"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
];

/// Most chunks in one `{"chunks": […]}` request (a SMART Health Card has at most a few dozen).
pub const MAX_CHUNKS: usize = 64;

/// The router of the whole server (API, published files, operations, the web page; the demo
/// pages when running `--demo`).
pub fn router(app: Arc<App>) -> Router {
    let limits = &app.config.limits;
    let shed = |n: usize| {
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(overloaded_error))
            .load_shed()
            .layer(GlobalConcurrencyLimitLayer::new(n))
    };
    let verify_limit = shed(limits.verify_in_flight);
    let mut api = Router::new()
        .route("/v1/verify", post(verify).layer(verify_limit.clone()))
        .route("/v1/verify/batch", post(verify_batch).layer(verify_limit))
        .route("/v1/index.json", get(index_json))
        .route("/v1/files/{name}", get(published_file))
        .route("/trust/bundle.json", get(bundle))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi));
    if app.demo.is_some() {
        api = api.merge(crate::demo_api::routes());
    }
    let timeout = tower_http::timeout::TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        limits.request_timeout.0,
    );
    let api = api
        .route_layer(timeout)
        .route_layer(middleware::from_fn_with_state(app.clone(), track));
    let web = app.config.web_dir.clone().filter(|d| d.is_dir());
    let api = match web {
        Some(dir) => api.fallback_service(tower_http::services::ServeDir::new(dir)),
        None => api.route("/", get(home)),
    };
    api.with_state(app)
}

/// Counts and times every routed request, by route template and status.
async fn track(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| {
            ROUTES
                .iter()
                .map(|(_, r)| *r)
                .chain(crate::demo_api::ROUTES.iter().map(|(_, r)| *r))
                .find(|r| *r == p.as_str())
        })
        .unwrap_or("other");
    let start = Instant::now();
    let response = next.run(req).await;
    app.metrics.request(
        route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// A JSON response.
fn json(status: StatusCode, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// An error answer: the SPEC §9 error JSON through the facade's one writer.
fn error(status: StatusCode, code: Code, message: &str) -> Response {
    json(status, hcx_verify::error_json(code, None, message))
}

/// A 503 that asks the client to retry in a second: how every shed request is answered.
fn retry_later(message: &str) -> Response {
    let mut r = error(StatusCode::SERVICE_UNAVAILABLE, Code::Unavailable, message);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// The answer when the concurrency limit sheds a request: 503 at once, never a queue.
async fn overloaded_error(_: tower::BoxError) -> Response {
    retry_later("the server is at its concurrency limit; retry shortly")
}

/// Refuses a verify request with 503 when the HTTP threads run later than `limits.shed_lag`:
/// before its body is read, so a refusal costs little and the queue in front of the threads
/// shrinks instead of growing.
fn admit(app: &App) -> Result<(), Response> {
    app.lag.touch();
    let limit = app.config.limits.shed_lag.0;
    if limit.is_zero() || app.lag.current() <= limit {
        return Ok(());
    }
    app.metrics.overloaded();
    Err(retry_later("the server is overloaded; retry shortly"))
}

fn not_ready() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        Code::Unavailable,
        "no usable trust list is loaded yet",
    )
}

/// The request body, refused with 413 when larger than `limit` — before reading it when the
/// length is declared, as soon as it goes past otherwise.
async fn read_body(req: Request, limit: usize) -> Result<Bytes, Response> {
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            Code::InvalidInput,
            &format!("the request body is larger than this server's limit of {limit} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match http_body_util::Limited::new(req.into_body(), limit)
        .collect()
        .await
    {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(error(
            StatusCode::BAD_REQUEST,
            Code::Io,
            "the request body could not be read",
        )),
    }
}

/// The media type of a request, lowercase, without parameters.
fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The clock a request is judged with: the server's, or the request's `at` when the
/// configuration allows it.
fn clock(app: &App, at: Option<&str>) -> Result<Clock, Response> {
    let skew = app.config.skew.secs();
    match at {
        None => Ok(Clock::at(unix_now()).with_skew(skew)),
        Some(_) if !app.config.allow_clock => Err(error(
            StatusCode::BAD_REQUEST,
            Code::Usage,
            "this server judges codes at its own clock: `at` is not enabled (allow_clock)",
        )),
        Some(t) => hcx_format::timefmt::parse_rfc3339(t)
            .map(|now| Clock::at(now).with_skew(skew))
            .map_err(|e| error(StatusCode::BAD_REQUEST, Code::Usage, &format!("at: {e}"))),
    }
}

/// An optional field that may be left out but not given as `null`: the OpenAPI document types
/// each field exactly, so `"at": null` is a malformed request, not "no `at`".
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `POST /v1/verify` with JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    #[serde(default, deserialize_with = "present")]
    text: Option<String>,
    #[serde(default, deserialize_with = "present")]
    chunks: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    at: Option<String>,
}

/// `POST /v1/verify/batch`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchRequest {
    codes: Vec<String>,
    #[serde(default, deserialize_with = "present")]
    at: Option<String>,
}

/// The `at` query parameter of an image upload.
fn query_at(req: &Request) -> Result<Option<String>, Response> {
    let Some(query) = req.uri().query() else {
        return Ok(None);
    };
    let mut at = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "at" => {
                // RFC 3339 times need only `%3A` and `%2B` decoded.
                at = Some(
                    v.replace("%3A", ":")
                        .replace("%3a", ":")
                        .replace("%2B", "+")
                        .replace("%2b", "+"),
                )
            }
            _ => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    Code::Usage,
                    "the only query parameter is `at`",
                ));
            }
        }
    }
    Ok(at)
}

fn verdict_response(app: &App, verdict: &Verdict) -> Response {
    app.metrics
        .verdict(verdict.code().map_or("valid", |c| c.as_str()), 1);
    json(StatusCode::OK, verdict.to_json())
}

/// `POST /v1/verify`: one code as JSON text or chunks, or a photo (PNG or JPEG).
async fn verify(State(app): State<Arc<App>>, req: Request) -> Response {
    if let Err(r) = admit(&app) {
        return r;
    }
    let Some(publication) = app.current() else {
        return not_ready();
    };
    let media = media_type(req.headers());
    match media.as_str() {
        "application/json" => {
            let body = match read_body(req, app.config.limits.max_body_bytes).await {
                Ok(b) => b,
                Err(r) => return r,
            };
            let request: VerifyRequest = match serde_json::from_slice(&body) {
                Ok(r) => r,
                Err(e) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        Code::Usage,
                        &format!("request: {e}"),
                    );
                }
            };
            let clock = match clock(&app, request.at.as_deref()) {
                Ok(c) => c,
                Err(r) => return r,
            };
            let verdict = match (request.text, request.chunks) {
                (Some(text), None) => publication.verifier.verify_text(text.trim(), clock),
                (None, Some(chunks)) if (1..=MAX_CHUNKS).contains(&chunks.len()) => {
                    let refs: Vec<&str> = chunks.iter().map(|c| c.trim()).collect();
                    publication.verifier.verify_chunks(&refs, clock)
                }
                (None, Some(_)) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        Code::Usage,
                        &format!("`chunks` holds 1 to {MAX_CHUNKS} texts"),
                    );
                }
                _ => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        Code::Usage,
                        "give exactly one of `text` and `chunks`",
                    );
                }
            };
            verdict_response(&app, &verdict)
        }
        "image/png" | "image/jpeg" | "application/octet-stream" => {
            let at = match query_at(&req) {
                Ok(at) => at,
                Err(r) => return r,
            };
            let clock = match clock(&app, at.as_deref()) {
                Ok(c) => c,
                Err(r) => return r,
            };
            let Ok(permit) = app.heavy.clone().try_acquire_owned() else {
                app.metrics.overloaded();
                return overloaded_error(tower::BoxError::from("heavy")).await;
            };
            let body = match read_body(req, app.config.limits.max_body_bytes).await {
                Ok(b) => b,
                Err(r) => return r,
            };
            // Finding a code in a photo takes milliseconds: off the HTTP threads.
            let verdict = run_on_pool(&app, move || {
                let _permit = permit;
                publication.verifier.verify_image(&body, clock)
            })
            .await;
            match verdict {
                Some(v) => verdict_response(&app, &v),
                None => error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Code::Unavailable,
                    "verification did not finish",
                ),
            }
        }
        _ => error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::Usage,
            "send application/json ({\"text\":…} or {\"chunks\":[…]}) or an image/png or image/jpeg photo",
        ),
    }
}

/// Runs `work` on the verification pool and waits for it without holding an HTTP thread.
async fn run_on_pool<T: Send + 'static>(
    app: &App,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.pool.spawn(move || {
        let _ = tx.send(work());
    });
    rx.await.ok()
}

/// `POST /v1/verify/batch`: up to `limits.max_batch` codes, verdicts in order.
async fn verify_batch(State(app): State<Arc<App>>, req: Request) -> Response {
    if let Err(r) = admit(&app) {
        return r;
    }
    let Some(publication) = app.current() else {
        return not_ready();
    };
    if media_type(req.headers()) != "application/json" {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::Usage,
            "send application/json: {\"codes\":[…]}",
        );
    }
    let Ok(permit) = app.heavy.clone().try_acquire_owned() else {
        app.metrics.overloaded();
        return overloaded_error(tower::BoxError::from("heavy")).await;
    };
    let body = match read_body(req, app.config.limits.max_batch_body_bytes).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let request: BatchRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                Code::Usage,
                &format!("request: {e}"),
            );
        }
    };
    let max = app.config.limits.max_batch;
    if request.codes.len() > max {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            Code::InvalidInput,
            &format!("at most {max} codes per batch"),
        );
    }
    let clock = match clock(&app, request.at.as_deref()) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let codes = request.codes;
    let verdicts = run_on_pool(&app, move || {
        let _permit = permit;
        let refs: Vec<&str> = codes.iter().map(|c| c.trim()).collect();
        // Each verdict's JSON is made on the worker thread that judged it.
        publication
            .verifier
            .verify_many_with(&refs, clock, |v| (v.to_json(), v.code()))
    })
    .await;
    let Some(verdicts) = verdicts else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::Unavailable,
            "verification did not finish",
        );
    };
    let mut counts: Vec<(&'static str, u64)> = Vec::new();
    let mut body = String::with_capacity(verdicts.len() * 700 + 16);
    body.push_str("{\"verdicts\":[");
    for (i, (verdict_json, code)) in verdicts.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        // Each element is the facade's own serialisation, unchanged.
        body.push_str(verdict_json);
        let code = code.map_or("valid", |c| c.as_str());
        match counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => counts.push((code, 1)),
        }
    }
    body.push_str("]}");
    for (code, n) in counts {
        app.metrics.verdict(code, n);
    }
    json(StatusCode::OK, body)
}

/// Whether an `If-None-Match` header matches `etag` (weak comparison, RFC 9110 §13.1.2).
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

/// A published file, or 304 when the client holds it.
fn serve_file(file: &StaticFile, headers: &HeaderMap) -> Response {
    let fresh = matches_etag(headers, &file.etag);
    let mut r = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(file.bytes.clone()));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(file.content_type),
        );
        r
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&file.cache_control) {
        h.insert(header::CACHE_CONTROL, v);
    }
    r
}

fn with_publication(app: &App, f: impl FnOnce(&Publication) -> Response) -> Response {
    match app.current() {
        Some(p) => f(&p),
        None => not_ready(),
    }
}

/// `GET /v1/index.json`.
async fn index_json(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    with_publication(&app, |p| serve_file(&p.index, &headers))
}

/// `GET /v1/files/{name}`: a content-addressed trust or status list.
async fn published_file(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    with_publication(&app, |p| {
        let file = index::is_file_name(&name)
            .then(|| p.files.get(&format!("{}/{name}", index::FILES_DIR)))
            .flatten();
        match file {
            Some(f) => serve_file(f, &headers),
            None => error(StatusCode::NOT_FOUND, Code::Usage, "no such published file"),
        }
    })
}

/// `GET /trust/bundle.json`: what the web verifier page loads.
async fn bundle(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    with_publication(&app, |p| serve_file(&p.bundle, &headers))
}

/// `GET /healthz`: the process is up.
async fn healthz() -> Response {
    json(StatusCode::OK, r#"{"status":"ok"}"#)
}

/// `GET /readyz`: a trust list is loaded and has not expired.
async fn readyz(State(app): State<Arc<App>>) -> Response {
    let now = unix_now();
    let body = |ready: bool, message: String| {
        serde_json::json!({"status": if ready { "ready" } else { "not_ready" }, "message": message})
            .to_string()
    };
    match app.current() {
        None => json(
            StatusCode::SERVICE_UNAVAILABLE,
            body(false, "no usable trust list is loaded yet".into()),
        ),
        Some(p) if now >= p.trust.2 => json(
            StatusCode::SERVICE_UNAVAILABLE,
            body(
                false,
                format!(
                    "the trust list (sequence {}) expired at {}",
                    p.trust.0,
                    hcx_format::timefmt::format_rfc3339(p.trust.2)
                ),
            ),
        ),
        Some(p) => json(
            StatusCode::OK,
            body(true, format!("trust list sequence {}", p.trust.0)),
        ),
    }
}

/// `GET /metrics`: Prometheus text.
async fn metrics(State(app): State<Arc<App>>) -> Response {
    let text = app.metrics.render(app.current().as_deref(), unix_now());
    let mut r = Response::new(Body::from(text));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

/// `GET /openapi.json`.
async fn openapi() -> Response {
    json(StatusCode::OK, OPENAPI)
}

/// `GET /` without a web page directory: where things are.
async fn home(State(app): State<Arc<App>>) -> Response {
    if app.demo.is_some() {
        let mut r = StatusCode::SEE_OTHER.into_response();
        r.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/demo/"));
        return r;
    }
    let mut r = Response::new(Body::from(HOME));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

const HOME: &str = "<!doctype html><meta charset=utf-8><title>hcx serve</title>\
<h1>hcx serve</h1><ul>\
<li><a href=/v1/index.json>/v1/index.json</a>: the published trust and status lists</li>\
<li><a href=/openapi.json>/openapi.json</a>: the API (POST /v1/verify, POST /v1/verify/batch)</li>\
<li><a href=/readyz>/readyz</a>, <a href=/metrics>/metrics</a></li></ul>\
<p>No web page directory is configured (<code>web_dir</code>).</p>";
