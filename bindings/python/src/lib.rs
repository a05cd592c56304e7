//! `hcx._hcx`, the native half of the `hcx` Python package: the `hcx-verify` facade behind a
//! Python API. No rule of the format lives here; this crate converts arguments, releases the
//! interpreter while the facade works, and hands verdicts back.
//!
//! Every verdict is written by the facade's one serializer, [`Verdict::to_json`] (the bytes
//! `hcx verify --json` prints), and that text is read into Python objects by the JSON data
//! model alone ([`PyJson`]: object → `dict`, array → `list`, and so on, exactly as Python's
//! `json.loads` maps them). Nothing here names a field, so the dicts cannot drift from the CLI's
//! objects, and a field the facade adds (such as a status-list `status`) appears without a change
//! here. The reading is done in Rust rather than by calling `json.loads` so that `verify_many`
//! can build one chunk's objects while the cores verify the next.
// PyO3's macros expand to FFI glue that uses `unsafe`; this crate writes none of its own.
#![deny(unsafe_code)]

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::SystemTime;

use hcx_verify::{
    Clock, Code, Coded, HealthClaims, IssueError, IssueParams, Missing, PrivateKey, Reason, Stale,
    StatusPolicy, TrustError, TrustListPolicy, TrustStore, Verdict, VerifyError, timefmt,
};
use pyo3::exceptions::{PyOverflowError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};
use rayon::prelude::*;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Codes `verify_many` hands the facade at a time: while the interpreter thread turns one
/// chunk's verdicts into Python objects, the cores verify the next.
const CHUNK: usize = 1024;

/// Reads JSON text into Python objects exactly as `json.loads` maps them: object → `dict`
/// (keys in the text's order), array → `list`, string → `str`, integer → `int`, other number →
/// `float` (read with exact round-trip), `true`/`false` → `bool`, `null` → `None`. serde_json
/// does the reading and calls back here for each value; no intermediate tree is built. Keys
/// repeat from verdict to verdict, so each distinct key is made once per call (`keys`).
struct PyJson<'a, 'py> {
    py: Python<'py>,
    keys: &'a mut HashMap<String, Bound<'py, PyString>>,
}

impl<'py> PyJson<'_, 'py> {
    fn nested(&mut self) -> PyJson<'_, 'py> {
        PyJson {
            py: self.py,
            keys: &mut *self.keys,
        }
    }
}

impl<'de, 'py> DeserializeSeed<'de> for PyJson<'_, 'py> {
    type Value = Bound<'py, PyAny>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A failed Python call while reading (only memory exhaustion can cause one).
fn py_err<E: de::Error>(e: PyErr) -> E {
    E::custom(e)
}

impl<'de, 'py> Visitor<'de> for PyJson<'_, 'py> {
    type Value = Bound<'py, PyAny>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        let Ok(int) = v.into_pyobject(self.py);
        Ok(int.into_any())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        let Ok(int) = v.into_pyobject(self.py);
        Ok(int.into_any())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(PyFloat::new(self.py, v).into_any())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.py);
        while let Some(item) = seq.next_element_seed(self.nested())? {
            list.append(item).map_err(py_err)?;
        }
        Ok(list.into_any())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.py);
        while let Some(key) = map.next_key_seed(Key(self.nested()))? {
            let value = map.next_value_seed(self.nested())?;
            dict.set_item(key, value).map_err(py_err)?;
        }
        Ok(dict.into_any())
    }
}

/// An object's key: looked up by its text, made only the first time it is seen.
struct Key<'a, 'py>(PyJson<'a, 'py>);

impl<'de, 'py> DeserializeSeed<'de> for Key<'_, 'py> {
    type Value = Bound<'py, PyString>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for Key<'_, 'py> {
    type Value = Bound<'py, PyString>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let PyJson { py, keys } = self.0;
        if let Some(key) = keys.get(v) {
            return Ok(key.clone());
        }
        let key = PyString::new(py, v);
        keys.insert(v.to_owned(), key.clone());
        Ok(key)
    }
}

