//! What the JavaScript API does, in plain Rust (tested on the host): bounded inputs in, the
//! facade's own JSON out. Nothing here knows of wasm-bindgen.
//!
//! Every call answers with one JSON text, an *envelope*: `{"ok":X}` where `X` is exactly what
//! the facade wrote (a verdict of [`hcx_verify::Verdict::to_json`], a decoded payload of
//! [`hcx_verify::Decoded::to_json`], an issued text), or, when the call itself could not be
//! carried out (a bad key, an unusable trust input, a clock out of range), the facade's SPEC §9
//! error object of [`hcx_verify::error_json`]. A rejected code is an `ok` verdict with
//! `"valid":false`, as in the CLI.
#![forbid(unsafe_code)]

use hcx_verify::{
    Clock, Code, Missing, PublicKey, Reason, Stale, StatusPolicy, TrustListPolicy, TrustStore,
    Verdict, Verifier, VerifyError, timefmt,
};
use serde::Serialize;

/// Longest code text accepted, in UTF-8 bytes: far above any real code (an hcx code is at most
/// 4 KiB, a SMART Health Card file a few KiB), low enough that hostile text cannot grow the
/// WebAssembly memory much.
pub const MAX_TEXT_BYTES: usize = 1 << 20;
/// Most texts in one `verifyChunks` call (an SHC is at most a few chunks).
pub const MAX_CHUNKS: usize = 64;
/// Largest PNG or JPEG file accepted: 16 MiB.
pub const MAX_IMAGE_BYTES: usize = 16 << 20;
/// Largest camera frame accepted, in pixels (4096 × 4096): an RGBA frame of it is 64 MiB.
pub const MAX_FRAME_PIXELS: u64 = 4096 * 4096;
/// Most trust inputs for one verifier.
pub const MAX_TRUST_INPUTS: usize = 256;
/// Most bytes of trust inputs for one verifier, in all.
pub const MAX_TRUST_BYTES: usize = 32 << 20;
/// Most root keys (an hcx trust list carries at most 16 signatures).
pub const MAX_ROOTS: usize = 16;
/// Longest root key text (a PEM private key or a JWK is well under 1 KiB).
pub const MAX_ROOT_BYTES: usize = 16 << 10;
/// Longest `issue` parameter or claims JSON.
pub const MAX_JSON_BYTES: usize = 64 << 10;
/// Most issuers given a status-list sequence floor (a trust list names at most a few hundred
/// issuers).
pub const MAX_STATUS_FLOORS: usize = 1024;
/// Longest issuer id given a status-list sequence floor.
pub const MAX_ISSUER_BYTES: usize = 256;
/// Longest status-data age a policy may allow: a year, in seconds.
pub const MAX_STATUS_AGE_SECS: u64 = 366 * 86_400;

/// A call that could not be carried out: the stable code, the precise reason, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The stable code.
    pub code: Code,
    /// The precise reason.
    pub reason: Reason,
    /// What is wrong, for people.
    pub message: String,
}

impl Failure {
    fn new(code: Code, reason: Reason, message: impl Into<String>) -> Failure {
        Failure {
            code,
            reason,
            message: message.into(),
        }
    }

    fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Code::Usage, Reason::InvalidInput, message)
    }

    /// A verifier used before it was loaded.
    pub fn not_loaded() -> Failure {
        Failure::usage("the verifier has no trust loaded")
    }

    fn of(e: &(impl hcx_verify::Coded + std::fmt::Display)) -> Failure {
        Failure::new(e.code(), e.reason(), e.to_string())
    }

    /// The facade's SPEC §9 error object.
    pub fn to_json(&self) -> String {
        hcx_verify::error_json(self.code, Some(self.reason), &self.message)
    }
}

