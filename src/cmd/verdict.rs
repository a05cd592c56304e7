//! The `verify --json` text of a valid hcx code, written straight from the verified code.
//!
//! [`crate::cmd::verify::hcx_verdict`] builds the verdict as a `serde_json::Value` (a tree of
//! maps, so its keys come out sorted) and `verify --json` prints that. In bulk, building and
//! dropping that tree cost a fifth of each line's time, so `verify --batch` writes the same
//! text from the borrowed views below instead: their fields are declared in sorted order, so
//! serde writes the keys in the same order the map would. A test checks the texts are equal
//! byte for byte, with every optional part present and absent.

use hcx_format::{
    HealthClaims, Recovery, Status, Subject, Test, TestKind, TestResult, Vaccination,
};
use hcx_format::{IssuerInfo, VerifiedCode};
use hcx_interop::{EvidenceSummary, Summary};
use serde::Serialize;

/// The verdict's text, as `hcx_verdict(code).to_string()` writes it.
pub fn hcx_verdict_text(code: &VerifiedCode) -> Result<String, serde_json::Error> {
    let summary = Summary::from(code);
    serde_json::to_string(&VerdictView::new(code, &summary))
}

#[derive(Serialize)]
struct VerdictView<'a> {
    claims: ClaimsView<'a>,
    code_id: &'a str,
    #[serde(serialize_with = "hcx_format::timefmt::rfc3339::serialize")]
    expires_at: i64,
    format: &'static str,
    #[serde(serialize_with = "hcx_format::timefmt::rfc3339::serialize")]
    issued_at: i64,
    issuer: IssuerView<'a>,
    key_id: &'a str,
    #[serde(
        serialize_with = "hcx_format::timefmt::rfc3339_option::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    not_before: Option<i64>,
    summary: SummaryView<'a>,
    valid: bool,
}

impl<'a> VerdictView<'a> {
    fn new(code: &'a VerifiedCode, summary: &'a Summary) -> VerdictView<'a> {
        VerdictView {
            claims: ClaimsView::new(&code.claims),
            code_id: &code.code_id,
            expires_at: code.expires_at,
            format: "hcx",
            issued_at: code.issued_at,
            issuer: IssuerView::new(&code.issuer),
            key_id: &code.key_id,
            not_before: code.not_before,
            summary: SummaryView::new(summary),
            valid: true,
        }
    }
}

#[derive(Serialize)]
struct IssuerView<'a> {
    id: &'a str,
    name: &'a str,
    names: &'a std::collections::BTreeMap<String, String>,
}

impl<'a> IssuerView<'a> {
    fn new(i: &'a IssuerInfo) -> IssuerView<'a> {
        let IssuerInfo { id, name, names } = i;
        IssuerView { id, name, names }
    }
}

#[derive(Serialize)]
struct ClaimsView<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    recoveries: Vec<RecoveryView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    status: Status,
    subject: SubjectView<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tests: Vec<TestView<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vaccinations: Vec<VaccinationView<'a>>,
}

impl<'a> ClaimsView<'a> {
    fn new(c: &'a HealthClaims) -> ClaimsView<'a> {
        // Destructured so that a new field in the claims fails to compile here.
        let HealthClaims {
            status,
            subject,
            region,
            vaccinations,
            tests,
            recoveries,
        } = c;
        ClaimsView {
            recoveries: recoveries.iter().map(RecoveryView::new).collect(),
            region: region.as_deref(),
            status: *status,
            subject: SubjectView::new(subject),
            tests: tests.iter().map(TestView::new).collect(),
            vaccinations: vaccinations.iter().map(VaccinationView::new).collect(),
        }
    }
}

#[derive(Serialize)]
struct SubjectView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_suffix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_type: Option<&'a str>,
    name: &'a str,
}

impl<'a> SubjectView<'a> {
    fn new(s: &'a Subject) -> SubjectView<'a> {
        let Subject {
            name,
            birth_date,
            id_type,
            id_suffix,
        } = s;
        SubjectView {
            birth_date: birth_date.as_deref(),
            id_suffix: id_suffix.as_deref(),
            id_type: id_type.as_deref(),
            name,
        }
    }
}

#[derive(Serialize)]
struct VaccinationView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    date: &'a str,
    disease: &'a str,
    dose: u8,
    doses: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<&'a str>,
    vaccine: &'a str,
}

impl<'a> VaccinationView<'a> {
    fn new(v: &'a Vaccination) -> VaccinationView<'a> {
        let Vaccination {
            disease,
            vaccine,
            manufacturer,
            dose,
            doses,
            date,
            country,
        } = v;
        VaccinationView {
            country: country.as_deref(),
            date,
            disease,
            dose: *dose,
            doses: *doses,
            manufacturer: manufacturer.as_deref(),
            vaccine,
        }
    }
}

#[derive(Serialize)]
struct TestView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    center: Option<&'a str>,
    #[serde(serialize_with = "hcx_format::timefmt::rfc3339::serialize")]
    collected_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    disease: &'a str,
    kind: TestKind,
    result: TestResult,
}

