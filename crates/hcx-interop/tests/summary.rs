//! hcx codes map onto the same summary as the foreign formats.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use hcx_format::{HealthClaims, IssueParams, IssuerEntry, KeyEntry, PrivateKey, Scopes, Verifier};
use hcx_interop::Summary;

#[test]
fn hcx_code_summary() {
    let now = 1_795_000_000;
    let key = PrivateKey::generate().unwrap();
    let mut list = hcx_format::TrustList::new();
    list.issuers.push(IssuerEntry {
        id: "dingtalk".into(),
        names: [("en".into(), "DingTalk".into())].into(),
        scopes: Scopes::default(),
        keys: vec![KeyEntry::new(&key.public_key(), None, None)],
    });
    let claims = HealthClaims::from_json(
        r#"{"status":"green","subject":{"name":"张三","birth_date":"1990-01-02"},
            "vaccinations":[{"disease":"COVID-19","vaccine":"BBIBP-CorV","dose":2,"doses":2,"date":"2021-05-01"}]}"#,
    )
    .unwrap();
    let params = IssueParams {
        issuer: "dingtalk".into(),
        issued_at: now,
        expires_at: now + 86_400,
        not_before: None,
    };
    let text = hcx_format::issue(&key, &params, &claims).unwrap();
    let verified = Verifier::new(list)
        .verify(&text, hcx_format::Clock::at(now))
        .unwrap();
    let summary = Summary::from(&verified);
    assert_eq!(summary.name.as_deref(), Some("张三"));
    assert_eq!(summary.birth_date.as_deref(), Some("1990-01-02"));
    assert_eq!(summary.issuer.as_deref(), Some("DingTalk"));
    assert_eq!(summary.evidence.len(), 1);
    assert_eq!(summary.evidence[0].kind, "vaccination");
    assert_eq!(summary.evidence[0].date.as_deref(), Some("2021-05-01"));
    assert!(summary.valid_until.is_some());
    // The JSON shape round-trips.
    let json = serde_json::to_string(&summary).unwrap();
    assert_eq!(serde_json::from_str::<Summary>(&json).unwrap(), summary);
}
