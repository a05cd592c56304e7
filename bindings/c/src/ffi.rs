//! THE unsafe module of the C ABI: the exported functions, and the few helpers that turn C's
//! pointers and lengths into Rust borrows. Everything else in the crate is safe code.
//!
//! What makes it sound:
//! - Every pointer is checked for NULL and every length against an `HCX_MAX_*` bound before a
//!   slice is made from it; what cannot be checked (that a non-NULL pointer really points to
//!   `len` readable bytes, that a verifier was made by `hcx_verifier_new` and not freed) is the
//!   caller's side of the contract, written in the header.
//! - Borrows live only for the call: nothing the library keeps points into C memory (the
//!   facade copies what it keeps).
//! - Every exported function runs its body under `catch_unwind`, so no panic crosses the
//!   boundary (and none is reachable: the crate denies unwrap, expect, indexing and panic).
//! - Memory handed to C is a `CString` or a boxed verifier, given back only through
//!   `hcx_string_free` / `hcx_verifier_free`, which free only an address the `live` set holds
//!   (so a double free is refused, not done); strings are zeroed before they are freed (keys).

use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use hcx_verify::StatusPolicy;

use crate::api::{
    self, HCX_MAX_INPUT_BYTES, HCX_MAX_ITEMS, HCX_MAX_TEXT_BYTES, HcxVerifier, IssueRequest,
    Outcome, StatusConfig, StatusFloors, TrustConfig,
};
use crate::live;
use crate::status::{CallError, HcxStatus};

/// A byte or text buffer the caller lends for the duration of one call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct HcxBytes {
    /// The first byte; must not be NULL.
    pub ptr: *const u8,
    /// How many bytes.
    pub len: usize,
}

/// Borrows one buffer. NULL is an error whatever the length.
///
/// # Safety
/// A non-NULL `ptr` points to `len` readable bytes that stay unchanged during the call.
unsafe fn buffer<'a>(
    ptr: *const u8,
    len: usize,
    max: usize,
    what: &'static str,
) -> Result<&'a [u8], CallError> {
    if ptr.is_null() {
        return Err(CallError::Null(what));
    }
    if len > max {
        return Err(CallError::TooLong { what, len, max });
    }
    // SAFETY: non-NULL, at most `max` (far below isize::MAX) bytes, readable per the contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows one text argument.
///
/// # Safety
/// As [`buffer`].
unsafe fn text<'a>(ptr: *const u8, len: usize, what: &'static str) -> Result<&'a str, CallError> {
    api::utf8(unsafe { buffer(ptr, len, HCX_MAX_TEXT_BYTES, what)? }, what)
}

/// Borrows an array (of buffers, of status floors); `(NULL, 0)` is the empty array.
///
/// # Safety
/// A non-NULL `ptr` points to `len` readable, aligned `T`.
unsafe fn array<'a, T>(
    ptr: *const T,
    len: usize,
    what: &'static str,
) -> Result<&'a [T], CallError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(CallError::Null(what));
    }
    if len > HCX_MAX_ITEMS {
        return Err(CallError::TooLong {
            what,
            len,
            max: HCX_MAX_ITEMS,
        });
    }
    // SAFETY: non-NULL, at most HCX_MAX_ITEMS elements, readable per the contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows every buffer of an array as text (or the first error).
///
/// # Safety
/// As [`array`], and every element as [`buffer`].
unsafe fn texts<'a>(
    ptr: *const HcxBytes,
    len: usize,
    what: &'static str,
) -> Result<Vec<&'a str>, CallError> {
    unsafe { array(ptr, len, what)? }
        .iter()
        .map(|b| unsafe { text(b.ptr, b.len, what) })
        .collect()
}

/// The highest sequence of one issuer's status lists the app accepted before (kept across
/// restarts, as `hcx sync` does): older lists of that issuer are a rollback (`status_invalid`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct HcxStatusFloor {
    /// The issuer id, UTF-8.
    pub issuer: HcxBytes,
    /// The lowest sequence still accepted.
    pub sequence: u64,
}

