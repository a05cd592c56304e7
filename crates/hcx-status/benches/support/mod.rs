//! What the status bench and the floors script share: a verifier with one trusted issuer and
//! codes of that issuer, for timing bulk verification with and without status lookups.
#![allow(dead_code)]

use hcx_format::{
    HealthClaims, IssueParams, IssuerEntry, KeyEntry, PrivateKey, Scopes, SignedTrustList,
    TrustList, TrustListPolicy, VerifiedCode, Verifier,
};
use hcx_status::{CodeRef, Lookup, StatusState};

/// A verifier and `count` codes it accepts.
pub struct BatchFixture {
    pub verifier: Verifier,
    pub texts: Vec<String>,
    /// The codes' ids, so that status universes can include them.
    pub ids: Vec<Vec<u8>>,
}

/// `count` codes of `dingtalk` with the reference claims, issued at `iat`, expiring at `exp`,
/// and a verifier trusting them at `now`.
pub fn batch_fixture(count: usize, now: i64, iat: i64, exp: i64) -> BatchFixture {
    let root = PrivateKey::from_seed(&[1; 32]);
    let key = PrivateKey::from_seed(&[42; 32]);
    let mut list = TrustList::new();
    list.issuers.push(IssuerEntry {
        id: "dingtalk".into(),
        names: [("en".into(), "DingTalk".into())].into(),
        scopes: Scopes::default(),
        keys: vec![KeyEntry::new(&key.public_key(), None, None)],
    });
    (list.sequence, list.issued_at, list.expires_at) = (1, now, now + 30 * 86_400);
    let trust = SignedTrustList::sign(&list, &[&root])
        .unwrap()
        .to_json()
        .unwrap();
    let policy = TrustListPolicy::single_root(root.public_key());
    let verifier = Verifier::from_signed_trust_list(trust.as_bytes(), &policy, now).unwrap();
    let claims = HealthClaims::from_json(
        r#"{"status":"green","subject":{"name":"张三","birth_date":"1990-03-07","id_type":"CN-RIC","id_suffix":"4312"},"region":"CN-33"}"#,
    )
    .unwrap();
    let params = IssueParams {
        issuer: "dingtalk".into(),
        issued_at: iat,
        expires_at: exp,
        not_before: None,
    };
    let texts: Vec<String> = (0..count)
        .map(|_| hcx_format::issue(&key, &params, &claims).unwrap())
        .collect();
    let ids = texts
        .iter()
        .map(|t| hcx_format::decode(t).unwrap().code_id)
        .collect();
    BatchFixture {
        verifier,
        texts,
        ids,
    }
}

/// Looks a verified code up, its `cti` read from the verdict's hex as a facade would get it.
pub fn lookup_verified(state: &StatusState, code: &VerifiedCode) -> Lookup {
    let hex = &code.code_id;
    let id: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    state.lookup(&CodeRef {
        code_id: &id,
        issued_at: code.issued_at,
        expires_at: code.expires_at,
    })
}
