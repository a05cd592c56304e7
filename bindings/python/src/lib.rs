//! `hcx._hcx`, the native half of the `hcx` Python package: the `hcx-verify` facade behind a
//! Python API. No rule of the format lives here; this crate converts arguments, releases the
//! interpreter while the facade works, and hands verdicts back.
//!
//! Every verdict is the facade's SPEC §9 JSON ([`Verdict::to_json`], the bytes `hcx verify
//! --json` prints) read by Python's own `json.loads`: the dict a host gets is by construction
//! the CLI's object, and a field the facade adds (such as a status-list `status`) appears here
//! without a change to this crate.
// PyO3's macros expand to FFI glue that uses `unsafe`; this crate writes none of its own.
#![deny(unsafe_code)]

use std::time::SystemTime;

use hcx_verify::{
    Clock, Code, Coded, HealthClaims, IssueError, IssueParams, PrivateKey, Reason, TrustError,
    TrustListPolicy, TrustStore, Verdict, VerifyError, timefmt,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyFloat, PyInt, PyList, PyString};
use rayon::prelude::*;

/// Python's `json.loads`, looked up once.
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Parses the facade's JSON with Python's own reader (see the crate comment for why).
fn loads<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    JSON_LOADS.import(py, "json", "loads")?.call1((json,))
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
    Err(PyTypeError::new_err(format!(
        "a code is str or bytes, not {}",
        type_name(obj)
    )))
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
    Err(PyTypeError::new_err(format!(
        "expected bytes, str or a path, not {}",
        type_name(obj)
    )))
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
    obj.try_iter()?
        .map(|item| input_bytes(&item?))
        .collect::<PyResult<_>>()
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
    if at.is_instance_of::<PyInt>() && !at.is_instance_of::<pyo3::types::PyBool>() {
        return at.extract::<i64>();
    }
    if at.is_instance_of::<PyFloat>() {
        return seconds_from_float(py, at.extract::<f64>()?);
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
    Err(PyTypeError::new_err(format!(
        "a time is None, Unix seconds, an aware datetime or RFC 3339 text, not {}",
        type_name(at)
    )))
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
    } else if value.is_instance_of::<PyInt>() && !value.is_instance_of::<pyo3::types::PyBool>() {
        value.extract::<i64>()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what} is seconds (int), a timedelta or text such as \"5m\", not {}",
            type_name(value)
        )));
    };
    if secs < 0 {
        return Err(usage(py, &format!("{what} must not be negative")));
    }
    Ok(secs)
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
}

