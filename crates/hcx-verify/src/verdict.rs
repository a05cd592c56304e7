//! The verdict: one typed result for every format, and the one writer of its SPEC §9 JSON.
//!
//! Every object is written with its keys in sorted order (the order the reference CLI has
//! always printed), from borrowed views of the typed verdict: no JSON tree is built, and no
//! dependency's JSON settings (such as serde_json's `preserve_order`) can change the bytes.

use std::collections::BTreeMap;

use hcx_error::{Code, Coded, Reason};
use hcx_format::{
    HealthClaims, Recovery, Status, Subject, Summary, Test, TestKind, TestResult, Vaccination,
};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::error::VerifyError;
use crate::status::{StatusOutcome, StatusReport};

/// The format of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// An hcx code (`HCX1:`).
    Hcx,
    /// An EU Digital COVID Certificate (`HC1:`).
    EuDcc,
    /// A SMART Health Card (`shc:/`, a JWS, or a `.smart-health-card` file).
    Shc,
    /// An ICAO VDS-NC seal.
    IcaoVdsNc,
}

impl Format {
    /// The name in verdicts: `hcx`, `eu-dcc`, `shc` or `icao-vds-nc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Hcx => "hcx",
            Format::EuDcc => "eu-dcc",
            Format::Shc => "shc",
            Format::IcaoVdsNc => "icao-vds-nc",
        }
    }

    /// The format named in a verdict.
    pub fn from_name(name: &str) -> Option<Format> {
        [Format::Hcx, Format::EuDcc, Format::Shc, Format::IcaoVdsNc]
            .into_iter()
            .find(|f| f.as_str() == name)
    }
}

/// Who issued a code, as the trust data names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// hcx: the issuer id; DCC: the country; SHC: the issuer URL; VDS-NC: the issuing state.
    pub id: String,
    /// Display name: hcx's `en` name; for foreign formats the signer certificate's common name.
    pub name: Option<String>,
    /// hcx only: display names by language tag (`en`, `zh`, …).
    pub names: Option<BTreeMap<String, String>>,
}

/// What a valid code says, in its format's own model.
#[derive(Debug, Clone, PartialEq)]
pub enum Claims {
    /// The health claims of an hcx code.
    Hcx(HealthClaims),
    /// A foreign certificate's payload as JSON: the DCC, the SHC JWS payload, the VDS-NC `data`.
    Foreign(serde_json::Value),
}

/// A code whose signature, key, validity and scope all check out.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The format.
    pub format: Format,
    /// The issuer.
    pub issuer: Issuer,
    /// The signing key's id (hcx: hex; DCC: base64; SHC: the JWK kid; VDS-NC: base64 of the
    /// first 8 bytes of SHA-256 over the signer certificate).
    pub key_id: String,
    /// Issuance time, Unix seconds (hcx `iat`, DCC `iat`, SHC `nbf`).
    pub issued_at: Option<i64>,
    /// Expiry, Unix seconds.
    pub expires_at: Option<i64>,
    /// hcx only: start of validity (`nbf`), if the code has one.
    pub not_before: Option<i64>,
    /// hcx only: the code id (`cti`), hex.
    pub code_id: Option<String>,
    /// What the code says.
    pub claims: Claims,
    /// The core view, the same for every format.
    pub summary: Summary,
    /// hcx only: what the issuer's status list says of the code, when the verifier holds one.
    pub status_list: Option<StatusReport>,
}

impl Verified {
    /// The health status printed in an hcx code (`None` for foreign formats, which have none).
    pub fn status(&self) -> Option<Status> {
        match &self.claims {
            Claims::Hcx(c) => Some(c.status),
            Claims::Foreign(_) => None,
        }
    }

    /// The colour to show: the status list's current colour if it changed one, else the
    /// printed one. A checkpoint shows this, not [`Verified::status`].
    pub fn current_status(&self) -> Option<Status> {
        match self.status_list.as_ref().map(|r| r.outcome) {
            Some(StatusOutcome::Now(colour)) => Some(colour),
            _ => self.status(),
        }
    }
}

/// The verdict on one code: valid, with what it says, or rejected, with why.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Every check passed.
    Valid(Box<Verified>),
    /// A check failed, or the code could not be judged.
    Invalid(VerifyError),
}

