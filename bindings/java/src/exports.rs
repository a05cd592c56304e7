//! THE unsafe module of the JNI glue: the exported `Java_org_hcx_Native_*` functions (their
//! `#[unsafe(no_mangle)]` names are what the JVM binds `org.hcx.Native`'s methods to) and the
//! verifier handle, a `Box<HcxVerifier>` passed to Java as a `long`.
//!
//! What makes it sound:
//! - Each function runs its body under `catch_unwind`: a panic (a bug) becomes a typed answer
//!   (`invalid_input`), so Java sees an `HcxException` or a rejecting `Verdict`. The whole runs
//!   in jni's `with_env`, which also catches panics: a JNI failure (making the answer's array)
//!   becomes a Java `RuntimeException` (`ThrowRuntimeExAndDefault`), never an unwind into the
//!   JVM.
//! - A handle is made only by `newVerifier` and freed only by `freeVerifier`; `org.hcx.Verifier`
//!   holds it under a read-write lock, so no call uses a freed handle and `close` waits for
//!   running calls. 0 is never a handle (NULL).
//! - Java arrays are copied into Rust memory before use; nothing keeps a JNI reference.
//! - With the `leak-check` feature (tests only), the global allocator is the system's behind a
//!   counter of live bytes; it changes no allocation.

use std::panic::{AssertUnwindSafe, catch_unwind};

use hcx::api::HcxVerifier;
use hcx::status::CallError;
use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JByteArray, JClass};
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, EnvUnowned};

use crate::glue;

/// Copies a Java byte array (NULL: an error in the call).
fn bytes(env: &Env<'_>, array: &JByteArray<'_>, what: &'static str) -> Result<Vec<u8>, CallError> {
    if array.is_null() {
        return Err(CallError::Null(what));
    }
    env.convert_byte_array(array)
        .map_err(|e| CallError::Internal(e.to_string()))
}

/// Borrows the verifier behind a handle.
///
/// # Safety
/// A non-zero `handle` was returned by `newVerifier` and not yet given to `freeVerifier`.
unsafe fn verifier<'a>(handle: jlong) -> Result<&'a HcxVerifier, CallError> {
    // SAFETY: per the contract, a live Box<HcxVerifier>; shared borrows only (it is Sync).
    unsafe { (handle as *const HcxVerifier).as_ref() }.ok_or(CallError::Null("verifier"))
}

/// Runs a native method's body: byte arrays in, one byte array out.
fn answer<'local>(
    env: &mut EnvUnowned<'local>,
    body: impl FnOnce(&mut Env<'local>) -> Result<Vec<u8>, CallError>,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>, jni::errors::Error> {
        // A panic in the body (a bug) becomes a typed answer (`invalid_input`, an HcxException
        // or a rejecting Verdict in Java) like any call error; `with_env` still catches one in
        // making the array, as a RuntimeException.
        let out = catch_unwind(AssertUnwindSafe(|| body(env)))
            .unwrap_or_else(|panic| Err(CallError::of_panic(&*panic)))
            .unwrap_or_else(|e| glue::call_error(&e));
        env.byte_array_from_slice(&out)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// `byte[] Native.newVerifier(byte[] inputs, byte[] roots, int threshold, long minSequence,
/// long now, long skewSeconds, long statusMaxAge, boolean rejectMissingStatus, boolean
/// acceptStaleStatus, byte[] statusFloors)`: on success the answer's text is the handle, in
/// decimal.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hcx_Native_newVerifier<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    inputs: JByteArray<'local>,
    roots: JByteArray<'local>,
    threshold: jint,
    min_sequence: jlong,
    now: jlong,
    skew_seconds: jlong,
    status_max_age: jlong,
    reject_missing_status: jboolean,
    accept_stale_status: jboolean,
    status_floors: JByteArray<'local>,
) -> JByteArray<'local> {
    answer(&mut env, |env| {
        let inputs = bytes(env, &inputs, "trustInputs")?;
        let roots = bytes(env, &roots, "roots")?;
        let status_floors = bytes(env, &status_floors, "minSequences")?;
        Ok(
            match glue::new_verifier(&glue::NewVerifier {
                inputs: &inputs,
                roots: &roots,
                threshold,
                min_sequence,
                now,
                skew_seconds,
                status_max_age,
                reject_missing_status,
                accept_stale_status,
                status_floors: &status_floors,
            }) {
                Ok(v) => {
                    let handle = Box::into_raw(Box::new(v)) as jlong;
                    glue::answer(&hcx::api::Outcome::ok(handle.to_string()))
                }
                Err(answer) => answer,
            },
        )
    })
}

/// `void Native.freeVerifier(long handle)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_Native_freeVerifier<'local>(
    _env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    if handle != 0 {
        // SAFETY: made by Box::into_raw in newVerifier; org.hcx.Verifier frees it once, after
        // every call on it has returned. Dropping plain data cannot panic.
        drop(unsafe { Box::from_raw(handle as *mut HcxVerifier) });
    }
}