#[pymethods]
impl Verifier {
    /// Builds a verifier; every trust input is read and checked now (see the stubs).
    #[new]
    #[pyo3(signature = (trust, roots = None, threshold = 1, min_sequence = None, skew = None, at = None))]
    fn new(
        py: Python<'_>,
        trust: &Bound<'_, PyAny>,
        roots: Option<&Bound<'_, PyAny>>,
        threshold: usize,
        min_sequence: Option<u64>,
        skew: Option<&Bound<'_, PyAny>>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Verifier> {
        let now = unix_time(py, at)?;
        let skew = match skew.filter(|s| !s.is_none()) {
            Some(s) => seconds(py, "skew", s)?,
            None => 300,
        };
        let mut keys = Vec::new();
        if let Some(roots) = roots.filter(|r| !r.is_none()) {
            let roots = if roots.is_instance_of::<PyString>()
                || roots.is_instance_of::<PyBytes>()
                || is_path(roots)
            {
                vec![roots.clone()]
            } else {
                roots.try_iter()?.collect::<PyResult<Vec<_>>>()?
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
        let store = py
            .detach(|| TrustStore::load(&inputs, &policy, now))
            .map_err(|e: TrustError| raise_coded(py, "TrustError", &e))?;
        Ok(Verifier {
            inner: hcx_verify::Verifier::new(store),
            skew,
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
        let clock = self.clock(py, at)?;
        let json = match code_text(text)? {
            Some(t) => py.detach(|| self.inner.verify_text(t, clock).to_json()),
            None => not_utf8().to_json(),
        };
        loads(py, &json)
    }

    /// Verifies one code given as several texts (SMART Health Card chunks, any order).
    #[pyo3(signature = (texts, at = None))]
    fn verify_chunks<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let clock = self.clock(py, at)?;
        let items: Vec<Bound<'py, PyAny>> = texts.try_iter()?.collect::<PyResult<_>>()?;
        let mut refs = Vec::with_capacity(items.len());
        for item in &items {
            match code_text(item)? {
                Some(t) => refs.push(t),
                None => return loads(py, &not_utf8().to_json()),
            }
        }
        let json = py.detach(|| self.inner.verify_chunks(&refs, clock).to_json());
        loads(py, &json)
    }

    /// Verifies the code in a PNG or JPEG picture (bytes, or a path to the file).
    #[pyo3(signature = (image, at = None))]
    fn verify_image<'py>(
        &self,
        py: Python<'py>,
        image: &Bound<'py, PyAny>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let clock = self.clock(py, at)?;
        if image.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "an image is bytes or a path (pathlib.Path), not str",
            ));
        }
        let bytes = input_bytes(image)?;
        let json = py.detach(|| self.inner.verify_image(&bytes, clock).to_json());
        loads(py, &json)
    }

    /// Verifies many texts on all cores, without the interpreter lock; verdicts in input order.
    #[pyo3(signature = (texts, at = None))]
    fn verify_many<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let clock = self.clock(py, at)?;
        let items: Vec<Bound<'py, PyAny>> = match texts.cast::<PyList>() {
            Ok(list) => list.iter().collect(),
            Err(_) => texts.try_iter()?.collect::<PyResult<_>>()?,
        };
        // Texts that are not UTF-8 are judged as such; the rest go to the facade in one call
        // (an empty text stands in for them, as `hcx verify --batch` does).
        let mut refs = Vec::with_capacity(items.len());
        let mut unreadable = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match code_text(item)? {
                Some(t) => refs.push(t),
                None => {
                    refs.push("");
                    unreadable.push(i);
                }
            }
        }
        let array = py.detach(|| {
            let mut verdicts = self.inner.verify_many(&refs, clock);
            for i in unreadable {
                if let Some(v) = verdicts.get_mut(i) {
                    *v = not_utf8();
                }
            }
            let objects: Vec<String> = verdicts.par_iter().map(Verdict::to_json).collect();
            let mut array =
                String::with_capacity(objects.iter().map(|o| o.len() + 1).sum::<usize>() + 2);
            array.push('[');
            for (i, o) in objects.iter().enumerate() {
                if i > 0 {
                    array.push(',');
                }
                array.push_str(o);
            }
            array.push(']');
            array
        });
        // One parse of the whole array: one call into the JSON reader, not one per verdict.
        loads(py, &array)
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
    loads(py, &decoded.to_json())
}

/// Signs an hcx code; returns its text (`HCX1:…`).
#[pyfunction]
#[pyo3(signature = (key, claims, *, issuer, issued_at = None, expires_at = None, valid_for = None, not_before = None))]
#[allow(clippy::too_many_arguments)]
fn issue(
    py: Python<'_>,
    key: &Bound<'_, PyAny>,
    claims: &Bound<'_, PyAny>,
    issuer: String,
    issued_at: Option<&Bound<'_, PyAny>>,
    expires_at: Option<&Bound<'_, PyAny>>,
    valid_for: Option<&Bound<'_, PyAny>>,
    not_before: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let key = PrivateKey::from_pem(&key_text(py, key)?)
        .map_err(|e| raise_coded(py, "InvalidKeyError", &e))?;
    let claims_json: String = if let Ok(s) = claims.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else {
        // A mapping: written by Python's json, then read by the one claims reader.
        py.import("json")?
            .getattr("dumps")?
            .call1((claims,))
            .map_err(|e| PyTypeError::new_err(format!("claims are a dict or JSON text: {e}")))?
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
}

/// A new Ed25519 private key, as PKCS#8 PEM.
#[pyfunction]
fn keygen(py: Python<'_>) -> PyResult<String> {
    let key = PrivateKey::generate().map_err(|e| raise_coded(py, "InvalidKeyError", &e))?;
    let pem = key
        .to_pem()
        .map_err(|e| raise_coded(py, "InvalidKeyError", &e))?;
    Ok(pem.as_str().to_owned())
}

/// The SPKI PEM public key of a private key (or of a public key in PEM or JWK form).
#[pyfunction]
fn pubkey(py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<String> {
    let public = hcx_verify::public_key_from_any_pem(&key_text(py, key)?)
        .map_err(|e| raise_coded(py, "InvalidKeyError", &e))?;
    public
        .to_pem()
        .map_err(|e| raise_coded(py, "InvalidKeyError", &e))
}

/// The native module.
#[pymodule]
fn _hcx(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Verifier>()?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(issue, m)?)?;
    m.add_function(wrap_pyfunction!(keygen, m)?)?;
    m.add_function(wrap_pyfunction!(pubkey, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