/// How a verifier uses the status lists among its trust inputs (SPEC §14). All zeros (`{0}`)
/// is the default policy; so is passing NULL.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct HcxStatusOptions {
    /// Status data older than this (seconds since the newest list was issued) is stale. 0: the
    /// default (48 hours); negative is refused.
    pub max_age_seconds: i64,
    /// `HCX_WHEN_MISSING_ACCEPT` or `HCX_WHEN_MISSING_REJECT`.
    pub when_missing: u32,
    /// `HCX_WHEN_STALE_REJECT` or `HCX_WHEN_STALE_ACCEPT`.
    pub when_stale: u32,
    /// Per-issuer rollback floors; `(NULL, 0)` for none.
    pub min_sequences: *const HcxStatusFloor,
    /// How many floors.
    pub min_sequences_len: usize,
}

/// Reads the status options (NULL: the defaults) and borrows their issuer ids.
///
/// # Safety
/// A non-NULL `ptr` points to one `HcxStatusOptions` whose pointers follow [`array`]'s and
/// [`buffer`]'s contracts.
unsafe fn status_options<'a>(
    ptr: *const HcxStatusOptions,
) -> Result<(StatusPolicy, StatusFloors<'a>), CallError> {
    // SAFETY: NULL or one readable HcxStatusOptions per the contract.
    let Some(options) = (unsafe { ptr.as_ref() }) else {
        return Ok((StatusPolicy::default(), Vec::new()));
    };
    let policy = api::status_policy(
        options.max_age_seconds,
        options.when_missing,
        options.when_stale,
    )?;
    let floors = unsafe {
        array(
            options.min_sequences,
            options.min_sequences_len,
            "status.min_sequences",
        )?
    };
    let floors = floors
        .iter()
        .map(|f| {
            // SAFETY: per the contract, as `buffer`.
            let issuer = unsafe { text(f.issuer.ptr, f.issuer.len, "status.min_sequences")? };
            Ok((issuer, f.sequence))
        })
        .collect::<Result<_, CallError>>()?;
    Ok((policy, floors))
}

/// Borrows the verifier.
///
/// # Safety
/// A non-NULL `ptr` was returned by `hcx_verifier_new` and not yet freed.
unsafe fn verifier<'a>(ptr: *const HcxVerifier) -> Result<&'a HcxVerifier, CallError> {
    // SAFETY: a live verifier per the contract; shared borrows only (it is Sync).
    unsafe { ptr.as_ref() }.ok_or(CallError::Null("verifier"))
}

/// Runs a call's body under `catch_unwind`: a panic becomes `HCX_STATUS_ERR_INTERNAL`.
fn guard<T>(body: impl FnOnce() -> Result<T, Outcome>) -> Result<T, Outcome> {
    catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|panic| Err(Outcome::of_call_error(&CallError::of_panic(&*panic))))
}

/// Hands a call's text to C through `out` and returns its status.
///
/// # Safety
/// `out` is non-NULL and points to storage for one pointer.
unsafe fn give(out: *mut *mut c_char, outcome: Outcome) -> HcxStatus {
    let Ok(text) = CString::new(outcome.text) else {
        // JSON, PEM and code texts never hold NUL; if one did, C would read it cut short.
        return HcxStatus::ErrInternal;
    };
    let raw = text.into_raw();
    live::STRINGS.insert(raw as usize);
    // SAFETY: non-NULL and writable per the contract.
    unsafe { out.write(raw) };
    outcome.status
}

/// Runs a call's body (guarded) and hands its text to C through `out`.
///
/// # Safety
/// A non-NULL `out` points to storage for one pointer.
unsafe fn run(out: *mut *mut c_char, body: impl FnOnce() -> Result<Outcome, Outcome>) -> HcxStatus {
    if out.is_null() {
        return HcxStatus::ErrNullPointer;
    }
    // SAFETY: non-NULL and writable per the contract. Cleared first, so that a caller may
    // always pass `*out` to hcx_string_free.
    unsafe { out.write(ptr::null_mut()) };
    let outcome = guard(body).unwrap_or_else(|failure| failure);
    unsafe { give(out, outcome) }
}