/// `byte[] Native.verifyText(long handle, byte[] text, long at)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_Native_verifyText<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    text: JByteArray<'local>,
    at: jlong,
) -> JByteArray<'local> {
    answer(&mut env, |env| {
        let v = unsafe { verifier(handle)? };
        Ok(glue::verify_text(v, &bytes(env, &text, "text")?, at))
    })
}

/// `byte[] Native.verifyChunks(long handle, byte[] chunks, long at)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_Native_verifyChunks<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    chunks: JByteArray<'local>,
    at: jlong,
) -> JByteArray<'local> {
    answer(&mut env, |env| {
        let v = unsafe { verifier(handle)? };
        Ok(glue::verify_chunks(v, &bytes(env, &chunks, "chunks")?, at))
    })
}

/// `byte[] Native.verifyImage(long handle, byte[] image, long at)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_Native_verifyImage<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    image: JByteArray<'local>,
    at: jlong,
) -> JByteArray<'local> {
    answer(&mut env, |env| {
        let v = unsafe { verifier(handle)? };
        Ok(glue::verify_image(v, &bytes(env, &image, "image")?, at))
    })
}

/// `byte[] Native.verifyMany(long handle, byte[] texts, long at)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_Native_verifyMany<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    texts: JByteArray<'local>,
    at: jlong,
) -> JByteArray<'local> {
    answer(&mut env, |env| {
        let v = unsafe { verifier(handle)? };
        Ok(glue::verify_many(v, &bytes(env, &texts, "texts")?, at))
    })
}

/// `byte[] Native.decode(byte[] text)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_Native_decode<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    text: JByteArray<'local>,
) -> JByteArray<'local> {
    answer(&mut env, |env| {
        Ok(glue::decode(&bytes(env, &text, "text")?))
    })
}

/// `byte[] Native.issue(byte[] privateKeyPem, byte[] claimsJson, byte[] issuer, long issuedAt,
/// long expiresAt, boolean hasNotBefore, long notBefore)`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hcx_Native_issue<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    key_pem: JByteArray<'local>,
    claims_json: JByteArray<'local>,
    issuer: JByteArray<'local>,
    issued_at: jlong,
    expires_at: jlong,
    has_not_before: jboolean,
    not_before: jlong,
) -> JByteArray<'local> {
    answer(&mut env, |env| {
        Ok(glue::issue(
            &bytes(env, &key_pem, "privateKeyPem")?,
            &bytes(env, &claims_json, "claimsJson")?,
            &bytes(env, &issuer, "issuer")?,
            (issued_at, expires_at, has_not_before.then_some(not_before)),
        ))
    })
}

/// `byte[] Native.keygen()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_Native_keygen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JByteArray<'local> {
    answer(&mut env, |_| Ok(glue::keygen()))
}

/// `byte[] Native.publicKey(byte[] pem)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_Native_publicKey<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    pem: JByteArray<'local>,
) -> JByteArray<'local> {
    answer(&mut env, |env| Ok(glue::pubkey(&bytes(env, &pem, "pem")?)))
}

/// `long Bench.facadeNanos(long handle, byte[] text, long at, int iterations)`: the in-process
/// baseline of bindings/java/bench.sh, the facade called from Rust. Only with `bench`.
#[cfg(feature = "bench")]
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_Bench_facadeNanos<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    text: JByteArray<'local>,
    at: jlong,
    iterations: jint,
) -> jlong {
    env.with_env(|env| -> Result<jlong, jni::errors::Error> {
        let (Ok(v), Ok(text)) = (unsafe { verifier(handle) }, bytes(env, &text, "text")) else {
            return Ok(0);
        };
        let Ok(text) = std::str::from_utf8(&text) else {
            return Ok(0);
        };
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(v.verify_text(std::hint::black_box(text), at));
        }
        Ok(jlong::try_from(start.elapsed().as_nanos()).unwrap_or(jlong::MAX))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// The allocator of `leak-check` builds: the system allocator, counting the bytes it holds.
#[cfg(feature = "leak-check")]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicI64, Ordering::Relaxed};

    /// Bytes allocated and not yet freed.
    pub static LIVE: AtomicI64 = AtomicI64::new(0);

    struct Counting;

    fn size(n: usize) -> i64 {
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    // SAFETY: every call is forwarded unchanged to `System`, which upholds GlobalAlloc's
    // contract; the counter is only arithmetic beside it.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                LIVE.fetch_add(size(layout.size()), Relaxed);
            }
            p
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                LIVE.fetch_add(size(layout.size()), Relaxed);
            }
            p
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            LIVE.fetch_sub(size(layout.size()), Relaxed);
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                LIVE.fetch_add(size(new_size) - size(layout.size()), Relaxed);
            }
            p
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;
}

/// `long LeakCheck.liveBytes()` (test builds only): the bytes the library holds now.
#[cfg(feature = "leak-check")]
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_hcx_LeakCheck_liveBytes<'local>(
    _env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jlong {
    counting::LIVE.load(std::sync::atomic::Ordering::Relaxed)
}
