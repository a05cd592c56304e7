//! The health-code claims: the JSON data model, its validation, and its dense CBOR form.
//!
//! In JSON (CLI and API) fields have names; inside a code every map is integer-keyed and every
//! enumeration is a small integer, so the reference code fits a version 9 QR code. The key
//! tables below are normative (SPEC.md §4).

use crate::nfc::{is_nfc, to_nfc};
use serde::{Deserialize, Serialize};

use crate::cbor::{ARRAY, Item, MAP, Reader, UINT, Writer};
pub use crate::error::ClaimsError;
use crate::limits::{MAX_EVIDENCE_ENTRIES, MAX_NAME_CHARS, MAX_SHORT_TEXT_BYTES};
use crate::timefmt::MAX_UNIX_TIME;

fn bad(field: impl Into<String>, problem: impl Into<String>) -> ClaimsError {
    ClaimsError {
        field: field.into(),
        problem: problem.into(),
    }
}

/// The health status a code shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// May move freely.
    Green,
    /// Restricted; further checks needed.
    Yellow,
    /// Must not pass.
    Red,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 3] = [Status::Green, Status::Yellow, Status::Red];

    /// The name used in JSON and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Yellow => "yellow",
            Status::Red => "red",
        }
    }

    /// The integer a code carries (SPEC §4.2).
    pub(crate) fn to_code(self) -> u64 {
        match self {
            Status::Green => 1,
            Status::Yellow => 2,
            Status::Red => 3,
        }
    }

    /// The status of a code's integer.
    pub(crate) fn from_code(code: u64) -> Option<Self> {
        Status::ALL.into_iter().find(|s| s.to_code() == code)
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a status (green, yellow, red)"))
    }
}

/// A kind of evidence a code may carry (and an issuer may be allowed to issue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A vaccination record.
    Vaccination,
    /// A test result.
    Test,
    /// A recovery record.
    Recovery,
}

impl EvidenceKind {
    /// Every kind.
    pub const ALL: [EvidenceKind; 3] = [
        EvidenceKind::Vaccination,
        EvidenceKind::Test,
        EvidenceKind::Recovery,
    ];

    /// The name used in JSON and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Vaccination => "vaccination",
            EvidenceKind::Test => "test",
            EvidenceKind::Recovery => "recovery",
        }
    }
}

impl std::str::FromStr for EvidenceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EvidenceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not an evidence kind (vaccination, test, recovery)"))
    }
}

/// The person the code belongs to, reduced to what a checkpoint needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// Full name in any script, NFC-normalised (e.g. `张三`).
    pub name: String,
    /// `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` where less is known or shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Type of identity document, e.g. `CN-RIC` (resident identity card) or `PASSPORT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_type: Option<String>,
    /// At most the last 4 characters of the document number; never the full number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_suffix: Option<String>,
}

/// One vaccination (after the EU DCC `v` entry and GB/T 38962 vaccination elements).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vaccination {
    /// Disease or agent targeted, e.g. `COVID-19`.
    pub disease: String,
    /// Vaccine product name or code.
    pub vaccine: String,
    /// Marketing-authorisation holder or manufacturer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Number of this dose in the series (1–9).
    pub dose: u8,
    /// Total doses in the series (1–9).
    pub doses: u8,
    /// Date of vaccination, `YYYY-MM-DD`.
    pub date: String,
    /// Country of vaccination, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Kind of test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// Nucleic acid amplification (PCR and similar).
    NucleicAcid,
    /// Rapid antigen test.
    Antigen,
    /// Antibody (serology) test.
    Antibody,
}

impl TestKind {
    /// The integer a code carries (SPEC §4.5).
    pub(crate) fn to_code(self) -> u64 {
        match self {
            TestKind::NucleicAcid => 1,
            TestKind::Antigen => 2,
            TestKind::Antibody => 3,
        }
    }

    /// The kind of a code's integer.
    pub(crate) fn from_code(code: u64) -> Option<Self> {
        [TestKind::NucleicAcid, TestKind::Antigen, TestKind::Antibody]
            .into_iter()
            .find(|k| k.to_code() == code)
    }
}

/// Result of a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestResult {
    /// Not detected.
    Negative,
    /// Detected.
    Positive,
}

