//! The conformance cases: one JSON file each under `cases/`.

use ciborium::value::Value;
use hcx_format::HealthClaims;
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::forge::{
    self, ALG, CRIT, CTI, EXP, HCX, IAT, ISS, KID, NBF, Parts, enc, int, set, text,
};
use crate::{DAY, Files, HOUR, T0, private_key, signing_key};

pub(crate) use crate::REFERENCE_CLAIMS_JSON as REFERENCE;
pub(crate) const VACCINATED: &str = r#"{"status":"green","subject":{"name":"李四","birth_date":"1985-11-02"},"region":"CN-33","vaccinations":[{"disease":"COVID-19","vaccine":"BBIBP-CorV","manufacturer":"Sinopharm","dose":3,"doses":3,"date":"2022-01-15","country":"CN"}]}"#;
pub(crate) const TESTED: &str = r#"{"status":"green","subject":{"name":"王五"},"region":"CN-11","tests":[{"disease":"COVID-19","kind":"nucleic_acid","result":"negative","collected_at":"2026-11-20T10:00:00Z","center":"北京协和医院","country":"CN"}]}"#;
pub(crate) const RECOVERED: &str = r#"{"status":"yellow","subject":{"name":"赵六","birth_date":"1979"},"region":"CN-33","recoveries":[{"disease":"COVID-19","first_positive":"2026-10-01","valid_from":"2026-10-12","valid_until":"2027-03-30","country":"CN"}]}"#;

/// One conformance case being built.
pub(crate) struct Case {
    pub(crate) name: String,
    description: String,
    trust_list: String,
    roots: Vec<String>,
    threshold: u32,
    pub(crate) min_sequence: Option<u64>,
    at: i64,
    skew: i64,
    input: Json,
    /// The claims JSON the issuer was given, when the case pins its normal form (§4.7).
    pub(crate) issued_from: Option<Json>,
    /// Status-list files given with the trust list (SPEC §14), in the order given.
    status_lists: Vec<String>,
    /// The verifier's status policy, when not the default.
    status_policy: Option<Json>,
    /// The highest status-list sequence seen before, per issuer.
    status_min_sequence: Option<Json>,
    expected: Json,
}

impl Case {
    pub(crate) fn new(name: &str, description: &str, input: Json, expected: Json) -> Case {
        Case {
            name: name.to_owned(),
            description: description.to_owned(),
            trust_list: "trust/main.json".to_owned(),
            roots: vec!["keys/root-1.pub.pem".to_owned()],
            threshold: 1,
            min_sequence: None,
            at: T0 + HOUR,
            skew: 300,
            input,
            issued_from: None,
            status_lists: Vec::new(),
            status_policy: None,
            status_min_sequence: None,
            expected,
        }
    }

    pub(crate) fn status_lists(mut self, files: &[&String]) -> Case {
        self.status_lists = files.iter().map(|f| (*f).clone()).collect();
        self
    }

    pub(crate) fn status_policy(mut self, policy: Json) -> Case {
        self.status_policy = Some(policy);
        self
    }

    pub(crate) fn status_min_sequence(mut self, issuer: &str, sequence: u64) -> Case {
        self.status_min_sequence = Some(json!({ issuer: sequence }));
        self
    }

    pub(crate) fn at(mut self, at: i64) -> Case {
        self.at = at;
        self
    }

    pub(crate) fn skew(mut self, skew: i64) -> Case {
        self.skew = skew;
        self
    }

    pub(crate) fn trust(mut self, file: &str) -> Case {
        self.trust_list = format!("trust/{file}.json");
        self
    }

    pub(crate) fn roots(mut self, roots: &[&str], threshold: u32) -> Case {
        self.roots = roots.iter().map(|r| format!("keys/{r}.pub.pem")).collect();
        self.threshold = threshold;
        self
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut v = json!({
            "name": self.name,
            "description": self.description,
            "trust_list": self.trust_list,
            "roots": self.roots,
            "threshold": self.threshold,
            "at": hcx_format::timefmt::format_rfc3339(self.at),
            "skew_seconds": self.skew,
            "input": self.input,
            "expected": self.expected,
        });
        if let (Some(min), Some(obj)) = (self.min_sequence, v.as_object_mut()) {
            obj.insert("min_sequence".into(), json!(min));
        }
        if let (Some(claims), Some(obj)) = (&self.issued_from, v.as_object_mut()) {
            obj.insert("issued_from".into(), claims.clone());
        }
        if let Some(obj) = v.as_object_mut() {
            if !self.status_lists.is_empty() {
                obj.insert("status_lists".into(), json!(self.status_lists));
            }
            if let Some(p) = &self.status_policy {
                obj.insert("status_policy".into(), p.clone());
            }
            if let Some(m) = &self.status_min_sequence {
                obj.insert("status_min_sequence".into(), m.clone());
            }
        }
        v
    }
}

pub(crate) fn input_text(t: &str) -> Json {
    json!({ "text": t })
}

/// Rejected as malformed; which layer notices first depends on where the damage lands.
fn malformed() -> Json {
    json!({ "valid": false, "error": "malformed" })
}

pub(crate) fn invalid(code: &str, reason: &str) -> Json {
    json!({ "valid": false, "error": code, "reason": reason })
}

/// A code under construction: maps as entries, so tests can add, drop or reorder them.
#[derive(Clone)]
pub(crate) struct Code {
    pub(crate) header: Vec<(Value, Value)>,
    pub(crate) unprotected: Vec<(Value, Value)>,
    pub(crate) claims: Vec<(Value, Value)>,
    pub(crate) signer: String,
    pub(crate) tag: Option<u64>,
}

pub(crate) fn cti(case: &str) -> Vec<u8> {
    Sha256::digest(format!("hcx-fixtures/v1/cti/{case}").as_bytes())
        .iter()
        .take(8)
        .copied()
        .collect()
}

pub(crate) fn health_value(claims_json: &str) -> Result<Value, String> {
    let claims = HealthClaims::from_json(claims_json).map_err(|e| e.to_string())?;
    let bytes = claims.to_cbor();
    ciborium::de::from_reader(&bytes[..]).map_err(|e| e.to_string())
}

impl Code {
    pub(crate) fn new(
        case: &str,
        issuer: &str,
        signer: &str,
        claims_json: &str,
        iat: i64,
        exp: i64,
    ) -> Result<Code, String> {
        let kid = private_key(signer).key_id().0.to_vec();
        let mut claims = Vec::new();
        set(&mut claims, ISS, text(issuer));
        set(&mut claims, IAT, int(iat));
        set(&mut claims, EXP, int(exp));
        set(&mut claims, CTI, Value::Bytes(cti(case)));
        set(&mut claims, HCX, health_value(claims_json)?);
        let mut header = Vec::new();
        set(&mut header, ALG, int(-8));
        set(&mut header, KID, Value::Bytes(kid));
        Ok(Code {
            header,
            unprotected: Vec::new(),
            claims,
            signer: signer.to_owned(),
            tag: Some(18),
        })
    }

    pub(crate) fn parts(&self) -> Parts {
        Parts {
            protected: enc(&Value::Map(self.header.clone())),
            unprotected: Value::Map(self.unprotected.clone()),
            payload: Some(enc(&Value::Map(self.claims.clone()))),
        }
    }

    pub(crate) fn seal(&self, parts: &Parts) -> Vec<u8> {
        let sig = forge::sign(parts, &signing_key(&self.signer));
        let body = forge::untagged(parts, sig);
        enc(&match self.tag {
            Some(t) => Value::Tag(t, Box::new(body)),
            None => body,
        })
    }

    pub(crate) fn cose(&self) -> Vec<u8> {
        self.seal(&self.parts())
    }

    pub(crate) fn text(&self) -> String {
        forge::to_text(&self.cose())
    }