/// Creates a verifier from trust inputs and the policy its hcx trust list is checked under.
///
/// - `inputs`, `inputs_len`: trust inputs of any kind, each detected by its content: at most
///   one signed hcx trust list, X.509 certificates (PEM or DER), a JWKS, a DCC signer list, an
///   SHC revocation list or issuer directory. `(NULL, 0)` gives an empty store.
/// - `roots`, `roots_len`: the trust-list root keys, each read as the CLI reads `--root`: a PEM
///   public key (SPKI), a PEM private key (its public half), or an Ed25519 JWK or one-key JWK
///   Set (RFC 8037). Needed when an hcx trust list is given.
/// - `threshold`: how many distinct roots must have signed the hcx trust list (1 ..= roots).
/// - `min_sequence`: the lowest trust-list sequence still accepted (rollback protection; 0:
///   any).
/// - `now`: when the trust inputs are checked, Unix seconds.
/// - `skew_seconds`: the clock skew every verification with this verifier allows.
/// - `status`: how status lists among the inputs are used (SPEC §14); NULL for the defaults.
///
/// On `HCX_STATUS_OK`, `*out_verifier` is the verifier (free it with `hcx_verifier_free`) and
/// `*out_json` is NULL. Otherwise `*out_verifier` is NULL and `*out_json` is the SPEC §9 error
/// JSON (`trust_list_invalid`, `trust_list_expired`, `invalid_key`, …; free it with
/// `hcx_string_free`).
///
/// # Safety
/// Every non-NULL pointer points to what its length says (`status` to one `HcxStatusOptions`);
/// `out_verifier` and `out_json` to storage for one pointer each.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn hcx_verifier_new(
    inputs: *const HcxBytes,
    inputs_len: usize,
    roots: *const HcxBytes,
    roots_len: usize,
    threshold: usize,
    min_sequence: u64,
    now: i64,
    skew_seconds: i64,
    status: *const HcxStatusOptions,
    out_verifier: *mut *mut HcxVerifier,
    out_json: *mut *mut c_char,
) -> HcxStatus {
    if out_json.is_null() {
        return HcxStatus::ErrNullPointer;
    }
    // SAFETY: non-NULL and writable per the contract.
    unsafe { out_json.write(ptr::null_mut()) };
    if out_verifier.is_null() {
        return unsafe { give(out_json, CallError::Null("out_verifier").into()) };
    }
    // SAFETY: as above.
    unsafe { out_verifier.write(ptr::null_mut()) };
    let made = guard(|| {
        let inputs: Vec<&[u8]> = unsafe { array(inputs, inputs_len, "inputs")? }
            .iter()
            .map(|b| unsafe { buffer(b.ptr, b.len, HCX_MAX_INPUT_BYTES, "inputs") })
            .collect::<Result<_, _>>()?;
        let roots = unsafe { texts(roots, roots_len, "roots")? };
        let (policy, min_sequences) = unsafe { status_options(status)? };
        HcxVerifier::new(&TrustConfig {
            inputs: &inputs,
            roots: &roots,
            threshold,
            min_sequence,
            now,
            skew_seconds,
            status: StatusConfig {
                policy,
                min_sequences: &min_sequences,
            },
        })
    });
    match made {
        Ok(v) => {
            let raw = Box::into_raw(Box::new(v));
            live::VERIFIERS.insert(raw as usize);
            // SAFETY: non-NULL and writable (checked above).
            unsafe { out_verifier.write(raw) };
            HcxStatus::Ok
        }
        Err(failure) => unsafe { give(out_json, failure) },
    }
}