impl TestResult {
    /// The integer a code carries (SPEC §4.5).
    pub(crate) fn to_code(self) -> u64 {
        match self {
            TestResult::Negative => 1,
            TestResult::Positive => 2,
        }
    }

    /// The result of a code's integer.
    pub(crate) fn from_code(code: u64) -> Option<Self> {
        [TestResult::Negative, TestResult::Positive]
            .into_iter()
            .find(|r| r.to_code() == code)
    }
}

/// One test (after the EU DCC `t` entry and GB/T 38962 nucleic-acid test elements).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Test {
    /// Disease or agent tested for, e.g. `COVID-19`.
    pub disease: String,
    /// Kind of test.
    pub kind: TestKind,
    /// Result.
    pub result: TestResult,
    /// When the sample was collected (RFC 3339 in JSON; Unix seconds here).
    #[serde(with = "crate::timefmt::rfc3339")]
    pub collected_at: i64,
    /// Testing centre or laboratory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center: Option<String>,
    /// Country of the test, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// One recovery (after the EU DCC `r` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recovery {
    /// Disease or agent recovered from, e.g. `COVID-19`.
    pub disease: String,
    /// Date of the first positive test, `YYYY-MM-DD`.
    pub first_positive: String,
    /// First day the recovery counts, `YYYY-MM-DD`.
    pub valid_from: String,
    /// Last day the recovery counts, `YYYY-MM-DD`.
    pub valid_until: String,
    /// Country of the test, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Everything a health code says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthClaims {
    /// The status shown (`green`, `yellow`, `red`).
    pub status: Status,
    /// The holder.
    pub subject: Subject,
    /// ISO 3166-2 region the code was issued for, e.g. `CN-33`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Vaccinations.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vaccinations: Vec<Vaccination>,
    /// Tests.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tests: Vec<Test>,
    /// Recoveries.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub recoveries: Vec<Recovery>,
}

/// Reads an evidence list in which JSON `null`, like an omitted field, means none (SPEC.md §4.7).
fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

// Integer keys of the health-claims map and its nested maps (SPEC.md §4.3).
const K_STATUS: u64 = 1;
const K_SUBJECT: u64 = 2;
const K_REGION: u64 = 3;
const K_VACCINATIONS: u64 = 4;
const K_TESTS: u64 = 5;
const K_RECOVERIES: u64 = 6;

impl HealthClaims {
    /// Parses claims from JSON, rejecting unknown fields, and returns them normalised and validated.
    pub fn from_json(json: &str) -> Result<Self, ClaimsError> {
        let claims: HealthClaims = serde_json::from_str(json)
            .map_err(|e| bad("", format!("not valid claims JSON: {e}")))?;
        claims.normalized()
    }

    /// Returns these claims with text in NFC, checked against the specification.
    pub fn normalized(mut self) -> Result<Self, ClaimsError> {
        self.subject.name = to_nfc(self.subject.name.trim());
        self.validate()?;
        Ok(self)
    }

    /// The kinds of evidence these claims carry.
    pub fn evidence_kinds(&self) -> Vec<EvidenceKind> {
        let mut kinds = Vec::new();
        if !self.vaccinations.is_empty() {
            kinds.push(EvidenceKind::Vaccination);
        }
        if !self.tests.is_empty() {
            kinds.push(EvidenceKind::Test);
        }
        if !self.recoveries.is_empty() {
            kinds.push(EvidenceKind::Recovery);
        }
        kinds
    }