/// JSON text as Python objects ([`PyJson`]). The facade's JSON is always well-formed; if it
/// were not, the result is still a verdict (`invalid_input`), never a panic.
fn text_to_py<'py>(
    py: Python<'py>,
    json: &str,
    keys: &mut HashMap<String, Bound<'py, PyString>>,
) -> PyResult<Bound<'py, PyAny>> {
    let read = |json: &str, keys: &mut HashMap<String, Bound<'py, PyString>>| {
        PyJson { py, keys }.deserialize(&mut serde_json::Deserializer::from_str(json))
    };
    read(json, keys).or_else(|e| {
        let fallback = hcx_verify::error_json(
            Code::InvalidInput,
            None,
            &format!("cannot read the verdict: {e}"),
        );
        read(&fallback, keys).map_err(|e| PyValueError::new_err(e.to_string()))
    })
}

/// One verdict (or decoded code) as a Python dict.
fn verdict_to_py<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    text_to_py(py, json, &mut HashMap::new())
}

/// Raises the `hcx` exception for a failure: the class follows the code (usage and input
/// mistakes, keys, claims), else the operation's own class (`TrustError`, `DecodeError`). The
/// classes are plain Python (python/hcx/_errors.py), so they pickle and document like any other.
fn raise(
    py: Python<'_>,
    otherwise: &str,
    code: Code,
    reason: Option<Reason>,
    message: &str,
) -> PyErr {
    let class = match code {
        Code::Usage | Code::InvalidInput => "UsageError",
        Code::InvalidKey => "InvalidKeyError",
        Code::InvalidClaims => "InvalidClaimsError",
        _ => otherwise,
    };
    raise_as(py, class, code, reason, message)
}

/// Makes an instance of the `hcx._errors` class named `class`.
fn raise_as(
    py: Python<'_>,
    class: &str,
    code: Code,
    reason: Option<Reason>,
    message: &str,
) -> PyErr {
    let made = py.import("hcx._errors").and_then(|m| {
        m.getattr(class)?
            .call1((code.as_str(), reason.map(Reason::as_str), message))
    });
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// Raises the `hcx` exception for a typed library error.
fn raise_coded<E: Coded + std::fmt::Display>(py: Python<'_>, otherwise: &str, e: &E) -> PyErr {
    raise(py, otherwise, e.code(), Some(e.reason()), &e.to_string())
}

/// Raises `hcx.UsageError` for an argument the caller got wrong.
fn usage(py: Python<'_>, message: &str) -> PyErr {
    raise(py, "UsageError", Code::Usage, None, message)
}

/// Raises `hcx.ArgumentTypeError` (a `UsageError` and a `TypeError`) for an argument of the
/// wrong type.
fn wrong_type(py: Python<'_>, message: &str) -> PyErr {
    raise_as(py, "ArgumentTypeError", Code::Usage, None, message)
}

/// The codes of `verify_chunks` and `verify_many`: any iterable of texts, but not one text
/// (iterating a `str` would verify each character).
fn code_items<'py>(texts: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if let Ok(list) = texts.cast::<PyList>() {
        return Ok(list.iter().collect());
    }
    if texts.is_instance_of::<PyString>()
        || texts.is_instance_of::<PyBytes>()
        || texts.is_instance_of::<PyByteArray>()
    {
        return Err(wrong_type(
            texts.py(),
            &format!(
                "texts is a list of codes, not one {} (verify() takes one code)",
                type_name(texts)
            ),
        ));
    }
    items("texts", texts)
}

/// The items of an iterable argument; an argument that is not iterable raises
/// `ArgumentTypeError` (an exception raised while iterating passes through unchanged).
fn items<'py>(what: &str, obj: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let iter = obj.try_iter().map_err(|_| {
        wrong_type(
            obj.py(),
            &format!("{what}: expected an iterable, not {}", type_name(obj)),
        )
    })?;
    iter.collect()
}

