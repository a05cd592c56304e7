//! The Java binding's operations on plain bytes, and the two encodings between Java and Rust:
//! - lists (trust inputs, roots, chunks, texts) arrive as one byte array of frames, each a
//!   4-byte big-endian length and then that many bytes (`org.hcx.Native.frames`);
//! - every answer is `code NUL reason NUL text` in UTF-8 (code and reason empty on success;
//!   JSON, PEM and code texts hold no NUL), and `verify_many`'s is one such answer per text,
//!   each ending with `\n` (no answer holds a line break either).

use hcx::api::{self, HcxVerifier, IssueRequest, Outcome, StatusConfig, StatusFloors, TrustConfig};
use hcx::status::CallError;
use hcx_verify::StatusPolicy;

/// The most items in one list argument.
const MAX_ITEMS: usize = 1 << 24;

/// Splits a list argument into its frames.
pub fn frames<'a>(blob: &'a [u8], what: &'static str) -> Result<Vec<&'a [u8]>, CallError> {
    let mut rest = blob;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_first_chunk::<4>()
            .ok_or(CallError::Internal(format!(
                "`{what}`: a frame without its length"
            )))?;
        let len = u32::from_be_bytes(*len) as usize;
        let (item, tail) = tail.split_at_checked(len).ok_or(CallError::TooLong {
            what,
            len,
            max: tail.len(),
        })?;
        if out.len() == MAX_ITEMS {
            return Err(CallError::TooLong {
                what,
                len: out.len() + 1,
                max: MAX_ITEMS,
            });
        }
        out.push(item);
        rest = tail;
    }
    Ok(out)
}

/// Appends one answer: `code NUL reason NUL text`.
fn push_answer(out: &mut Vec<u8>, outcome: &Outcome) {
    out.extend_from_slice(outcome.code.map_or("", |c| c.as_str()).as_bytes());
    out.push(0);
    out.extend_from_slice(outcome.reason.map_or("", |r| r.as_str()).as_bytes());
    out.push(0);
    out.extend_from_slice(outcome.text.as_bytes());
}

/// One answer.
pub fn answer(outcome: &Outcome) -> Vec<u8> {
    let mut out = Vec::with_capacity(outcome.text.len() + 32);
    push_answer(&mut out, outcome);
    out
}

/// The answer of a call that failed before hcx looked at anything.
pub fn call_error(error: &CallError) -> Vec<u8> {
    answer(&Outcome::of_call_error(error))
}

/// What `Verifier`'s constructor passes.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewVerifier<'a> {
    /// Trust inputs, as frames.
    pub inputs: &'a [u8],
    /// Root keys (PEM or JWK), as frames.
    pub roots: &'a [u8],
    /// The trust-list threshold; negative is no threshold (and refused by hcx).
    pub threshold: i32,
    /// The lowest trust-list sequence accepted; 0 or less: any.
    pub min_sequence: i64,
    /// When the trust is checked, Unix seconds.
    pub now: i64,
    /// The clock skew verifications allow, seconds.
    pub skew_seconds: i64,
    /// Status data older than this is stale, seconds; 0: the default (48 hours).
    pub status_max_age: i64,
    /// Refuse a code whose issuer has no status data (`status_stale`).
    pub reject_missing_status: bool,
    /// Use stale status data anyway (the verdict says `"stale": true`).
    pub accept_stale_status: bool,
    /// Per-issuer status rollback floors, as frames: each an 8-byte big-endian sequence, then
    /// the issuer id.
    pub status_floors: &'a [u8],
}

/// Reads the status options `Verifier`'s constructor passes.
fn status_config<'a>(
    args: &NewVerifier<'a>,
) -> Result<(StatusPolicy, StatusFloors<'a>), CallError> {
    let policy = api::status_policy(
        args.status_max_age,
        if args.reject_missing_status {
            api::HCX_WHEN_MISSING_REJECT
        } else {
            api::HCX_WHEN_MISSING_ACCEPT
        },
        if args.accept_stale_status {
            api::HCX_WHEN_STALE_ACCEPT
        } else {
            api::HCX_WHEN_STALE_REJECT
        },
    )?;
    let floors = frames(args.status_floors, "minSequences")?
        .into_iter()
        .map(|frame| {
            let (sequence, issuer) = frame.split_first_chunk::<8>().ok_or(CallError::Internal(
                "`minSequences`: a frame without its sequence".to_owned(),
            ))?;
            Ok((
                api::utf8(issuer, "minSequences")?,
                u64::from_be_bytes(*sequence),
            ))
        })
        .collect::<Result<_, CallError>>()?;
    Ok((policy, floors))
}

/// Builds a verifier, or the answer saying why not.
pub fn new_verifier(args: &NewVerifier<'_>) -> Result<HcxVerifier, Vec<u8>> {
    let fail = |e: CallError| call_error(&e);
    let inputs = frames(args.inputs, "trustInputs").map_err(fail)?;
    let roots = frames(args.roots, "roots")
        .and_then(|r| {
            r.into_iter()
                .map(|b| api::utf8(b, "roots"))
                .collect::<Result<Vec<&str>, _>>()
        })
        .map_err(fail)?;
    let (policy, min_sequences) = status_config(args).map_err(fail)?;
    HcxVerifier::new(&TrustConfig {
        inputs: &inputs,
        roots: &roots,
        threshold: usize::try_from(args.threshold).unwrap_or(0),
        min_sequence: u64::try_from(args.min_sequence).unwrap_or(0),
        now: args.now,
        skew_seconds: args.skew_seconds,
        status: StatusConfig {
            policy,
            min_sequences: &min_sequences,
        },
    })
    .map_err(|o| answer(&o))
}