/// `{"ok":json}` for a JSON text the facade wrote.
fn ok_json(json: &str) -> String {
    format!(r#"{{"ok":{json}}}"#)
}

/// The envelope of a result.
pub fn envelope(result: Result<String, Failure>) -> String {
    match result {
        Ok(json) => ok_json(&json),
        Err(f) => f.to_json(),
    }
}

/// A JSON string literal.
#[cfg(feature = "full")]
fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// A JavaScript number of seconds as Unix seconds: finite, whole seconds (fractions dropped),
/// inside the times hcx can write (0000–9999 is wider than any clock a verifier needs).
fn unix_seconds(x: f64, what: &str) -> Result<i64, Failure> {
    // Messages name the limits, not the number given: formatting a float would link the float
    // printer into the small build.
    if !x.is_finite() || x < 0.0 || x > timefmt::MAX_UNIX_TIME as f64 {
        return Err(Failure::usage(format!(
            "{what} must be Unix seconds from 0 to {}",
            timefmt::MAX_UNIX_TIME
        )));
    }
    Ok(x.floor() as i64)
}

/// A whole non-negative JavaScript number, at most `max`.
fn whole(x: f64, max: u64, what: &str) -> Result<u64, Failure> {
    if !x.is_finite() || x < 0.0 || x.fract() != 0.0 || x > max as f64 {
        return Err(Failure::usage(format!(
            "{what} must be a whole number from 0 to {max}"
        )));
    }
    Ok(x as u64)
}

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The trust inputs and root keys of a verifier, gathered before it is built (the hcx trust
/// list is checked under the roots, so every root must be known first).
#[derive(Debug, Default)]
pub struct TrustBuilder {
    inputs: Vec<Vec<u8>>,
    bytes: usize,
    roots: Vec<PublicKey>,
    status_policy: StatusPolicy,
    status_floors: Vec<(String, u64)>,
}

impl TrustBuilder {
    /// An empty builder.
    pub fn new() -> TrustBuilder {
        TrustBuilder::default()
    }

    /// Adds a root key: PEM (public or private) or an Ed25519 JWK, by the CLI's one rule
    /// ([`hcx_verify::public_key_from_any_pem`]).
    pub fn add_root(&mut self, text: &str) -> Result<(), Failure> {
        if self.roots.len() >= MAX_ROOTS {
            return Err(Failure::usage(format!("at most {MAX_ROOTS} root keys")));
        }
        if text.len() > MAX_ROOT_BYTES {
            return Err(Failure::new(
                Code::InvalidKey,
                Reason::InvalidKey,
                format!("a root key text is at most {MAX_ROOT_BYTES} bytes"),
            ));
        }
        let key = hcx_verify::public_key_from_any_pem(text).map_err(|e| Failure::of(&e))?;
        self.roots.push(key);
        Ok(())
    }

    /// Adds a trust input (its kind is detected when the verifier is built).
    pub fn add_input(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        if self.inputs.len() >= MAX_TRUST_INPUTS {
            return Err(Failure::usage(format!(
                "at most {MAX_TRUST_INPUTS} trust inputs"
            )));
        }
        let total = self.bytes.saturating_add(bytes.len());
        if total > MAX_TRUST_BYTES {
            return Err(Failure::new(
                Code::TrustListInvalid,
                Reason::TooLarge,
                format!("trust inputs are at most {MAX_TRUST_BYTES} bytes in all"),
            ));
        }
        self.bytes = total;
        self.inputs.push(bytes.to_vec());
        Ok(())
    }

    /// Sets what a verdict does with status data (SPEC §14): the most age in seconds before
    /// an issuer's status data is stale, and whether a code whose issuer has no status data,
    /// or stale status data, is `"accept"`ed or `"reject"`ed.
    pub fn set_status_policy(
        &mut self,
        max_age: f64,
        when_missing: &str,
        when_stale: &str,
    ) -> Result<(), Failure> {
        let max_age_secs = whole(max_age, MAX_STATUS_AGE_SECS, "status.maxAgeSeconds")? as i64;
        let when_missing = match when_missing {
            "accept" => Missing::Accept,
            "reject" => Missing::Reject,
            _ => {
                return Err(Failure::usage(
                    "status.whenMissing is \"accept\" or \"reject\"",
                ));
            }
        };
        let when_stale = match when_stale {
            "accept" => Stale::Accept,
            "reject" => Stale::Reject,
            _ => {
                return Err(Failure::usage(
                    "status.whenStale is \"accept\" or \"reject\"",
                ));
            }
        };
        self.status_policy = StatusPolicy {
            max_age_secs,
            when_missing,
            when_stale,
        };
        Ok(())
    }

    /// Records the highest status-list sequence of `issuer` the app accepted before (kept
    /// across restarts by the app): older status data is then a rollback (`status_invalid`).
    pub fn add_status_min_sequence(&mut self, issuer: &str, sequence: f64) -> Result<(), Failure> {
        if self.status_floors.len() >= MAX_STATUS_FLOORS {
            return Err(Failure::usage(format!(
                "at most {MAX_STATUS_FLOORS} status sequence floors"
            )));
        }
        if issuer.is_empty() || issuer.len() > MAX_ISSUER_BYTES {
            return Err(Failure::usage(format!(
                "a status sequence floor names an issuer of 1 to {MAX_ISSUER_BYTES} bytes"
            )));
        }
        let sequence = whole(sequence, MAX_SAFE_INTEGER, "statusMinSequence")?;
        self.status_floors.push((issuer.to_owned(), sequence));
        Ok(())
    }

    /// Builds the verifier: every input loaded into one [`TrustStore`] at `now` (so an expired,
    /// untrusted or rolled-back trust list stops it here), verdicts judged with `skew` seconds
    /// of clock tolerance. `min_sequence` below 0 means none.
    pub fn build(
        &self,
        threshold: f64,
        min_sequence: f64,
        skew: f64,
        now: f64,
    ) -> Result<Session, Failure> {
        let now = unix_seconds(now, "the load time")?;
        let threshold = whole(threshold, MAX_ROOTS as u64, "threshold")? as usize;
        let min_sequence = if min_sequence < 0.0 {
            None
        } else {
            Some(whole(min_sequence, MAX_SAFE_INTEGER, "minSequence")?)
        };
        let skew = whole(skew, 7 * 86_400, "skew (seconds)")? as i64;
        let policy = TrustListPolicy {
            roots: self.roots.clone(),
            threshold,
            min_sequence,
        };
        let mut store = TrustStore::new();
        let mut kinds = Vec::with_capacity(self.inputs.len());
        for input in &self.inputs {
            let kind = store
                .add(input, &policy, now)
                .map_err(|e| Failure::new(e.code(), e.reason(), e.to_string()))?;
            kinds.push(kind.as_str());
        }
        for (issuer, sequence) in &self.status_floors {
            store.set_status_min_sequence(issuer, *sequence);
        }
        Ok(Session {
            verifier: Verifier::new(store).with_status_policy(self.status_policy),
            skew,
            loaded_at: now,
            kinds,
        })
    }
}

/// A verifier built from trust inputs.
#[derive(Debug)]
pub struct Session {
    verifier: Verifier,
    skew: i64,
    loaded_at: i64,
    kinds: Vec<&'static str>,
}

/// A text too long for this package, as the facade words a rejected input.
fn too_long(len: usize) -> VerifyError {
    VerifyError::Input {
        reason: Reason::TextTooLong,
        message: format!(
            "text of {len} bytes or more is longer than the limit of {MAX_TEXT_BYTES}"
        ),
    }
}

impl Session {
    fn clock(&self, at: f64) -> Result<Clock, Failure> {
        Ok(Clock::at(unix_seconds(at, "the verification time")?).with_skew(self.skew))
    }

    /// Verifies one scanned text of any format this build reads.
    pub fn verify_text(&self, text: &str, at: f64) -> Result<String, Failure> {
        let clock = self.clock(at)?;
        let verdict = if text.len() > MAX_TEXT_BYTES {
            Verdict::Invalid(too_long(text.len()))
        } else {
            self.verifier.verify_text(text, clock)
        };
        Ok(verdict.to_json())
    }

    /// Verifies a code given as several texts, passed as a JSON array of strings (an SHC's
    /// chunks, in any order).
    pub fn verify_chunks(&self, texts_json: &str, at: f64) -> Result<String, Failure> {
        let clock = self.clock(at)?;
        if texts_json.len() > MAX_TEXT_BYTES + 2 * MAX_CHUNKS + 2 {
            return Ok(Verdict::Invalid(too_long(texts_json.len())).to_json());
        }
        let texts: Vec<String> = serde_json::from_str(texts_json)
            .map_err(|_| Failure::usage("verifyChunks takes an array of strings"))?;
        if texts.is_empty() || texts.len() > MAX_CHUNKS {
            return Err(Failure::usage(format!(
                "verifyChunks takes 1 to {MAX_CHUNKS} texts, not {}",
                texts.len()
            )));
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        Ok(self.verifier.verify_chunks(&refs, clock).to_json())
    }

    /// Verifies the code in a camera frame: 8-bit luma (`width × height` bytes) or RGBA
    /// (`4 × width × height` bytes, such as a canvas's `ImageData`), told apart by length.
    pub fn verify_frame(
        &self,
        pixels: &[u8],
        width: u32,
        height: u32,
        at: f64,
    ) -> Result<String, Failure> {
        let clock = self.clock(at)?;
        Ok(self.frame(pixels, width, height, clock)?.to_json())
    }

    #[cfg(feature = "full")]
    fn frame(
        &self,
        pixels: &[u8],
        width: u32,
        height: u32,
        clock: Clock,
    ) -> Result<Verdict, Failure> {
        Ok(match frame_luma(pixels, width, height) {
            Ok(luma) => self.verifier.verify_luma(width, height, &luma, clock),
            Err(e) => Verdict::Invalid(e),
        })
    }

    #[cfg(not(feature = "full"))]
    fn frame(&self, _: &[u8], _: u32, _: u32, _: Clock) -> Result<Verdict, Failure> {
        Err(no_pictures())
    }

    /// Verifies the code in a PNG or JPEG picture.
    pub fn verify_image(&self, bytes: &[u8], at: f64) -> Result<String, Failure> {
        let clock = self.clock(at)?;
        Ok(self.image(bytes, clock)?.to_json())
    }

    #[cfg(feature = "full")]
    fn image(&self, bytes: &[u8], clock: Clock) -> Result<Verdict, Failure> {
        Ok(match image_bytes(bytes) {
            Ok(bytes) => self.verifier.verify_image(bytes, clock),
            Err(e) => Verdict::Invalid(e),
        })
    }

    #[cfg(not(feature = "full"))]
    fn image(&self, _: &[u8], _: Clock) -> Result<Verdict, Failure> {
        Err(no_pictures())
    }

    /// What the verifier trusts, for display: the kind of each input in order and, when an hcx
    /// trust list was loaded, its sequence, signing time, expiry and issuers.
    pub fn trust_info(&self) -> String {
        #[derive(Serialize)]
        struct Issuer<'a> {
            id: &'a str,
            names: &'a std::collections::BTreeMap<String, String>,
        }
        #[derive(Serialize)]
        struct List<'a> {
            sequence: u64,
            issued_at: String,
            expires_at: String,
            issuers: Vec<Issuer<'a>>,
        }
        /// One issuer's status data: its newest list, or why it cannot be used.
        #[derive(Serialize)]
        struct Status {
            issuer: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            sequence: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            issued_at: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            expires_at: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            error: Option<serde_json::Value>,
        }
        #[derive(Serialize)]
        struct Info<'a> {
            inputs: &'a [&'static str],
            loaded_at: String,
            skew_seconds: i64,
            trust_list: Option<List<'a>>,
            status_lists: Vec<Status>,
        }
        let list = self.verifier.trust().trust_list().map(|l| List {
            sequence: l.sequence,
            issued_at: timefmt::format_rfc3339(l.issued_at),
            expires_at: timefmt::format_rfc3339(l.expires_at),
            issuers: l
                .issuers
                .iter()
                .map(|i| Issuer {
                    id: &i.id,
                    names: &i.names,
                })
                .collect(),
        });
        let status_lists = self
            .verifier
            .trust()
            .status_lists()
            .into_iter()
            .map(|s| match s.state {
                Ok((sequence, issued_at, expires_at)) => Status {
                    issuer: s.issuer,
                    sequence: Some(sequence),
                    issued_at: Some(timefmt::format_rfc3339(issued_at)),
                    expires_at: Some(timefmt::format_rfc3339(expires_at)),
                    error: None,
                },
                Err((code, reason, message)) => Status {
                    issuer: s.issuer,
                    sequence: None,
                    issued_at: None,
                    expires_at: None,
                    // The `error` object of the facade's one serializer, read back to nest it.
                    error: serde_json::from_str::<serde_json::Value>(&hcx_verify::error_json(
                        code,
                        Some(reason),
                        &message,
                    ))
                    .ok()
                    .and_then(|mut v| v.get_mut("error").map(serde_json::Value::take)),
                },
            })
            .collect();
        serde_json::to_string(&Info {
            inputs: &self.kinds,
            loaded_at: timefmt::format_rfc3339(self.loaded_at),
            skew_seconds: self.skew,
            trust_list: list,
            status_lists,
        })
        .unwrap_or_else(|_| "{}".to_owned())
    }
}

