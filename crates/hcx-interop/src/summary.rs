//! One core view of every format: who, born when, what evidence, issued by whom, valid when.

pub use hcx_format::{EvidenceSummary, Summary};
use serde_json::Value as Json;

use crate::util::{jstr, rfc3339};

fn evidence(
    kind: &str,
    date: Option<&str>,
    disease: Option<String>,
    detail: Option<String>,
) -> EvidenceSummary {
    EvidenceSummary::new(kind, date, disease, detail)
}

/// Names the disease of a SNOMED CT (DCC) or ICD-11 (VDS-NC) code, or returns the code.
fn disease_name(code: &str) -> String {
    match code {
        "840539006" | "RA01" | "RA01.0" | "RA01.1" | "XN109" => "COVID-19".to_owned(),
        other => other.to_owned(),
    }
}

fn num(v: &Json, key: &str) -> Option<String> {
    v.get(key).map(|x| match x {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn join(parts: &[Option<&str>]) -> Option<String> {
    let text = parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then_some(text)
}

/// Summaries of the foreign formats (the type is hcx-format's, shared with hcx codes).
pub(crate) trait ForeignSummary {
    /// Summarises a DCC.
    fn from_dcc(cwt: &crate::dcc_cwt::Cwt) -> Summary;
    /// Summarises a SMART Health Card payload.
    fn from_shc(payload: &Json) -> Summary;
    /// Summarises a VDS-NC seal's data.
    fn from_vdsnc(data: &Json) -> Summary;
}

impl ForeignSummary for Summary {
    /// Summarises a DCC.
    fn from_dcc(cwt: &crate::dcc_cwt::Cwt) -> Summary {
        let dcc = &cwt.dcc;
        let nam = dcc.get("nam").unwrap_or(&Json::Null);
        let name = join(&[jstr(nam, "gn"), jstr(nam, "fn")])
            .or_else(|| join(&[jstr(nam, "gnt"), jstr(nam, "fnt")]));
        let mut out = Vec::new();
        let mut authority = None;
        for (key, kind) in [("v", "vaccination"), ("t", "test"), ("r", "recovery")] {
            for e in dcc.get(key).and_then(Json::as_array).into_iter().flatten() {
                authority = authority.or_else(|| jstr(e, "is").map(str::to_owned));
                let disease = jstr(e, "tg").map(disease_name);
                let item = match kind {
                    "vaccination" => evidence(
                        kind,
                        jstr(e, "dt"),
                        disease,
                        Some(format!(
                            "dose {}/{} {}",
                            num(e, "dn").unwrap_or_default(),
                            num(e, "sd").unwrap_or_default(),
                            jstr(e, "mp").unwrap_or_default()
                        )),
                    ),
                    "test" => {
                        let tt = match jstr(e, "tt") {
                            Some("LP6464-4") => "NAAT",
                            Some("LP217198-3") => "rapid antigen",
                            Some(other) => other,
                            None => "test",
                        };
                        let tr = match jstr(e, "tr") {
                            Some("260415000") => "not detected",
                            Some("260373001") => "detected",
                            Some(other) => other,
                            None => "",
                        };
                        evidence(kind, jstr(e, "sc"), disease, join(&[Some(tt), Some(tr)]))
                    }
                    _ => evidence(
                        kind,
                        jstr(e, "fr"),
                        disease,
                        Some(format!(
                            "valid {} to {}",
                            jstr(e, "df").unwrap_or("?"),
                            jstr(e, "du").unwrap_or("?")
                        )),
                    ),
                };
                out.push(item);
            }
        }
        Summary {
            name,
            birth_date: jstr(dcc, "dob")
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            evidence: out,
            issuer: authority.or_else(|| cwt.iss.clone()),
            valid_from: cwt.iat.map(rfc3339),
            valid_until: cwt.exp.map(rfc3339),
        }
    }

    /// Summarises a SMART Health Card JWS payload.
    fn from_shc(payload: &Json) -> Summary {
        let vc = payload.get("vc").cloned().unwrap_or(Json::Null);
        let covid = vc.get("type").and_then(Json::as_array).is_some_and(|t| {
            t.iter()
                .any(|x| x.as_str() == Some("https://smarthealth.cards#covid19"))
        });
        let disease = || covid.then(|| "COVID-19".to_owned());
        let entries = vc
            .pointer("/credentialSubject/fhirBundle/entry")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let mut summary = Summary {
            issuer: jstr(payload, "iss").map(str::to_owned),
            valid_from: payload
                .get("nbf")
                .and_then(Json::as_f64)
                .map(|f| rfc3339(f as i64)),
            valid_until: payload
                .get("exp")
                .and_then(Json::as_f64)
                .map(|f| rfc3339(f as i64)),
            ..Summary::default()
        };
        let date = |r: &Json, k: &str| jstr(r, k).map(|d| d.get(..10).unwrap_or(d).to_owned());
        let coding = |c: Option<&Json>| {
            c.and_then(|c| c.pointer("/coding/0")).map(|c| {
                let system = match jstr(c, "system") {
                    Some("http://hl7.org/fhir/sid/cvx") => "CVX",
                    Some("http://snomed.info/sct") => "SNOMED",
                    Some("http://loinc.org") => "LOINC",
                    _ => "",
                };
                jstr(c, "display")
                    .map(str::to_owned)
                    .or_else(|| join(&[Some(system), jstr(c, "code")]))
                    .unwrap_or_default()
            })
        };
        for entry in &entries {
            let Some(r) = entry.get("resource") else {
                continue;
            };
            match jstr(r, "resourceType") {
                Some("Patient") if summary.name.is_none() => {
                    let n = r.pointer("/name/0");
                    let given = n
                        .and_then(|n| n.get("given"))
                        .and_then(Json::as_array)
                        .map(|g| {
                            g.iter()
                                .filter_map(Json::as_str)
                                .collect::<Vec<_>>()
                                .join(" ")
                        });
                    summary.name = join(&[given.as_deref(), n.and_then(|n| jstr(n, "family"))])
                        .or_else(|| n.and_then(|n| jstr(n, "text")).map(str::to_owned));
                    summary.birth_date = jstr(r, "birthDate").map(str::to_owned);
                }
                Some("Immunization") => summary.evidence.push(EvidenceSummary {
                    kind: "vaccination".into(),
                    date: date(r, "occurrenceDateTime"),
                    disease: disease(),
                    detail: coding(r.get("vaccineCode")),
                }),
                Some("Observation") => {
                    let result = coding(r.get("valueCodeableConcept"));
                    let test = coding(r.get("code"));
                    summary.evidence.push(EvidenceSummary {
                        kind: "test".into(),
                        date: date(r, "effectiveDateTime"),
                        disease: disease(),
                        detail: join(&[test.as_deref(), result.as_deref()]),
                    });
                }
                _ => {}
            }
        }
        summary
    }

    /// Summarises a VDS-NC `data` object.
    fn from_vdsnc(data: &Json) -> Summary {
        let msg = data.get("msg").cloned().unwrap_or(Json::Null);
        let pid = msg.get("pid").cloned().unwrap_or(Json::Null);
        let mut evidence_list = Vec::new();
        for ve in msg.get("ve").and_then(Json::as_array).into_iter().flatten() {
            for vd in ve.get("vd").and_then(Json::as_array).into_iter().flatten() {
                evidence_list.push(evidence(
                    "vaccination",
                    jstr(vd, "dvc"),
                    jstr(ve, "dis").map(disease_name),
                    Some(format!(
                        "dose {} {}",
                        num(vd, "seq").unwrap_or_default(),
                        jstr(ve, "nam").unwrap_or_default()
                    )),
                ));
            }
        }
        if let Some(tr) = msg.get("tr") {
            evidence_list.push(evidence(
                "test",
                msg.get("dat").and_then(|d| jstr(d, "sc")),
                Some("COVID-19".into()),
                join(&[jstr(tr, "tc"), jstr(tr, "r")]),
            ));
        }
        Summary {
            name: jstr(&pid, "n").map(|n| n.split_whitespace().collect::<Vec<_>>().join(" ")),
            birth_date: jstr(&pid, "dob").map(str::to_owned),
            evidence: evidence_list,
            issuer: data
                .get("hdr")
                .and_then(|h| jstr(h, "is"))
                .map(str::to_owned),
            valid_from: None,
            valid_until: None,
        }
    }
}
