//! The fixture trust lists: one good list and one per attack or defect.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer;
use hcx_format::{
    EvidenceKind, IssuerEntry, KeyEntry, KeyStatus, KeyUsage, Scopes, SignedTrustList, Status,
    TrustList,
};
use serde_json::{Value as Json, json};

use crate::{DAY, Files, T0, private_key, signing_key};

fn issuer(id: &str, en: &str, zh: &str, scopes: Scopes, keys: Vec<KeyEntry>) -> IssuerEntry {
    IssuerEntry {
        id: id.to_owned(),
        names: [
            ("en".to_owned(), en.to_owned()),
            ("zh".to_owned(), zh.to_owned()),
        ]
        .into(),
        scopes,
        keys,
    }
}

fn key(name: &str, not_before: Option<i64>, not_after: Option<i64>, status: KeyStatus) -> KeyEntry {
    KeyEntry {
        status,
        ..KeyEntry::new(&private_key(name).public_key(), not_before, not_after)
    }
}

/// The good list every ordinary case uses (sequence 5, valid T0-1d .. T0+30d, root-1).
pub fn main_list() -> TrustList {
    TrustList {
        version: 1,
        sequence: 5,
        issued_at: T0 - DAY,
        expires_at: T0 + 30 * DAY,
        issuers: vec![
            issuer(
                "dingtalk",
                "DingTalk",
                "钉钉",
                Scopes {
                    regions: Some(vec!["CN-33".into(), "CN-11".into()]),
                    ..Scopes::default()
                },
                vec![
                    key("dingtalk-1", Some(T0 - 365 * DAY), None, KeyStatus::Active),
                    key(
                        "dingtalk-2",
                        Some(T0 - 730 * DAY),
                        Some(T0 - 30 * DAY),
                        KeyStatus::Retired,
                    ),
                    KeyEntry {
                        usage: vec![KeyUsage::Status],
                        ..key("dingtalk-status", None, None, KeyStatus::Active)
                    },
                ],
            ),
            issuer(
                "wechat",
                "WeChat",
                "微信",
                Scopes {
                    statuses: vec![Status::Green, Status::Yellow],
                    evidence: vec![EvidenceKind::Test],
                    regions: Some(vec!["CN".into()]),
                },
                vec![key("wechat-1", None, None, KeyStatus::Active)],
            ),
            issuer(
                "alipay",
                "Alipay",
                "支付宝",
                Scopes::default(),
                vec![key("alipay-1", None, None, KeyStatus::Compromised)],
            ),
        ],
    }
}

/// A JWS over exactly `payload`, signed by the named keys (any bytes, any header).
fn jws(payload: &[u8], signers: &[&str]) -> Json {
    let payload_b64 = URL_SAFE_NO_PAD.encode(payload);
    let signatures: Vec<Json> = signers
        .iter()
        .map(|name| {
            let kid = private_key(name).key_id().to_string();
            let header = json!({"alg": "EdDSA", "kid": kid, "typ": "hcx-trust-list+json"});
            let protected = URL_SAFE_NO_PAD.encode(header.to_string());
            let sig = signing_key(name).sign(format!("{protected}.{payload_b64}").as_bytes());
            json!({"protected": protected, "signature": URL_SAFE_NO_PAD.encode(sig.to_bytes())})
        })
        .collect();
    json!({"payload": payload_b64, "signatures": signatures})
}

fn pretty(v: &Json) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

fn payload(list: &TrustList) -> Result<Vec<u8>, String> {
    list.to_payload().map_err(|e| e.to_string())
}

fn signed(list: &TrustList, roots: &[&str]) -> Result<Vec<u8>, String> {
    let keys: Vec<hcx_format::PrivateKey> = roots.iter().map(|r| private_key(r)).collect();
    let refs: Vec<&hcx_format::PrivateKey> = keys.iter().collect();
    let env = SignedTrustList::sign(list, &refs).map_err(|e| e.to_string())?;
    env.to_json()
        .map(String::into_bytes)
        .map_err(|e| e.to_string())
}

