//! Cases that pin rules an implementer once had to read off other fixtures (issue #16 §2):
//! the order of the COSE checks, what counts as a CBOR nesting level, how unusual CBOR items are
//! classified, the text and date rules of the claims, the claims' normal form, and the
//! trust-list envelope, payload and time rules. Each case's description names the SPEC section.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::value::Value;
use serde_json::{Value as Json, json};

use crate::cases::{
    Case, Code, RECOVERED, REFERENCE, TESTED, VACCINATED, input_text, invalid, jws_envelope,
    reference, std_code, valid,
};
use crate::forge::{self, ALG, KID, enc, int, set, text};
use crate::{DAY, Files, T0, private_key, signing_key};

/// The encoding of the CWT claim key −65537, after which the health-claims map starts.
const HCX_KEY: [u8; 5] = [0x3a, 0x00, 0x01, 0x00, 0x00];

/// The payload of `code` with `status` (the health map's first entry, `1: 1`) replaced by the
/// raw CBOR bytes `item`.
fn payload_with_status(code: &Code, item: &[u8]) -> Result<Vec<u8>, String> {
    let payload = code.parts().payload.unwrap_or_default();
    let at = payload
        .windows(HCX_KEY.len())
        .position(|w| w == HCX_KEY)
        .ok_or("no health claims")?
        + HCX_KEY.len();
    let (head, health) = payload.split_at(at);
    let map_head = *health.first().ok_or("empty health claims")?;
    let patched = forge::patch(
        health,
        &[map_head, 0x01, 0x01],
        &[&[map_head, 0x01][..], item].concat(),
    )
    .ok_or("status not found")?;
    Ok([head, &patched[..]].concat())
}

/// `n` arrays nested around the integer 0: an item of nesting depth `n` (SPEC.md §5.4).
fn nested(n: usize) -> Value {
    (0..n).fold(int(0), |inner, _| Value::Array(vec![inner]))
}

/// Sets field `field` of the first entry of evidence list `list` (4, 5 or 6) in `code`.
fn set_evidence(code: &mut Code, list: i64, field: i64, value: Value) -> Result<(), String> {
    let health = code.health_mut().ok_or("no health claims")?;
    let (_, items) = health
        .iter_mut()
        .find(|(k, _)| k == &int(list))
        .ok_or("no such evidence list")?;
    match items {
        Value::Array(entries) => match entries.first_mut() {
            Some(Value::Map(first)) => {
                set(first, field, value);
                Ok(())
            }
            _ => Err("evidence list without entries".into()),
        },
        _ => Err("evidence list is not an array".into()),
    }
}

/// Sets field `field` of the subject map of `code`.
fn set_subject(code: &mut Code, field: i64, value: Value) -> Result<(), String> {
    let health = code.health_mut().ok_or("no health claims")?;
    let (_, subject) = health
        .iter_mut()
        .find(|(k, _)| k == &int(2))
        .ok_or("no subject")?;
    match subject {
        Value::Map(m) => {
            set(m, field, value);
            Ok(())
        }
        _ => Err("subject is not a map".into()),
    }
}

fn dingtalk(case: &str, claims: &str) -> Result<Code, String> {
    Code::new(case, "dingtalk", "dingtalk-1", claims, T0, T0 + DAY)
}

fn valid_dingtalk(claims: &str) -> Result<Json, String> {
    valid("dingtalk", "dingtalk-1", claims, T0, T0 + DAY)
}

/// Every case of this module, writing the trust lists they need into `files`.
pub(crate) fn cases(files: &mut Files) -> Result<Vec<Case>, String> {
    let mut out = cose_order_cases()?;
    out.extend(cbor_cases()?);
    out.extend(claims_cases()?);
    out.extend(trust_cases(files)?);
    Ok(out)
}

