//! The operations the C ABI exports, in Rust types: every result is a status and the text the
//! call hands back (a verdict or error JSON from the facade's one serializer, a code text, a
//! PEM). The JNI glue (bindings/java) calls these too, so no binding builds a verdict itself.

use hcx_verify::{
    Clock, Code, Coded, HealthClaims, IssueError, IssueParams, Missing, PrivateKey, Reason, Stale,
    StatusPolicy, TrustListPolicy, TrustStore, Verdict, Verifier,
};

use crate::status::{CallError, HcxStatus};

/// A verifier and the clock skew it allows. Thread-safe: one verifier may be used by any number
/// of threads at once (its per-key tables are shared); it never changes once made.
#[derive(Debug)]
pub struct HcxVerifier {
    verifier: Verifier,
    skew_seconds: i64,
}

// The header promises C callers that one verifier can be shared across threads.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<HcxVerifier>()
};

/// What a call hands back: its status, the code and reason of a failure, and its text (a
/// verdict JSON, an error JSON, a code text or a PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The status.
    pub status: HcxStatus,
    /// The failure's stable code (`None`: valid, or success).
    pub code: Option<Code>,
    /// The failure's precise reason, if it has one.
    pub reason: Option<Reason>,
    /// The text.
    pub text: String,
}

impl Outcome {
    /// A success with its text.
    pub fn ok(text: String) -> Outcome {
        Outcome {
            status: HcxStatus::Ok,
            code: None,
            reason: None,
            text,
        }
    }

    /// A verdict: its status and its SPEC §9 JSON.
    pub fn of_verdict(verdict: &Verdict) -> Outcome {
        Outcome {
            status: HcxStatus::of(verdict.code()),
            code: verdict.code(),
            reason: verdict.error().map(Coded::reason),
            text: verdict.to_json(),
        }
    }

    /// A typed failure of the library: its code and its SPEC §9 error JSON.
    pub fn of_error(error: &(impl Coded + std::fmt::Display)) -> Outcome {
        Outcome {
            status: HcxStatus::of_code(error.code()),
            code: Some(error.code()),
            reason: Some(error.reason()),
            text: hcx_verify::error_json(error.code(), Some(error.reason()), &error.to_string()),
        }
    }

    /// An error in the call itself.
    pub fn of_call_error(error: &CallError) -> Outcome {
        let (code, reason, text) = error.parts();
        Outcome {
            status: error.status(),
            code: Some(code),
            reason,
            text,
        }
    }
}

/// The largest text argument (a code, an SHC chunk, a PEM, claims JSON), in bytes. Longer
/// texts are refused with `HCX_STATUS_ERR_TOO_LONG` before they are read. (Codes longer than
/// their format allows are judged `malformed` by hcx itself.)
pub const HCX_MAX_TEXT_BYTES: usize = 1 << 20;
/// The largest byte input (a trust input, an image), in bytes.
pub const HCX_MAX_INPUT_BYTES: usize = 64 << 20;
/// The most items in one array argument (trust inputs, roots, chunks, texts).
pub const HCX_MAX_ITEMS: usize = 1 << 24;

/// Reads a text argument: at most [`HCX_MAX_TEXT_BYTES`] of UTF-8.
pub fn utf8<'a>(bytes: &'a [u8], what: &'static str) -> Result<&'a str, CallError> {
    if bytes.len() > HCX_MAX_TEXT_BYTES {
        return Err(CallError::TooLong {
            what,
            len: bytes.len(),
            max: HCX_MAX_TEXT_BYTES,
        });
    }
    std::str::from_utf8(bytes).map_err(|_| CallError::NotUtf8(what))
}

impl From<CallError> for Outcome {
    fn from(error: CallError) -> Outcome {
        Outcome::of_call_error(&error)
    }
}