/// An argument converted by PyO3, its failures raised as hcx exceptions: a wrong type as
/// `ArgumentTypeError`, a number out of range (such as a negative threshold) as `UsageError`
/// (`invalid_input`).
fn argument<'py, T: FromPyObjectOwned<'py>>(what: &str, obj: &Bound<'py, PyAny>) -> PyResult<T> {
    let py = obj.py();
    obj.extract::<T>().map_err(|e| {
        let e: PyErr = e.into();
        if e.is_instance_of::<PyOverflowError>(py) || e.is_instance_of::<PyValueError>(py) {
            raise(
                py,
                "UsageError",
                Code::InvalidInput,
                None,
                &format!("{what}: {e}"),
            )
        } else {
            wrong_type(py, &format!("{what}: {e}"))
        }
    })
}

/// Runs one entry point's body with Rust panics caught: a panic (a bug in hcx, on this thread,
/// inside `detach` or on a worker thread of `verify_many`) becomes `hcx.InternalError` instead
/// of PyO3's `PanicException`, which derives from `BaseException` and slips past `except
/// Exception`. Nothing the body borrows is used after a panic, so unwind safety holds.
fn guarded<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned());
        Err(raise_as(
            py,
            "InternalError",
            Code::InvalidInput,
            None,
            &format!("internal error in hcx (please report it): {what}"),
        ))
    })
}

/// The verdict on a code that is not UTF-8 text (bytes, or a `str` with lone surrogates): a
/// rejection like any other, as `hcx verify --batch` gives such a line.
fn not_utf8() -> Verdict {
    Verdict::Invalid(VerifyError::Input {
        reason: Reason::NotUtf8,
        message: "the code is not UTF-8 text".to_owned(),
    })
}

/// A code's text, borrowed from a `str` or `bytes` object (`None`: not UTF-8).
fn code_text<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Option<&'a str>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_str().ok());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(std::str::from_utf8(b.as_bytes()).ok());
    }
    Err(wrong_type(
        obj.py(),
        &format!("a code is str or bytes, not {}", type_name(obj)),
    ))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// Whether the object is a path (`os.PathLike`: has `__fspath__`).
fn is_path(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("__fspath__").unwrap_or(false)
}

/// The bytes of an input given as `bytes`, `bytearray`, `str` (its UTF-8) or a path (the file,
/// read by Python so that a missing file is the usual `OSError`).
fn input_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if is_path(obj) {
        let path = obj.py().import("pathlib")?.getattr("Path")?.call1((obj,))?;
        return path.call_method0("read_bytes")?.extract();
    }
    Err(wrong_type(
        obj.py(),
        &format!("expected bytes, str or a path, not {}", type_name(obj)),
    ))
}

/// One input or a list of them (a single `bytes`, `str` or path counts as one).
fn input_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<u8>>> {
    if obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>()
        || obj.is_instance_of::<PyString>()
        || is_path(obj)
    {
        return Ok(vec![input_bytes(obj)?]);
    }
    items("trust", obj)?.iter().map(input_bytes).collect()
}

/// A key's text (PEM or JWK) from `str`, `bytes` or a path.
fn key_text(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    String::from_utf8(input_bytes(obj)?).map_err(|_| {
        raise(
            py,
            "InvalidKeyError",
            Code::InvalidKey,
            Some(Reason::InvalidKey),
            "a key is UTF-8 text (PEM or JWK)",
        )
    })
}