/// Writes every fixture trust list.
pub fn generate(files: &mut Files) -> Result<(), String> {
    let main = main_list();
    files.insert("trust/main.json".into(), signed(&main, &["root-1"])?);
    files.insert(
        "trust/two-roots.json".into(),
        signed(&main, &["root-1", "root-2"])?,
    );
    files.insert(
        "trust/extra-unknown-signature.json".into(),
        signed(&main, &["root-rogue", "root-1"])?,
    );
    files.insert(
        "trust/unknown-root.json".into(),
        signed(&main, &["root-rogue"])?,
    );

    let expired = TrustList {
        sequence: 4,
        issued_at: T0 - 31 * DAY,
        expires_at: T0 - DAY,
        ..main.clone()
    };
    files.insert("trust/expired.json".into(), signed(&expired, &["root-1"])?);

    let unsigned = SignedTrustList::unsigned(&main).map_err(|e| e.to_string())?;
    files.insert(
        "trust/unsigned.json".into(),
        unsigned.to_json().map_err(|e| e.to_string())?.into_bytes(),
    );

    // Forged: the payload is edited after signing (WeChat may now issue red codes).
    let mut good: Json =
        serde_json::from_slice(&signed(&main, &["root-1"])?).map_err(|e| e.to_string())?;
    let mut edited = main.clone();
    if let Some(w) = edited.issuers.get_mut(1) {
        w.scopes.statuses = Status::ALL.to_vec();
    }
    good["payload"] = Json::String(URL_SAFE_NO_PAD.encode(payload(&edited)?));
    files.insert("trust/forged-payload.json".into(), pretty(&good));

    // Mix-and-match after signing: WeChat's key moved under DingTalk in a signed list's payload.
    let mut moved = main.clone();
    let wechat_key = moved.issuers.get_mut(1).and_then(|w| w.keys.pop());
    if let (Some(k), Some(d)) = (wechat_key, moved.issuers.get_mut(0)) {
        d.keys.push(k);
    }
    let mut env: Json =
        serde_json::from_slice(&signed(&main, &["root-1"])?).map_err(|e| e.to_string())?;
    env["payload"] = Json::String(URL_SAFE_NO_PAD.encode(payload(&moved)?));
    files.insert("trust/moved-key-after-signing.json".into(), pretty(&env));

    // Validly signed, but DingTalk's key is registered to WeChat: codes claiming DingTalk fail.
    let mut reassigned = main.clone();
    let ding_key = reassigned.issuers.get_mut(0).map(|d| d.keys.remove(0));
    if let (Some(k), Some(w)) = (ding_key, reassigned.issuers.get_mut(1)) {
        w.keys.push(k);
    }
    files.insert(
        "trust/key-registered-to-wechat.json".into(),
        signed(&reassigned, &["root-1"])?,
    );

    // Two trusted keys share a kid: the registry listed gov-zj-1 under dingtalk-1's kid.
    let mut collision = main.clone();
    let mut gov = key("gov-zj-1", None, None, KeyStatus::Active);
    gov.kid = private_key("dingtalk-1").key_id().to_string();
    collision.issuers.push(issuer(
        "gov-zj",
        "Zhejiang Health Commission",
        "浙江省卫健委",
        Scopes::default(),
        vec![gov],
    ));
    files.insert(
        "trust/kid-collision.json".into(),
        signed(&collision, &["root-1"])?,
    );

    // Malformed payloads, each validly signed: the signature alone does not make a list usable.
    let mut dup = main.clone();
    if let Some(first) = dup.issuers.first().cloned() {
        let mut copy = first;
        copy.keys.clear();
        dup.issuers.push(copy);
    }
    files.insert(
        "trust/duplicate-issuer.json".into(),
        jws_file(&payload(&dup)?, &["root-1"]),
    );

    let mut shared = main.clone();
    let shared_key = shared.issuers.first().and_then(|d| d.keys.first().cloned());
    if let (Some(k), Some(a)) = (shared_key, shared.issuers.get_mut(2)) {
        a.keys.push(k);
    }
    files.insert(
        "trust/shared-key.json".into(),
        jws_file(&payload(&shared)?, &["root-1"]),
    );

    let mut unknown_field: Json =
        serde_json::from_slice(&payload(&main)?).map_err(|e| e.to_string())?;
    unknown_field["revocations"] = json!([]);
    files.insert(
        "trust/unknown-field.json".into(),
        jws_file(&pretty(&unknown_field), &["root-1"]),
    );

    let mut weak: Json = serde_json::from_slice(&payload(&main)?).map_err(|e| e.to_string())?;
    let mut identity = [0u8; 32];
    identity[0] = 1; // the identity point: small order, any signature "verifies" under weak checks
    weak["issuers"][0]["keys"][0]["public_key"] = Json::String(URL_SAFE_NO_PAD.encode(identity));
    files.insert(
        "trust/weak-key.json".into(),
        jws_file(&pretty(&weak), &["root-1"]),
    );

    let mut es256: Json = serde_json::from_slice(&payload(&main)?).map_err(|e| e.to_string())?;
    es256["issuers"][1]["keys"][0]["alg"] = Json::String("ES256".into());
    files.insert(
        "trust/es256-key.json".into(),
        jws_file(&pretty(&es256), &["root-1"]),
    );

    let mut version2: Json = serde_json::from_slice(&payload(&main)?).map_err(|e| e.to_string())?;
    version2["version"] = json!(2);
    files.insert(
        "trust/version-2.json".into(),
        jws_file(&pretty(&version2), &["root-1"]),
    );

    files.insert(
        "trust/not-json.json".into(),
        b"{\"payload\": \"e30\", \"signatures\": [\n".to_vec(),
    );
    files.insert(
        "trust/payload-not-json.json".into(),
        jws_file(b"this is not JSON", &["root-1"]),
    );

    // One rule of SPEC.md §7.1/§7.2 broken per list, each validly signed.
    type Edit = (&'static str, fn(&mut Json));
    let edits: [Edit; 6] = [
        ("no-en-name", |v| {
            if let Some(names) = v["issuers"][0]["names"].as_object_mut() {
                names.remove("en");
            }
        }),
        ("expires-before-issued", |v| {
            v["expires_at"] = v["issued_at"].clone()
        }),
        ("bad-kid", |v| {
            v["issuers"][0]["keys"][0]["kid"] = json!("4784F8B79DC719CE")
        }),
        ("bad-region", |v| {
            v["issuers"][0]["scopes"]["regions"] = json!(["zhejiang"])
        }),
        ("key-window-reversed", |v| {
            v["issuers"][0]["keys"][1]["not_after"] = json!("2020-01-01T00:00:00Z")
        }),
        ("fractional-seconds", |v| {
            v["expires_at"] = json!("2026-12-21T08:00:00.5Z")
        }),
    ];
    for (name, edit) in edits {
        let mut v: Json = serde_json::from_slice(&payload(&main)?).map_err(|e| e.to_string())?;
        edit(&mut v);
        files.insert(
            format!("trust/{name}.json"),
            jws_file(&pretty(&v), &["root-1"]),
        );
    }
    // A signature whose protected header has another typ.
    let mut env: Json =
        serde_json::from_slice(&signed(&main, &["root-1"])?).map_err(|e| e.to_string())?;
    let payload_b64 = env["payload"].as_str().unwrap_or_default().to_owned();
    let header =
        json!({"alg": "EdDSA", "kid": private_key("root-1").key_id().to_string(), "typ": "JWT"});
    let protected = URL_SAFE_NO_PAD.encode(header.to_string());
    let sig = signing_key("root-1").sign(format!("{protected}.{payload_b64}").as_bytes());
    env["signatures"] =
        json!([{"protected": protected, "signature": URL_SAFE_NO_PAD.encode(sig.to_bytes())}]);
    files.insert("trust/wrong-typ.json".into(), pretty(&env));
    Ok(())
}

fn jws_file(payload: &[u8], signers: &[&str]) -> Vec<u8> {
    pretty(&jws(payload, signers))
}