/// What a verifier is built from: trust inputs of any kind (detected by content) and the policy
/// the hcx trust list among them is checked under.
#[derive(Debug, Clone, Copy)]
pub struct TrustConfig<'a> {
    /// Trust inputs: an hcx trust list, certificates, a JWKS, a DCC signer list, …
    pub inputs: &'a [&'a [u8]],
    /// The trust-list root keys, read by `hcx_verify::public_key_from_any_pem` (PEM or JWK).
    pub roots: &'a [&'a str],
    /// How many distinct roots must have signed the hcx trust list.
    pub threshold: usize,
    /// The lowest trust-list sequence still accepted (0: any).
    pub min_sequence: u64,
    /// When the trust is checked, Unix seconds.
    pub now: i64,
    /// The clock skew every verification allows, seconds.
    pub skew_seconds: i64,
    /// How status lists among the inputs are used (SPEC §14).
    pub status: StatusConfig<'a>,
}

/// `HcxStatusOptions::when_missing`: judge a code whose issuer has no status data without it
/// (the default).
pub const HCX_WHEN_MISSING_ACCEPT: u32 = 0;
/// `HcxStatusOptions::when_missing`: refuse such a code with `status_stale` (reason
/// `status_missing`).
pub const HCX_WHEN_MISSING_REJECT: u32 = 1;
/// `HcxStatusOptions::when_stale`: refuse a code whose issuer's status data is older than the
/// maximum age with `status_stale` (the default).
pub const HCX_WHEN_STALE_REJECT: u32 = 0;
/// `HcxStatusOptions::when_stale`: use stale status data anyway; the verdict's `status_list`
/// says `"stale": true`.
pub const HCX_WHEN_STALE_ACCEPT: u32 = 1;

/// Reads a status policy from a binding's numbers: `max_age_seconds` (0: the default, 48
/// hours), `when_missing` (`HCX_WHEN_MISSING_*`) and `when_stale` (`HCX_WHEN_STALE_*`).
pub fn status_policy(
    max_age_seconds: i64,
    when_missing: u32,
    when_stale: u32,
) -> Result<StatusPolicy, CallError> {
    let out_of_range = |what, allowed| CallError::OutOfRange { what, allowed };
    let mut policy = StatusPolicy::default();
    match max_age_seconds {
        0 => {}
        age if age > 0 => policy.max_age_secs = age,
        _ => {
            return Err(out_of_range(
                "max_age_seconds",
                "0 (the default) or a positive number of seconds",
            ));
        }
    }
    policy.when_missing = match when_missing {
        HCX_WHEN_MISSING_ACCEPT => Missing::Accept,
        HCX_WHEN_MISSING_REJECT => Missing::Reject,
        _ => {
            return Err(out_of_range(
                "when_missing",
                "HCX_WHEN_MISSING_ACCEPT or HCX_WHEN_MISSING_REJECT",
            ));
        }
    };
    policy.when_stale = match when_stale {
        HCX_WHEN_STALE_REJECT => Stale::Reject,
        HCX_WHEN_STALE_ACCEPT => Stale::Accept,
        _ => {
            return Err(out_of_range(
                "when_stale",
                "HCX_WHEN_STALE_REJECT or HCX_WHEN_STALE_ACCEPT",
            ));
        }
    };
    Ok(policy)
}

/// Per-issuer status rollback floors, `(issuer id, sequence)`, as read from a binding's call.
pub type StatusFloors<'a> = Vec<(&'a str, u64)>;

/// How a verifier uses the status lists among its trust inputs (SPEC §14): the policy, and the
/// highest sequence of each issuer's lists the app accepted before (rollback protection).
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusConfig<'a> {
    /// Maximum age, what to do when an issuer's status data is missing or stale.
    pub policy: StatusPolicy,
    /// `(issuer id, sequence)`: that issuer's status lists older than `sequence` are a
    /// rollback (`status_invalid`).
    pub min_sequences: &'a [(&'a str, u64)],
}