/// §8 C4–C8 and §5.1: the order of the envelope and header checks, and odd header values.
fn cose_order_cases() -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    let kid = private_key("dingtalk-1").key_id().0.to_vec();

    let mut code = std_code("cose-order-unknown-header-before-unprotected")?;
    set(&mut code.header, 3, int(60));
    set(&mut code.unprotected, KID, Value::Bytes(kid.clone()));
    out.push(Case::new(
        "cose-order-unknown-header-before-unprotected",
        "§8 C5: a content type (3) in the protected header and a kid in the unprotected one: the protected header's labels are checked first.",
        input_text(&code.text()),
        invalid("malformed", "unknown_header"),
    ));

    let code = std_code("cose-protected-zero-length")?;
    out.push(Case::new(
        "cose-protected-zero-length",
        "§5.1: a zero-length protected header is the empty map (RFC 9052 §3), so it has no alg; missing_alg is checked before bad_kid.",
        input_text(&code.text_with_protected(Vec::new())),
        invalid("malformed", "missing_alg"),
    ));
    let code = std_code("cose-protected-empty-map")?;
    out.push(Case::new(
        "cose-protected-empty-map",
        "§5.1: the protected header h'a0' (an encoded empty map) is judged like a zero-length one: missing_alg.",
        input_text(&code.text_with_protected(vec![0xa0])),
        invalid("malformed", "missing_alg"),
    ));
    let code = std_code("cose-protected-not-a-map")?;
    out.push(Case::new(
        "cose-protected-not-a-map",
        "§5.1: the protected header's bytes are deterministic CBOR (the integer 1) but not a map.",
        input_text(&code.text_with_protected(vec![0x01])),
        invalid("malformed", "not_cose_sign1"),
    ));

    let mut code = std_code("cose-order-bad-kid-before-missing-payload")?;
    set(&mut code.header, KID, Value::Bytes(vec![1, 2, 3, 4]));
    let mut parts = code.parts();
    parts.payload = None;
    let sig = forge::sign(&parts, &signing_key("dingtalk-1"));
    out.push(Case::new(
        "cose-order-bad-kid-before-missing-payload",
        "§8 C5: a 4-byte kid and a nil payload: the kid is checked first.",
        input_text(&forge::to_text(&enc(&forge::assemble(&parts, sig)))),
        invalid("malformed", "bad_kid"),
    ));

    let mut code = std_code("cose-alg-text")?;
    set(&mut code.header, ALG, text("EdDSA"));
    out.push(Case::new(
        "cose-alg-text",
        "§5.1, §8 C7: alg as the text \"EdDSA\" (COSE allows text algorithm names): not the integer -8, so unsupported_algorithm, after the claims were found valid.",
        input_text(&code.text()),
        invalid("unsupported_algorithm", "unsupported_algorithm"),
    ));
    let mut code = std_code("cose-alg-byte-string")?;
    set(&mut code.header, ALG, Value::Bytes(vec![0x27]));
    out.push(Case::new(
        "cose-alg-byte-string",
        "§5.1, §8 C7: alg as the byte string h'27': any alg other than the integer -8 is unsupported_algorithm, whatever its type.",
        input_text(&code.text()),
        invalid("unsupported_algorithm", "unsupported_algorithm"),
    ));
    let mut code = std_code("cose-kid-text")?;
    set(
        &mut code.header,
        KID,
        text(&private_key("dingtalk-1").key_id().to_string()),
    );
    out.push(Case::new(
        "cose-kid-text",
        "§5.1: the kid as the text of its 16 hex digits: a kid that is not an 8-byte byte string is bad_kid, whatever its type.",
        input_text(&code.text()),
        invalid("malformed", "bad_kid"),
    ));

    // C4 (the envelope's shape) before C5 (the protected header's contents).
    let code = std_code("cose-order-shape-before-protected-header")?;
    let mut header = code.header.clone();
    header.insert(1, (int(ALG), int(-8)));
    let arr = Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(enc(&Value::Map(header))),
            Value::Map(vec![]),
            Value::Bytes(code.parts().payload.unwrap_or_default()),
        ])),
    );
    out.push(Case::new(
        "cose-order-shape-before-protected-header",
        "§8 C4 before C5: an array of 3 items whose protected header also repeats alg: the shape is judged first.",
        input_text(&forge::to_text(&enc(&arr))),
        invalid("malformed", "not_cose_sign1"),
    ));
    let code = std_code("cose-unprotected-not-a-map")?;
    let parts = code.parts();
    let sig = forge::sign(&parts, &signing_key("dingtalk-1"));
    let arr = Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(parts.protected.clone()),
            Value::Array(vec![]),
            Value::Bytes(parts.payload.clone().unwrap_or_default()),
            Value::Bytes(sig),
        ])),
    );
    out.push(Case::new(
        "cose-unprotected-not-a-map",
        "§8 C4: the unprotected header is an empty array, not a map.",
        input_text(&forge::to_text(&enc(&arr))),
        invalid("malformed", "not_cose_sign1"),
    ));

    // C6 before C7 before C8 before C9.
    let mut code = std_code("order-claims-before-alg")?;
    set(&mut code.header, ALG, int(-7));
    if let Some(h) = code.health_mut() {
        set(h, 1, int(4));
    }
    out.push(Case::new(
        "order-claims-before-alg",
        "§8 C6 before C7: alg ES256 and an undefined status: the claims are judged first.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std_code("order-alg-before-signature-length")?;
    set(&mut code.header, ALG, int(-7));
    let parts = code.parts();
    let mut sig = forge::sign(&parts, &signing_key("dingtalk-1"));
    sig.truncate(63);
    out.push(Case::new(
        "order-alg-before-signature-length",
        "§8 C7 before C8: alg ES256 and a 63-byte signature: the algorithm is judged first.",
        input_text(&forge::to_text(&enc(&forge::assemble(&parts, sig)))),
        invalid("unsupported_algorithm", "unsupported_algorithm"),
    ));
    let code = Code::new(
        "order-signature-length-before-key",
        "dingtalk",
        "rogue-1",
        REFERENCE,
        T0,
        T0 + DAY,
    )?;
    let parts = code.parts();
    let mut sig = forge::sign(&parts, &signing_key("rogue-1"));
    sig.truncate(63);
    out.push(Case::new(
        "order-signature-length-before-key",
        "§8 C8 before C9: a 63-byte signature under a kid no trusted key has: the length is judged first.",
        input_text(&forge::to_text(&enc(&forge::assemble(&parts, sig)))),
        invalid("malformed", "bad_signature_length"),
    ));
    Ok(out)
}

/// §5.4 and §10: nesting depth and the classification of unusual CBOR items.
fn cbor_cases() -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    // Depth: the CWT map is level 1, the health map 2; arrays under key 5 add one level each.
    for (name, arrays, expected, desc) in [
        (
            "cbor-nesting-16-levels",
            14,
            invalid("malformed", "bad_claims"),
            "§5.4, §10: the payload nests 16 levels (CWT map, health map, 14 arrays): within the limit, so the claims are judged (tests must hold maps).",
        ),
        (
            "cbor-nesting-17-levels",
            15,
            invalid("malformed", "cbor_too_deep"),
            "§5.4, §10: the payload nests 17 levels (CWT map, health map, 15 arrays): one more than the limit.",
        ),
    ] {
        let mut code = std_code(name)?;
        if let Some(h) = code.health_mut() {
            set(h, 5, nested(arrays));
        }
        out.push(Case::new(name, desc, input_text(&code.text()), expected));
    }
    // The envelope: tag 18 is level 1, the array 2, the unprotected map 3.
    for (name, arrays, expected, desc) in [
        (
            "cbor-envelope-nesting-16-levels",
            13,
            invalid("malformed", "unprotected_header"),
            "§5.4, §10: the envelope nests 16 levels (tag 18, array, unprotected map, 13 arrays): within the limit, so the headers are judged.",
        ),
        (
            "cbor-envelope-nesting-17-levels",
            14,
            invalid("malformed", "cbor_too_deep"),
            "§5.4, §10: the envelope nests 17 levels (tag 18, array, unprotected map, 14 arrays): a tag is a level too.",
        ),
    ] {
        let mut code = std_code(name)?;
        set(&mut code.unprotected, 99, nested(arrays));
        out.push(Case::new(name, desc, input_text(&code.text()), expected));
    }

    let big = [&[0xc2u8, 0x49, 0x01][..], &[0u8; 8]].concat(); // 2(h'010000000000000000') = 2^64
    let big_leading_zero = [&[0xc2u8, 0x4a, 0x00, 0x01][..], &[0u8; 8]].concat();
    for (name, item, reason, desc) in [
        (
            "cbor-undefined",
            vec![0xf7],
            "bad_claims",
            "§5.4: status is undefined (f7): well-formed, deterministic CBOR that no claim admits.",
        ),
        (
            "cbor-simple-value-unassigned",
            vec![0xf0],
            "bad_claims",
            "§5.4: status is the unassigned simple value 16 (f0): well-formed and deterministic; no claim admits it.",
        ),
        (
            "cbor-simple-value-two-byte",
            vec![0xf8, 0xff],
            "bad_claims",
            "§5.4: status is the unassigned simple value 255 (f8 ff): well-formed and deterministic; no claim admits it.",
        ),
        (
            "cbor-simple-value-not-well-formed",
            vec![0xf8, 0x18],
            "bad_cbor",
            "§5.4: f8 18 (a simple value below 32 in the two-byte form) is not well-formed CBOR (RFC 8949 §3.3).",
        ),
        (
            "cbor-bignum-fits-integer",
            vec![0xc2, 0x41, 0x01],
            "non_deterministic_cbor",
            "§5.4: status as the bignum 2(h'01'): preferred serialization writes integers that fit major type 0 or 1 as such (RFC 8949 §3.4.3).",
        ),
        (
            "cbor-bignum-leading-zero",
            big_leading_zero,
            "non_deterministic_cbor",
            "§5.4: status as a bignum with a leading zero byte: not the preferred serialization (RFC 8949 §3.4.3).",
        ),
        (
            "cbor-bignum-large",
            big,
            "bad_claims",
            "§5.4: status as the bignum 2^64: deterministic CBOR, but no claim admits a tag.",
        ),
        (
            "cbor-bignum-not-bytes",
            vec![0xc2, 0x61, 0x31],
            "bad_cbor",
            "§5.4: tag 2 around the text \"1\": a bignum's content must be a byte string (RFC 8949 §3.4.3).",
        ),
    ] {
        let code = std_code(name)?;
        let payload = payload_with_status(&code, &item)?;
        out.push(Case::new(
            name,
            desc,
            input_text(&code.text_with_payload(payload)),
            invalid("malformed", reason),
        ));
    }
    Ok(out)
}

