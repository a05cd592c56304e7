//! Hostile input: truncated, garbage and oversized inputs of every format give typed errors,
//! never a panic, and a zlib bomb is stopped at the documented limit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;

use hcx_interop::limits::{MAX_DECOMPRESSED_BYTES, MAX_INPUT_BYTES};
use hcx_interop::{TrustStore, VerifyOptions, dcc, shc};

fn opts() -> VerifyOptions {
    VerifyOptions::at(1_700_000_000)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn b64url(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Reasons of the outermost layers (text, transport encoding), which `verify` and `decode` read
/// the same way before anything else.
const OUTER_REASONS: [&str; 7] = [
    "unknown_format",
    "bad_prefix",
    "bad_base45",
    "too_large",
    "bad_numeric_qr",
    "bad_chunks",
    "trailing_characters",
];

/// Reasons of the checks that every format makes only after a trusted key or anchor accepted
/// the signature: an empty trust store can never get that far. (`schema` can come earlier: an
/// SHC without `iss` has no issuer whose keys to look up.)
const AFTER_TRUST_REASONS: [&str; 6] = [
    "key_usage",
    "signer_not_valid",
    "revoked",
    "bad_revocation_list",
    "expired",
    "not_yet_valid",
];

/// Verifies `text` with an empty trust store, which verifies nothing: where the outer layers
/// fail, the error is exactly the one `decode` reports; otherwise verification stops at or
/// before the trust step, never at a check that follows it.
fn verify_untrusted(text: &str) {
    let err = hcx_interop::verify(text, &TrustStore::default(), &opts())
        .expect_err("an empty trust store verified something");
    if let Err(d) = hcx_interop::decode(text) {
        if OUTER_REASONS.contains(&d.reason().as_str()) {
            assert_eq!(
                (err.code(), err.reason(), err.to_string()),
                (d.code(), d.reason(), d.to_string()),
                "{text:?}"
            );
        }
    }
    assert!(
        !AFTER_TRUST_REASONS.contains(&err.reason().as_str()),
        "{text:?}: {err} ({}) with no trusted key",
        err.reason()
    );
}

/// Feeds every prefix and some byte flips of `text` to verify/decode: typed errors, no panic.
fn no_panic_on_mutations(text: &str) {
    let mut cut = text.len();
    while cut > 0 {
        if let Some(prefix) = text.get(..cut) {
            verify_untrusted(prefix);
        }
        cut = cut.saturating_sub(1 + cut / 16);
    }
    let bytes = text.as_bytes();
    for i in (0..bytes.len()).step_by(7) {
        let mut m = bytes.to_vec();
        m[i] ^= 0x01;
        if let Ok(s) = String::from_utf8(m) {
            verify_untrusted(&s);
        }
    }
}

#[test]
fn zlib_bomb_is_bounded() {
    let bomb = zlib(&vec![0u8; 64 * 1024 * 1024]);
    assert!(bomb.len() < 100_000);
    let err = dcc::decompress(&bomb).unwrap_err();
    assert_eq!(err.reason(), "too_large", "{err}");
    // Through the whole HC1 pipeline too.
    let text = format!("HC1:{}", base45::encode(&bomb));
    let err = hcx_interop::verify(&text, &TrustStore::default(), &opts()).unwrap_err();
    assert_eq!(err.code(), "malformed");
    // Exactly at the limit inflates; one byte more does not. The data must not compress
    // much, or the ratio limit (below) stops it first.
    assert_eq!(
        dcc::decompress(&zlib(&noise(MAX_DECOMPRESSED_BYTES)))
            .unwrap()
            .len(),
        MAX_DECOMPRESSED_BYTES
    );
    let err = dcc::decompress(&zlib(&noise(MAX_DECOMPRESSED_BYTES + 1))).unwrap_err();
    assert_eq!(err.reason(), "too_large", "{err}");
}

/// Incompressible bytes (xorshift), so that only the size limit applies.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn small_bombs_are_stopped_by_the_ratio_limit() {
    use hcx_interop::limits::MAX_DECOMPRESSION_RATIO;
    // 100 KiB of zeros is under the size limit but inflates about 1000x.
    let bomb = zlib(&vec![0u8; 100 * 1024]);
    let err = dcc::decompress(&bomb).unwrap_err();
    assert_eq!(err.reason(), "decompression_ratio", "{err}");
    assert_eq!(err.code(), "malformed");
    let err = hcx_interop::verify(
        &format!("HC1:{}", base45::encode(&bomb)),
        &TrustStore::default(),
        &opts(),
    )
    .unwrap_err();
    assert_eq!(err.reason(), "decompression_ratio", "{err}");
    // At the boundary: noise then zeros, with as many zeros as keep the data within
    // MAX_DECOMPRESSION_RATIO times its packed size (found by bisection); one zero more and
    // the ratio limit stops it.
    let data = |zeros: usize| -> Vec<u8> {
        noise(4096)
            .into_iter()
            .chain(std::iter::repeat_n(0, zeros))
            .collect()
    };
    let within =
        |zeros: usize| data(zeros).len() <= zlib(&data(zeros)).len() * MAX_DECOMPRESSION_RATIO;
    let (mut lo, mut hi) = (0, 400_000);
    assert!(within(lo) && !within(hi));
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if within(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    assert!(data(lo).len() <= MAX_DECOMPRESSED_BYTES);
    assert_eq!(dcc::decompress(&zlib(&data(lo))).unwrap(), data(lo));
    let err = dcc::decompress(&zlib(&data(hi))).unwrap_err();
    assert_eq!(err.reason(), "decompression_ratio", "{err}");
}

#[test]
fn shc_deflate_bomb_is_bounded() {
    let header = b64url(br#"{"zip":"DEF","alg":"ES256","kid":"x"}"#);
    let payload = b64url(&deflate(&vec![b' '; 32 * 1024 * 1024]));
    let jws = format!("{header}.{payload}.{}", b64url(&[0u8; 64]));
    assert!(jws.len() < MAX_INPUT_BYTES);
    let err = hcx_interop::verify(&jws, &TrustStore::default(), &opts()).unwrap_err();
    assert_eq!(err.reason(), "too_large", "{err}");
}

#[test]
fn oversized_inputs_are_rejected_before_work() {
    let trust = TrustStore::default();
    for text in [
        format!("HC1:{}", "A".repeat(MAX_INPUT_BYTES)),
        format!("shc:/{}", "5".repeat(MAX_INPUT_BYTES)),
        format!("{{\"data\":\"{}\"}}", "x".repeat(MAX_INPUT_BYTES)),
    ] {
        let err = hcx_interop::verify(&text, &trust, &opts()).unwrap_err();
        assert_eq!(err.code(), "malformed", "{err}");
    }
    let chunks: Vec<String> = (1..=65).map(|k| format!("shc:/{k}/65/5656")).collect();
    let refs: Vec<&str> = chunks.iter().map(String::as_str).collect();
    assert!(hcx_interop::verify_chunks(&refs, &trust, &opts()).is_err());
    let mut store = TrustStore::default();
    assert!(store.add_file(&vec![b' '; 17 * 1024 * 1024]).is_err());
}

#[test]
fn garbage_of_each_format() {
    let trust = TrustStore::default();
    let cases: &[(&str, &str)] = &[
        ("", "malformed"),
        ("hello", "malformed"),
        ("HC1:", "malformed"),
        ("HC1:%%%%", "malformed"),
        ("HC1:NCF", "malformed"),
        ("shc:/", "malformed"),
        ("shc:/1", "malformed"),
        ("shc:/99", "malformed"),
        ("shc:/0/0/56", "malformed"),
        ("shc:/2/1/56", "malformed"),
        ("eyJ.eyJ.eyJ", "malformed"),
        ("{}", "malformed"),
        ("[]", "malformed"),
        ("{\"verifiableCredential\":[]}", "malformed"),
        ("{\"verifiableCredential\":[42]}", "malformed"),
        ("{\"data\":{},\"sig\":{}}", "malformed"),
        (
            "{\"data\":{\"hdr\":{}},\"sig\":{\"alg\":\"ES256\",\"cer\":\"AAAA\",\"sigvl\":\"AAAA\"}}",
            "certificate_invalid",
        ),
        (
            "[{\"data\":{},\"sig\":{}},{\"data\":{},\"sig\":{}}]",
            "malformed",
        ),
    ];
    for (text, code) in cases {
        let err = hcx_interop::verify(text, &trust, &opts()).unwrap_err();
        assert_eq!(err.code(), *code, "{text:?}: {err}");
    }
    // Deeply nested JSON is refused, not recursed into.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(hcx_interop::verify(&deep, &trust, &opts()).is_err());
    let deep_obj = format!(
        "{{\"verifiableCredential\":{}1{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert!(hcx_interop::verify(&deep_obj, &trust, &opts()).is_err());
}

#[test]
fn truncated_and_flipped_inputs_never_panic() {
    // A syntactically valid DCC shape (unsigned), an SHC JWS and a seal, each mutated.
    let mut cwt = Vec::new();
    ciborium::ser::into_writer(
        &ciborium::value::Value::Map(vec![(
            ciborium::value::Value::Integer((-260).into()),
            ciborium::value::Value::Map(vec![(
                ciborium::value::Value::Integer(1.into()),
                ciborium::value::Value::Map(vec![]),
            )]),
        )]),
        &mut cwt,
    )
    .unwrap();
    let cose = ciborium::value::Value::Tag(
        18,
        Box::new(ciborium::value::Value::Array(vec![
            ciborium::value::Value::Bytes(vec![0xa1, 0x01, 0x26]),
            ciborium::value::Value::Map(vec![]),
            ciborium::value::Value::Bytes(cwt),
            ciborium::value::Value::Bytes(vec![0; 64]),
        ])),
    );
    let mut cose_bytes = Vec::new();
    ciborium::ser::into_writer(&cose, &mut cose_bytes).unwrap();
    let hc1 = format!("HC1:{}", base45::encode(zlib(&cose_bytes)));
    assert_eq!(
        hcx_interop::verify(&hc1, &TrustStore::default(), &opts())
            .unwrap_err()
            .reason(),
        "missing_kid"
    );
    no_panic_on_mutations(&hc1);

    let header = b64url(br#"{"zip":"DEF","alg":"ES256","kid":"abc"}"#);
    let payload = b64url(&deflate(
        br#"{"iss":"https://example.org","nbf":1,"vc":{}}"#,
    ));
    let jws = format!("{header}.{payload}.{}", b64url(&[1u8; 64]));
    assert_eq!(
        hcx_interop::verify(&jws, &TrustStore::default(), &opts())
            .unwrap_err()
            .code(),
        "unknown_key"
    );
    no_panic_on_mutations(&jws);
    let numeric: String = jws.bytes().map(|b| format!("{:02}", b - 45)).collect();
    no_panic_on_mutations(&format!("shc:/{numeric}"));
    no_panic_on_mutations(&format!("{{\"verifiableCredential\":[\"{jws}\"]}}"));

    let seal = r#"{"data":{"hdr":{"t":"icao.vacc","v":1,"is":"UTO"},"msg":{"pid":{"n":"A"},"uvci":"U1","ve":[{"vd":[{"dvc":"2021-01-01","seq":1}]}]}},"sig":{"alg":"ES256","cer":"MIIBYDCCAQYCEQCAG8uscdLb0ppane","sigvl":"AAAA"}}"#;
    let err = hcx_interop::verify(seal, &TrustStore::default(), &opts()).unwrap_err();
    assert_eq!(
        (err.code().as_str(), err.reason().as_str()),
        ("malformed", "bad_base64"),
        "{err}"
    );
    no_panic_on_mutations(seal);
}

#[test]
fn trust_files_garbage() {
    let mut store = TrustStore::default();
    for bytes in [
        &b""[..],
        b"garbage",
        b"\x30\x82\xff\xff",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        b"-----BEGIN CERTIFICATE-----\nAAAA",
        b"{}",
        b"[]",
        b"{\"keys\":42}",
        b"{\"keys\":[{}]}",
        b"[{\"kid\":\"AAAA\",\"certificate\":\"AAAA\"}]",
        b"{\"a2lk\":\"bm90IGEgY2VydA==\"}",
        b"{\"kid\":\"x\",\"method\":\"rid\",\"ctr\":1,\"rids\":[\"a\",\"a\"]}",
        b"{\"kid\":\"x\",\"method\":\"rid\",\"ctr\":-1,\"rids\":[]}",
    ] {
        let err = store.add_file(bytes).unwrap_err();
        // A trust file is refused as a trust file, or as a certificate that does not parse.
        assert!(
            matches!(
                err.code(),
                hcx_error::Code::TrustListInvalid
                    | hcx_error::Code::CertificateInvalid
                    | hcx_error::Code::RevocationListInvalid
            ),
            "{err}"
        );
    }
    assert!(store.add_jwks_for_issuer("https://x", b"not json").is_err());
    // A failed file leaves the store empty.
    assert_eq!(store.counts(), (0, 0, 0, 0));
}

#[test]
fn numeric_qr_rules() {
    assert_eq!(
        shc::parse_numeric("shc:/5676").unwrap(),
        (None, "ey".into())
    );
    assert_eq!(
        shc::parse_numeric("shc:/2/3/5676").unwrap(),
        (Some((2, 3)), "ey".into())
    );
    for bad in [
        "shc:5676",
        "shc:/567",
        "shc:/7800",
        "shc:/1/2",
        "shc:/a/2/56",
        "shc:/56 ",
        "shc:/56\t\n",
    ] {
        assert!(shc::parse_numeric(bad).is_err(), "{bad}");
    }
    // One final line break is allowed (text files), nothing else.
    assert!(shc::parse_numeric("shc:/5676\n").is_ok());
}

#[test]
fn detect_formats() {
    use hcx_interop::{Format, detect};
    assert_eq!(detect("  HC1:NCF\n"), Some(Format::EuDcc));
    assert_eq!(detect("shc:/5676"), Some(Format::Shc));
    assert_eq!(detect("{\"verifiableCredential\":[]}"), Some(Format::Shc));
    assert_eq!(detect("eyJh.eyJi.c2ln"), Some(Format::Shc));
    assert_eq!(detect("{\"data\":{},\"sig\":{}}"), Some(Format::IcaoVdsNc));
    assert_eq!(
        detect("[{\"data\":{},\"sig\":{}}]"),
        Some(Format::IcaoVdsNc)
    );
    assert_eq!(detect("HCX1:ABC"), None);
    assert_eq!(detect("{\"x\":1}"), None);
    assert_eq!(Format::IcaoVdsNc.as_str(), "icao-vds-nc");
}

#[test]
fn chunk_and_credential_counts_have_their_limit_error() {
    use hcx_interop::limits::{MAX_CHUNKS, MAX_FILE_CREDENTIALS};
    let chunks: Vec<String> = (1..=MAX_CHUNKS + 1)
        .map(|k| format!("shc:/{k}/{}/00", MAX_CHUNKS + 1))
        .collect();
    let refs: Vec<&str> = chunks.iter().map(String::as_str).collect();
    let err = shc::join_chunks(&refs).unwrap_err();
    assert_eq!(err.reason(), "too_large", "{err}");
    let file = serde_json::json!({
        "verifiableCredential": vec!["a.b.c"; MAX_FILE_CREDENTIALS + 1]
    })
    .to_string();
    let err = shc::file_credentials(&file).unwrap_err();
    assert_eq!(err.reason(), "too_large", "{err}");
}
