//! The demo's HTTP handlers (`/demo/…`): the page, issue and revoke, over the [`Demo`]
//! issuer that [`App`] holds. Apart from `demo`, so the state does not depend on the server
//! that holds it.
// Handlers answer early with a finished `Response` (`Result<_, Response>`): it is built once
// per refused request, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hcx_verify::Code;
use serde::Deserialize;

use crate::app::App;
use crate::demo::Demo;

/// The demo's routes (method, path), apart from the API's.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/demo/"),
    ("post", "/demo/issue"),
    ("post", "/demo/revoke"),
];

/// The demo's routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/demo/", get(page))
        .route("/demo/issue", post(issue))
        .route("/demo/revoke", post(revoke))
}

fn demo_of(app: &App) -> Result<&Demo, Response> {
    app.demo
        .as_ref()
        .ok_or_else(|| StatusCode::NOT_FOUND.into_response())
}

fn json_error(status: StatusCode, message: &str) -> Response {
    let mut r = (
        status,
        hcx_verify::error_json(Code::InvalidInput, None, message),
    )
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn json_ok(body: serde_json::Value) -> Response {
    let mut r = body.to_string().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

#[derive(Debug, Deserialize)]
struct IssueRequest {
    name: String,
    colour: String,
}

async fn issue(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    let demo = match demo_of(&app) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let request: IssueRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    match demo.issue(request.name.trim(), &request.colour) {
        Ok((text, code_id)) => {
            let svg = hcx_qr::encode(&text, &hcx_qr::EncodeOptions::default())
                .map(|q| q.to_svg(4))
                .unwrap_or_default();
            json_ok(serde_json::json!({"text": text, "code_id": code_id, "qr_svg": svg}))
        }
        Err(e) => json_error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
struct RevokeRequest {
    code_id: String,
}

async fn revoke(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<RevokeRequest>(&body) else {
        return json_error(StatusCode::BAD_REQUEST, "send {\"code_id\": \"…\"}");
    };
    let published = match demo_of(&app).map(|d| d.revoke(&request.code_id)) {
        Ok(Ok(Some(sequence))) => sequence,
        Ok(Ok(None)) => {
            return json_error(
                StatusCode::NOT_FOUND,
                "no code with this id was issued here",
            );
        }
        Ok(Err(e)) => return json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(r) => return r,
    };
    // The issuer published; the server picks the new list up now rather than at the next
    // change check.
    let reload_app = app.clone();
    let reloaded = tokio::task::spawn_blocking(move || reload_app.reload()).await;
    let served = matches!(reloaded, Ok(Ok(_)));
    json_ok(serde_json::json!({"status_list_sequence": published, "served": served}))
}

async fn page() -> Response {
    let mut r = PAGE.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

const PAGE: &str = include_str!("demo.html");
