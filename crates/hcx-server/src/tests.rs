//! In-process tests of the routes, limits, reloads and the OpenAPI document (quick: no
//! sockets). The real-server, fault and load tests are in tools/ci/server-tests.sh.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::api::{self, ROUTES};
use crate::app::App;
use crate::config::Config;
use crate::publication::Source;
use crate::testkit::World;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A data directory with the world's trust list (sequence 1) and a snapshot revoking code 7.
fn data_dir(w: &World, dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join("trust.json"), w.trust(1))?;
    let issuer_dir = dir.join("status").join("dingtalk");
    std::fs::create_dir_all(&issuer_dir)?;
    std::fs::write(
        issuer_dir.join("00000001-snapshot-x.hcxs"),
        w.snapshot(1, &[7]),
    )
}

fn app(
    w: &World,
    dir: &Path,
    tweak: impl FnOnce(&mut Config),
) -> Result<Arc<App>, Box<dyn std::error::Error>> {
    data_dir(w, dir)?;
    let mut config = Config {
        allow_clock: true,
        verify_threads: Some(1),
        ..Config::default()
    };
    tweak(&mut config);
    let source = Source::new(
        dir.join("trust.json"),
        Some(dir.join("status")),
        vec![w.root.public_key()],
    );
    let app = Arc::new(App::new(config, source, None)?);
    app.reload()?;
    Ok(app)
}

/// A code of the world's issuer with code id `i` (covered by the snapshot).
fn code(w: &World, i: u64) -> String {
    w.code(i)
}

async fn call(app: &Arc<App>, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = match api::router(app.clone()).oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
        .unwrap_or_default();
    (status, headers, body)
}

fn post_json(path: &str, body: &serde_json::Value) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap_or_default()
}

fn at(w: &World) -> String {
    hcx_format::timefmt::format_rfc3339(w.now)
}