    /// Checks every field against the specification's rules and limits.
    pub fn validate(&self) -> Result<(), ClaimsError> {
        let s = &self.subject;
        let chars = s.name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return Err(bad(
                "subject.name",
                format!("must have 1 to {MAX_NAME_CHARS} characters"),
            ));
        }
        if s.name.chars().any(char::is_control) || s.name.trim() != s.name {
            return Err(bad(
                "subject.name",
                "must not contain control characters or surrounding spaces",
            ));
        }
        if !is_nfc(&s.name) {
            return Err(bad("subject.name", "must be in Unicode NFC"));
        }
        if let Some(d) = &s.birth_date {
            check_partial_date("subject.birth_date", d)?;
        }
        if let Some(t) = &s.id_type {
            check_token("subject.id_type", t, 16)?;
        }
        if let Some(sfx) = &s.id_suffix {
            let n = sfx.chars().count();
            if n == 0 || n > 4 || !sfx.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(bad(
                    "subject.id_suffix",
                    "must be 1 to 4 letters or digits: the last characters of the ID, never the full number",
                ));
            }
        }
        if let Some(r) = &self.region {
            check_region("region", r)?;
        }
        check_count("vaccinations", self.vaccinations.len())?;
        check_count("tests", self.tests.len())?;
        check_count("recoveries", self.recoveries.len())?;
        for (i, v) in self.vaccinations.iter().enumerate() {
            let f = |name: &str| format!("vaccinations[{i}].{name}");
            check_text(&f("disease"), &v.disease)?;
            check_text(&f("vaccine"), &v.vaccine)?;
            if let Some(m) = &v.manufacturer {
                check_text(&f("manufacturer"), m)?;
            }
            if !(1..=9).contains(&v.dose) || !(1..=9).contains(&v.doses) {
                return Err(bad(f("dose"), "dose and doses must be 1 to 9"));
            }
            check_full_date(&f("date"), &v.date)?;
            if let Some(c) = &v.country {
                check_country(&f("country"), c)?;
            }
        }
        for (i, t) in self.tests.iter().enumerate() {
            let f = |name: &str| format!("tests[{i}].{name}");
            check_text(&f("disease"), &t.disease)?;
            if !(0..=MAX_UNIX_TIME).contains(&t.collected_at) {
                return Err(bad(f("collected_at"), "out of range"));
            }
            if let Some(c) = &t.center {
                check_text(&f("center"), c)?;
            }
            if let Some(c) = &t.country {
                check_country(&f("country"), c)?;
            }
        }
        for (i, r) in self.recoveries.iter().enumerate() {
            let f = |name: &str| format!("recoveries[{i}].{name}");
            check_text(&f("disease"), &r.disease)?;
            check_full_date(&f("first_positive"), &r.first_positive)?;
            check_full_date(&f("valid_from"), &r.valid_from)?;
            check_full_date(&f("valid_until"), &r.valid_until)?;
            if r.valid_until < r.valid_from {
                return Err(bad(f("valid_until"), "is before valid_from"));
            }
            if let Some(c) = &r.country {
                check_country(&f("country"), c)?;
            }
        }
        Ok(())
    }

    /// The dense CBOR encoding of these claims (SPEC §4.3), as it sits inside a code.
    pub fn to_cbor(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(64);
        self.write_cbor(&mut w);
        w.0
    }

    /// Writes the dense CBOR form: integer-keyed maps, keys ascending (deterministic order).
    pub(crate) fn write_cbor(&self, w: &mut Writer) {
        let present = |v: &Option<String>| u64::from(v.is_some());
        let evidence = [
            !self.vaccinations.is_empty(),
            !self.tests.is_empty(),
            !self.recoveries.is_empty(),
        ];
        let entries =
            2 + present(&self.region) + evidence.iter().map(|e| u64::from(*e)).sum::<u64>();
        w.head(MAP, entries);
        w.head(UINT, K_STATUS);
        w.head(UINT, self.status.to_code());
        w.head(UINT, K_SUBJECT);
        let s = &self.subject;
        let optional = [&s.birth_date, &s.id_type, &s.id_suffix];
        w.head(MAP, 1 + optional.iter().map(|o| present(o)).sum::<u64>());
        w.head(UINT, 1);
        w.text(&s.name);
        for (key, value) in (2u64..).zip(optional) {
            opt_text(w, key, value);
        }
        opt_text(w, K_REGION, &self.region);
        if !self.vaccinations.is_empty() {
            w.head(UINT, K_VACCINATIONS);
            w.head(ARRAY, self.vaccinations.len() as u64);
            for v in &self.vaccinations {
                w.head(MAP, 5 + present(&v.manufacturer) + present(&v.country));
                w.head(UINT, 1);
                w.text(&v.disease);
                w.head(UINT, 2);
                w.text(&v.vaccine);
                opt_text(w, 3, &v.manufacturer);
                w.head(UINT, 4);
                w.head(UINT, u64::from(v.dose));
                w.head(UINT, 5);
                w.head(UINT, u64::from(v.doses));
                w.head(UINT, 6);
                w.text(&v.date);
                opt_text(w, 7, &v.country);
            }
        }
        if !self.tests.is_empty() {
            w.head(UINT, K_TESTS);
            w.head(ARRAY, self.tests.len() as u64);
            for t in &self.tests {
                w.head(MAP, 4 + present(&t.center) + present(&t.country));
                w.head(UINT, 1);
                w.text(&t.disease);
                w.head(UINT, 2);
                w.head(UINT, t.kind.to_code());
                w.head(UINT, 3);
                w.head(UINT, t.result.to_code());
                w.head(UINT, 4);
                w.int(t.collected_at);
                opt_text(w, 5, &t.center);
                opt_text(w, 6, &t.country);
            }
        }
        if !self.recoveries.is_empty() {
            w.head(UINT, K_RECOVERIES);
            w.head(ARRAY, self.recoveries.len() as u64);
            for r in &self.recoveries {
                w.head(MAP, 4 + present(&r.country));
                w.head(UINT, 1);
                w.text(&r.disease);
                w.head(UINT, 2);
                w.text(&r.first_positive);
                w.head(UINT, 3);
                w.text(&r.valid_from);
                w.head(UINT, 4);
                w.text(&r.valid_until);
                opt_text(w, 5, &r.country);
            }
        }
    }

    /// Reads the dense CBOR form (bytes already checked as deterministic CBOR), rejecting
    /// unknown keys, wrong types and invalid values.
    pub(crate) fn read_cbor(bytes: &[u8]) -> Result<Self, ClaimsError> {
        let mut m = IntMap::new("", bytes)?;
        let status_code = m.take_uint(K_STATUS, "status")?;
        let status = Status::from_code(status_code)
            .ok_or_else(|| bad("status", format!("unknown status code {status_code}")))?;
        let mut sm = IntMap::new("subject", m.take_required(K_SUBJECT, "subject")?)?;
        let subject = Subject {
            name: sm.take_text(1, "name")?,
            birth_date: sm.take_opt_text(2, "birth_date")?,
            id_type: sm.take_opt_text(3, "id_type")?,
            id_suffix: sm.take_opt_text(4, "id_suffix")?,
        };
        sm.finish()?;
        let region = m.take_opt_text(K_REGION, "region")?;

        let mut vaccinations = Vec::new();
        for (i, item) in m
            .take_array(K_VACCINATIONS, "vaccinations")?
            .into_iter()
            .enumerate()
        {
            let mut v = IntMap::new(&format!("vaccinations[{i}]"), item)?;
            vaccinations.push(Vaccination {
                disease: v.take_text(1, "disease")?,
                vaccine: v.take_text(2, "vaccine")?,
                manufacturer: v.take_opt_text(3, "manufacturer")?,
                dose: v.take_small(4, "dose")?,
                doses: v.take_small(5, "doses")?,
                date: v.take_text(6, "date")?,
                country: v.take_opt_text(7, "country")?,
            });
            v.finish()?;
        }
        let mut tests = Vec::new();
        for (i, item) in m.take_array(K_TESTS, "tests")?.into_iter().enumerate() {
            let mut t = IntMap::new(&format!("tests[{i}]"), item)?;
            let kind = t.take_uint(2, "kind")?;
            let kind = TestKind::from_code(kind)
                .ok_or_else(|| bad(t.path("kind"), format!("unknown test kind {kind}")))?;
            let result = t.take_uint(3, "result")?;
            let result = TestResult::from_code(result)
                .ok_or_else(|| bad(t.path("result"), format!("unknown result {result}")))?;
            let collected = t.take_uint(4, "collected_at")?;
            tests.push(Test {
                disease: t.take_text(1, "disease")?,
                kind,
                result,
                collected_at: i64::try_from(collected)
                    .map_err(|_| bad(t.path("collected_at"), "out of range"))?,
                center: t.take_opt_text(5, "center")?,
                country: t.take_opt_text(6, "country")?,
            });
            t.finish()?;
        }
        let mut recoveries = Vec::new();
        for (i, item) in m
            .take_array(K_RECOVERIES, "recoveries")?
            .into_iter()
            .enumerate()
        {
            let mut r = IntMap::new(&format!("recoveries[{i}]"), item)?;
            recoveries.push(Recovery {
                disease: r.take_text(1, "disease")?,
                first_positive: r.take_text(2, "first_positive")?,
                valid_from: r.take_text(3, "valid_from")?,
                valid_until: r.take_text(4, "valid_until")?,
                country: r.take_opt_text(5, "country")?,
            });
            r.finish()?;
        }
        m.finish()?;
        let claims = HealthClaims {
            status,
            subject,
            region,
            vaccinations,
            tests,
            recoveries,
        };
        claims.validate()?;
        Ok(claims)
    }
}