/// A time: `None` (now), Unix seconds (`int` or `float`), an aware `datetime`, or RFC 3339 text.
fn unix_time(py: Python<'_>, at: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    let Some(at) = at.filter(|a| !a.is_none()) else {
        return Ok(timefmt::unix_seconds(SystemTime::now()));
    };
    if at.is_instance_of::<PyInt>() && !at.is_instance_of::<PyBool>() {
        return argument::<i64>("a time in Unix seconds", at);
    }
    if at.is_instance_of::<PyFloat>() {
        return seconds_from_float(py, argument::<f64>("a time in Unix seconds", at)?);
    }
    if let Ok(s) = at.cast::<PyString>() {
        return timefmt::parse_rfc3339(&s.to_cow()?).map_err(|e| usage(py, &e));
    }
    if at.hasattr("utcoffset")? && at.hasattr("timestamp")? {
        if at.call_method0("utcoffset")?.is_none() {
            return Err(usage(
                py,
                "a naive datetime has no time zone: give one with tzinfo (e.g. timezone.utc)",
            ));
        }
        return seconds_from_float(py, at.call_method0("timestamp")?.extract::<f64>()?);
    }
    Err(wrong_type(
        py,
        &format!(
            "a time is None, Unix seconds, an aware datetime or RFC 3339 text, not {}",
            type_name(at)
        ),
    ))
}

/// Whole Unix seconds from a float (rounded down, as a clock reading is).
fn seconds_from_float(py: Python<'_>, secs: f64) -> PyResult<i64> {
    // i64 covers ±2.9e11 years; times outside ±1e15 s cannot be meant.
    if !secs.is_finite() || secs.abs() > 1e15 {
        return Err(usage(py, &format!("{secs} is not a time")));
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(secs.floor() as i64)
}

/// A duration in seconds: `int`, `timedelta`, or text such as `5m` (as the CLI's `--skew`).
fn seconds(py: Python<'_>, what: &str, value: &Bound<'_, PyAny>) -> PyResult<i64> {
    let secs = if let Ok(s) = value.cast::<PyString>() {
        let parsed = timefmt::parse_duration(&s.to_cow()?).map_err(|e| usage(py, &e))?;
        i64::try_from(parsed).map_err(|_| usage(py, &format!("{what} is too long")))?
    } else if value.hasattr("total_seconds")? {
        seconds_from_float(py, value.call_method0("total_seconds")?.extract::<f64>()?)?
    } else if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        argument::<i64>(what, value)?
    } else {
        return Err(wrong_type(
            py,
            &format!(
                "{what} is seconds (int), a timedelta or text such as \"5m\", not {}",
                type_name(value)
            ),
        ));
    };
    if secs < 0 {
        return Err(usage(py, &format!("{what} must not be negative")));
    }
    Ok(secs)
}

/// The status-list options of `Verifier(...)` (SPEC §14), as the CLI's `--status-*` and
/// `--when-status-*` options.
struct StatusArgs<'a, 'py> {
    min_sequence: Option<&'a Bound<'py, PyAny>>,
    max_age: Option<&'a Bound<'py, PyAny>>,
    when_missing: Option<&'a Bound<'py, PyAny>>,
    when_stale: Option<&'a Bound<'py, PyAny>>,
}

impl StatusArgs<'_, '_> {
    /// The policy: the facade's defaults where an option is `None`.
    fn policy(&self, py: Python<'_>) -> PyResult<StatusPolicy> {
        let mut policy = StatusPolicy::default();
        if let Some(age) = self.max_age.filter(|a| !a.is_none()) {
            policy.max_age_secs = seconds(py, "status_max_age", age)?;
        }
        if let Some(m) = self.when_missing.filter(|m| !m.is_none()) {
            policy.when_missing = match choice(py, "when_status_missing", m)?.as_str() {
                "accept" => Missing::Accept,
                _ => Missing::Reject,
            };
        }
        if let Some(m) = self.when_stale.filter(|m| !m.is_none()) {
            policy.when_stale = match choice(py, "when_status_stale", m)?.as_str() {
                "accept" => Stale::Accept,
                _ => Stale::Reject,
            };
        }
        Ok(policy)
    }