/// A camera frame as luma: 8-bit luma (`width × height` bytes) as it is, RGBA (`4 × width ×
/// height` bytes, a canvas's `ImageData`) converted by hcx-qr; told apart by length. Frames over
/// [`MAX_FRAME_PIXELS`] are refused before anything is allocated.
#[cfg(feature = "full")]
fn frame_luma(
    pixels: &[u8],
    width: u32,
    height: u32,
) -> Result<std::borrow::Cow<'_, [u8]>, VerifyError> {
    let area = u64::from(width) * u64::from(height);
    if area > MAX_FRAME_PIXELS {
        return Err(hcx_qr::Error::ImageTooLarge {
            width,
            height,
            max: MAX_FRAME_PIXELS,
        }
        .into());
    }
    if area.checked_mul(4) == Some(pixels.len() as u64) {
        Ok(hcx_qr::luma_from_rgba(width, height, pixels)?.into())
    } else {
        Ok(pixels.into())
    }
}

/// A PNG or JPEG file, refused over [`MAX_IMAGE_BYTES`].
#[cfg(feature = "full")]
fn image_bytes(bytes: &[u8]) -> Result<&[u8], VerifyError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(hcx_qr::Error::FileTooLarge {
            size: bytes.len() as u64,
            max: MAX_IMAGE_BYTES as u64,
        }
        .into());
    }
    Ok(bytes)
}