/// Verifies one text.
pub fn verify_text(v: &HcxVerifier, text: &[u8], at: i64) -> Vec<u8> {
    match api::utf8(text, "text") {
        Ok(text) => answer(&Outcome::of_verdict(&v.verify_text(text, at))),
        Err(e) => call_error(&e),
    }
}

/// Verifies SHC chunks (frames).
pub fn verify_chunks(v: &HcxVerifier, chunks: &[u8], at: i64) -> Vec<u8> {
    let chunks = frames(chunks, "chunks").and_then(|c| {
        c.into_iter()
            .map(|b| api::utf8(b, "chunks"))
            .collect::<Result<Vec<&str>, _>>()
    });
    match chunks {
        Ok(chunks) => answer(&Outcome::of_verdict(&v.verify_chunks(&chunks, at))),
        Err(e) => call_error(&e),
    }
}

/// Verifies the code in a picture.
pub fn verify_image(v: &HcxVerifier, image: &[u8], at: i64) -> Vec<u8> {
    answer(&Outcome::of_verdict(&v.verify_image(image, at)))
}

/// Verifies many texts (frames): one answer line per text.
pub fn verify_many(v: &HcxVerifier, texts: &[u8], at: i64) -> Vec<u8> {
    let items = match frames(texts, "texts") {
        Ok(items) => items,
        Err(e) => return call_error(&e),
    };
    let items: Vec<_> = items.into_iter().map(|b| api::utf8(b, "texts")).collect();
    let outcomes = v.verify_many(&items, at);
    let mut out = Vec::with_capacity(outcomes.iter().map(|o| o.text.len() + 32).sum());
    for outcome in &outcomes {
        push_answer(&mut out, outcome);
        out.push(b'\n');
    }
    out
}

/// Decodes a code for display.
pub fn decode(text: &[u8]) -> Vec<u8> {
    match api::utf8(text, "text") {
        Ok(text) => answer(&api::decode(text)),
        Err(e) => call_error(&e),
    }
}

/// Issues a code.
pub fn issue(
    key_pem: &[u8],
    claims_json: &[u8],
    issuer: &[u8],
    times: (i64, i64, Option<i64>),
) -> Vec<u8> {
    let request = (|| {
        Ok::<_, CallError>(IssueRequest {
            key_pem: api::utf8(key_pem, "privateKeyPem")?,
            claims_json: api::utf8(claims_json, "claimsJson")?,
            issuer: api::utf8(issuer, "issuer")?,
            issued_at: times.0,
            expires_at: times.1,
            not_before: times.2,
        })
    })();
    match request {
        Ok(request) => answer(&api::issue(&request)),
        Err(e) => call_error(&e),
    }
}

/// A new private key.
pub fn keygen() -> Vec<u8> {
    answer(&api::keygen())
}

/// The public key of a key.
pub fn pubkey(pem: &[u8]) -> Vec<u8> {
    match api::utf8(pem, "pem") {
        Ok(pem) => answer(&api::pubkey(pem)),
        Err(e) => call_error(&e),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use hcx_verify::{Missing, Stale};

    fn frame(items: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for item in items {
            out.extend_from_slice(&(item.len() as u32).to_be_bytes());
            out.extend_from_slice(item);
        }
        out
    }

    #[test]
    fn frames_round_trip_and_refuse_lies() {
        let items: [&[u8]; 3] = [b"a", b"", b"xyz"];
        assert_eq!(frames(&frame(&items), "t").unwrap(), items);
        assert!(frames(&[], "t").unwrap().is_empty());
        assert!(frames(&[0, 0, 1], "t").is_err());
        assert!(frames(&[0, 0, 0, 9, 1], "t").is_err());
    }

    #[test]
    fn status_floors_are_read_and_bad_ones_refused() {
        let args = |floors: &'static [u8], age: i64| NewVerifier {
            status_max_age: age,
            reject_missing_status: true,
            accept_stale_status: true,
            status_floors: floors,
            ..NewVerifier::default()
        };
        let floors = frame(&[
            b"\0\0\0\0\0\0\0\x07dingtalk",
            b"\xff\xff\xff\xff\xff\xff\xff\xff",
        ]);
        let (policy, read) = status_config(&args(floors.leak(), 60)).unwrap();
        assert_eq!(read, [("dingtalk", 7), ("", u64::MAX)]);
        assert_eq!(policy.max_age_secs, 60);
        assert_eq!(policy.when_missing, Missing::Reject);
        assert_eq!(policy.when_stale, Stale::Accept);
        let short = frame(&[b"\0\0\x07"]);
        assert!(status_config(&args(short.leak(), 0)).is_err());
        let not_utf8 = frame(&[b"\0\0\0\0\0\0\0\x07\xff"]);
        assert_eq!(
            status_config(&args(not_utf8.leak(), 0)).unwrap_err(),
            CallError::NotUtf8("minSequences")
        );
        assert!(matches!(
            status_config(&args(&[], -1)).unwrap_err(),
            CallError::OutOfRange { .. }
        ));
    }

    #[test]
    fn answers_carry_code_reason_and_text() {
        let out = verify_text(
            &new_verifier(&NewVerifier {
                threshold: 1,
                ..NewVerifier::default()
            })
            .unwrap(),
            b"HCX1:x",
            0,
        );
        let text = String::from_utf8(out).unwrap();
        let mut parts = text.splitn(3, '\0');
        assert_eq!(parts.next(), Some("usage"));
        assert_eq!(parts.next(), Some("no_hcx_trust_list"));
        assert!(
            parts
                .next()
                .unwrap()
                .starts_with(r#"{"error":{"code":"usage""#)
        );
        let bad = String::from_utf8(decode(b"\xff")).unwrap();
        assert!(bad.starts_with("invalid_input\0not_utf8\0{"));
    }
}