#[tokio::test]
async fn verify_answers_the_facade_verdict_byte_for_byte() -> TestResult {
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let app = app(&w, dir.path(), |_| {})?;
    let verifier = app.current().ok_or("no publication")?;
    for i in [3, 7] {
        let text = code(&w, i);
        let (status, _, body) = call(
            &app,
            post_json(
                "/v1/verify",
                &serde_json::json!({"text": text, "at": at(&w)}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let expected = verifier
            .verifier
            .verify_text(&text, hcx_verify::Clock::at(w.now))
            .to_json();
        assert_eq!(body, expected);
    }
    let (_, _, body) = call(
        &app,
        post_json(
            "/v1/verify",
            &serde_json::json!({"text": code(&w, 7), "at": at(&w)}),
        ),
    )
    .await;
    assert!(body.contains(r#""code":"revoked""#), "{body}");
    Ok(())
}

#[tokio::test]
async fn batch_keeps_order_and_limits() -> TestResult {
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let app = app(&w, dir.path(), |c| c.limits.max_batch = 3)?;
    let codes = vec![code(&w, 1), code(&w, 7), "HCX1:nope".to_owned()];
    let (status, _, body) = call(
        &app,
        post_json(
            "/v1/verify/batch",
            &serde_json::json!({"codes": codes, "at": at(&w)}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body)?;
    let codes_seen: Vec<String> = v["verdicts"]
        .as_array()
        .ok_or("no verdicts")?
        .iter()
        .map(|v| v["error"]["code"].as_str().unwrap_or("valid").to_owned())
        .collect();
    assert_eq!(codes_seen, ["valid", "revoked", "malformed"]);
    let four = vec![code(&w, 1); 4];
    let (status, _, _) = call(
        &app,
        post_json("/v1/verify/batch", &serde_json::json!({"codes": four})),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    Ok(())
}

#[tokio::test]
async fn bad_requests_get_4xx_with_error_json() -> TestResult {
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let app = app(&w, dir.path(), |c| {
        c.allow_clock = false;
        c.limits.max_body_bytes = 1000;
    })?;
    let cases = [
        (
            post_json(
                "/v1/verify",
                &serde_json::json!({"text": "x", "at": "2026-01-01T00:00:00Z"}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            post_json(
                "/v1/verify",
                &serde_json::json!({"text": "x", "chunks": ["y"]}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            post_json("/v1/verify", &serde_json::json!({"chunks": []})),
            StatusCode::BAD_REQUEST,
        ),
        (
            post_json("/v1/verify", &serde_json::json!({"txt": "x"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            post_json("/v1/verify", &serde_json::json!({"text": "x", "at": null})),
            StatusCode::BAD_REQUEST,
        ),
        (
            post_json(
                "/v1/verify",
                &serde_json::json!({"text": null, "chunks": ["x"]}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            post_json(
                "/v1/verify/batch",
                &serde_json::json!({"codes": ["x"], "at": null}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            post_json("/v1/verify", &serde_json::json!({"text": "x".repeat(2000)})),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Request::post("/v1/verify")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("HCX1:"))?,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            // Declared larger than the limit: refused before a byte of it is read.
            Request::post("/v1/verify")
                .header(header::CONTENT_TYPE, "image/png")
                .header(header::CONTENT_LENGTH, "104857600")
                .body(Body::empty())?,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (req, expected) in cases {
        let (status, headers, body) = call(&app, req).await;
        assert_eq!(status, expected, "{body}");
        assert_eq!(
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        let v: serde_json::Value = serde_json::from_str(&body)?;
        assert_eq!(v["valid"], false);
        assert!(v["error"]["code"].is_string());
    }
    Ok(())
}

#[tokio::test]
async fn heavy_work_beyond_the_limit_gets_503_at_once() -> TestResult {
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let app = app(&w, dir.path(), |c| c.limits.batch_in_flight = 1)?;
    let held = app.heavy.clone().try_acquire_owned()?;
    let started = std::time::Instant::now();
    let (status, headers, body) = call(
        &app,
        post_json(
            "/v1/verify/batch",
            &serde_json::json!({"codes": [code(&w, 1)]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert!(body.contains(r#""code":"unavailable""#));
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    drop(held);
    let (status, _, _) = call(
        &app,
        post_json(
            "/v1/verify/batch",
            &serde_json::json!({"codes": [code(&w, 1)]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    Ok(())
}

/// A verify request with malformed JSON: 400 when its body is read, so a 503 for it shows the
/// refusal came before the body was read.
fn unread(path: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap_or_default()
}

#[tokio::test]
async fn verify_while_the_runtime_runs_late_gets_503_at_once_then_recovers() -> TestResult {
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let app = app(&w, dir.path(), |c| {
        c.limits.shed_lag = crate::config::DurationSetting(std::time::Duration::from_millis(5))
    })?;
    // The monitor `serve` runs, on this test's one-thread runtime.
    let monitor = tokio::spawn(crate::lag::monitor(app.lag.clone()));
    let valid = || {
        post_json(
            "/v1/verify",
            &serde_json::json!({"text": code(&w, 1), "at": at(&w)}),
        )
    };
    let (status, _, body) = call(&app, valid()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, _) = call(&app, unread("/v1/verify")).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "not late: the body is read"
    );

    let mut refused = None;
    for _ in 0..1000 {
        // Hold the runtime's only thread for 20 ms at a time, as a flood of requests would
        // (one late tick is not enough: the monitor wants two in a row); requests keep
        // arriving, and between them the monitor gets its turn.
        std::thread::sleep(std::time::Duration::from_millis(20));
        tokio::task::yield_now().await;
        let (status, headers, body) = call(&app, unread("/v1/verify")).await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            refused = Some((headers, body));
            break;
        }
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (headers, body) = refused.ok_or("no 503 while the runtime ran 20 ms late")?;
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert!(body.contains(r#""code":"unavailable""#), "{body}");
    let (status, _, _) = call(&app, unread("/v1/verify/batch")).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "batches are shed too"
    );

    // Once the runtime keeps up again, requests are verified, with nothing to reset.
    let mut recovered = false;
    for _ in 0..1000 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        let (status, _, body) = call(&app, valid()).await;
        if status == StatusCode::OK {
            recovered = true;
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    }
    assert!(
        recovered,
        "still refusing a second after the runtime caught up"
    );
    monitor.abort();
    Ok(())
}

#[tokio::test]
async fn published_files_are_content_addressed_and_revalidate() -> TestResult {
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let app = app(&w, dir.path(), |_| {})?;
    let (status, headers, body) = call(&app, get("/v1/index.json")).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers.get(header::ETAG).ok_or("no etag")?.clone();
    assert!(headers.get(header::CACHE_CONTROL).is_some());
    let index: crate::index::Index = serde_json::from_str(&body)?;
    assert_eq!(index.trust_list.sequence, 1);
    let req = Request::get("/v1/index.json")
        .header(header::IF_NONE_MATCH, etag)
        .body(Body::empty())?;
    let (status, _, body) = call(&app, req).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    // Every file the index names is served with its SHA-256 as ETag, immutable.
    let mut names = vec![index.trust_list.file.clone()];
    names.extend(
        index
            .status_lists
            .iter()
            .flat_map(|s| s.lists.iter().map(|l| l.file.clone())),
    );
    assert_eq!(names.len(), 2);
    for name in names {
        let (status, headers, body) = call(&app, get(&format!("/v1/{name}"))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.len() > 10);
        let sha = name
            .trim_start_matches("files/")
            .split('.')
            .next()
            .unwrap_or_default();
        assert_eq!(
            headers.get(header::ETAG).and_then(|v| v.to_str().ok()),
            Some(format!("\"{sha}\"").as_str())
        );
        assert!(
            headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("immutable"))
        );
    }
    let (status, _, _) = call(&app, get(&format!("/v1/files/{}.json", "0".repeat(64)))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(&app, get("/v1/files/..%2F..%2Ftrust.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = call(&app, get("/trust/bundle.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#""hcx_trust_bundle":1"#));
    Ok(())
}

#[tokio::test]
async fn reload_swaps_whole_or_keeps_the_old() -> TestResult {
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let app = app(&w, dir.path(), |_| {})?;
    let trust = dir.path().join("trust.json");
    // Half-written: refused, the old stays in use.
    let full = w.trust(2);
    std::fs::write(&trust, full.get(..full.len() / 2).unwrap_or_default())?;
    assert!(app.changed());
    assert!(app.reload().is_err());
    assert_eq!(app.current().map(|p| p.trust.0), Some(1));
    // Complete: swapped.
    std::fs::write(&trust, &full)?;
    assert!(app.reload().is_ok());
    assert_eq!(app.current().map(|p| p.trust.0), Some(2));
    // An older list: a rollback, refused.
    std::fs::write(&trust, w.trust(1))?;
    let err = app
        .reload()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("trust_list_rollback"), "{err}");
    assert_eq!(app.current().map(|p| p.trust.0), Some(2));
    // An older status list: that issuer keeps its newer one.
    let issuer_dir = dir.path().join("status").join("dingtalk");
    std::fs::write(&trust, w.trust(3))?;
    std::fs::write(
        issuer_dir.join("00000002-snapshot-y.hcxs"),
        w.snapshot(2, &[7, 8]),
    )?;
    app.reload()?;
    assert_eq!(
        app.current()
            .and_then(|p| p.index_doc.status_lists.first().map(|s| s.sequence)),
        Some(2)
    );
    std::fs::remove_file(issuer_dir.join("00000002-snapshot-y.hcxs"))?;
    app.reload()?;
    let p = app.current().ok_or("none")?;
    assert_eq!(
        p.index_doc.status_lists.first().map(|s| s.sequence),
        Some(2)
    );
    assert_eq!(p.refused.len(), 1);
    Ok(())
}

#[tokio::test]
async fn operations_routes_answer() -> TestResult {
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let app = app(&w, dir.path(), |_| {})?;
    let _ = call(
        &app,
        post_json(
            "/v1/verify",
            &serde_json::json!({"text": code(&w, 7), "at": at(&w)}),
        ),
    )
    .await;
    assert_eq!(call(&app, get("/healthz")).await.0, StatusCode::OK);
    let (status, _, body) = call(&app, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, text) = call(&app, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "hcx_http_requests_total{route=\"/v1/verify\",status=\"200\"} 1",
        "hcx_verdicts_total{code=\"revoked\"} 1",
        "hcx_http_request_duration_seconds_bucket{le=",
        "hcx_trust_list_sequence 1",
        "hcx_trust_list_age_seconds",
        "hcx_status_list_age_seconds{issuer=\"dingtalk\"}",
    ] {
        assert!(text.contains(needle), "{needle} not in\n{text}");
    }
    Ok(())
}

#[test]
fn openapi_documents_exactly_the_routes() -> TestResult {
    let doc: serde_json::Value = serde_json::from_str(api::OPENAPI)?;
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().ok_or("no paths")? {
        for method in item.as_object().ok_or("bad path item")?.keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut routes: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    routes.sort();
    assert_eq!(documented, routes);
    Ok(())
}

#[tokio::test]
async fn every_documented_route_is_routed() -> TestResult {
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let app = app(&w, dir.path(), |_| {})?;
    for (method, path) in ROUTES {
        let uri = path.replace("{name}", &format!("{}.json", "0".repeat(64)));
        let req = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(&uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))?;
        let (status, headers, _) = call(&app, req).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        // A 404 from a handler is JSON; the router's own 404 is empty.
        if status == StatusCode::NOT_FOUND {
            assert!(
                headers.contains_key(header::CONTENT_TYPE),
                "{method} {path} is not routed"
            );
        }
    }
    Ok(())
}

/// Logs never carry a code's content or the holder's data, at any level.
#[test]
fn logs_carry_no_personal_data() -> TestResult {
    #[derive(Clone, Default)]
    struct Sink(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // The process-wide subscriber, not a scoped one: with a scoped subscriber, tests on other
    // threads (with none) can leave tracing's per-callsite cache at "nobody listens" and this
    // test sees no logs at all. The sink then also holds other tests' logs, which must not carry
    // personal data either.
    static SINK: std::sync::OnceLock<Sink> = std::sync::OnceLock::new();
    let sink = SINK
        .get_or_init(|| {
            let sink = Sink::default();
            let writer = sink.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(move || writer.clone())
                .finish();
            // Fails only if something else set one; then the emptiness check below says so.
            let _ = tracing::subscriber::set_global_default(subscriber);
            sink
        })
        .clone();
    let w = World::new();
    let dir = tempfile::tempdir()?;
    let text = code(&w, 7);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let app = app(&w, dir.path(), |_| {})?;
        let (status, _, _) = call(
            &app,
            post_json(
                "/v1/verify",
                &serde_json::json!({"text": text, "at": at(&w)}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = call(
            &app,
            post_json(
                "/v1/verify",
                &serde_json::json!({"chunks": [text], "bad": 1}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        TestResult::Ok(())
    })?;
    let logs = String::from_utf8_lossy(&sink.0.lock().map_err(|_| "poisoned")?).into_owned();
    assert!(!logs.is_empty(), "the test must see the logs it checks");
    let payload = text.get(5..40).unwrap_or_default();
    for secret in ["李四", payload, "0000000000000007"] {
        assert!(!logs.contains(secret), "`{secret}` logged:\n{logs}");
    }
    Ok(())
}