impl<'a> TestView<'a> {
    fn new(t: &'a Test) -> TestView<'a> {
        let Test {
            disease,
            kind,
            result,
            collected_at,
            center,
            country,
        } = t;
        TestView {
            center: center.as_deref(),
            collected_at: *collected_at,
            country: country.as_deref(),
            disease,
            kind: *kind,
            result: *result,
        }
    }
}

#[derive(Serialize)]
struct RecoveryView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    disease: &'a str,
    first_positive: &'a str,
    valid_from: &'a str,
    valid_until: &'a str,
}

impl<'a> RecoveryView<'a> {
    fn new(r: &'a Recovery) -> RecoveryView<'a> {
        let Recovery {
            disease,
            first_positive,
            valid_from,
            valid_until,
            country,
        } = r;
        RecoveryView {
            country: country.as_deref(),
            disease,
            first_positive,
            valid_from,
            valid_until,
        }
    }
}

/// The summary; its options are written as `null`, as `Summary`'s own serialisation does.
#[derive(Serialize)]
struct SummaryView<'a> {
    birth_date: Option<&'a str>,
    evidence: Vec<EvidenceView<'a>>,
    issuer: Option<&'a str>,
    name: Option<&'a str>,
    valid_from: Option<&'a str>,
    valid_until: Option<&'a str>,
}

impl<'a> SummaryView<'a> {
    fn new(s: &'a Summary) -> SummaryView<'a> {
        let Summary {
            name,
            birth_date,
            evidence,
            issuer,
            valid_from,
            valid_until,
        } = s;
        SummaryView {
            birth_date: birth_date.as_deref(),
            evidence: evidence.iter().map(EvidenceView::new).collect(),
            issuer: issuer.as_deref(),
            name: name.as_deref(),
            valid_from: valid_from.as_deref(),
            valid_until: valid_until.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct EvidenceView<'a> {
    date: Option<&'a str>,
    detail: Option<&'a str>,
    disease: Option<&'a str>,
    kind: &'a str,
}

impl<'a> EvidenceView<'a> {
    fn new(e: &'a EvidenceSummary) -> EvidenceView<'a> {
        let EvidenceSummary {
            kind,
            date,
            disease,
            detail,
        } = e;
        EvidenceView {
            date: date.as_deref(),
            detail: detail.as_deref(),
            disease: disease.as_deref(),
            kind,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cmd::verify::hcx_verdict;
    use std::collections::BTreeMap;

    fn code(claims: &str, not_before: Option<i64>, names: &[(&str, &str)]) -> VerifiedCode {
        VerifiedCode {
            issuer: IssuerInfo {
                id: "dingtalk".into(),
                name: "Ding \"Talk\"".into(),
                names: names
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect::<BTreeMap<_, _>>(),
            },
            key_id: "0102030405060708".into(),
            issued_at: 1_795_000_000,
            expires_at: 1_795_086_400,
            not_before,
            code_id: "a1b2c3d4e5f60718".into(),
            claims: HealthClaims::from_json(claims).unwrap(),
        }
    }

    #[test]
    fn text_equals_the_value_tree_byte_for_byte() {
        let minimal = r#"{"status":"green","subject":{"name":"A"}}"#;
        let full = r#"{"status":"red","subject":{"name":"张三 \\ \"x\"","birth_date":"1990-03-07","id_type":"CN-RIC","id_suffix":"4312"},"region":"CN-33",
            "vaccinations":[{"disease":"840539006","vaccine":"J07BX03","manufacturer":"ORG-100030215","dose":1,"doses":2,"date":"2021-05-01","country":"CN"},
                            {"disease":"840539006","vaccine":"J07BX03","dose":2,"doses":2,"date":"2021-06-01"}],
            "tests":[{"disease":"840539006","kind":"nucleic_acid","result":"negative","collected_at":"2021-07-01T08:00:00Z","center":"Lab 1","country":"CN"},
                     {"disease":"840539006","kind":"antigen","result":"positive","collected_at":"2021-07-02T08:00:00Z"}],
            "recoveries":[{"disease":"840539006","first_positive":"2021-01-01","valid_from":"2021-01-12","valid_until":"2021-07-01","country":"CN"},
                          {"disease":"840539006","first_positive":"2021-02-01","valid_from":"2021-02-12","valid_until":"2021-08-01"}]}"#;
        for claims in [minimal, full] {
            for nbf in [None, Some(1_795_000_100)] {
                for names in [&[][..], &[("en", "DingTalk"), ("zh", "钉钉")][..]] {
                    let c = code(claims, nbf, names);
                    assert_eq!(hcx_verdict_text(&c).unwrap(), hcx_verdict(&c).to_string());
                }
            }
        }
    }
}
