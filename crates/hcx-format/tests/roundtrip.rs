//! Issue → decode → verify round trips through the library.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use hcx_format::REFERENCE_CLAIMS_JSON;
use hcx_format::*;
use proptest::prelude::*;

const NOW: i64 = 1_795_000_000;

fn setup() -> (PrivateKey, Verifier) {
    let key = PrivateKey::from_seed(&[1; 32]);
    let mut list = TrustList::new();
    list.issuers.push(IssuerEntry {
        id: "dingtalk".into(),
        names: [("en".into(), "DingTalk".into())].into(),
        scopes: Scopes::default(),
        keys: vec![KeyEntry::new(&key.public_key(), None, None)],
    });
    (list.sequence, list.issued_at, list.expires_at) = (1, NOW, NOW + 86_400 * 30);
    (key, Verifier::new(list))
}

fn params(valid_for: i64) -> IssueParams {
    IssueParams {
        issuer: "dingtalk".into(),
        issued_at: NOW,
        expires_at: NOW + valid_for,
        not_before: None,
    }
}

#[test]
fn reference_code_length() {
    let (key, verifier) = setup();
    let claims = HealthClaims::from_json(REFERENCE_CLAIMS_JSON).unwrap();
    let text = issue(&key, &params(86_400), &claims).unwrap();
    eprintln!("reference code: {} chars: {text}", text.len());
    assert!(text.len() <= 262, "{}", text.len());
    assert_eq!(verifier.verify_at(&text, NOW).unwrap().claims, claims);
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][A-Za-z .'-]{0,30}[a-z]",
        "[\u{4e00}-\u{9fa5}]{1,12}",
        "[\u{0400}-\u{04ff}]{1,20}",
        "[\u{0391}-\u{03c9}]{1,20}",
    ]
}

fn arb_claims() -> impl Strategy<Value = HealthClaims> {
    (
        prop::sample::select(Status::ALL.to_vec()),
        arb_text(),
        prop::option::of((1900u16..2025, 1u8..13, 1u8..29)),
        prop::option::of("[A-Z]{2,4}(-[A-Z]{3})?"),
        prop::option::of("[0-9X]{1,4}"),
        prop::option::of("[A-Z]{2}(-[0-9]{2})?"),
        prop::collection::vec((1u8..4, 1u8..4, 0u32..3000), 0..3),
        prop::collection::vec((any::<bool>(), 0i64..2_000_000_000), 0..3),
    )
        .prop_map(
            |(status, name, bd, id_type, id_suffix, region, vacc, tests)| HealthClaims {
                status,
                subject: Subject {
                    name,
                    birth_date: bd.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
                    id_type,
                    id_suffix,
                },
                region,
                vaccinations: vacc
                    .into_iter()
                    .map(|(dose, doses, day)| Vaccination {
                        disease: "COVID-19".into(),
                        vaccine: "BBIBP-CorV".into(),
                        manufacturer: None,
                        dose,
                        doses,
                        date: format!("2021-{:02}-{:02}", 1 + day % 12, 1 + day % 28),
                        country: Some("CN".into()),
                    })
                    .collect(),
                tests: tests
                    .into_iter()
                    .map(|(pos, at)| Test {
                        disease: "COVID-19".into(),
                        kind: TestKind::NucleicAcid,
                        result: if pos {
                            TestResult::Positive
                        } else {
                            TestResult::Negative
                        },
                        collected_at: at,
                        center: Some("杭州市第一人民医院".into()),
                        country: None,
                    })
                    .collect(),
                recoveries: vec![],
            },
        )
}

proptest! {
    #[test]
    fn random_valid_claims_round_trip(claims in arb_claims()) {
        let claims = claims.normalized().unwrap();
        let (key, verifier) = setup();
        let text = issue(&key, &params(300), &claims).unwrap();
        prop_assert_eq!(&decode(&text).unwrap().claims, &claims);
        let json = serde_json::to_string(&verifier.verify_at(&text, NOW).unwrap().claims).unwrap();
        prop_assert_eq!(HealthClaims::from_json(&json).unwrap(), claims);
    }
}