fn opt_text(w: &mut Writer, key: u64, value: &Option<String>) {
    if let Some(v) = value {
        w.head(UINT, key);
        w.text(v);
    }
}

/// A key of a claims map as read: hcx keys are unsigned integers; anything else is unknown.
#[derive(Clone, Copy)]
enum Key<'a> {
    Uint(u64),
    Other(Item<'a>),
}

/// An integer-keyed CBOR map being taken apart; `finish` rejects keys nobody took.
struct IntMap<'a> {
    prefix: String,
    entries: Vec<(Key<'a>, &'a [u8])>,
}

impl<'a> IntMap<'a> {
    fn new(prefix: &str, bytes: &'a [u8]) -> Result<Self, ClaimsError> {
        let unreadable = |_| bad(prefix, "is unreadable");
        let mut r = Reader::new(bytes);
        let Ok(Item::Map(n)) = r.next() else {
            return Err(bad(prefix, "must be a map"));
        };
        // A map's entries were counted in bytes by the CBOR check; this is at most that many.
        let mut entries = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(bytes.len()));
        for _ in 0..n {
            let key_bytes = r.skip().map_err(unreadable)?;
            let key = match Reader::new(key_bytes).next().map_err(unreadable)? {
                Item::Uint(k) => Key::Uint(k),
                other => Key::Other(other),
            };
            entries.push((key, r.skip().map_err(unreadable)?));
        }
        Ok(IntMap {
            prefix: prefix.to_owned(),
            entries,
        })
    }

    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    fn take(&mut self, key: u64) -> Option<&'a [u8]> {
        let pos = self
            .entries
            .iter()
            .position(|(k, _)| matches!(k, Key::Uint(u) if *u == key))?;
        Some(self.entries.swap_remove(pos).1)
    }

    fn take_required(&mut self, key: u64, name: &str) -> Result<&'a [u8], ClaimsError> {
        self.take(key)
            .ok_or_else(|| bad(self.path(name), format!("is missing (key {key})")))
    }

    fn take_uint(&mut self, key: u64, name: &str) -> Result<u64, ClaimsError> {
        match Reader::new(self.take_required(key, name)?).next() {
            Ok(Item::Uint(n)) => Ok(n),
            _ => Err(bad(self.path(name), "must be an unsigned integer")),
        }
    }

    fn take_small(&mut self, key: u64, name: &str) -> Result<u8, ClaimsError> {
        let n = self.take_uint(key, name)?;
        u8::try_from(n).map_err(|_| bad(self.path(name), "out of range"))
    }

    fn take_text(&mut self, key: u64, name: &str) -> Result<String, ClaimsError> {
        match Reader::new(self.take_required(key, name)?).next() {
            Ok(Item::Text(s)) => Ok(s.to_owned()),
            _ => Err(bad(self.path(name), "must be a text string")),
        }
    }

    fn take_opt_text(&mut self, key: u64, name: &str) -> Result<Option<String>, ClaimsError> {
        match self.take(key).map(|b| Reader::new(b).next()) {
            None => Ok(None),
            Some(Ok(Item::Text(s))) => Ok(Some(s.to_owned())),
            Some(_) => Err(bad(self.path(name), "must be a text string")),
        }
    }

    fn take_array(&mut self, key: u64, name: &str) -> Result<Vec<&'a [u8]>, ClaimsError> {
        let Some(bytes) = self.take(key) else {
            return Ok(Vec::new());
        };
        let mut r = Reader::new(bytes);
        match r.next() {
            Ok(Item::Array(0)) => Err(bad(self.path(name), "must be omitted rather than empty")),
            Ok(Item::Array(n)) => {
                // Counted before any entry is parsed: the limit bounds that work.
                check_count(&self.path(name), usize::try_from(n).unwrap_or(usize::MAX))?;
                (0..n)
                    .map(|_| r.skip().map_err(|_| bad(self.path(name), "is unreadable")))
                    .collect()
            }
            _ => Err(bad(self.path(name), "must be an array")),
        }
    }

    fn finish(self) -> Result<(), ClaimsError> {
        match self.entries.first() {
            None => Ok(()),
            Some((k, _)) => Err(bad(
                self.prefix.clone(),
                format!("unknown key {}", describe_key(k)),
            )),
        }
    }
}