    /// The highest status-list sequence accepted before, per issuer (`{"issuer": n}`).
    fn floors(&self, py: Python<'_>) -> PyResult<Vec<(String, u64)>> {
        let Some(map) = self.min_sequence.filter(|m| !m.is_none()) else {
            return Ok(Vec::new());
        };
        let Ok(pairs) = map.call_method0("items") else {
            return Err(wrong_type(
                py,
                &format!(
                    "status_min_sequence is a dict of issuer to sequence, not {}",
                    type_name(map)
                ),
            ));
        };
        items("status_min_sequence", &pairs)?
            .iter()
            .map(|pair| {
                let (issuer, sequence): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
                    argument("status_min_sequence", pair)?;
                Ok((
                    argument::<String>("status_min_sequence: an issuer", &issuer)?,
                    argument::<u64>("status_min_sequence: a sequence", &sequence)?,
                ))
            })
            .collect()
    }
}

/// `"accept"` or `"reject"`.
fn choice(py: Python<'_>, what: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    let text = argument::<String>(what, value)?;
    match text.as_str() {
        "accept" | "reject" => Ok(text),
        _ => Err(usage(
            py,
            &format!("{what} is \"accept\" or \"reject\", not {text:?}"),
        )),
    }
}

/// Verifies health codes of every supported format against the trust it was built with.
#[pyclass(frozen, module = "hcx")]
struct Verifier {
    inner: hcx_verify::Verifier,
    skew: i64,
}

impl Verifier {
    fn clock(&self, py: Python<'_>, at: Option<&Bound<'_, PyAny>>) -> PyResult<Clock> {
        Ok(Clock::at(unix_time(py, at)?).with_skew(self.skew))
    }

    /// `Verifier(...)`, with panics not yet caught.
    #[allow(clippy::too_many_arguments)]
    fn build(
        py: Python<'_>,
        trust: &Bound<'_, PyAny>,
        roots: Option<&Bound<'_, PyAny>>,
        threshold: Option<&Bound<'_, PyAny>>,
        min_sequence: Option<&Bound<'_, PyAny>>,
        skew: Option<&Bound<'_, PyAny>>,
        at: Option<&Bound<'_, PyAny>>,
        status: StatusArgs<'_, '_>,
    ) -> PyResult<Verifier> {
        let threshold = match threshold.filter(|t| !t.is_none()) {
            Some(t) => argument::<usize>("threshold", t)?,
            None => 1,
        };
        let min_sequence = match min_sequence.filter(|m| !m.is_none()) {
            Some(m) => Some(argument::<u64>("min_sequence", m)?),
            None => None,
        };
        let now = unix_time(py, at)?;
        let skew = match skew.filter(|s| !s.is_none()) {
            Some(s) => seconds(py, "skew", s)?,
            None => 300,
        };
        let mut keys = Vec::new();
        if let Some(roots) = roots.filter(|r| !r.is_none()) {
            let roots = if roots.is_instance_of::<PyString>()
                || roots.is_instance_of::<PyBytes>()
                || roots.is_instance_of::<PyByteArray>()
                || is_path(roots)
            {
                vec![roots.clone()]
            } else {
                items("roots", roots)?
            };
            for root in &roots {
                let text = key_text(py, root)?;
                keys.push(
                    hcx_verify::public_key_from_any_pem(&text)
                        .map_err(|e| raise_coded(py, "InvalidKeyError", &e))?,
                );
            }
        }
        let policy = TrustListPolicy {
            roots: keys,
            threshold,
            min_sequence,
        };
        let inputs = input_list(trust)?;
        let status_policy = status.policy(py)?;
        let floors = status.floors(py)?;
        let mut store = py
            .detach(|| TrustStore::load(&inputs, &policy, now))
            .map_err(|e: TrustError| raise_coded(py, "TrustError", &e))?;
        for (issuer, sequence) in &floors {
            store.set_status_min_sequence(issuer, *sequence);
        }
        Ok(Verifier {
            inner: hcx_verify::Verifier::new(store).with_status_policy(status_policy),
            skew,
        })
    }
}

