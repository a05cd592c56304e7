//! The worked example of SPEC.md Appendix A: every stage of the reference code, in hex.

use ciborium::value::Value;
use hcx_format::HealthClaims;

use crate::forge::{self, CTI, EXP, HCX, IAT, ISS, enc, int, set, text};
use crate::{DAY, T0, private_key, seed, signing_key};

use crate::REFERENCE_CLAIMS_JSON as REFERENCE;

fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Hex in lines of 32 bytes, for reading.
fn hex_block(bytes: &[u8]) -> String {
    bytes.chunks(32).map(hex).collect::<Vec<_>>().join("\n")
}

/// CBOR extended diagnostic notation (RFC 8610 Appendix G) for the value kinds hcx uses.
fn diag(v: &Value) -> String {
    match v {
        Value::Integer(i) => i128::from(*i).to_string(),
        Value::Text(t) => format!("{t:?}"),
        Value::Bytes(b) => format!("h'{}'", hex(b)),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(diag).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", diag(k), diag(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Tag(t, inner) => format!("{t}({})", diag(inner)),
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => f.to_string(),
        _ => "?".to_owned(),
    }
}

/// The Markdown text of the worked example.
pub fn worked_example() -> Result<String, String> {
    let claims = HealthClaims::from_json(REFERENCE).map_err(|e| e.to_string())?;
    let health_bytes = claims.to_cbor();
    let health: Value = ciborium::de::from_reader(&health_bytes[..]).map_err(|e| e.to_string())?;
    let cti: Vec<u8> = (1..=8).collect();
    let mut cwt = Vec::new();
    set(&mut cwt, ISS, text("dingtalk"));
    set(&mut cwt, IAT, int(T0));
    set(&mut cwt, EXP, int(T0 + DAY));
    set(&mut cwt, CTI, Value::Bytes(cti.clone()));
    set(&mut cwt, HCX, health.clone());
    let payload = enc(&Value::Map(cwt.clone()));
    let key = private_key("dingtalk-1");
    let kid = key.key_id();
    let protected_map = Value::Map(vec![
        (int(1), int(-8)),
        (int(4), Value::Bytes(kid.0.to_vec())),
    ]);
    let protected = enc(&protected_map);
    let parts = forge::Parts {
        protected: protected.clone(),
        unprotected: Value::Map(vec![]),
        payload: Some(payload.clone()),
    };
    let tbs = forge::sig_structure(&protected, &payload);
    let signature = forge::sign(&parts, &signing_key("dingtalk-1"));
    let cose_value = forge::assemble(&parts, signature.clone());
    let cose = enc(&cose_value);
    let text_form = forge::to_text(&cose);

    // The library must produce exactly these bytes for the same inputs.
    let params = hcx_format::IssueParams {
        issuer: "dingtalk".into(),
        issued_at: T0,
        expires_at: T0 + DAY,
        not_before: None,
    };
    let issued =
        hcx_format::issue_with_code_id(&key, &params, &claims, &cti).map_err(|e| e.to_string())?;
    if issued != text_form {
        return Err("the library's issue differs from the worked example".into());
    }

    let public = key.public_key().to_bytes();
    let mut out = String::new();
    let mut section = |title: &str, body: &str| {
        out.push_str(&format!("**{title}**\n\n```\n{body}\n```\n\n"));
    };
    section(
        "A.1 Key (the fixture key `dingtalk-1`)",
        &format!(
            "seed (RFC 8032 private key)  {}\npublic key                   {}\nkid = SHA-256(public key)[0..8]  {}",
            hex(&seed("dingtalk-1")),
            hex(&public),
            kid
        ),
    );
    section("A.2 Claims (JSON, as given to the issuer)", REFERENCE);
    section(
        &format!("A.3 Health claims map, CBOR ({} bytes)", health_bytes.len()),
        &format!("{}\n\n{}", diag(&health), hex_block(&health_bytes)),
    );
    section(
        &format!(
            "A.4 CWT claims set = COSE payload, CBOR ({} bytes); iat 2026-11-21T08:00:00Z, exp +24 h, cti 0102…08",
            payload.len()
        ),
        &format!("{}\n\n{}", diag(&Value::Map(cwt)), hex_block(&payload)),
    );
    section(
        &format!("A.5 Protected header, CBOR ({} bytes)", protected.len()),
        &format!("{}\n\n{}", diag(&protected_map), hex_block(&protected)),
    );
    section(
        &format!("A.6 Sig_structure: the signed bytes ({} bytes)", tbs.len()),
        &format!(
            "[\"Signature1\", h'<A.5>', h'', h'<A.4>']\n\n{}",
            hex_block(&tbs)
        ),
    );
    section("A.7 Ed25519 signature (64 bytes)", &hex_block(&signature));
    section(
        &format!("A.8 COSE_Sign1, tag 18 ({} bytes)", cose.len()),
        &format!(
            "18([h'<A.5>', {{}}, h'<A.4>', h'<A.7>'])\n\n{}",
            hex_block(&cose)
        ),
    );
    section(
        &format!("A.9 Text form ({} characters)", text_form.len()),
        &text_form,
    );
    Ok(out)
}