impl Verdict {
    /// Whether the code is valid.
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid(_))
    }

    /// The verified code, if valid.
    pub fn verified(&self) -> Option<&Verified> {
        match self {
            Verdict::Valid(v) => Some(v),
            Verdict::Invalid(_) => None,
        }
    }

    /// The error, if rejected.
    pub fn error(&self) -> Option<&VerifyError> {
        match self {
            Verdict::Valid(_) => None,
            Verdict::Invalid(e) => Some(e),
        }
    }

    /// The stable code of a rejection (`None` when valid).
    pub fn code(&self) -> Option<Code> {
        self.error().map(Coded::code)
    }

    /// The exit status of the reference CLI: 0 valid, 1 rejected, 2 could not judge.
    pub fn exit_status(&self) -> u8 {
        self.error().map_or(0, |e| e.code().exit_status())
    }

    /// The verdict as a `Result`.
    pub fn into_result(self) -> Result<Verified, VerifyError> {
        match self {
            Verdict::Valid(v) => Ok(*v),
            Verdict::Invalid(e) => Err(e),
        }
    }

    /// The SPEC §9 JSON object, on one line: `{"valid":true,…}` or
    /// `{"error":{"code":…,"message":…,"reason":…},"valid":false}`.
    pub fn to_json(&self) -> String {
        match self {
            Verdict::Valid(v) => to_string(&VerifiedView(v)),
            Verdict::Invalid(e) => error_json(e.code(), Some(e.reason()), &e.to_string()),
        }
    }
}

impl From<Result<Verified, VerifyError>> for Verdict {
    fn from(r: Result<Verified, VerifyError>) -> Verdict {
        match r {
            Ok(v) => Verdict::Valid(Box::new(v)),
            Err(e) => Verdict::Invalid(e),
        }
    }
}

/// The SPEC §9 JSON of a failure described by its parts: the one writer of error verdicts, for
/// a [`Verdict`] and for hosts' own failures (the CLI's usage and I/O errors, which have no
/// reason).
pub fn error_json(code: Code, reason: Option<Reason>, message: &str) -> String {
    #[derive(Serialize)]
    struct ErrorView<'a> {
        code: &'a str,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct InvalidView<'a> {
        error: ErrorView<'a>,
        valid: bool,
    }
    to_string(&InvalidView {
        error: ErrorView {
            code: code.as_str(),
            message,
            reason: reason.map(Reason::as_str),
        },
        valid: false,
    })
}

/// Serialises a view; views of plain data cannot fail, but if one did the failure is still a
/// well-formed verdict rather than a panic.
fn to_string(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|e| error_json_fallback(&format!("cannot write the verdict: {e}")))
}

fn error_json_fallback(message: &str) -> String {
    let message = serde_json::Value::String(message.to_owned());
    format!(r#"{{"error":{{"code":"invalid_input","message":{message}}},"valid":false}}"#)
}

/// A valid verdict, keys sorted: claims, code_id, expires_at, format, issued_at, issuer,
/// key_id, not_before, summary, valid.
struct VerifiedView<'a>(&'a Verified);

impl Serialize for VerifiedView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        let mut m = s.serialize_map(None)?;
        match &v.claims {
            Claims::Hcx(c) => m.serialize_entry("claims", &ClaimsView::new(c))?,
            Claims::Foreign(json) => m.serialize_entry("claims", &SortedJson(json))?,
        }
        if let Some(id) = &v.code_id {
            m.serialize_entry("code_id", id)?;
        }
        m.serialize_entry("expires_at", &v.expires_at.map(rfc3339))?;
        m.serialize_entry("format", v.format.as_str())?;
        m.serialize_entry("issued_at", &v.issued_at.map(rfc3339))?;
        m.serialize_entry("issuer", &IssuerView(&v.issuer))?;
        m.serialize_entry("key_id", &v.key_id)?;
        if let Some(nbf) = v.not_before {
            m.serialize_entry("not_before", &rfc3339(nbf))?;
        }
        if let Some(report) = &v.status_list {
            m.serialize_entry("status_list", &StatusView(report))?;
        }
        m.serialize_entry("summary", &SummaryView(&v.summary))?;
        m.serialize_entry("valid", &true)?;
        m.end()
    }
}

fn rfc3339(unix: i64) -> String {
    hcx_format::timefmt::format_rfc3339(unix)
}

struct IssuerView<'a>(&'a Issuer);

impl Serialize for IssuerView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let i = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &i.id)?;
        m.serialize_entry("name", &i.name)?;
        if let Some(names) = &i.names {
            m.serialize_entry("names", names)?;
        }
        m.end()
    }
}

/// What the issuer's status list said: keys sorted, `not_covered` and `stale` only when true.
struct StatusView<'a>(&'a StatusReport);

impl Serialize for StatusView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("age_seconds", &r.age_secs)?;
        m.serialize_entry("issued_at", &rfc3339(r.issued_at))?;
        m.serialize_entry("issuer", &r.issuer)?;
        if let StatusOutcome::NotCovered(why) = r.outcome {
            let why = match why {
                hcx_status::NotCovered::IssuedAfter { .. } => "issued_after_list",
                hcx_status::NotCovered::ExpiredBefore { .. } => "expired_before_list",
            };
            m.serialize_entry("not_covered", why)?;
        }
        m.serialize_entry("outcome", r.outcome.as_str())?;
        m.serialize_entry("sequence", &r.sequence)?;
        if r.stale {
            m.serialize_entry("stale", &true)?;
        }
        m.end()
    }
}