#[pymethods]
impl Verifier {
    /// Builds a verifier; every trust input is read and checked now (see the stubs).
    #[new]
    #[pyo3(signature = (trust, roots = None, threshold = None, min_sequence = None, skew = None, at = None, *, status_min_sequence = None, status_max_age = None, when_status_missing = None, when_status_stale = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        trust: &Bound<'_, PyAny>,
        roots: Option<&Bound<'_, PyAny>>,
        threshold: Option<&Bound<'_, PyAny>>,
        min_sequence: Option<&Bound<'_, PyAny>>,
        skew: Option<&Bound<'_, PyAny>>,
        at: Option<&Bound<'_, PyAny>>,
        status_min_sequence: Option<&Bound<'_, PyAny>>,
        status_max_age: Option<&Bound<'_, PyAny>>,
        when_status_missing: Option<&Bound<'_, PyAny>>,
        when_status_stale: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Verifier> {
        let status = StatusArgs {
            min_sequence: status_min_sequence,
            max_age: status_max_age,
            when_missing: when_status_missing,
            when_stale: when_status_stale,
        };
        guarded(py, || {
            Self::build(py, trust, roots, threshold, min_sequence, skew, at, status)
        })
    }

    /// Verifies one scanned text; returns the verdict dict.
    #[pyo3(signature = (text, at = None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guarded(py, || {
            let clock = self.clock(py, at)?;
            let json = match code_text(text)? {
                Some(t) => py.detach(|| self.inner.verify_text(t, clock).to_json()),
                None => not_utf8().to_json(),
            };
            verdict_to_py(py, &json)
        })
    }

    /// Verifies one code given as several texts (SMART Health Card chunks, any order).
    #[pyo3(signature = (texts, at = None))]
    fn verify_chunks<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guarded(py, || {
            let clock = self.clock(py, at)?;
            let items = code_items(texts)?;
            let mut refs = Vec::with_capacity(items.len());
            for item in &items {
                match code_text(item)? {
                    Some(t) => refs.push(t),
                    None => return verdict_to_py(py, &not_utf8().to_json()),
                }
            }
            let json = py.detach(|| self.inner.verify_chunks(&refs, clock).to_json());
            verdict_to_py(py, &json)
        })
    }

    /// Verifies the code in a PNG or JPEG picture (bytes, or a path to the file).
    #[pyo3(signature = (image, at = None))]
    fn verify_image<'py>(
        &self,
        py: Python<'py>,
        image: &Bound<'py, PyAny>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guarded(py, || {
            let clock = self.clock(py, at)?;
            if image.is_instance_of::<PyString>() {
                return Err(wrong_type(
                    py,
                    "an image is bytes or a path (pathlib.Path), not str",
                ));
            }
            let bytes = input_bytes(image)?;
            let json = py.detach(|| self.inner.verify_image(&bytes, clock).to_json());
            verdict_to_py(py, &json)
        })
    }

    /// Verifies many texts on all cores, without the interpreter lock; verdicts in input order.
    #[pyo3(signature = (texts, at = None))]
    fn verify_many<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guarded(py, || {
            let clock = self.clock(py, at)?;
            let items = code_items(texts)?;
            // Texts that are not UTF-8 are judged as such; the rest go to the facade (an empty text
            // stands in for them, as `hcx verify --batch` does).
            let mut refs = Vec::with_capacity(items.len());
            let mut unreadable = vec![false; items.len()];
            for (item, bad) in items.iter().zip(unreadable.iter_mut()) {
                match code_text(item)? {
                    Some(t) => refs.push(t),
                    None => {
                        refs.push("");
                        *bad = true;
                    }
                }
            }
            let out = PyList::empty(py);
            let mut keys = HashMap::new();
            // A producer thread verifies chunk after chunk on the rayon pool and reads each verdict's
            // JSON, all without the interpreter; this thread makes the Python objects as chunks
            // arrive. At most two chunks wait, so memory stays bounded for any length.
            let (tx, rx) = mpsc::sync_channel::<Vec<String>>(2);
            let inner = &self.inner;
            let refs = &refs;
            let unreadable = &unreadable;
            let gc = py.import("gc")?;
            let gc_was_on = gc.call_method0("isenabled")?.is_truthy()?;
            // The dicts made below hold no cycles, so the cycle collector has nothing to find in
            // them; left on, it would walk the growing result again and again as it grows.
            if gc_was_on {
                gc.call_method0("disable")?;
            }
            let built = std::thread::scope(|scope| -> PyResult<()> {
                // Owned here, so that a failure below drops it and the producer stops at its next
                // send instead of waiting forever.
                let mut rx = rx;
                scope.spawn(move || {
                    for (texts, bad) in refs.chunks(CHUNK).zip(unreadable.chunks(CHUNK)) {
                        let mut verdicts = inner.verify_many(texts, clock);
                        for (v, _) in verdicts.iter_mut().zip(bad).filter(|(_, b)| **b) {
                            *v = not_utf8();
                        }
                        let json = verdicts.par_iter().map(Verdict::to_json).collect();
                        if tx.send(json).is_err() {
                            return; // the receiver failed and stopped
                        }
                    }
                });
                loop {
                    // Waiting for a chunk releases the interpreter (the receiver travels along).
                    let (got, back) = py.detach(move || (rx.recv(), rx));
                    rx = back;
                    let Ok(chunk) = got else { break };
                    for json in &chunk {
                        out.append(text_to_py(py, json, &mut keys)?)?;
                    }
                }
                Ok(())
            });
            if gc_was_on {
                gc.call_method0("enable")?;
            }
            built?;
            Ok(out.into_any())
        })
    }

    fn __repr__(&self) -> String {
        match self.inner.trust().trust_list() {
            Some(list) => format!(
                "hcx.Verifier(<hcx trust list, sequence {}>, skew={})",
                list.sequence, self.skew
            ),
            None => format!("hcx.Verifier(<no hcx trust list>, skew={})", self.skew),
        }
    }
}

