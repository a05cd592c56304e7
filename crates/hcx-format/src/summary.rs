//! One core view of every format — who, born when, what evidence, issued by whom, valid when —
//! the `summary` of every verdict. hcx codes are summarised here; hcx-interop summarises the
//! foreign formats into the same type.

use serde::{Deserialize, Serialize};

use crate::claims::{TestKind, TestResult};
use crate::timefmt::format_rfc3339 as rfc3339;
use crate::verify::VerifiedCode;

/// The core facts of a health certificate, the same for every format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The holder's name as printed (given names first).
    pub name: Option<String>,
    /// The holder's date of birth, as given (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`).
    pub birth_date: Option<String>,
    /// Vaccinations, tests and recoveries, in the certificate's order.
    pub evidence: Vec<EvidenceSummary>,
    /// Who issued it (an authority name, a country code or an issuer URL).
    pub issuer: Option<String>,
    /// Start of validity, RFC 3339.
    pub valid_from: Option<String>,
    /// End of validity, RFC 3339.
    pub valid_until: Option<String>,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSummary {
    /// `vaccination`, `test` or `recovery`.
    pub kind: String,
    /// When: vaccination date, sample collection time, or first positive test.
    pub date: Option<String>,
    /// Disease or agent targeted, e.g. `COVID-19`.
    pub disease: Option<String>,
    /// A short human-readable detail (dose, test type and result, validity…).
    pub detail: Option<String>,
}

impl EvidenceSummary {
    /// One piece of evidence of `kind` (`vaccination`, `test` or `recovery`).
    pub fn new(
        kind: &str,
        date: Option<&str>,
        disease: Option<String>,
        detail: Option<String>,
    ) -> EvidenceSummary {
        EvidenceSummary {
            kind: kind.to_owned(),
            date: date.map(str::to_owned),
            disease,
            detail,
        }
    }
}

impl From<&VerifiedCode> for Summary {
    fn from(code: &VerifiedCode) -> Summary {
        let c = &code.claims;
        let mut list = Vec::new();
        for v in &c.vaccinations {
            list.push(EvidenceSummary::new(
                "vaccination",
                Some(&v.date),
                Some(v.disease.clone()),
                Some(format!("dose {}/{} {}", v.dose, v.doses, v.vaccine)),
            ));
        }
        for t in &c.tests {
            let kind = match t.kind {
                TestKind::NucleicAcid => "NAAT",
                TestKind::Antigen => "rapid antigen",
                TestKind::Antibody => "antibody",
            };
            let result = match t.result {
                TestResult::Negative => "not detected",
                TestResult::Positive => "detected",
            };
            list.push(EvidenceSummary::new(
                "test",
                Some(&rfc3339(t.collected_at)),
                Some(t.disease.clone()),
                Some(format!("{kind} {result}")),
            ));
        }
        for r in &c.recoveries {
            list.push(EvidenceSummary::new(
                "recovery",
                Some(&r.first_positive),
                Some(r.disease.clone()),
                Some(format!("valid {} to {}", r.valid_from, r.valid_until)),
            ));
        }
        Summary {
            name: Some(c.subject.name.clone()),
            birth_date: c.subject.birth_date.clone(),
            evidence: list,
            issuer: Some(code.issuer.name.clone()),
            valid_from: Some(rfc3339(code.not_before.unwrap_or(code.issued_at))),
            valid_until: Some(rfc3339(code.expires_at)),
        }
    }
}