/// Frees a verifier, after every call using it has returned (on every thread). NULL is ignored
/// (`HCX_STATUS_OK`). A pointer that is not a live verifier of this library — freed already, or
/// never made by `hcx_verifier_new` — is refused with `HCX_STATUS_ERR_NOT_LIVE` and nothing is
/// freed (only its address is compared, never read). A double free is caught unless
/// `hcx_verifier_new` has since returned a verifier at the same address.
///
/// # Safety
/// None beyond the above: any pointer value may be passed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_verifier_free(verifier: *mut HcxVerifier) -> HcxStatus {
    if verifier.is_null() {
        return HcxStatus::Ok;
    }
    if !live::VERIFIERS.take(verifier as usize) {
        return HcxStatus::ErrNotLive;
    }
    // SAFETY: made by Box::into_raw in hcx_verifier_new and live until this moment (taken out
    // of the live set just now, so no other free can reach it). Dropping cannot panic (plain
    // data), so nothing unwinds out of here.
    drop(unsafe { Box::from_raw(verifier) });
    HcxStatus::Ok
}

/// Verifies one scanned text (`text_len` bytes of UTF-8, no NUL needed) of any supported
/// format — hcx, EU DCC, SMART Health Card, ICAO VDS-NC — at `at` (Unix seconds).
///
/// Returns `HCX_STATUS_OK` for a valid code, else the rejection's code; `*out_json` is the
/// verdict, SPEC §9 JSON exactly as `hcx verify --json` prints it. Free it with
/// `hcx_string_free`.
///
/// # Safety
/// `verifier` is live; `text` points to `text_len` readable bytes; `out_json` to storage for
/// one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_verify_text(
    verifier: *const HcxVerifier,
    text: *const u8,
    text_len: usize,
    at: i64,
    out_json: *mut *mut c_char,
) -> HcxStatus {
    unsafe {
        run(out_json, || {
            let v = self::verifier(verifier)?;
            let text = self::text(text, text_len, "text")?;
            Ok(Outcome::of_verdict(&v.verify_text(text, at)))
        })
    }
}

/// Verifies a code given as several texts, in any order: the `shc:/K/N/` chunks of a SMART
/// Health Card. One chunk is verified as `hcx_verify_text` does. Results as `hcx_verify_text`.
///
/// # Safety
/// `verifier` is live; `chunks` points to `chunks_len` `HcxBytes`, each pointing to its bytes;
/// `out_json` to storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_verify_chunks(
    verifier: *const HcxVerifier,
    chunks: *const HcxBytes,
    chunks_len: usize,
    at: i64,
    out_json: *mut *mut c_char,
) -> HcxStatus {
    unsafe {
        run(out_json, || {
            let v = self::verifier(verifier)?;
            let chunks = texts(chunks, chunks_len, "chunks")?;
            Ok(Outcome::of_verdict(&v.verify_chunks(&chunks, at)))
        })
    }
}

/// Verifies the health code in a PNG or JPEG picture (`image_len` bytes). Results as
/// `hcx_verify_text`; a picture with no code gives `HCX_STATUS_NO_CODE_FOUND`.
///
/// # Safety
/// `verifier` is live; `image` points to `image_len` readable bytes; `out_json` to storage for
/// one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_verify_image(
    verifier: *const HcxVerifier,
    image: *const u8,
    image_len: usize,
    at: i64,
    out_json: *mut *mut c_char,
) -> HcxStatus {
    unsafe {
        run(out_json, || {
            let v = self::verifier(verifier)?;
            let image = buffer(image, image_len, HCX_MAX_INPUT_BYTES, "image")?;
            Ok(Outcome::of_verdict(&v.verify_image(image, at)))
        })
    }
}