/// Reads a code of any format without verifying it: a dict marked `"verified": False`.
#[pyfunction]
fn decode<'py>(py: Python<'py>, text: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || {
        let Some(text) = code_text(text)? else {
            let e = not_utf8();
            let message = e.error().map(ToString::to_string).unwrap_or_default();
            return Err(raise(
                py,
                "DecodeError",
                Code::Malformed,
                Some(Reason::NotUtf8),
                &message,
            ));
        };
        let decoded = hcx_verify::decode(text).map_err(|e| raise_coded(py, "DecodeError", &e))?;
        verdict_to_py(py, &decoded.to_json())
    })
}

/// Signs an hcx code; returns its text (`HCX1:…`).
#[pyfunction]
#[pyo3(signature = (key, claims, *, issuer, issued_at = None, expires_at = None, valid_for = None, not_before = None))]
#[allow(clippy::too_many_arguments)]
fn issue(
    py: Python<'_>,
    key: &Bound<'_, PyAny>,
    claims: &Bound<'_, PyAny>,
    issuer: &Bound<'_, PyAny>,
    issued_at: Option<&Bound<'_, PyAny>>,
    expires_at: Option<&Bound<'_, PyAny>>,
    valid_for: Option<&Bound<'_, PyAny>>,
    not_before: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    guarded(py, || {
        let issuer = argument::<String>("issuer", issuer)?;
        let key = PrivateKey::from_pem(&key_text(py, key)?)
            .map_err(|e| raise_coded(py, "InvalidKeyError", &e))?;
        let claims_json: String = if let Ok(s) = claims.cast::<PyString>() {
            s.to_cow()?.into_owned()
        } else {
            // A mapping: written by Python's json, then read by the one claims reader.
            py.import("json")?
                .getattr("dumps")?
                .call1((claims,))
                .map_err(|e| wrong_type(py, &format!("claims are a dict or JSON text: {e}")))?
                .extract()?
        };
        let claims = HealthClaims::from_json(&claims_json)
            .map_err(|e| raise_coded(py, "InvalidClaimsError", &IssueError::InvalidClaims(e)))?;
        let issued_at = unix_time(py, issued_at)?;
        let expires_at = match (
            expires_at.filter(|e| !e.is_none()),
            valid_for.filter(|v| !v.is_none()),
        ) {
            (Some(_), Some(_)) => {
                return Err(usage(py, "give expires_at or valid_for, not both"));
            }
            (Some(e), None) => unix_time(py, Some(e))?,
            (None, Some(v)) => issued_at.saturating_add(seconds(py, "valid_for", v)?),
            // The CLI's default: a day.
            (None, None) => issued_at.saturating_add(86_400),
        };
        let not_before = match not_before.filter(|n| !n.is_none()) {
            Some(n) => Some(unix_time(py, Some(n))?),
            None => None,
        };
        let params = IssueParams {
            issuer,
            issued_at,
            expires_at,
            not_before,
        };
        py.detach(|| hcx_verify::issue(&key, &params, &claims))
            .map_err(|e| raise_coded(py, "UsageError", &e))
    })
}