/// The texts of the code in a frame, without verifying it: the code [`Session::verify_frame`]
/// would judge (an SHC's chunks, or one text), as a JSON array.
pub fn scan_frame(pixels: &[u8], width: u32, height: u32) -> Result<String, Failure> {
    #[cfg(feature = "full")]
    {
        let texts = frame_luma(pixels, width, height)
            .and_then(|luma| hcx_verify::scan_luma(width, height, &luma))
            .map_err(|e| Failure::of(&e))?;
        Ok(serde_json::to_string(&texts).unwrap_or_else(|_| "[]".to_owned()))
    }
    #[cfg(not(feature = "full"))]
    {
        let _ = (pixels, width, height);
        Err(no_pictures())
    }
}

/// The texts of the code in a PNG or JPEG picture, without verifying it, as a JSON array.
pub fn scan_image(bytes: &[u8]) -> Result<String, Failure> {
    #[cfg(feature = "full")]
    {
        let texts = image_bytes(bytes)
            .and_then(hcx_verify::scan_image)
            .map_err(|e| Failure::of(&e))?;
        Ok(serde_json::to_string(&texts).unwrap_or_else(|_| "[]".to_owned()))
    }
    #[cfg(not(feature = "full"))]
    {
        let _ = bytes;
        Err(no_pictures())
    }
}