/// Verifies many texts at once, on all cores; each verdict equals `hcx_verify_text`'s.
///
/// Returns `HCX_STATUS_OK` when every text was judged (valid or not), else the call's error.
/// `*out_json` holds one verdict JSON per text, in input order, each ending with `\n` (JSON
/// lines, as `hcx verify --batch --json` writes them). When `out_statuses` is not NULL, it
/// receives `texts_len` statuses, one per text. A text that is not UTF-8 gets
/// `HCX_STATUS_ERR_NOT_UTF8` and its error JSON in its place; the others are still judged.
///
/// # Safety
/// `verifier` is live; `texts` points to `texts_len` `HcxBytes`, each pointing to its bytes; a
/// non-NULL `out_statuses` to room for `texts_len` statuses; `out_json` to storage for one
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_verify_many(
    verifier: *const HcxVerifier,
    texts: *const HcxBytes,
    texts_len: usize,
    at: i64,
    out_statuses: *mut HcxStatus,
    out_json: *mut *mut c_char,
) -> HcxStatus {
    unsafe {
        run(out_json, || {
            let v = self::verifier(verifier)?;
            let items: Vec<Result<&str, CallError>> = array(texts, texts_len, "texts")?
                .iter()
                .map(|b| match text(b.ptr, b.len, "texts") {
                    // A NULL or overlong item is the caller's mistake, not the text's: the
                    // whole call fails, as for any other argument.
                    Err(CallError::NotUtf8(what)) => Ok(Err(CallError::NotUtf8(what))),
                    Err(e) => Err(Outcome::from(e)),
                    Ok(t) => Ok(Ok(t)),
                })
                .collect::<Result<_, _>>()?;
            let outcomes = v.verify_many(&items, at);
            let mut lines = String::with_capacity(outcomes.iter().map(|o| o.text.len() + 1).sum());
            for (i, outcome) in outcomes.iter().enumerate() {
                lines.push_str(&outcome.text);
                lines.push('\n');
                if !out_statuses.is_null() {
                    // SAFETY: room for texts_len statuses per the contract; i < texts_len.
                    out_statuses.add(i).write(outcome.status);
                }
            }
            Ok(Outcome::ok(lines))
        })
    }
}

/// Reads a code of any supported format WITHOUT verifying it, for display: on
/// `HCX_STATUS_OK`, `*out_json` is the payload as JSON with `"verified":false` and a warning;
/// otherwise the error JSON (`malformed`, …).
///
/// # Safety
/// `text` points to `text_len` readable bytes; `out_json` to storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_decode(
    text: *const u8,
    text_len: usize,
    out_json: *mut *mut c_char,
) -> HcxStatus {
    unsafe {
        run(out_json, || {
            Ok(api::decode(self::text(text, text_len, "text")?))
        })
    }
}

/// Issues an hcx code: signs the claims (JSON, SPEC §4) with the issuer's private key
/// (PKCS#8 PEM) for `issuer`, valid from `issued_at` (or `*not_before`, when `not_before` is
/// not NULL) until `expires_at`, all Unix seconds.
///
/// On `HCX_STATUS_OK`, `*out_text` is the code text (`HCX1:…`); otherwise the error JSON
/// (`invalid_key`, `invalid_claims`, `invalid_input`). Free it with `hcx_string_free`.
///
/// # Safety
/// Each text pointer points to its length in readable bytes; a non-NULL `not_before` to one
/// `int64_t`; `out_text` to storage for one pointer.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn hcx_issue(
    key_pem: *const u8,
    key_pem_len: usize,
    claims_json: *const u8,
    claims_json_len: usize,
    issuer: *const u8,
    issuer_len: usize,
    issued_at: i64,
    expires_at: i64,
    not_before: *const i64,
    out_text: *mut *mut c_char,
) -> HcxStatus {
    unsafe {
        run(out_text, || {
            Ok(api::issue(&IssueRequest {
                key_pem: text(key_pem, key_pem_len, "key_pem")?,
                claims_json: text(claims_json, claims_json_len, "claims_json")?,
                issuer: text(issuer, issuer_len, "issuer")?,
                issued_at,
                expires_at,
                // SAFETY: a non-NULL not_before points to one int64_t per the contract.
                not_before: not_before.as_ref().copied(),
            }))
        })
    }
}