impl HcxVerifier {
    /// Builds a verifier, or the error that stops it: a root that is no key, a trust input
    /// that cannot be used (`trust_list_*`, `usage`).
    pub fn new(config: &TrustConfig<'_>) -> Result<HcxVerifier, Outcome> {
        let roots = config
            .roots
            .iter()
            .map(|r| hcx_verify::public_key_from_any_pem(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Outcome::of_error(&e))?;
        let policy = TrustListPolicy {
            roots,
            threshold: config.threshold,
            min_sequence: (config.min_sequence > 0).then_some(config.min_sequence),
        };
        let mut store = TrustStore::load(config.inputs, &policy, config.now)
            .map_err(|e| Outcome::of_error(&e))?;
        for (issuer, sequence) in config.status.min_sequences {
            store.set_status_min_sequence(issuer, *sequence);
        }
        Ok(HcxVerifier {
            verifier: Verifier::new(store).with_status_policy(config.status.policy),
            skew_seconds: config.skew_seconds,
        })
    }

    /// The facade's verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The clock of a verification at `at` (Unix seconds).
    pub fn clock(&self, at: i64) -> Clock {
        Clock::at(at).with_skew(self.skew_seconds)
    }

    /// Verifies one scanned text.
    pub fn verify_text(&self, text: &str, at: i64) -> Verdict {
        self.verifier.verify_text(text, self.clock(at))
    }

    /// Verifies a code given as several texts (SMART Health Card chunks).
    pub fn verify_chunks(&self, chunks: &[&str], at: i64) -> Verdict {
        self.verifier.verify_chunks(chunks, self.clock(at))
    }

    /// Verifies the code in a PNG or JPEG picture.
    pub fn verify_image(&self, image: &[u8], at: i64) -> Verdict {
        self.verifier.verify_image(image, self.clock(at))
    }

    /// Verifies many texts at once; an item that could not even be read as text (`Err`) gets
    /// its call error, in its place.
    pub fn verify_many(&self, items: &[Result<&str, CallError>], at: i64) -> Vec<Outcome> {
        let texts: Vec<&str> = items
            .iter()
            .filter_map(|i| i.as_ref().ok().copied())
            .collect();
        // Each verdict becomes its answer on the worker thread that made it.
        let mut outcomes = self
            .verifier
            .verify_many_with(&texts, self.clock(at), |v| Outcome::of_verdict(&v))
            .into_iter();
        items
            .iter()
            .map(|item| match item {
                Ok(_) => outcomes.next().unwrap_or_else(|| {
                    Outcome::of_call_error(&CallError::Internal("a verdict is missing".into()))
                }),
                Err(e) => Outcome::of_call_error(e),
            })
            .collect()
    }
}

/// Reads a code of any format for display, nothing verified: the decoded JSON (with
/// `"verified":false`), or why it cannot be read.
pub fn decode(text: &str) -> Outcome {
    match hcx_verify::decode(text) {
        Ok(decoded) => Outcome::ok(decoded.to_json()),
        Err(e) => Outcome::of_verdict(&Verdict::Invalid(e)),
    }
}

/// What an issuer signs: the claims as JSON and the code's parameters.
#[derive(Debug, Clone, Copy)]
pub struct IssueRequest<'a> {
    /// The issuer's private key, PKCS#8 PEM.
    pub key_pem: &'a str,
    /// The health claims, JSON (SPEC §4).
    pub claims_json: &'a str,
    /// The issuer id, as registered in the trust list.
    pub issuer: &'a str,
    /// Issuing time, Unix seconds.
    pub issued_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    /// Start of validity, Unix seconds, if any.
    pub not_before: Option<i64>,
}

/// Issues a code: the `HCX1:` text, or why not (`invalid_key`, `invalid_claims`,
/// `invalid_input`).
pub fn issue(request: &IssueRequest<'_>) -> Outcome {
    let key = match PrivateKey::from_pem(request.key_pem) {
        Ok(key) => key,
        Err(e) => return Outcome::of_error(&e),
    };
    let claims = match HealthClaims::from_json(request.claims_json) {
        Ok(claims) => claims,
        Err(e) => return Outcome::of_error(&IssueError::InvalidClaims(e)),
    };
    let params = IssueParams {
        issuer: request.issuer.to_owned(),
        issued_at: request.issued_at,
        expires_at: request.expires_at,
        not_before: request.not_before,
    };
    match hcx_verify::issue(&key, &params, &claims) {
        Ok(text) => Outcome::ok(text),
        Err(e) => Outcome::of_error(&e),
    }
}