/// §4.3–§4.7: text rules, dates, id_type, dose and doses, and the claims' normal form.
fn claims_cases() -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    for (name, desc, claims) in [
        (
            "valid-name-inner-ideographic-space",
            "§4.3: U+3000 IDEOGRAPHIC SPACE is white space; inside a name it is allowed.",
            REFERENCE.replace("张三", "山田\u{3000}太郎"),
        ),
        (
            "valid-name-trailing-zero-width-space",
            "§4.3: U+200B ZERO WIDTH SPACE is neither a control character (Cc) nor white space (White_Space), so even at the end of a name it is allowed.",
            REFERENCE.replace("张三", "张三\u{200b}"),
        ),
        (
            "valid-id-type-unregistered",
            "§4.3: id_type is open: a value outside the registered ones, in [A-Z0-9-]{1,16}, is valid.",
            REFERENCE.replace("CN-RIC", "X-UNREGISTERED"),
        ),
        (
            "valid-booster-dose-above-doses",
            "§4.4: dose 2 of a 1-dose series (a booster, as the EU DCC writes it): dose may exceed doses.",
            VACCINATED.replace("\"dose\":3,\"doses\":3", "\"dose\":2,\"doses\":1"),
        ),
        (
            "valid-dates-at-bounds",
            "§4.3–§4.6: the earliest and latest dates allowed (1900-01-01, 9999-12-31) and a leap day.",
            RECOVERED
                .replace("\"1979\"", "\"1900-01-01\"")
                .replace("2026-10-01", "2000-02-29")
                .replace("2027-03-30", "9999-12-31"),
        ),
    ] {
        let code = dingtalk(name, &claims)?;
        out.push(Case::new(
            name,
            desc,
            input_text(&code.text()),
            valid_dingtalk(&claims)?,
        ));
    }

    // Invalid subjects and texts, written past the issuer's checks.
    let subject_cases: [(&str, &str, i64, &str); 5] = [
        (
            "claims-name-trailing-ideographic-space",
            "§4.3: a name ending in U+3000 IDEOGRAPHIC SPACE (White_Space).",
            1,
            "张三\u{3000}",
        ),
        (
            "claims-name-next-line",
            "§4.3: U+0085 NEXT LINE inside a name is a control character (General_Category Cc).",
            1,
            "张\u{85}三",
        ),
        (
            "claims-date-1900-02-29",
            "§4.3: birth_date 1900-02-29 does not exist in the Gregorian calendar (1900 is no leap year).",
            2,
            "1900-02-29",
        ),
        (
            "claims-birth-year-before-1900",
            "§4.3: birth_date 1899: years before 1900 are out of range.",
            2,
            "1899",
        ),
        (
            "claims-id-type-lowercase",
            "§4.3: id_type in lowercase is not [A-Z0-9-]{1,16}.",
            3,
            "cn-ric",
        ),
    ];
    for (name, desc, field, value) in subject_cases {
        let mut code = std_code(name)?;
        set_subject(&mut code, field, text(value))?;
        out.push(Case::new(
            name,
            desc,
            input_text(&code.text()),
            invalid("malformed", "bad_claims"),
        ));
    }
    let evidence_cases: [(&str, &str, &str, i64, i64, &str); 5] = [
        (
            "claims-date-not-in-calendar",
            "§4.4: vaccination date 2021-02-29 does not exist.",
            VACCINATED,
            4,
            6,
            "2021-02-29",
        ),
        (
            "claims-date-before-1900",
            "§4.6: first_positive 1899-12-31: years before 1900 are out of range.",
            RECOVERED,
            6,
            2,
            "1899-12-31",
        ),
        (
            "claims-short-text-delete",
            "§4.7: U+007F DELETE in a testing centre's name is a control character (Cc).",
            TESTED,
            5,
            5,
            "北京\u{7f}医院",
        ),
        (
            "claims-short-text-not-nfc",
            "§4.7: a vaccine name in NFD (e + combining acute accent).",
            VACCINATED,
            4,
            2,
            "Vaccine\u{301}",
        ),
        (
            "claims-short-text-empty",
            "§4.7: an empty manufacturer: short texts have 1 to 64 bytes.",
            VACCINATED,
            4,
            3,
            "",
        ),
    ];
    for (name, desc, claims, list, field, value) in evidence_cases {
        let issuer = if claims == TESTED {
            "wechat"
        } else {
            "dingtalk"
        };
        let signer = if claims == TESTED {
            "wechat-1"
        } else {
            "dingtalk-1"
        };
        let mut code = Code::new(name, issuer, signer, claims, T0, T0 + DAY)?;
        set_evidence(&mut code, list, field, text(value))?;
        out.push(Case::new(
            name,
            desc,
            input_text(&code.text()),
            invalid("malformed", "bad_claims"),
        ));
    }

    // The normal form (§4.7): what an issuer given lenient JSON writes, and a verifier shows.
    let name = "valid-normal-form-of-lenient-input";
    let lenient = r#"{"status":"green","subject":{"name":" Zoe\u0308 Müller ","birth_date":null,"id_type":null,"id_suffix":"12AB"},"region":"CN-33","vaccinations":[],"tests":[{"disease":"COVID-19","kind":"antigen","result":"negative","collected_at":"2026-11-21T15:30:00+08:00","center":null,"country":"CN"}],"recoveries":null}"#;
    let code = dingtalk(name, lenient)?;
    let mut case = Case::new(
        name,
        "§4.7: the issuer was given issued_from (surrounding spaces, NFD, nulls, an empty list, a +08:00 time); the code holds, and the verifier shows, its normal form.",
        input_text(&code.text()),
        valid_dingtalk(lenient)?,
    );
    case.issued_from = Some(serde_json::from_str(lenient).map_err(|e| e.to_string())?);
    out.push(case);
    Ok(out)
}