/// A new Ed25519 private key, as PKCS#8 PEM.
#[pyfunction]
fn keygen(py: Python<'_>) -> PyResult<String> {
    guarded(py, || {
        let key = PrivateKey::generate().map_err(|e| raise_coded(py, "InvalidKeyError", &e))?;
        let pem = key
            .to_pem()
            .map_err(|e| raise_coded(py, "InvalidKeyError", &e))?;
        Ok(pem.as_str().to_owned())
    })
}

/// The SPKI PEM public key of a private key (or of a public key in PEM or JWK form).
#[pyfunction]
fn pubkey(py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<String> {
    guarded(py, || {
        let public = hcx_verify::public_key_from_any_pem(&key_text(py, key)?)
            .map_err(|e| raise_coded(py, "InvalidKeyError", &e))?;
        public
            .to_pem()
            .map_err(|e| raise_coded(py, "InvalidKeyError", &e))
    })
}

/// Proves the panic guard for the tests (private, not in the stubs): panics on this thread, on
/// a thread without the interpreter, and on the worker threads `verify_many` uses must each
/// come back as `hcx.InternalError`. `where_` picks one: `"here"`, `"detached"` or `"workers"`.
#[pyfunction]
#[allow(clippy::panic)] // Panicking is this function's job.
fn _panic_for_tests(py: Python<'_>, where_: &str) -> PyResult<()> {
    guarded(py, || match where_ {
        "here" => panic!("a test panic on the calling thread"),
        "detached" => {
            py.detach(|| -> PyResult<()> { panic!("a test panic without the interpreter") })
        }
        "workers" => py.detach(|| {
            (0..64_u32).into_par_iter().for_each(|i| {
                if i == 63 {
                    panic!("a test panic on a worker thread")
                }
            });
            Ok(())
        }),
        _ => Err(usage(py, "where_ is \"here\", \"detached\" or \"workers\"")),
    })
}

/// The native module.
#[pymodule]
fn _hcx(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Verifier>()?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(issue, m)?)?;
    m.add_function(wrap_pyfunction!(keygen, m)?)?;
    m.add_function(wrap_pyfunction!(pubkey, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The public names only (PyO3 lists every function it adds, the private test hook too).
    m.setattr(
        "__all__",
        [
            "Verifier",
            "decode",
            "issue",
            "keygen",
            "pubkey",
            "__version__",
        ],
    )?;
    Ok(())
}