    /// Signs parts whose payload was changed at the byte level.
    pub(crate) fn text_with_payload(&self, payload: Vec<u8>) -> String {
        let mut parts = self.parts();
        parts.payload = Some(payload);
        forge::to_text(&self.seal(&parts))
    }

    pub(crate) fn text_with_protected(&self, protected: Vec<u8>) -> String {
        let mut parts = self.parts();
        parts.protected = protected;
        forge::to_text(&self.seal(&parts))
    }

    pub(crate) fn health_mut(&mut self) -> Option<&mut Vec<(Value, Value)>> {
        self.claims
            .iter_mut()
            .find(|(k, _)| k == &int(HCX))
            .and_then(|(_, v)| match v {
                Value::Map(m) => Some(m),
                _ => None,
            })
    }
}

pub(crate) fn valid(
    issuer: &str,
    signer: &str,
    claims_json: &str,
    iat: i64,
    exp: i64,
) -> Result<Json, String> {
    let claims = HealthClaims::from_json(claims_json).map_err(|e| e.to_string())?;
    let f = hcx_format::timefmt::format_rfc3339;
    Ok(json!({
        "valid": true,
        "issuer": issuer,
        "key_id": private_key(signer).key_id().to_string(),
        "issued_at": f(iat),
        "expires_at": f(exp),
        "claims": serde_json::to_value(&claims).map_err(|e| e.to_string())?,
    }))
}