fn describe_key(k: &Key<'_>) -> String {
    match k {
        Key::Uint(u) => u.to_string(),
        Key::Other(Item::Nint(n)) => format!("-{}", u128::from(*n) + 1),
        Key::Other(Item::Text(t)) => format!("{t:?}"),
        Key::Other(_) => "of a non-integer type".to_owned(),
    }
}

fn check_count(field: &str, n: usize) -> Result<(), ClaimsError> {
    if n > MAX_EVIDENCE_ENTRIES {
        return Err(bad(
            field,
            format!("has {n} entries, more than {MAX_EVIDENCE_ENTRIES}"),
        ));
    }
    Ok(())
}

fn check_text(field: &str, s: &str) -> Result<(), ClaimsError> {
    if s.is_empty() || s.len() > MAX_SHORT_TEXT_BYTES || s.chars().any(char::is_control) {
        return Err(bad(
            field,
            format!("must be 1 to {MAX_SHORT_TEXT_BYTES} bytes without control characters"),
        ));
    }
    if !is_nfc(s) {
        return Err(bad(field, "must be in Unicode NFC"));
    }
    Ok(())
}

fn check_token(field: &str, s: &str, max: usize) -> Result<(), ClaimsError> {
    let ok = !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(bad(
            field,
            format!("must be 1 to {max} characters of A-Z, 0-9 and `-`"),
        ))
    }
}