/// A picture given to the hcx-only build: a usage error (the app loaded the wrong build).
#[cfg(not(feature = "full"))]
fn no_pictures() -> Failure {
    Failure::new(
        Code::Usage,
        Reason::UnsupportedFormat,
        "this build reads hcx texts only: use the full build for pictures and frames",
    )
}

/// Reads a code without verifying it ([`hcx_verify::decode`]).
pub fn decode(text: &str) -> Result<String, Failure> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(Failure::of(&too_long(text.len())));
    }
    hcx_verify::decode(text)
        .map(|d| d.to_json())
        .map_err(|e| Failure::of(&e))
}

/// The parameters of `issue`, as JavaScript callers write them.
#[cfg(feature = "full")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct JsIssueParams {
    issuer: String,
    issued_at: JsTime,
    expires_at: JsTime,
    #[serde(default)]
    not_before: Option<JsTime>,
}

/// Unix seconds, or an RFC 3339 text.
#[cfg(feature = "full")]
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum JsTime {
    Seconds(f64),
    Text(String),
}

#[cfg(feature = "full")]
impl JsTime {
    fn unix(&self, what: &str) -> Result<i64, Failure> {
        match self {
            JsTime::Seconds(s) => unix_seconds(*s, what),
            JsTime::Text(t) => timefmt::parse_rfc3339(t).map_err(|e| {
                Failure::new(
                    Code::InvalidInput,
                    Reason::InvalidInput,
                    format!("{what}: {e}"),
                )
            }),
        }
    }
}