/// The format's cases (the rule and status-list cases live in `rules` and `status`).
pub(crate) fn cases(files: &mut Files) -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    let exp = T0 + DAY;
    let std = |case: &str| Code::new(case, "dingtalk", "dingtalk-1", REFERENCE, T0, exp);

    // ── Valid codes ────────────────────────────────────────────────────────────
    for (name, desc, json) in [
        (
            "valid-reference",
            "The reference code: green, Chinese name, partial ID, region CN-33.",
            REFERENCE.to_owned(),
        ),
        (
            "valid-status-yellow",
            "Status yellow.",
            REFERENCE.replace("green", "yellow"),
        ),
        (
            "valid-status-red",
            "Status red.",
            REFERENCE.replace("green", "red"),
        ),
        (
            "valid-vaccination",
            "A vaccination record.",
            VACCINATED.to_owned(),
        ),
        (
            "valid-recovery",
            "A recovery record, birth year only.",
            RECOVERED.to_owned(),
        ),
        (
            "valid-minimal",
            "Only the required claims: status and name.",
            r#"{"status":"green","subject":{"name":"A"},"region":"CN-33"}"#.to_owned(),
        ),
        (
            "valid-name-cyrillic",
            "A Cyrillic name.",
            REFERENCE.replace("张三", "Алексей Иванов"),
        ),
        (
            "valid-name-greek",
            "A Greek name.",
            REFERENCE.replace("张三", "Γιώργος Παπαδόπουλος"),
        ),
        (
            "valid-name-latin-diacritics",
            "A Latin name with diacritics (NFC).",
            REFERENCE.replace("张三", "José Müller-Đorđević"),
        ),
        (
            "valid-name-arabic",
            "An Arabic name.",
            REFERENCE.replace("张三", "محمد عبد الله"),
        ),
        (
            "valid-region-beijing",
            "Region CN-11, also in DingTalk's scope.",
            REFERENCE.replace("CN-33", "CN-11"),
        ),
    ] {
        let code = Code::new(name, "dingtalk", "dingtalk-1", &json, T0, exp)?;
        out.push(Case::new(
            name,
            desc,
            input_text(&code.text()),
            valid("dingtalk", "dingtalk-1", &json, T0, exp)?,
        ));
    }
    let code = Code::new(
        "valid-test-wechat",
        "wechat",
        "wechat-1",
        TESTED,
        T0,
        T0 + 5 * 60,
    )?;
    out.push(
        Case::new("valid-test-wechat", "A 5-minute dynamic code from WeChat carrying a test result; WeChat's scope is CN, tests only.", input_text(&code.text()), valid("wechat", "wechat-1", TESTED, T0, T0 + 300)?)
            .at(T0 + 60),
    );
    let big = big_claims();
    let code = Code::new(
        "valid-maximum-size",
        "dingtalk",
        "dingtalk-1",
        &big,
        T0,
        exp,
    )?;
    out.push(Case::new(
        "valid-maximum-size",
        "Every evidence list at its maximum of 8 entries, a 64-character name.",
        input_text(&code.text()),
        valid("dingtalk", "dingtalk-1", &big, T0, exp)?,
    ));

    let mut code = std("valid-with-nbf");
    if let Ok(c) = code.as_mut() {
        set(&mut c.claims, NBF, int(T0 + HOUR));
    }
    let code = code?;
    let mut expected = valid("dingtalk", "dingtalk-1", REFERENCE, T0, exp)?;
    expected["not_before"] = json!(hcx_format::timefmt::format_rfc3339(T0 + HOUR));
    out.push(
        Case::new(
            "valid-with-nbf",
            "nbf one hour after iat; checked at nbf.",
            input_text(&code.text()),
            expected,
        )
        .at(T0 + HOUR),
    );

    let code = Code::new(
        "valid-retired-key",
        "dingtalk",
        "dingtalk-2",
        REFERENCE,
        T0 - 60 * DAY,
        T0 + DAY,
    )?;
    out.push(Case::new(
        "valid-retired-key",
        "Signed by a retired key inside its window (iat before not_after): still valid.",
        input_text(&code.text()),
        valid("dingtalk", "dingtalk-2", REFERENCE, T0 - 60 * DAY, T0 + DAY)?,
    ));

    let code = std("valid-kid-collision-first")?;
    out.push(
        Case::new("valid-kid-collision-first", "Two trusted keys share the code's kid; the verifier must try both: here the first listed signed.", input_text(&code.text()), valid("dingtalk", "dingtalk-1", REFERENCE, T0, exp)?)
            .trust("kid-collision"),
    );
    let mut code = Code::new(
        "valid-kid-collision-second",
        "gov-zj",
        "gov-zj-1",
        REFERENCE,
        T0,
        exp,
    )?;
    set(
        &mut code.header,
        KID,
        Value::Bytes(private_key("dingtalk-1").key_id().0.to_vec()),
    );
    let mut expected = valid("gov-zj", "gov-zj-1", REFERENCE, T0, exp)?;
    expected["key_id"] = json!(private_key("dingtalk-1").key_id().to_string());
    out.push(
        Case::new(
            "valid-kid-collision-second",
            "Two trusted keys share the code's kid; the second listed signed.",
            input_text(&code.text()),
            expected,
        )
        .trust("kid-collision"),
    );

    let ok = valid("dingtalk", "dingtalk-1", REFERENCE, T0, exp)?;
    out.push(
        Case::new(
            "valid-trust-two-roots-threshold-2",
            "Trust list signed by two roots; both configured, threshold 2.",
            reference("valid-trust-two-roots-threshold-2")?,
            ok.clone(),
        )
        .trust("two-roots")
        .roots(&["root-1", "root-2"], 2),
    );
    out.push(
        Case::new(
            "valid-trust-unknown-extra-signature",
            "A signature by an unknown root is ignored when a configured root also signed.",
            reference("valid-trust-unknown-extra-signature")?,
            ok.clone(),
        )
        .trust("extra-unknown-signature"),
    );
    let mut c = Case::new(
        "valid-trust-min-sequence-equal",
        "The list's sequence equals the highest seen: accepted.",
        reference("valid-trust-min-sequence-equal")?,
        ok.clone(),
    );
    c.min_sequence = Some(5);
    out.push(c);

    // ── Clock and skew boundaries (exp = T0+24h, skew 300 s) ───────────────────
    out.push(
        Case::new(
            "time-valid-just-before-exp-plus-skew",
            "now = exp + skew - 1: valid.",
            reference("time-valid-just-before-exp-plus-skew")?,
            ok.clone(),
        )
        .at(exp + 299),
    );
    out.push(
        Case::new(
            "time-expired-at-exp-plus-skew",
            "now = exp + skew: expired.",
            reference("time-expired-at-exp-plus-skew")?,
            invalid("expired", "expired"),
        )
        .at(exp + 300),
    );
    out.push(
        Case::new(
            "time-expired-at-exp-no-skew",
            "skew 0, now = exp: expired (exp is exclusive).",
            reference("time-expired-at-exp-no-skew")?,
            invalid("expired", "expired"),
        )
        .at(exp)
        .skew(0),
    );
    out.push(
        Case::new(
            "time-valid-at-exp-minus-1-no-skew",
            "skew 0, now = exp - 1: valid.",
            reference("time-valid-at-exp-minus-1-no-skew")?,
            ok.clone(),
        )
        .at(exp - 1)
        .skew(0),
    );
    out.push(
        Case::new(
            "time-expired-long-ago",
            "Checked a year after expiry.",
            reference("time-expired-long-ago")?,
            invalid("expired", "expired"),
        )
        .at(exp + 10 * DAY),
    );
    out.push(
        Case::new(
            "time-iat-in-future-beyond-skew",
            "now = iat - skew - 1: issued in the future.",
            reference("time-iat-in-future-beyond-skew")?,
            invalid("not_yet_valid", "not_yet_valid"),
        )
        .at(T0 - 301),
    );
    out.push(
        Case::new(
            "time-iat-in-future-within-skew",
            "now = iat - skew: accepted (clock skew).",
            reference("time-iat-in-future-within-skew")?,
            ok.clone(),
        )
        .at(T0 - 300),
    );
    let nbf_text = |case: &str| -> Result<Json, String> {
        let mut code = std(case)?;
        set(&mut code.claims, NBF, int(T0 + HOUR));
        Ok(input_text(&code.text()))
    };
    let mut nbf_ok = ok.clone();
    nbf_ok["not_before"] = json!(hcx_format::timefmt::format_rfc3339(T0 + HOUR));
    out.push(
        Case::new(
            "time-before-nbf-minus-skew",
            "now = nbf - skew - 1: not yet valid.",
            nbf_text("time-before-nbf-minus-skew")?,
            invalid("not_yet_valid", "not_yet_valid"),
        )
        .at(T0 + HOUR - 301),
    );
    out.push(
        Case::new(
            "time-at-nbf-minus-skew",
            "now = nbf - skew: valid.",
            nbf_text("time-at-nbf-minus-skew")?,
            nbf_ok,
        )
        .at(T0 + HOUR - 300),
    );

    // ── Text layer ─────────────────────────────────────────────────────────────
    // Each text case damages its own code, so its cti follows the case name (§13).
    let body = |case: &str| -> Result<String, String> {
        Ok(std(case)?.text().trim_start_matches("HCX1:").to_owned())
    };
    out.push(Case::new(
        "text-wrong-prefix-hc1",
        "The EU DCC prefix on an hcx code (a multi-format verifier reads it as a broken DCC).",
        input_text(&format!("HC1:{}", body("text-wrong-prefix-hc1")?)),
        malformed(),
    ));
    out.push(Case::new(
        "text-lowercase-prefix",
        "Prefixes are case-sensitive.",
        input_text(&format!("hcx1:{}", body("text-lowercase-prefix")?)),
        invalid("malformed", "bad_prefix"),
    ));
    out.push(Case::new(
        "text-future-version-prefix",
        "HCX2: is a future version, not readable by version 1.",
        input_text(&format!("HCX2:{}", body("text-future-version-prefix")?)),
        invalid("malformed", "bad_prefix"),
    ));
    out.push(Case::new(
        "text-no-prefix",
        "base45 without a prefix.",
        input_text(&body("text-no-prefix")?),
        invalid("malformed", "bad_prefix"),
    ));
    out.push(Case::new(
        "text-empty",
        "Nothing after the prefix.",
        input_text("HCX1:"),
        invalid("malformed", "bad_cbor"),
    ));
    out.push(Case::new(
        "text-bad-base45-character",
        "A lowercase letter is not in the base45 alphabet.",
        input_text(&format!(
            "HCX1:a{}",
            &body("text-bad-base45-character")?[1..]
        )),
        invalid("malformed", "bad_base45"),
    ));
    out.push(Case::new(
        "text-base45-bad-length",
        "base45 length of 3n+1 characters is impossible.",
        input_text(&format!("{}00", std("text-base45-bad-length")?.text())),
        invalid("malformed", "bad_base45"),
    ));
    out.push(Case::new(
        "text-base45-triple-overflow",
        "A 3-character group above 65535 ('GGW').",
        input_text(&format!(
            "HCX1:GGW{}",
            &body("text-base45-triple-overflow")?[3..]
        )),
        invalid("malformed", "bad_base45"),
    ));
    let noncanon = noncanonical_base45(&std("text-non-canonical-base45")?.cose())?;
    out.push(Case::new("text-non-canonical-base45", "The final 2-character group encodes a value above 255: decodes leniently to the right bytes, but is not the canonical text.", input_text(&noncanon), invalid("malformed", "non_canonical_base45")));
    out.push(Case::new(
        "text-truncated",
        "The last 6 characters are cut off.",
        input_text(&truncated(&std("text-truncated")?.text(), 6)),
        malformed(),
    ));
    out.push(Case::new(
        "text-space-inside",
        "An inner space changes the bytes: the signature no longer matches or CBOR breaks.",
        input_text(
            &std("text-space-inside")?
                .text()
                .replacen("HCX1:R", "HCX1: R", 1),
        ),
        malformed(),
    ));
    out.push(Case::new(
        "text-too-long",
        "More than 4096 characters.",
        input_text(&format!("HCX1:{}", "0".repeat(4200))),
        invalid("malformed", "text_too_long"),
    ));

    // ── CBOR layer ─────────────────────────────────────────────────────────────
    let code = std("cbor-trailing-bytes")?;
    let mut cose = code.cose();
    cose.push(0x00);
    out.push(Case::new(
        "cbor-trailing-bytes",
        "A zero byte after the COSE_Sign1.",
        input_text(&forge::to_text(&cose)),
        invalid("malformed", "trailing_bytes"),
    ));
    let code = std("cbor-payload-trailing-bytes")?;
    let mut payload = code.parts().payload.unwrap_or_default();
    payload.push(0xf6);
    out.push(Case::new(
        "cbor-payload-trailing-bytes",
        "The (signed) payload has a null after the claims map.",
        input_text(&code.text_with_payload(payload)),
        invalid("malformed", "trailing_bytes"),
    ));
    let code = std("cbor-duplicate-map-key")?;
    let mut claims = code.claims.clone();
    claims.insert(1, (int(ISS), text("dingtalk")));
    out.push(Case::new(
        "cbor-duplicate-map-key",
        "The claims map holds iss twice (signed).",
        input_text(&code.text_with_payload(enc(&Value::Map(claims)))),
        invalid("malformed", "duplicate_map_key"),
    ));
    let code = std("cbor-duplicate-header-key")?;
    let mut header = code.header.clone();
    header.insert(1, (int(ALG), int(-8)));
    out.push(Case::new(
        "cbor-duplicate-header-key",
        "The protected header holds alg twice.",
        input_text(&code.text_with_protected(enc(&Value::Map(header)))),
        invalid("malformed", "duplicate_map_key"),
    ));
    let code = std("cbor-unsorted-map-keys")?;
    let mut claims = code.claims.clone();
    claims.reverse();
    out.push(Case::new(
        "cbor-unsorted-map-keys",
        "Claims map keys in reverse order (signed).",
        input_text(&code.text_with_payload(enc(&Value::Map(claims)))),
        invalid("malformed", "non_deterministic_cbor"),
    ));
    let code = std("cbor-non-minimal-integer")?;
    let payload = code.parts().payload.unwrap_or_default();
    let iat = T0.to_be_bytes();
    let from = [&[0x06u8, 0x1a][..], &iat[4..]].concat();
    let to = [&[0x06u8, 0x1b][..], &iat[..]].concat();
    let widened = forge::patch(&payload, &from, &to).ok_or("iat not found")?;
    out.push(Case::new(
        "cbor-non-minimal-integer",
        "iat encoded in 8 bytes instead of 4 (signed).",
        input_text(&code.text_with_payload(widened)),
        invalid("malformed", "non_deterministic_cbor"),
    ));
    let code = std("cbor-indefinite-length-map")?;
    let payload = code.parts().payload.unwrap_or_default();
    let mut indefinite = vec![0xbf];
    indefinite.extend_from_slice(payload.get(1..).unwrap_or_default());
    indefinite.push(0xff);
    out.push(Case::new(
        "cbor-indefinite-length-map",
        "The claims map has indefinite length (signed).",
        input_text(&code.text_with_payload(indefinite)),
        invalid("malformed", "non_deterministic_cbor"),
    ));
    let code = std("cbor-indefinite-length-text")?;
    let payload = code.parts().payload.unwrap_or_default();
    let chunked = forge::patch(&payload, b"\x68dingtalk", b"\x7f\x64ding\x64talk\xff")
        .ok_or("iss not found")?;
    out.push(Case::new(
        "cbor-indefinite-length-text",
        "iss as an indefinite-length (chunked) text string (signed).",
        input_text(&code.text_with_payload(chunked)),
        invalid("malformed", "non_deterministic_cbor"),
    ));
    let mut code = std("cbor-excessive-nesting")?;
    let mut deep = int(0);
    for _ in 0..40 {
        deep = Value::Array(vec![deep]);
    }
    if let Some(h) = code.health_mut() {
        set(h, 5, deep);
    }
    out.push(Case::new(
        "cbor-excessive-nesting",
        "40 nested arrays inside the claims (signed).",
        input_text(&code.text()),
        invalid("malformed", "cbor_too_deep"),
    ));
    let code = std("cbor-invalid-utf8")?;
    let payload = code.parts().payload.unwrap_or_default();
    let broken =
        forge::patch(&payload, b"\x68dingtalk", b"\x68ding\xfftlk").ok_or("iss not found")?;
    out.push(Case::new(
        "cbor-invalid-utf8",
        "iss is not valid UTF-8 (signed).",
        input_text(&code.text_with_payload(broken)),
        invalid("malformed", "bad_cbor"),
    ));
    let code = std("cbor-float-where-integer")?;
    let payload = code.parts().payload.unwrap_or_default();
    // status (key 1 → 1) sits right after the map head of the health claims: `a? 01 01`.
    let floated = forge::patch(
        &payload,
        &[0x01, 0x01, 0x02],
        &[0x01, 0xf9, 0x3c, 0x00, 0x02],
    )
    .ok_or("status not found")?;
    out.push(Case::new(
        "cbor-float-where-integer",
        "status encoded as the float 1.0 (signed).",
        input_text(&code.text_with_payload(floated)),
        invalid("malformed", "bad_claims"),
    ));

    // ── COSE layer ─────────────────────────────────────────────────────────────
    let mut code = std("cose-untagged")?;
    code.tag = None;
    out.push(Case::new(
        "cose-untagged",
        "COSE_Sign1 without tag 18.",
        input_text(&code.text()),
        invalid("malformed", "not_cose_sign1"),
    ));
    let mut code = std("cose-wrong-tag")?;
    code.tag = Some(61);
    out.push(Case::new(
        "cose-wrong-tag",
        "Tag 61 (CWT) instead of 18.",
        input_text(&code.text()),
        invalid("malformed", "not_cose_sign1"),
    ));
    let code = std("cose-array-of-three")?;
    let parts = code.parts();
    let arr = Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(parts.protected.clone()),
            Value::Map(vec![]),
            Value::Bytes(parts.payload.clone().unwrap_or_default()),
        ])),
    );
    out.push(Case::new(
        "cose-array-of-three",
        "A COSE_Sign1 array without its signature.",
        input_text(&forge::to_text(&enc(&arr))),
        invalid("malformed", "not_cose_sign1"),
    ));
    let mut code = std("cose-missing-alg")?;
    forge::remove(&mut code.header, ALG);
    out.push(Case::new(
        "cose-missing-alg",
        "No alg anywhere.",
        input_text(&code.text()),
        invalid("malformed", "missing_alg"),
    ));
    let mut code = std("cose-alg-only-unprotected")?;
    forge::remove(&mut code.header, ALG);
    set(&mut code.unprotected, ALG, int(-8));
    out.push(Case::new(
        "cose-alg-only-unprotected",
        "alg only in the unprotected header.",
        input_text(&code.text()),
        invalid("malformed", "unprotected_header"),
    ));
    let mut code = std("cose-kid-only-unprotected")?;
    let kid = private_key("dingtalk-1").key_id().0.to_vec();
    forge::remove(&mut code.header, KID);
    set(&mut code.unprotected, KID, Value::Bytes(kid.clone()));
    out.push(Case::new(
        "cose-kid-only-unprotected",
        "kid only in the unprotected header (allowed by the EU DCC, not by hcx).",
        input_text(&code.text()),
        invalid("malformed", "unprotected_header"),
    ));
    let mut code = std("cose-missing-kid")?;
    forge::remove(&mut code.header, KID);
    out.push(Case::new(
        "cose-missing-kid",
        "No kid.",
        input_text(&code.text()),
        invalid("malformed", "bad_kid"),
    ));
    let mut code = std("cose-kid-wrong-length")?;
    set(
        &mut code.header,
        KID,
        Value::Bytes(Sha256::digest(b"x").to_vec()),
    );
    out.push(Case::new(
        "cose-kid-wrong-length",
        "A 32-byte kid.",
        input_text(&code.text()),
        invalid("malformed", "bad_kid"),
    ));
    let mut code = std("cose-unknown-critical-header")?;
    set(&mut code.header, CRIT, Value::Array(vec![int(-70000)]));
    set(&mut code.header, -70000, int(1));
    out.push(Case::new(
        "cose-unknown-critical-header",
        "A crit header naming a parameter version 1 does not know.",
        input_text(&code.text()),
        invalid("malformed", "unknown_header"),
    ));
    let code = std("cose-detached-payload")?;
    let mut parts = code.parts();
    parts.payload = None;
    let sig = forge::sign(&parts, &signing_key("dingtalk-1"));
    out.push(Case::new(
        "cose-detached-payload",
        "The payload is nil (detached).",
        input_text(&forge::to_text(&enc(&forge::assemble(&parts, sig)))),
        invalid("malformed", "missing_payload"),
    ));
    let code = std("cose-short-signature")?;
    let parts = code.parts();
    let mut sig = forge::sign(&parts, &signing_key("dingtalk-1"));
    sig.truncate(63);
    out.push(Case::new(
        "cose-short-signature",
        "A 63-byte signature.",
        input_text(&forge::to_text(&enc(&forge::assemble(&parts, sig)))),
        invalid("malformed", "bad_signature_length"),
    ));

    // S + L: the same signature with a non-reduced scalar (malleability); verify_strict refuses.
    let code = std("sig-s-not-reduced")?;
    let parts = code.parts();
    let sig = forge::sign(&parts, &signing_key("dingtalk-1"));
    out.push(Case::new(
        "sig-s-not-reduced",
        "The valid signature with L added to S: a lax verifier accepts it as a second valid form.",
        input_text(&forge::to_text(&enc(&forge::assemble(
            &parts,
            s_plus_l(&sig),
        )))),
        invalid("bad_signature", "bad_signature"),
    ));
    let code = std("sig-small-order-r")?;
    let parts = code.parts();
    let mut small_r = vec![0u8; 64];
    small_r[0] = 1; // R = the identity point, small order
    out.push(Case::new(
        "sig-small-order-r",
        "R is the identity point (small order) and S is zero.",
        input_text(&forge::to_text(&enc(&forge::assemble(&parts, small_r)))),
        invalid("bad_signature", "bad_signature"),
    ));

    // ── Claims layer (all correctly signed) ────────────────────────────────────
    let mut code = std("claims-unknown-cwt-claim")?;
    set(&mut code.claims, 8, int(1));
    out.push(Case::new(
        "claims-unknown-cwt-claim",
        "A CWT claim (cnf, 8) that version 1 does not define.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std("claims-unknown-health-claim")?;
    if let Some(h) = code.health_mut() {
        set(h, 99, int(1));
    }
    out.push(Case::new(
        "claims-unknown-health-claim",
        "Health claim key 99 is not defined.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    for (name, key) in [
        ("claims-missing-iss", ISS),
        ("claims-missing-iat", IAT),
        ("claims-missing-exp", EXP),
        ("claims-missing-cti", CTI),
        ("claims-missing-health", HCX),
    ] {
        let mut code = std(name)?;
        forge::remove(&mut code.claims, key);
        out.push(Case::new(
            name,
            "A required claim is missing.",
            input_text(&code.text()),
            invalid("malformed", "bad_claims"),
        ));
    }
    let mut code = std("claims-iat-as-text")?;
    set(&mut code.claims, IAT, text("2026-11-21T08:00:00Z"));
    out.push(Case::new(
        "claims-iat-as-text",
        "iat as text instead of an integer.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std("claims-exp-before-iat")?;
    set(&mut code.claims, EXP, int(T0 - 1));
    out.push(Case::new(
        "claims-exp-before-iat",
        "exp earlier than iat.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std("claims-nbf-not-before-exp")?;
    set(&mut code.claims, NBF, int(exp));
    out.push(Case::new(
        "claims-nbf-not-before-exp",
        "nbf equal to exp.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let code = Code::new(
        "claims-bad-issuer-id",
        "DingTalk",
        "dingtalk-1",
        REFERENCE,
        T0,
        exp,
    )?;
    out.push(Case::new(
        "claims-bad-issuer-id",
        "iss with uppercase letters is not an issuer id.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std("claims-time-after-9999")?;
    set(&mut code.claims, EXP, int(253_402_300_800));
    out.push(Case::new(
        "claims-time-after-9999",
        "exp after 9999-12-31T23:59:59Z.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std("claims-name-control-character")?;
    if let Some(h) = code.health_mut() {
        set(h, 2, Value::Map(vec![(int(1), text("张\u{0}三"))]));
    }
    out.push(Case::new(
        "claims-name-control-character",
        "A NUL inside the name.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std("claims-short-cti")?;
    set(&mut code.claims, CTI, Value::Bytes(vec![1, 2, 3]));
    out.push(Case::new(
        "claims-short-cti",
        "A 3-byte code id.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    for (name, desc, json) in [
        (
            "claims-full-id-number",
            "id_suffix holds a full ID number.",
            REFERENCE.replace("\"4312\"", "\"330106199003074312\""),
        ),
        (
            "claims-bad-birth-date",
            "birth_date 1990-02-30 does not exist.",
            REFERENCE.replace("1990-03-07", "1990-02-30"),
        ),
        (
            "claims-bad-region",
            "region in lowercase.",
            REFERENCE.replace("CN-33", "cn-33"),
        ),
    ] {
        let mut code = std(name)?;
        let raw = raw_health(&json)?;
        set(&mut code.claims, HCX, raw);
        out.push(Case::new(
            name,
            desc,
            input_text(&code.text()),
            invalid("malformed", "bad_claims"),
        ));
    }
    let mut code = std("claims-name-not-nfc")?;
    if let Some(h) = code.health_mut() {
        set(h, 2, Value::Map(vec![(int(1), text("Zoe\u{308}"))]));
    }
    out.push(Case::new(
        "claims-name-not-nfc",
        "The name is in NFD (e + combining diaeresis).",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std("claims-unknown-status")?;
    if let Some(h) = code.health_mut() {
        set(h, 1, int(4));
    }
    out.push(Case::new(
        "claims-unknown-status",
        "status 4 is not defined.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std("claims-empty-evidence-list")?;
    if let Some(h) = code.health_mut() {
        set(h, 4, Value::Array(vec![]));
    }
    out.push(Case::new(
        "claims-empty-evidence-list",
        "An empty vaccinations array must be omitted instead.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));

    // ── Algorithm, key and signature ───────────────────────────────────────────
    let mut code = std("alg-es256-on-eddsa-key")?;
    set(&mut code.header, ALG, int(-7));
    out.push(Case::new(
        "alg-es256-on-eddsa-key",
        "alg ES256 (-7) on a code whose kid names an EdDSA key: algorithm confusion is refused.",
        input_text(&code.text()),
        invalid("unsupported_algorithm", "unsupported_algorithm"),
    ));
    let mut code = std("alg-ps256")?;
    set(&mut code.header, ALG, int(-37));
    out.push(Case::new(
        "alg-ps256",
        "alg PS256 (-37).",
        input_text(&code.text()),
        invalid("unsupported_algorithm", "unsupported_algorithm"),
    ));
    let code = Code::new("key-unknown-kid", "dingtalk", "rogue-1", REFERENCE, T0, exp)?;
    out.push(Case::new(
        "key-unknown-kid",
        "Signed by a key the regulator never registered.",
        input_text(&code.text()),
        invalid("unknown_key", "unknown_key"),
    ));
    let mut changed = std("sig-payload-changed")?;
    if let Some(h) = changed.health_mut() {
        set(h, 3, text("CN-11"));
    }
    let changed_parts = changed.parts();
    let sig_of_original = forge::sign(
        &std("sig-payload-changed")?.parts(),
        &signing_key("dingtalk-1"),
    );
    out.push(Case::new(
        "sig-payload-changed",
        "The region was changed from CN-33 to CN-11 after signing.",
        input_text(&forge::to_text(&enc(&forge::assemble(
            &changed_parts,
            sig_of_original,
        )))),
        invalid("bad_signature", "bad_signature"),
    ));
    let code = std("sig-over-payload-not-sig-structure")?;
    let parts = code.parts();
    use ed25519_dalek::Signer;
    let raw_sig = signing_key("dingtalk-1")
        .sign(parts.payload.as_deref().unwrap_or_default())
        .to_bytes()
        .to_vec();
    out.push(Case::new(
        "sig-over-payload-not-sig-structure",
        "Right key, but the signature covers the bare payload instead of the Sig_structure.",
        input_text(&forge::to_text(&enc(&forge::assemble(&parts, raw_sig)))),
        invalid("bad_signature", "bad_signature"),
    ));
    let mut code = std("sig-by-other-key-with-this-kid")?;
    code.signer = "wechat-1".into();
    out.push(Case::new(
        "sig-by-other-key-with-this-kid",
        "DingTalk's kid, but signed with WeChat's key.",
        input_text(&code.text()),
        invalid("bad_signature", "bad_signature"),
    ));
    let code = std("sig-all-zero")?;
    let parts = code.parts();
    out.push(Case::new(
        "sig-all-zero",
        "A signature of 64 zero bytes.",
        input_text(&forge::to_text(&enc(&forge::assemble(&parts, vec![0; 64])))),
        invalid("bad_signature", "bad_signature"),
    ));
    let code = Code::new(
        "issuer-mismatch",
        "wechat",
        "dingtalk-1",
        REFERENCE,
        T0,
        exp,
    )?;
    out.push(Case::new(
        "issuer-mismatch",
        "Signed by DingTalk's key but iss says wechat.",
        input_text(&code.text()),
        invalid("issuer_mismatch", "issuer_mismatch"),
    ));
    out.push(Case::new("issuer-key-registered-to-other-issuer", "A validly signed list registers DingTalk's key to WeChat; a code claiming DingTalk fails.", reference("issuer-key-registered-to-other-issuer")?, invalid("issuer_mismatch", "issuer_mismatch")).trust("key-registered-to-wechat"));
    let code = Code::new(
        "key-iat-before-key-window",
        "dingtalk",
        "dingtalk-1",
        REFERENCE,
        T0 - 400 * DAY,
        T0 + DAY,
    )?;
    out.push(Case::new(
        "key-iat-before-key-window",
        "iat before the key's not_before.",
        input_text(&code.text()),
        invalid("key_not_valid", "iat_outside_key_window"),
    ));
    let code = Code::new(
        "key-iat-after-retired-key-window",
        "dingtalk",
        "dingtalk-2",
        REFERENCE,
        T0 - DAY,
        T0 + DAY,
    )?;
    out.push(Case::new(
        "key-iat-after-retired-key-window",
        "A retired key used after its not_after.",
        input_text(&code.text()),
        invalid("key_not_valid", "iat_outside_key_window"),
    ));
    let code = Code::new("key-compromised", "alipay", "alipay-1", REFERENCE, T0, exp)?;
    out.push(Case::new(
        "key-compromised",
        "Signed by a key marked compromised: nothing it signed is trusted, whatever iat says.",
        input_text(&code.text()),
        invalid("key_not_valid", "key_compromised"),
    ));
    let code = Code::new(
        "key-compromised-backdated",
        "alipay",
        "alipay-1",
        REFERENCE,
        T0 - 300 * DAY,
        T0 + DAY,
    )?;
    out.push(Case::new(
        "key-compromised-backdated",
        "A compromised key with a back-dated iat is still refused.",
        input_text(&code.text()),
        invalid("key_not_valid", "key_compromised"),
    ));

    // ── Scope ──────────────────────────────────────────────────────────────────
    let red = REFERENCE.replace("green", "red").replace("CN-33", "CN-44");
    let code = Code::new(
        "scope-status-not-allowed",
        "wechat",
        "wechat-1",
        &red,
        T0,
        exp,
    )?;
    out.push(Case::new(
        "scope-status-not-allowed",
        "WeChat may issue green and yellow only.",
        input_text(&code.text()),
        invalid("out_of_scope", "out_of_scope"),
    ));
    let code = Code::new(
        "scope-evidence-not-allowed",
        "wechat",
        "wechat-1",
        &VACCINATED.replace("CN-33", "CN-44"),
        T0,
        exp,
    )?;
    out.push(Case::new(
        "scope-evidence-not-allowed",
        "WeChat may include test results only.",
        input_text(&code.text()),
        invalid("out_of_scope", "out_of_scope"),
    ));
    let code = Code::new(
        "scope-region-not-allowed",
        "dingtalk",
        "dingtalk-1",
        &REFERENCE.replace("CN-33", "CN-44"),
        T0,
        exp,
    )?;
    out.push(Case::new(
        "scope-region-not-allowed",
        "DingTalk may issue for CN-33 and CN-11 only.",
        input_text(&code.text()),
        invalid("out_of_scope", "out_of_scope"),
    ));
    let no_region = r#"{"status":"green","subject":{"name":"A"}}"#;
    let code = Code::new(
        "scope-region-missing",
        "dingtalk",
        "dingtalk-1",
        no_region,
        T0,
        exp,
    )?;
    out.push(Case::new(
        "scope-region-missing",
        "An issuer restricted to regions must name one.",
        input_text(&code.text()),
        invalid("out_of_scope", "out_of_scope"),
    ));
    let prefix_ok = TESTED.replace("CN-11", "CN-44");
    let code = Code::new(
        "scope-country-covers-subdivision",
        "wechat",
        "wechat-1",
        &prefix_ok,
        T0,
        exp,
    )?;
    out.push(Case::new(
        "scope-country-covers-subdivision",
        "WeChat's scope CN covers CN-44.",
        input_text(&code.text()),
        valid("wechat", "wechat-1", &prefix_ok, T0, exp)?,
    ));

    // ── Trust list ─────────────────────────────────────────────────────────────
    for (name, file, code, reason, desc) in [
        (
            "trust-forged-payload",
            "forged-payload",
            "trust_list_invalid",
            "trust_list_bad_signature",
            "The list's payload was edited after signing (forgery).",
        ),
        (
            "trust-moved-key-after-signing",
            "moved-key-after-signing",
            "trust_list_invalid",
            "trust_list_bad_signature",
            "A key moved to another issuer after signing (mix-and-match).",
        ),
        (
            "trust-unknown-root",
            "unknown-root",
            "trust_list_untrusted",
            "trust_list_untrusted",
            "Signed only by a root the verifier does not know.",
        ),
        (
            "trust-unsigned",
            "unsigned",
            "trust_list_invalid",
            "trust_list_unsigned",
            "An unsigned draft.",
        ),
        (
            "trust-expired",
            "expired",
            "trust_list_expired",
            "trust_list_expired",
            "The list expired a day ago (freeze attack).",
        ),
        (
            "trust-duplicate-issuer",
            "duplicate-issuer",
            "trust_list_invalid",
            "trust_list_malformed",
            "Signed, but lists an issuer twice.",
        ),
        (
            "trust-shared-key",
            "shared-key",
            "trust_list_invalid",
            "trust_list_malformed",
            "Signed, but one key serves two issuers.",
        ),
        (
            "trust-unknown-field",
            "unknown-field",
            "trust_list_invalid",
            "trust_list_malformed",
            "Signed, but the payload has an undefined field.",
        ),
        (
            "trust-weak-key",
            "weak-key",
            "trust_list_invalid",
            "trust_list_malformed",
            "Signed, but an issuer key is a small-order point.",
        ),
        (
            "trust-key-alg-es256",
            "es256-key",
            "trust_list_invalid",
            "trust_list_malformed",
            "Signed, but a key is registered for ES256, which version 1 does not support.",
        ),
        (
            "trust-version-2",
            "version-2",
            "trust_list_invalid",
            "trust_list_malformed",
            "A payload version this verifier does not know.",
        ),
        (
            "trust-not-json",
            "not-json",
            "trust_list_invalid",
            "trust_list_malformed",
            "The file is not JSON.",
        ),
        (
            "trust-payload-not-json",
            "payload-not-json",
            "trust_list_invalid",
            "trust_list_malformed",
            "Signed bytes that are not JSON.",
        ),
        (
            "trust-no-en-name",
            "no-en-name",
            "trust_list_invalid",
            "trust_list_malformed",
            "An issuer without an `en` display name.",
        ),
        (
            "trust-expires-before-issued",
            "expires-before-issued",
            "trust_list_invalid",
            "trust_list_malformed",
            "expires_at equal to issued_at.",
        ),
        (
            "trust-bad-kid",
            "bad-kid",
            "trust_list_invalid",
            "trust_list_malformed",
            "A kid in uppercase hex.",
        ),
        (
            "trust-bad-region",
            "bad-region",
            "trust_list_invalid",
            "trust_list_malformed",
            "A scope region that is not an ISO 3166 code.",
        ),
        (
            "trust-key-window-reversed",
            "key-window-reversed",
            "trust_list_invalid",
            "trust_list_malformed",
            "A key whose not_after is before its not_before.",
        ),
        (
            "trust-fractional-seconds",
            "fractional-seconds",
            "trust_list_invalid",
            "trust_list_malformed",
            "expires_at with fractional seconds.",
        ),
        (
            "trust-wrong-typ",
            "wrong-typ",
            "trust_list_invalid",
            "trust_list_malformed",
            "The signature header's typ is JWT, not hcx-trust-list+json.",
        ),
    ] {
        out.push(Case::new(name, desc, reference(name)?, invalid(code, reason)).trust(file));
    }
    let mut c = Case::new(
        "trust-rollback",
        "The verifier has seen sequence 6; this list is sequence 5.",
        reference("trust-rollback")?,
        invalid("trust_list_rollback", "trust_list_rollback"),
    );
    c.min_sequence = Some(6);
    out.push(c);
    out.push(
        Case::new(
            "trust-threshold-not-met",
            "Two roots configured with threshold 2, but only root-1 signed.",
            reference("trust-threshold-not-met")?,
            invalid("trust_list_untrusted", "trust_list_untrusted"),
        )
        .roots(&["root-1", "root-2"], 2),
    );
    out.push(
        Case::new(
            "trust-checked-before-code",
            "A broken code under an expired list: the list is judged first.",
            input_text("HCX1:garbage"),
            invalid("trust_list_expired", "trust_list_expired"),
        )
        .trust("expired"),
    );

    // ── QR images ──────────────────────────────────────────────────────────────
    for (name, ecc) in [
        ("qr-reference-ecc-m", hcx_qr::EccLevel::M),
        ("qr-reference-ecc-q", hcx_qr::EccLevel::Q),
    ] {
        let qr = hcx_qr::encode(
            &std(name)?.text(),
            &hcx_qr::EncodeOptions {
                ecc,
                ..Default::default()
            },
        )
        .map_err(|e| e.to_string())?;
        let png = qr.to_png(4).map_err(|e| e.to_string())?;
        let path = format!("images/{name}.png");
        files.insert(path.clone(), png);
        out.push(Case::new(
            name,
            "The reference code as a QR image, 4 px per module.",
            json!({ "qr_image": path }),
            ok.clone(),
        ));
    }
    let forged = Code::new("qr-unknown-key", "dingtalk", "rogue-1", REFERENCE, T0, exp)?.text();
    let qr =
        hcx_qr::encode(&forged, &hcx_qr::EncodeOptions::default()).map_err(|e| e.to_string())?;
    files.insert(
        "images/qr-unknown-key.png".into(),
        qr.to_png(4).map_err(|e| e.to_string())?,
    );
    out.push(Case::new(
        "qr-unknown-key",
        "A QR image of a code signed by an unregistered key.",
        json!({ "qr_image": "images/qr-unknown-key.png" }),
        invalid("unknown_key", "unknown_key"),
    ));
    out.extend(hardening_cases(files)?);
    Ok(out)
}

/// The health-claims map for JSON that the library would refuse to issue (for negative cases).
pub(crate) fn raw_health(json: &str) -> Result<Value, String> {
    let v: Json = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let subject = &v["subject"];
    let mut s = Vec::new();
    for (i, key) in ["name", "birth_date", "id_type", "id_suffix"]
        .iter()
        .enumerate()
    {
        if let Some(t) = subject[key].as_str() {
            s.push((int(i as i64 + 1), text(t)));
        }
    }
    let status = match v["status"].as_str() {
        Some("yellow") => 2,
        Some("red") => 3,
        _ => 1,
    };
    let mut m = vec![(int(1), int(status)), (int(2), Value::Map(s))];
    if let Some(r) = v["region"].as_str() {
        m.push((int(3), text(r)));
    }
    Ok(Value::Map(m))
}

/// Large claims: 8 entries per list (the maximum), a 64-character name.
fn big_claims() -> String {
    let text24 = "x".repeat(24);
    let vaccinations: Vec<Json> = (1..=8)
        .map(|i| json!({"disease": "COVID-19", "vaccine": text24, "manufacturer": text24, "dose": 1 + (i % 9), "doses": 9, "date": format!("2021-{:02}-15", 1 + i % 12), "country": "CN"}))
        .collect();
    let tests: Vec<Json> = (1..=8)
        .map(|i| json!({"disease": "COVID-19", "kind": "antigen", "result": "negative", "collected_at": hcx_format::timefmt::format_rfc3339(T0 - i * HOUR), "center": text24, "country": "CN"}))
        .collect();
    let recoveries: Vec<Json> = (1..=8)
        .map(|_| json!({"disease": text24, "first_positive": "2026-01-01", "valid_from": "2026-01-12", "valid_until": "2026-06-30", "country": "CN"}))
        .collect();
    json!({
        "status": "green",
        "subject": {"name": "欧阳".repeat(32), "birth_date": "1990-03-07", "id_type": "CN-RIC-ABCDEFGHI", "id_suffix": "431X"},
        "region": "CN-33",
        "vaccinations": vaccinations,
        "tests": tests,
        "recoveries": recoveries,
    })
    .to_string()
}

/// Re-encodes the last base45 pair of a code with a value 256 higher (same byte after `as u8`).
fn noncanonical_base45(cose: &[u8]) -> Result<String, String> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    if cose.len().is_multiple_of(2) {
        return Err("need an odd-length COSE for a final pair".into());
    }
    let text = base45::encode(cose);
    let last = *cose.last().ok_or("empty")? as usize + 256;
    let (c, d) = (last % 45, last / 45);
    let head = text.get(..text.len() - 2).ok_or("short")?;
    let pair = [*ALPHABET.get(c).ok_or("c")?, *ALPHABET.get(d).ok_or("d")?];
    Ok(format!("HCX1:{head}{}", String::from_utf8_lossy(&pair)))
}

/// Adds the group order L to the scalar S of an Ed25519 signature (little-endian), giving a
/// non-reduced S that still satisfies the verification equation.
fn s_plus_l(sig: &[u8]) -> Vec<u8> {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut out = sig.to_vec();
    let mut carry = 0u16;
    for (i, l) in L.iter().enumerate() {
        if let Some(b) = out.get_mut(32 + i) {
            let sum = u16::from(*b) + u16::from(*l) + carry;
            *b = (sum & 0xff) as u8;
            carry = sum >> 8;
        }
    }
    out
}

// ── Hardening (docs/HARDENING.md): limits and trust-list attacks ───────────────────────────

/// A JWS trust-list envelope over `payload` with one signature per (signer, header alg) pair;
/// `corrupt` flips a bit in that signer's signature.
pub(crate) fn jws_envelope(payload: &[u8], signers: &[(&str, &str, bool)]) -> Vec<u8> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ed25519_dalek::Signer;
    let payload_b64 = URL_SAFE_NO_PAD.encode(payload);
    let signatures: Vec<Json> = signers
        .iter()
        .map(|(name, alg, corrupt)| {
            let kid = private_key(name).key_id().to_string();
            let header = json!({"alg": alg, "kid": kid, "typ": "hcx-trust-list+json"});
            let protected = URL_SAFE_NO_PAD.encode(header.to_string());
            let mut sig = signing_key(name)
                .sign(format!("{protected}.{payload_b64}").as_bytes())
                .to_bytes();
            if *corrupt {
                sig[10] ^= 0x04;
            }
            json!({"protected": protected, "signature": URL_SAFE_NO_PAD.encode(sig)})
        })
        .collect();
    let mut out =
        serde_json::to_string_pretty(&json!({"payload": payload_b64, "signatures": signatures}))
            .unwrap_or_default();
    out.push('\n');
    out.into_bytes()
}

/// Limit and trust-list attack cases added by the hardening work; each is also described in
/// docs/HARDENING.md.
fn hardening_cases(files: &mut Files) -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    let exp = T0 + DAY;

    // Claims limits, each one past the maximum that valid-maximum-size reaches.
    let big = big_claims();
    for (name, key, desc) in [
        (
            "limit-too-many-vaccinations",
            4,
            "9 vaccinations: one more than the limit of 8.",
        ),
        (
            "limit-too-many-tests",
            5,
            "9 tests: one more than the limit of 8.",
        ),
        (
            "limit-too-many-recoveries",
            6,
            "9 recoveries: one more than the limit of 8.",
        ),
    ] {
        let mut code = Code::new(name, "dingtalk", "dingtalk-1", &big, T0, exp)?;
        if let Some(h) = code.health_mut() {
            for (k, v) in h.iter_mut() {
                if k == &int(key) {
                    if let Value::Array(items) = v {
                        let extra = items.first().cloned().ok_or("empty list")?;
                        items.push(extra);
                    }
                }
            }
        }
        out.push(Case::new(
            name,
            desc,
            input_text(&code.text()),
            invalid("malformed", "bad_claims"),
        ));
    }
    let mut code = std_code("limit-name-65-characters")?;
    if let Some(h) = code.health_mut() {
        set(h, 2, Value::Map(vec![(int(1), text(&"欧".repeat(65)))]));
    }
    out.push(Case::new(
        "limit-name-65-characters",
        "A 65-character name: one more than the limit of 64.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = Code::new(
        "limit-text-65-bytes",
        "dingtalk",
        "dingtalk-1",
        VACCINATED,
        T0,
        exp,
    )?;
    if let Some(h) = code.health_mut() {
        for (k, v) in h.iter_mut() {
            if let (true, Value::Array(items)) = (k == &int(4), v) {
                if let Some(Value::Map(first)) = items.first_mut() {
                    set(first, 2, text(&"x".repeat(65)));
                }
            }
        }
    }
    out.push(Case::new(
        "limit-text-65-bytes",
        "A vaccine name of 65 bytes: one more than the limit of 64 for short texts.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    let mut code = std_code("limit-cti-17-bytes")?;
    set(&mut code.claims, CTI, Value::Bytes(vec![7; 17]));
    out.push(Case::new(
        "limit-cti-17-bytes",
        "A 17-byte code id: one more than the limit of 16.",
        input_text(&code.text()),
        invalid("malformed", "bad_claims"),
    ));
    // Exactly at the text limit (4096 characters) but not a code: judged as base45, not refused
    // for length; one more character is text_too_long (text-too-long).
    let at_limit = format!("HCX1:{}", "0".repeat(4096 - 5));
    out.push(Case::new(
        "limit-text-4096-characters",
        "4096 characters, exactly the text limit: read, not refused for length (it decodes to the CBOR integer 0 and 2727 trailing zero bytes).",
        input_text(&at_limit),
        invalid("malformed", "trailing_bytes"),
    ));

    // Trust-list size limits and signature attacks.
    let main = crate::trust::main_list();
    let main_payload = main.to_payload().map_err(|e| e.to_string())?;
    let mut many_keys = main.clone();
    if let Some(d) = many_keys.issuers.first_mut() {
        d.keys = (0..65)
            .map(|i| {
                let seed: [u8; 32] =
                    Sha256::digest(format!("hcx-fixtures/v1/many-keys/{i}").as_bytes()).into();
                hcx_format::KeyEntry::new(
                    &hcx_format::PrivateKey::from_seed(&seed).public_key(),
                    None,
                    None,
                )
            })
            .collect();
    }
    let many_keys_payload = many_keys.to_payload().map_err(|e| e.to_string())?;
    let trust_files: [(&str, Vec<u8>); 5] = [
        (
            "too-many-keys",
            jws_envelope(&many_keys_payload, &[("root-1", "EdDSA", false)]),
        ),
        (
            "too-many-signatures",
            jws_envelope(&main_payload, &[("root-1", "EdDSA", false); 17]),
        ),
        (
            "same-root-twice",
            jws_envelope(
                &main_payload,
                &[("root-1", "EdDSA", false), ("root-1", "EdDSA", false)],
            ),
        ),
        (
            "jws-alg-none",
            jws_envelope(&main_payload, &[("root-1", "none", false)]),
        ),
        (
            "bad-signature-by-second-root",
            jws_envelope(
                &main_payload,
                &[("root-1", "EdDSA", false), ("root-2", "EdDSA", true)],
            ),
        ),
    ];
    for (name, bytes) in trust_files {
        files.insert(format!("trust/{name}.json"), bytes);
    }
    files.insert(
        "trust/garbage-signature-by-unknown-root.json".into(),
        jws_envelope(
            &main_payload,
            &[("root-rogue", "EdDSA", true), ("root-1", "EdDSA", false)],
        ),
    );
    out.push(
        Case::new(
            "trust-too-many-keys",
            "Validly signed, but an issuer has 65 keys: more than the limit of 64.",
            reference("trust-too-many-keys")?,
            invalid("trust_list_invalid", "trust_list_too_large"),
        )
        .trust("too-many-keys"),
    );
    out.push(
        Case::new(
            "trust-too-many-signatures",
            "17 signatures: more than the limit of 16, refused before any is checked.",
            reference("trust-too-many-signatures")?,
            invalid("trust_list_invalid", "trust_list_too_large"),
        )
        .trust("too-many-signatures"),
    );
    out.push(Case::new("trust-threshold-same-root-twice", "Threshold 2 of root-1 and root-2; root-1 signed twice. Only distinct configured roots count.", reference("trust-threshold-same-root-twice")?, invalid("trust_list_untrusted", "trust_list_untrusted")).trust("same-root-twice").roots(&["root-1", "root-2"], 2));
    out.push(Case::new("trust-jws-alg-none", "root-1's signature header says alg none (algorithm confusion): a header whose alg is not EdDSA makes the envelope malformed (T1), before any signature is checked.", reference("trust-jws-alg-none")?, invalid("trust_list_invalid", "trust_list_malformed")).trust("jws-alg-none"));
    out.push(Case::new("trust-bad-signature-by-configured-root", "root-1 signed validly, root-2's signature is corrupt; both configured, threshold 1. A bad signature by any configured root fails the list, even when the threshold is met.", reference("trust-bad-signature-by-configured-root")?, invalid("trust_list_invalid", "trust_list_bad_signature")).trust("bad-signature-by-second-root").roots(&["root-1", "root-2"], 1));
    out.push(Case::new("valid-trust-garbage-signature-by-unknown-root", "A corrupt signature by a root the verifier does not know is ignored; root-1's valid signature suffices.", reference("valid-trust-garbage-signature-by-unknown-root")?, valid("dingtalk", "dingtalk-1", REFERENCE, T0, exp)?).trust("garbage-signature-by-unknown-root"));
    Ok(out)
}

/// The reference code made for `case` (so its cti follows the case name, §13), as input.
pub(crate) fn reference(case: &str) -> Result<Json, String> {
    Ok(input_text(&std_code(case)?.text()))
}

/// `text` without its last `n` characters (the texts are ASCII).
fn truncated(text: &str, n: usize) -> String {
    text.get(..text.len().saturating_sub(n))
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn std_code(case: &str) -> Result<Code, String> {
    Code::new(case, "dingtalk", "dingtalk-1", REFERENCE, T0, T0 + DAY)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// SPEC.md §13: the cti of every code a case holds is derived from that case's own name.
    #[test]
    fn every_decodable_code_carries_its_own_cases_cti() {
        let files = crate::generate().unwrap();
        let mut decodable = 0;
        for (path, bytes) in &files {
            let Some(name) = path
                .strip_prefix("cases/")
                .and_then(|p| p.strip_suffix(".json"))
            else {
                continue;
            };
            let case: Json = serde_json::from_slice(bytes).unwrap();
            let text = match (&case["input"]["text"], &case["input"]["qr_image"]) {
                (Json::String(t), _) => t.clone(),
                (_, Json::String(image)) => {
                    let png = files.get(image.as_str()).expect("image generated");
                    hcx_qr::decode_image(png).unwrap().remove(0)
                }
                _ => panic!("{name}: no input"),
            };
            if let Ok(code) = hcx_format::decode(&text) {
                decodable += 1;
                assert_eq!(code.code_id, cti(name), "{name}");
            }
        }
        assert!(decodable > 75, "only {decodable} decodable codes");
    }
}