fn check_country(field: &str, s: &str) -> Result<(), ClaimsError> {
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(bad(field, "must be an ISO 3166-1 alpha-2 code such as CN"))
    }
}

/// Checks an ISO 3166-2 subdivision code (`CN-33`) or a bare country code (`CN`).
pub fn check_region(field: &str, s: &str) -> Result<(), ClaimsError> {
    let mut parts = s.splitn(2, '-');
    let country = parts.next().unwrap_or_default();
    let sub_ok = match parts.next() {
        None => true,
        Some(sub) => {
            (1..=3).contains(&sub.len())
                && sub
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }
    };
    if country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()) && sub_ok {
        Ok(())
    } else {
        Err(bad(
            field,
            format!("`{s}` is not an ISO 3166-2 code such as CN-33 (or a country such as CN)"),
        ))
    }
}

fn check_full_date(field: &str, s: &str) -> Result<(), ClaimsError> {
    if s.len() == 10 && check_partial_date(field, s).is_ok() {
        Ok(())
    } else {
        Err(bad(field, format!("`{s}` is not a date YYYY-MM-DD")))
    }
}

fn check_partial_date(field: &str, s: &str) -> Result<(), ClaimsError> {
    let err = || {
        bad(
            field,
            format!("`{s}` is not a date YYYY-MM-DD, YYYY-MM or YYYY"),
        )
    };
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u16> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let year = digits(0..4).ok_or_else(err)?;
    if !(1900..=9999).contains(&year) {
        return Err(err());
    }
    match b.len() {
        4 => Ok(()),
        7 | 10 => {
            if b.get(4) != Some(&b'-') {
                return Err(err());
            }
            let month = digits(5..7).ok_or_else(err)?;
            let month = u8::try_from(month)
                .ok()
                .and_then(|m| time::Month::try_from(m).ok())
                .ok_or_else(err)?;
            if b.len() == 7 {
                return Ok(());
            }
            if b.get(7) != Some(&b'-') {
                return Err(err());
            }
            let day = digits(8..10)
                .and_then(|d| u8::try_from(d).ok())
                .ok_or_else(err)?;
            time::Date::from_calendar_date(i32::from(year), month, day)
                .map(|_| ())
                .map_err(|_| err())
        }
        _ => Err(err()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Claims with every optional part present and absent round-trip through CBOR, and the
    /// bytes are deterministic and equal ciborium's encoding of the same integer-keyed tree.
    #[test]
    fn claims_round_trip_through_cbor() {
        let minimal = r#"{"status":"green","subject":{"name":"A"}}"#;
        let full = r#"{"status":"red","subject":{"name":"张三","birth_date":"1990-03-07","id_type":"CN-RIC","id_suffix":"4312"},"region":"CN-33",
            "vaccinations":[{"disease":"840539006","vaccine":"J07BX03","manufacturer":"ORG-100030215","dose":1,"doses":2,"date":"2021-05-01","country":"CN"},
                            {"disease":"840539006","vaccine":"J07BX03","dose":2,"doses":2,"date":"2021-06-01"}],
            "tests":[{"disease":"840539006","kind":"antibody","result":"negative","collected_at":"2021-07-01T08:00:00Z","center":"Lab 1","country":"CN"},
                     {"disease":"840539006","kind":"antigen","result":"positive","collected_at":"2021-07-02T08:00:00Z"}],
            "recoveries":[{"disease":"840539006","first_positive":"2021-01-01","valid_from":"2021-01-12","valid_until":"2021-07-01","country":"CN"}]}"#;
        for json in [minimal, full] {
            let claims = HealthClaims::from_json(json).unwrap();
            let bytes = claims.to_cbor();
            crate::cbor::check(&bytes).unwrap();
            assert_eq!(HealthClaims::read_cbor(&bytes).unwrap(), claims);
            let tree: ciborium::value::Value = ciborium::de::from_reader(bytes.as_slice()).unwrap();
            let mut again = Vec::new();
            ciborium::ser::into_writer(&tree, &mut again).unwrap();
            assert_eq!(again, bytes);
        }
    }

    #[test]
    fn rejects_unknown_json_fields() {
        let e = HealthClaims::from_json(r#"{"status":"green","subject":{"name":"A"},"colour":1}"#)
            .unwrap_err();
        assert!(e.problem.contains("unknown field"), "{e}");
    }

    /// SPEC.md §4.7: `null` for an optional member means absent, as omitting it does; for a
    /// required member it is an error.
    #[test]
    fn null_means_absent() {
        let lenient = HealthClaims::from_json(
            r#"{"status":"green","subject":{"name":"A","birth_date":null,"id_type":null,"id_suffix":null},"region":null,"vaccinations":null,"tests":[],"recoveries":null}"#,
        )
        .unwrap();
        let plain =
            HealthClaims::from_json(r#"{"status":"green","subject":{"name":"A"}}"#).unwrap();
        assert_eq!(lenient, plain);
        for json in [
            r#"{"status":null,"subject":{"name":"A"}}"#,
            r#"{"status":"green","subject":{"name":null}}"#,
            r#"{"status":"green","subject":null}"#,
        ] {
            assert!(HealthClaims::from_json(json).is_err(), "{json}");
        }
    }

    /// SPEC.md §4.3 names the Unicode version whose NFC data decides `is_nfc`; updating
    /// unicode-normalization to another version means updating the specification too.
    #[test]
    fn nfc_is_unicode_18() {
        assert_eq!(unicode_normalization::UNICODE_VERSION, (18, 0, 0));
    }

    #[test]
    fn normalises_name_to_nfc() {
        let c = HealthClaims::from_json(r#"{"status":"green","subject":{"name":"Zoe\u0308"}}"#)
            .unwrap();
        assert_eq!(c.subject.name, "Zoë");
    }

    #[test]
    fn rejects_full_id_numbers_and_bad_dates() {
        for json in [
            r#"{"status":"green","subject":{"name":"A","id_suffix":"330102199003074312"}}"#,
            r#"{"status":"green","subject":{"name":"A","birth_date":"1990-02-30"}}"#,
            r#"{"status":"green","subject":{"name":"A","birth_date":"90-02-03"}}"#,
            r#"{"status":"green","subject":{"name":""}}"#,
            r#"{"status":"green","subject":{"name":"A"},"region":"cn-33"}"#,
            r#"{"status":"blue","subject":{"name":"A"}}"#,
        ] {
            assert!(HealthClaims::from_json(json).is_err(), "{json}");
        }
        for ok in ["1990", "1990-03", "1990-03-07"] {
            check_partial_date("d", ok).unwrap();
        }
    }
}