/// JSON with every object's keys written in sorted order, whatever the map type holds.
pub(crate) struct SortedJson<'a>(pub(crate) &'a serde_json::Value);

impl Serialize for SortedJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<(&String, &serde_json::Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k, &SortedJson(v))?;
                }
                m.end()
            }
            serde_json::Value::Array(items) => s.collect_seq(items.iter().map(SortedJson)),
            other => other.serialize(s),
        }
    }
}

/// The summary; absent parts are written as `null`.
struct SummaryView<'a>(&'a Summary);

impl Serialize for SummaryView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Destructured so that a new field fails to compile here.
        let Summary {
            name,
            birth_date,
            evidence,
            issuer,
            valid_from,
            valid_until,
        } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("birth_date", birth_date)?;
        m.serialize_entry(
            "evidence",
            &evidence
                .iter()
                .map(|e| EvidenceView {
                    date: e.date.as_deref(),
                    detail: e.detail.as_deref(),
                    disease: e.disease.as_deref(),
                    kind: &e.kind,
                })
                .collect::<Vec<_>>(),
        )?;
        m.serialize_entry("issuer", issuer)?;
        m.serialize_entry("name", name)?;
        m.serialize_entry("valid_from", valid_from)?;
        m.serialize_entry("valid_until", valid_until)?;
        m.end()
    }
}

#[derive(Serialize)]
struct EvidenceView<'a> {
    date: Option<&'a str>,
    detail: Option<&'a str>,
    disease: Option<&'a str>,
    kind: &'a str,
}

// The hcx claims, keys sorted at every level (declared in sorted order for serde).

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn verified(claims: &str, not_before: Option<i64>, names: &[(&str, &str)]) -> Verified {
        let claims = HealthClaims::from_json(claims).unwrap();
        let names: BTreeMap<String, String> = names
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let code = hcx_format::VerifiedCode {
            issuer: hcx_format::IssuerInfo {
                id: "dingtalk".into(),
                name: "Ding \"Talk\"".into(),
                names: names.clone(),
            },
            key_id: "0102030405060708".into(),
            issued_at: 1_795_000_000,
            expires_at: 1_795_086_400,
            not_before,
            code_id: "a1b2c3d4e5f60718".into(),
            claims,
        };
        crate::verify::from_hcx(code, None)
    }

    /// The writer gives what a sorted JSON tree of the same data gives (serde_json's default
    /// map), byte for byte, with every optional part present and absent.
    #[test]
    fn writes_what_a_sorted_tree_writes() {
        let minimal = r#"{"status":"green","subject":{"name":"A"}}"#;
        let full = r#"{"status":"red","subject":{"name":"张三 \\ \"x\"","birth_date":"1990-03-07","id_type":"CN-RIC","id_suffix":"4312"},"region":"CN-33",
            "vaccinations":[{"disease":"840539006","vaccine":"J07BX03","manufacturer":"ORG-100030215","dose":1,"doses":2,"date":"2021-05-01","country":"CN"}],
            "tests":[{"disease":"840539006","kind":"nucleic_acid","result":"negative","collected_at":"2021-07-01T08:00:00Z","center":"Lab 1","country":"CN"}],
            "recoveries":[{"disease":"840539006","first_positive":"2021-01-01","valid_from":"2021-01-12","valid_until":"2021-07-01"}]}"#;
        for claims in [minimal, full] {
            for nbf in [None, Some(1_795_000_100)] {
                for names in [&[][..], &[("en", "DingTalk"), ("zh", "钉钉")][..]] {
                    let v = verified(claims, nbf, names);
                    let ours = Verdict::Valid(Box::new(v.clone())).to_json();
                    let tree: serde_json::Value = serde_json::from_str(&ours).unwrap();
                    assert_eq!(tree.to_string(), ours);
                    assert_eq!(
                        tree["claims"],
                        serde_json::to_value(match &v.claims {
                            Claims::Hcx(c) => c,
                            Claims::Foreign(_) => unreachable!(),
                        })
                        .unwrap()
                    );
                    assert_eq!(tree["not_before"].is_null(), nbf.is_none());
                }
            }
        }
    }

    #[test]
    fn errors_have_code_message_and_reason() {
        assert_eq!(
            error_json(Code::Usage, None, "no \"x\""),
            r#"{"error":{"code":"usage","message":"no \"x\""},"valid":false}"#
        );
        let v = Verdict::Invalid(VerifyError::NoHcxTrustList);
        assert_eq!(
            v.to_json(),
            r#"{"error":{"code":"usage","message":"an hcx code needs an hcx trust list","reason":"no_hcx_trust_list"},"valid":false}"#
        );
        assert_eq!(v.exit_status(), 2);
    }
}