/// Generates an Ed25519 private key: on `HCX_STATUS_OK`, `*out_pem` is its PKCS#8 PEM (free
/// it with `hcx_string_free`, which wipes it).
///
/// # Safety
/// `out_pem` points to storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_keygen(out_pem: *mut *mut c_char) -> HcxStatus {
    unsafe { run(out_pem, || Ok(api::keygen())) }
}

/// The public key of a key: given a private key (PKCS#8 PEM) or a public key (SPKI PEM), on
/// `HCX_STATUS_OK` `*out_pem` is the public key as SPKI PEM; otherwise the error JSON
/// (`invalid_key`).
///
/// # Safety
/// `pem` points to `pem_len` readable bytes; `out_pem` to storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_pubkey(
    pem: *const u8,
    pem_len: usize,
    out_pem: *mut *mut c_char,
) -> HcxStatus {
    unsafe { run(out_pem, || Ok(api::pubkey(text(pem, pem_len, "pem")?))) }
}

/// Frees a string the library returned (JSON, a code text, a PEM), wiping it first. NULL is
/// ignored (`HCX_STATUS_OK`). A pointer that is not a live string of this library — freed
/// already, never returned by it, or pointing inside one — is refused with
/// `HCX_STATUS_ERR_NOT_LIVE` and nothing is freed (only its address is compared, never read).
/// A double free is caught unless the library has since returned a string at the same address.
///
/// # Safety
/// None beyond the above: any pointer value may be passed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_string_free(s: *mut c_char) -> HcxStatus {
    if s.is_null() {
        return HcxStatus::Ok;
    }
    if !live::STRINGS.take(s as usize) {
        return HcxStatus::ErrNotLive;
    }
    // SAFETY: made by CString::into_raw in `give` and live until this moment (taken out of the
    // live set just now, so no other free can reach it).
    let mut bytes = unsafe { CString::from_raw(s) }.into_bytes_with_nul();
    zeroize::Zeroize::zeroize(&mut bytes);
    HcxStatus::Ok
}

/// The name of a status (`"ok"`, `"expired"`, `"null_pointer"`, …): a static string, never
/// freed; `"unknown"` for a number that is no status.
#[unsafe(no_mangle)]
pub extern "C" fn hcx_status_name(status: i32) -> *const c_char {
    catch_unwind(|| HcxStatus::name(status))
        .ok()
        .flatten()
        .unwrap_or(c"unknown")
        .as_ptr()
}

/// The exit status of the reference CLI for a status: 0 valid, 1 judged and rejected, 2 could
/// not judge (unusable trust or status data, a bad request, an error in the call).
#[unsafe(no_mangle)]
pub extern "C" fn hcx_exit_status(status: i32) -> i32 {
    HcxStatus::exit_status(status)
}

/// The library's version, a static string (`"0.1.0"`).
#[unsafe(no_mangle)]
pub extern "C" fn hcx_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

/// The in-process baseline of bindings/c/bench.sh: `iterations` verifications of `text`
/// through the facade from Rust (with the verdict's JSON when `with_json`), in nanoseconds.
/// Built only with the `bench` feature; not in the header.
///
/// # Safety
/// As `hcx_verify_text`.
#[cfg(feature = "bench")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hcx_bench_facade(
    verifier: *const HcxVerifier,
    text: *const u8,
    text_len: usize,
    at: i64,
    iterations: u64,
    with_json: bool,
) -> u64 {
    let (Ok(v), Ok(text)) = (unsafe { self::verifier(verifier) }, unsafe {
        self::text(text, text_len, "text")
    }) else {
        return 0;
    };
    let facade = v.verifier();
    let start = std::time::Instant::now();
    for _ in 0..iterations {
        let verdict = facade.verify_text(std::hint::black_box(text), v.clock(at));
        if with_json {
            std::hint::black_box(verdict.to_json());
        } else {
            std::hint::black_box(verdict);
        }
    }
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