/// A trust list file: `payload` (pretty JSON of the main list after `edit`) signed by root-1.
fn edited_list(edit: impl FnOnce(&mut Json)) -> Result<Vec<u8>, String> {
    let main = crate::trust::main_list();
    let mut v: Json = serde_json::from_slice(&main.to_payload().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    edit(&mut v);
    let payload = serde_json::to_vec_pretty(&v).map_err(|e| e.to_string())?;
    Ok(jws_envelope(&payload, &[("root-1", "EdDSA", false)]))
}

/// §7: the JWS envelope, the payload's rules, and its times.
fn trust_cases(files: &mut Files) -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    let main = crate::trust::main_list();
    let main_payload = main.to_payload().map_err(|e| e.to_string())?;

    // Envelope (T1): every signature's header and signature string, whoever signed it.
    let mut env: Json = serde_json::from_slice(&jws_envelope(
        &main_payload,
        &[("root-1", "EdDSA", false), ("root-rogue", "EdDSA", false)],
    ))
    .map_err(|e| e.to_string())?;
    env["signatures"][1]["signature"] = json!("AAAA");
    files.insert(
        "trust/unknown-root-short-signature.json".into(),
        pretty(&env)?,
    );
    files.insert(
        "trust/unknown-root-alg-es256.json".into(),
        jws_envelope(
            &main_payload,
            &[("root-1", "EdDSA", false), ("root-rogue", "ES256", false)],
        ),
    );
    let payload_b64 = URL_SAFE_NO_PAD.encode(&main_payload);
    let kid = private_key("root-1").key_id().to_string();
    let header =
        format!(r#"{{"alg":"EdDSA","alg":"EdDSA","kid":"{kid}","typ":"hcx-trust-list+json"}}"#);
    let protected = URL_SAFE_NO_PAD.encode(header);
    let sig = {
        use ed25519_dalek::Signer;
        signing_key("root-1").sign(format!("{protected}.{payload_b64}").as_bytes())
    };
    let env = json!({"payload": payload_b64, "signatures": [{"protected": protected, "signature": URL_SAFE_NO_PAD.encode(sig.to_bytes())}]});
    files.insert(
        "trust/jws-duplicate-header-member.json".into(),
        pretty(&env)?,
    );
    for (name, file, desc) in [
        (
            "trust-unknown-root-short-signature",
            "unknown-root-short-signature",
            "§7.2, T1: a root the verifier does not know signed with a 4-character signature: the envelope is malformed, whoever signed.",
        ),
        (
            "trust-unknown-root-alg-es256",
            "unknown-root-alg-es256",
            "§7.2, T1: a root the verifier does not know has alg ES256 in its header: the envelope is malformed, whoever signed.",
        ),
        (
            "trust-jws-duplicate-header-member",
            "jws-duplicate-header-member",
            "§7.2, T1: root-1's protected header names alg twice (RFC 7515 §4).",
        ),
    ] {
        out.push(
            Case::new(
                name,
                desc,
                reference(name)?,
                invalid("trust_list_invalid", "trust_list_malformed"),
            )
            .trust(file),
        );
    }

    // Payload rules (T5), each list validly signed.
    let mut canonical_twin = [0xffu8; 32];
    canonical_twin[0] = 0xf0;
    canonical_twin[31] = 0x7f; // y = p + 3, whose canonical encoding is y = 3
    type Edit = Box<dyn FnOnce(&mut Json)>;
    let bad: Vec<(&str, &str, Edit)> = vec![
        (
            "duplicate-status",
            "§7.1: scopes.statuses lists green twice (the schema's uniqueItems).",
            Box::new(|v: &mut Json| {
                v["issuers"][0]["scopes"]["statuses"] = json!(["green", "yellow", "green"])
            }),
        ),
        (
            "duplicate-evidence",
            "§7.1: scopes.evidence lists test twice (the schema's uniqueItems).",
            Box::new(|v: &mut Json| {
                v["issuers"][1]["scopes"]["evidence"] = json!(["test", "test"])
            }),
        ),
        (
            "duplicate-region",
            "§7.1: scopes.regions lists CN-33 twice (the schema's uniqueItems).",
            Box::new(|v: &mut Json| {
                v["issuers"][0]["scopes"]["regions"] = json!(["CN-33", "CN-11", "CN-33"])
            }),
        ),
        (
            "key-not-canonical",
            "§6, §7.1: a public key encoding y = p + 3, the non-canonical twin of y = 3 (RFC 8032 §5.1.3: y >= p does not decode).",
            Box::new(move |v: &mut Json| {
                v["issuers"][2]["keys"][0]["public_key"] =
                    json!(URL_SAFE_NO_PAD.encode(canonical_twin))
            }),
        ),
        (
            "name-258-bytes",
            "§7.1: an 86-character display name of 258 bytes: the limit is 256 bytes of UTF-8, not characters.",
            Box::new(|v: &mut Json| v["issuers"][0]["names"]["zh"] = json!("钉".repeat(86))),
        ),
        (
            "name-blank",
            "§7.1: a display name of white space only.",
            Box::new(|v: &mut Json| v["issuers"][0]["names"]["zh"] = json!(" \u{3000} ")),
        ),
        (
            "bad-language-tag",
            "§7.1: a display name under zh_CN, which is not a language tag of the form ll[-Ssss][-RR].",
            Box::new(|v: &mut Json| v["issuers"][0]["names"]["zh_CN"] = json!("钉钉")),
        ),
        (
            "time-lowercase",
            "§2: expires_at with lowercase t and z (RFC 3339 §5.6 allows them; hcx admits the uppercase form only).",
            Box::new(|v: &mut Json| v["expires_at"] = json!("2026-12-21t08:00:00z")),
        ),
        (
            "time-space-separator",
            "§2: expires_at with a space instead of T.",
            Box::new(|v: &mut Json| v["expires_at"] = json!("2026-12-21 08:00:00Z")),
        ),
        (
            "time-zero-fraction",
            "§2: expires_at with the fraction .000: fractional seconds are rejected even when zero.",
            Box::new(|v: &mut Json| v["expires_at"] = json!("2026-12-21T08:00:00.000Z")),
        ),
        (
            "time-leap-second",
            "§2: expires_at at a leap second (23:59:60): Unix time has no such instant.",
            Box::new(|v: &mut Json| v["expires_at"] = json!("2026-12-31T23:59:60Z")),
        ),
    ];
    for (file, desc, edit) in bad {
        files.insert(format!("trust/{file}.json"), edited_list(edit)?);
        let name = format!("trust-{file}");
        out.push(
            Case::new(
                &name,
                desc,
                reference(&name)?,
                invalid("trust_list_invalid", "trust_list_malformed"),
            )
            .trust(file),
        );
    }

    let good: Vec<(&str, &str, Edit)> = vec![
        (
            "issued-in-future",
            "§7.3: a list issued two days after the verifier's clock: issued_at is not checked against now, only expires_at is.",
            Box::new(|v: &mut Json| v["issued_at"] = json!("2026-11-23T08:00:00Z")),
        ),
        (
            "name-256-bytes",
            "§7.1: a display name of exactly 256 bytes (85 three-byte characters and one ASCII letter).",
            Box::new(|v: &mut Json| {
                v["issuers"][0]["names"]["zh"] = json!(format!("{}x", "钉".repeat(85)))
            }),
        ),
        (
            "language-tags",
            "§7.1: display names under zh-Hans, zh-Hant-TW and es-419.",
            Box::new(|v: &mut Json| {
                v["issuers"][0]["names"]["zh-Hans"] = json!("钉钉");
                v["issuers"][0]["names"]["zh-Hant-TW"] = json!("釘釘");
                v["issuers"][0]["names"]["es-419"] = json!("DingTalk");
            }),
        ),
        (
            "time-offset",
            "§2: expires_at with a numeric offset (+08:00) and issued_at with -00:00 (UTC, RFC 3339 §4.3).",
            Box::new(|v: &mut Json| {
                v["expires_at"] = json!("2026-12-21T16:00:00+08:00");
                v["issued_at"] = json!("2026-11-20T08:00:00-00:00");
            }),
        ),
    ];
    for (file, desc, edit) in good {
        files.insert(format!("trust/{file}.json"), edited_list(edit)?);
        let name = format!("valid-trust-{file}");
        out.push(Case::new(&name, desc, reference(&name)?, valid_dingtalk(REFERENCE)?).trust(file));
    }
    Ok(out)
}

fn pretty(v: &Json) -> Result<Vec<u8>, String> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s.into_bytes())
}