/// Issues an hcx code: `key_pem` a PKCS#8 Ed25519 private key, `params_json` the issuer and
/// times, `claims_json` the health claims. Answers the `HCX1:` text as a JSON string. In the
/// full build only: signing (and the randomness for code ids) stays out of the small verifier.
#[cfg(not(feature = "full"))]
pub fn issue(_: &str, _: &str, _: &str) -> Result<String, Failure> {
    Err(Failure::new(
        Code::Usage,
        Reason::InvalidInput,
        "this build verifies only: issue with the full build",
    ))
}

/// Issues an hcx code (see the hcx-only variant above for the contract).
#[cfg(feature = "full")]
pub fn issue(key_pem: &str, params_json: &str, claims_json: &str) -> Result<String, Failure> {
    if key_pem.len() > MAX_ROOT_BYTES
        || params_json.len() > MAX_JSON_BYTES
        || claims_json.len() > MAX_JSON_BYTES
    {
        return Err(Failure::new(
            Code::InvalidInput,
            Reason::TooLarge,
            format!(
                "the key is at most {MAX_ROOT_BYTES} bytes, parameters and claims {MAX_JSON_BYTES}"
            ),
        ));
    }
    let key = hcx_verify::PrivateKey::from_pem(key_pem).map_err(|e| Failure::of(&e))?;
    let p: JsIssueParams = serde_json::from_str(params_json).map_err(|e| {
        Failure::new(
            Code::InvalidInput,
            Reason::InvalidInput,
            format!("issue parameters: {e}"),
        )
    })?;
    let params = hcx_verify::IssueParams {
        issuer: p.issuer,
        issued_at: p.issued_at.unix("issuedAt")?,
        expires_at: p.expires_at.unix("expiresAt")?,
        not_before: p.not_before.map(|t| t.unix("notBefore")).transpose()?,
    };
    let claims = hcx_verify::HealthClaims::from_json(claims_json)
        .map_err(|e| Failure::of(&hcx_verify::IssueError::from(e)))?;
    let text = hcx_verify::issue(&key, &params, &claims).map_err(|e| Failure::of(&e))?;
    Ok(json_string(&text))
}

