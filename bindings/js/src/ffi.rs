//! The WebAssembly exports, through wasm-bindgen: thin wrappers over [`crate::core`], each
//! answering one JSON envelope string. Only plain types cross (strings, bytes, numbers), so the
//! generated glue stays small and any JavaScript host (Node, browsers, `WXWebAssembly`) can
//! load it.
// wasm-bindgen's generated export shims are `unsafe` and `no_mangle`: allowed in this module
// only; every line written here is safe Rust.
#![allow(unsafe_code)]

use wasm_bindgen::prelude::wasm_bindgen;

use crate::core::{self, Session, TrustBuilder, envelope};

/// A verifier: trust inputs and root keys are added, then `load` builds it.
#[wasm_bindgen]
pub struct WasmVerifier {
    builder: TrustBuilder,
    session: Option<Session>,
}

impl Default for WasmVerifier {
    fn default() -> Self {
        WasmVerifier::new()
    }
}

#[wasm_bindgen]
impl WasmVerifier {
    /// A verifier with no trust yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmVerifier {
        WasmVerifier {
            builder: TrustBuilder::new(),
            session: None,
        }
    }

    /// Adds a root key (PEM or Ed25519 JWK): `{"ok":null}` or an error.
    pub fn add_root(&mut self, text: &str) -> String {
        envelope(self.builder.add_root(text).map(|()| "null".to_owned()))
    }

    /// Adds a trust input's bytes: `{"ok":null}` or an error.
    pub fn add_input(&mut self, bytes: &[u8]) -> String {
        envelope(self.builder.add_input(bytes).map(|()| "null".to_owned()))
    }

    /// Sets the status policy (SPEC §14): `{"ok":null}` or an error.
    pub fn set_status_policy(
        &mut self,
        max_age: f64,
        when_missing: &str,
        when_stale: &str,
    ) -> String {
        envelope(
            self.builder
                .set_status_policy(max_age, when_missing, when_stale)
                .map(|()| "null".to_owned()),
        )
    }

    /// Records an issuer's status-list sequence floor: `{"ok":null}` or an error.
    pub fn add_status_min_sequence(&mut self, issuer: &str, sequence: f64) -> String {
        envelope(
            self.builder
                .add_status_min_sequence(issuer, sequence)
                .map(|()| "null".to_owned()),
        )
    }

    /// Builds the verifier at `now`: `{"ok":trust info}` or the trust error.
    pub fn load(&mut self, threshold: f64, min_sequence: f64, skew: f64, now: f64) -> String {
        envelope(
            self.builder
                .build(threshold, min_sequence, skew, now)
                .map(|session| {
                    let info = session.trust_info();
                    self.session = Some(session);
                    info
                }),
        )
    }

    /// Verifies a text: `{"ok":verdict}`.
    pub fn verify_text(&self, text: &str, at: f64) -> String {
        envelope(self.session().and_then(|s| s.verify_text(text, at)))
    }

    /// Verifies the texts of a JSON array as one code: `{"ok":verdict}`.
    pub fn verify_chunks(&self, texts_json: &str, at: f64) -> String {
        envelope(self.session().and_then(|s| s.verify_chunks(texts_json, at)))
    }

    /// Verifies the code in a luma or RGBA frame: `{"ok":verdict}`.
    pub fn verify_frame(&self, pixels: &[u8], width: u32, height: u32, at: f64) -> String {
        envelope(
            self.session()
                .and_then(|s| s.verify_frame(pixels, width, height, at)),
        )
    }

    /// Verifies the code in a PNG or JPEG picture: `{"ok":verdict}`.
    pub fn verify_image(&self, bytes: &[u8], at: f64) -> String {
        envelope(self.session().and_then(|s| s.verify_image(bytes, at)))
    }
}

impl WasmVerifier {
    fn session(&self) -> Result<&Session, core::Failure> {
        self.session.as_ref().ok_or_else(core::Failure::not_loaded)
    }
}

/// Reads a code without verifying it: `{"ok":decoded}` or an error.
#[wasm_bindgen]
pub fn decode(text: &str) -> String {
    envelope(core::decode(text))
}

/// Issues an hcx code: `{"ok":"HCX1:…"}` or an error.
#[wasm_bindgen]
pub fn issue(key_pem: &str, params_json: &str, claims_json: &str) -> String {
    envelope(core::issue(key_pem, params_json, claims_json))
}

/// The texts of the code in a luma or RGBA frame, unverified: `{"ok":[texts]}` or an error.
#[wasm_bindgen]
pub fn scan_frame(pixels: &[u8], width: u32, height: u32) -> String {
    envelope(core::scan_frame(pixels, width, height))
}

/// The texts of the code in a PNG or JPEG picture, unverified: `{"ok":[texts]}` or an error.
#[wasm_bindgen]
pub fn scan_image(bytes: &[u8]) -> String {
    envelope(core::scan_image(bytes))
}

/// The input limits, as JSON.
#[wasm_bindgen]
pub fn limits() -> String {
    core::limits()
}

/// The answer for a call whose instance trapped.
#[wasm_bindgen]
pub fn fault(picture: bool) -> String {
    core::fault(picture)
}