/// A new Ed25519 private key, PKCS#8 PEM.
pub fn keygen() -> Outcome {
    match PrivateKey::generate().and_then(|k| k.to_pem()) {
        Ok(pem) => {
            // Room for C's NUL up front, so that no copy of the key is left unwiped by a
            // reallocation on its way out.
            let mut text = String::with_capacity(pem.len() + 1);
            text.push_str(&pem);
            Outcome::ok(text)
        }
        Err(e) => Outcome::of_error(&e),
    }
}

/// The public key (SPKI PEM) of a private or public key PEM.
pub fn pubkey(pem: &str) -> Outcome {
    match hcx_verify::public_key_from_any_pem(pem).and_then(|k| k.to_pem()) {
        Ok(pem) => Outcome::ok(pem),
        Err(e) => Outcome::of_error(&e),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const TRUST: &[u8] = include_bytes!("../../../spec/fixtures/trust/main.json");
    const ROOT: &str = include_str!("../../../spec/fixtures/keys/root-1.pub.pem");
    const CODE: &str = include_str!("../../../spec/fixtures/samples/reference-code.txt");
    const NOW: i64 = 1_795_251_600;

    fn verifier() -> HcxVerifier {
        HcxVerifier::new(&TrustConfig {
            inputs: &[TRUST],
            roots: &[ROOT],
            threshold: 1,
            min_sequence: 0,
            now: NOW,
            skew_seconds: 300,
            status: StatusConfig::default(),
        })
        .unwrap()
    }

    #[test]
    fn many_keeps_unreadable_items_in_their_place() {
        let v = verifier();
        let items = [
            Ok(CODE.trim()),
            Err(CallError::NotUtf8("texts[1]")),
            Ok("HCX1:garbage"),
        ];
        let out = v.verify_many(&items, NOW);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].status, HcxStatus::Ok);
        assert_eq!(out[0].text, v.verify_text(CODE.trim(), NOW).to_json());
        assert_eq!(out[1].status, HcxStatus::ErrNotUtf8);
        assert_eq!(out[2].status, HcxStatus::Malformed);
    }

    #[test]
    fn a_bad_root_or_trust_input_stops_the_verifier() {
        let bad_root = HcxVerifier::new(&TrustConfig {
            inputs: &[TRUST],
            roots: &["not a key"],
            threshold: 1,
            min_sequence: 0,
            now: NOW,
            skew_seconds: 0,
            status: StatusConfig::default(),
        })
        .unwrap_err();
        assert_eq!(bad_root.status, HcxStatus::InvalidKey);
        let expired = HcxVerifier::new(&TrustConfig {
            inputs: &[TRUST],
            roots: &[ROOT],
            threshold: 1,
            min_sequence: 0,
            now: NOW + 400 * 86_400,
            skew_seconds: 0,
            status: StatusConfig::default(),
        })
        .unwrap_err();
        assert_eq!(expired.status, HcxStatus::TrustListExpired);
        assert!(expired.text.contains(r#""code":"trust_list_expired""#));
    }

    #[test]
    fn issue_keygen_pubkey_and_decode_agree() {
        let key = keygen();
        assert_eq!(key.status, HcxStatus::Ok);
        let public = pubkey(&key.text);
        assert_eq!(public.status, HcxStatus::Ok);
        assert!(public.text.contains("BEGIN PUBLIC KEY"));
        let code = issue(&IssueRequest {
            key_pem: &key.text,
            claims_json: r#"{"status":"green","subject":{"name":"A"}}"#,
            issuer: "dingtalk",
            issued_at: NOW,
            expires_at: NOW + 86_400,
            not_before: None,
        });
        assert_eq!(code.status, HcxStatus::Ok, "{}", code.text);
        let decoded = decode(&code.text);
        assert_eq!(decoded.status, HcxStatus::Ok);
        assert!(decoded.text.contains(r#""verified":false"#));
        let bad_claims = issue(&IssueRequest {
            claims_json: "{}",
            ..IssueRequest {
                key_pem: &key.text,
                claims_json: "",
                issuer: "dingtalk",
                issued_at: NOW,
                expires_at: NOW + 86_400,
                not_before: None,
            }
        });
        assert_eq!(bad_claims.status, HcxStatus::InvalidClaims);
        assert_eq!(pubkey("nope").status, HcxStatus::InvalidKey);
        assert_eq!(decode("nope").status, HcxStatus::Malformed);
    }
}