/// The package's input limits, so the JavaScript side never copies more than can be accepted
/// into WebAssembly memory.
pub fn limits() -> String {
    serde_json::json!({
        "text_bytes": MAX_TEXT_BYTES,
        "chunks": MAX_CHUNKS,
        "image_bytes": MAX_IMAGE_BYTES,
        "frame_pixels": MAX_FRAME_PIXELS,
        "trust_inputs": MAX_TRUST_INPUTS,
        "trust_bytes": MAX_TRUST_BYTES,
        "roots": MAX_ROOTS,
        "root_bytes": MAX_ROOT_BYTES,
        "json_bytes": MAX_JSON_BYTES,
        "status_floors": MAX_STATUS_FLOORS,
        "issuer_bytes": MAX_ISSUER_BYTES,
        "status_max_age_default": StatusPolicy::default().max_age_secs,
        "full": cfg!(feature = "full"),
    })
    .to_string()
}

/// The answer for a call whose WebAssembly instance trapped (the JavaScript side then starts a
/// fresh instance): for a picture, the verdict hcx-qr gives when a decoder fails natively
/// (`unreadable_image`); otherwise an `invalid_input` error.
pub fn fault(picture: bool) -> String {
    #[cfg(feature = "full")]
    if picture {
        let e = hcx_qr::Error::UnreadableImage("the picture decoder failed on this input".into());
        return ok_json(&Verdict::Invalid(e.into()).to_json());
    }
    let _ = picture;
    Failure::new(
        Code::InvalidInput,
        Reason::InvalidInput,
        "the verifier failed on this input and was restarted",
    )
    .to_json()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::Value as Json;

    const NOW: f64 = 1_795_251_600.0;

    fn fixture(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../spec/fixtures/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn session() -> Session {
        let mut b = TrustBuilder::new();
        b.add_root(std::str::from_utf8(&fixture("keys/root-1.pub.pem")).unwrap())
            .unwrap();
        b.add_input(&fixture("trust/main.json")).unwrap();
        b.build(1.0, -1.0, 300.0, NOW).unwrap()
    }

    fn parse(json: &str) -> Json {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn verdicts_are_the_facades_json() {
        let s = session();
        let text = String::from_utf8(fixture("samples/reference-code.txt")).unwrap();
        let got = s.verify_text(text.trim(), NOW).unwrap();
        let store = TrustStore::load(
            &[fixture("trust/main.json")],
            &TrustListPolicy::single_root(
                PublicKey::from_pem(std::str::from_utf8(&fixture("keys/root-1.pub.pem")).unwrap())
                    .unwrap(),
            ),
            NOW as i64,
        )
        .unwrap();
        let want = Verifier::new(store).verify_text(text.trim(), Clock::at(NOW as i64));
        assert_eq!(got, want.to_json());
        assert_eq!(parse(&envelope(Ok(got)))["ok"]["valid"], true);
        let info = parse(&s.trust_info());
        assert_eq!(info["inputs"][0], "hcx-trust-list");
        assert!(info["trust_list"]["sequence"].is_u64());
    }

    #[test]
    fn bad_calls_are_typed_failures() {
        let s = session();
        for at in [f64::NAN, -1.0, f64::INFINITY, 1e13] {
            let f = s.verify_text("HCX1:x", at).unwrap_err();
            assert_eq!((f.code, f.reason), (Code::Usage, Reason::InvalidInput));
        }
        let long = "A".repeat(MAX_TEXT_BYTES + 1);
        let v = parse(&s.verify_text(&long, NOW).unwrap());
        assert_eq!(v["error"]["reason"], "text_too_long");
        for bad in ["", "[]", "{}", "[1]", "[\"a\""] {
            assert_eq!(
                s.verify_chunks(bad, NOW).unwrap_err().code,
                Code::Usage,
                "{bad}"
            );
        }
        let mut b = TrustBuilder::new();
        assert_eq!(b.add_root("nope").unwrap_err().code, Code::InvalidKey);
        b.add_input(&fixture("trust/main.json")).unwrap();
        let f = b.build(1.0, -1.0, 300.0, NOW).unwrap_err();
        assert_eq!(f.reason, Reason::MissingRoots);
        let f = TrustBuilder::new()
            .build(1.5, -1.0, 300.0, NOW)
            .unwrap_err();
        assert_eq!(f.code, Code::Usage);
        let json = parse(&f.to_json());
        assert_eq!(json["error"]["code"], "usage");
        assert_eq!(json["valid"], false);
        assert!(parse(&decode("HCX1:").unwrap_err().to_json())["error"]["code"].is_string());
    }

    #[cfg(feature = "full")]
    #[test]
    fn bad_issue_calls_are_typed_failures() {
        for (code, want) in [
            (issue("x", "{}", "{}"), "invalid_key"),
            (
                issue(
                    std::str::from_utf8(&fixture("keys/dingtalk-1.pem")).unwrap(),
                    r#"{"issuer":"dingtalk","issuedAt":10,"expiresAt":"2026-01-01T00:00:00Z","extra":1}"#,
                    "{}",
                ),
                "invalid_input",
            ),
        ] {
            assert_eq!(code.unwrap_err().code.as_str(), want);
        }
    }

    #[cfg(feature = "full")]
    #[test]
    fn issued_codes_verify() {
        let key = String::from_utf8(fixture("keys/dingtalk-1.pem")).unwrap();
        let text = issue(
            &key,
            r#"{"issuer":"dingtalk","issuedAt":1795248000,"expiresAt":"2026-11-22T00:00:00Z"}"#,
            r#"{"status":"green","subject":{"name":"张三"}}"#,
        )
        .unwrap();
        let text: String = serde_json::from_str(&text).unwrap();
        let v = parse(&session().verify_text(&text, NOW).unwrap());
        assert_eq!(v["valid"], true, "{v}");
        assert_eq!(v["claims"]["subject"]["name"], "张三");
    }

    #[cfg(feature = "full")]
    #[test]
    fn frames_are_luma_or_rgba() {
        let s = session();
        let (w, h) = (4u32, 3u32);
        for len in [12usize, 48] {
            let v = parse(&s.verify_frame(&vec![255; len], w, h, NOW).unwrap());
            assert_eq!(v["error"]["reason"], "no_code_found", "{len}: {v}");
        }
        let v = parse(&s.verify_frame(&[0; 13], w, h, NOW).unwrap());
        assert_eq!(v["error"]["reason"], "invalid_dimensions");
        let v = parse(&s.verify_frame(&[], 5000, 5000, NOW).unwrap());
        assert_eq!(v["error"]["reason"], "image_too_large");
        let v = parse(&s.verify_image(b"GIF89a", NOW).unwrap());
        assert_eq!(v["error"]["reason"], "unsupported_format");
        let v = parse(&fault(true));
        assert_eq!(v["ok"]["error"]["reason"], "unreadable_image");
        let png = fixture("images/qr-reference-ecc-m.png");
        let texts: Vec<String> = serde_json::from_str(&scan_image(&png).unwrap()).unwrap();
        let [text] = texts.as_slice() else {
            panic!("one code expected: {texts:?}")
        };
        assert_eq!(
            s.verify_text(text, NOW).unwrap(),
            s.verify_image(&png, NOW).unwrap()
        );
        let f = scan_frame(&[255; 12], 4, 3).unwrap_err();
        assert_eq!(f.reason, Reason::NoCodeFound);
    }

    #[cfg(not(feature = "full"))]
    #[test]
    fn the_small_build_refuses_pictures() {
        let f = session().verify_image(b"\x89PNG", NOW).unwrap_err();
        assert_eq!((f.code, f.reason), (Code::Usage, Reason::UnsupportedFormat));
        let f = session().verify_frame(&[0; 4], 2, 2, NOW).unwrap_err();
        assert_eq!(f.code, Code::Usage);
        assert_eq!(scan_image(b"x").unwrap_err().code, Code::Usage);
        assert_eq!(scan_frame(&[0; 4], 2, 2).unwrap_err().code, Code::Usage);
        assert_eq!(issue("", "", "").unwrap_err().code, Code::Usage);
        assert_eq!(parse(&fault(true))["error"]["code"], "invalid_input");
    }
}
