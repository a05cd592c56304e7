//! ICAO Visible Digital Seals for Non-Constrained environments (VDS-NC): a JSON document
//! `{"data":{"hdr":…,"msg":…},"sig":{"alg","cer","sigvl"}}` signed over the RFC 8785
//! canonical form of `data`, by the embedded signer certificate, which chains to a CSCA.

use serde_json::Value as Json;

use crate::crypto::{Alg, CryptoProvider};
use crate::error::{Error, schema};
use crate::limits::MAX_INPUT_BYTES;
use crate::summary::{ForeignSummary, Summary};
use crate::trust::{TrustStore, dcc_kid};
use crate::util::{b64url, jstr, parse_json_lenient, to_b64};
use crate::x509::Cert;
use crate::{Decoded, IssuerRef, Verified, VerifyOptions};

/// A parsed seal: its `data`, signature algorithm, signer certificate and signature value.
#[derive(Debug, Clone)]
pub struct Seal {
    /// The signed `data` object (`hdr` and `msg`).
    pub data: Json,
    /// `sig.alg`.
    pub alg: String,
    /// The signer certificate (`sig.cer`).
    pub signer: Cert,
    /// `sig.sigvl`: raw r‖s.
    pub signature: Vec<u8>,
}

/// True when the JSON looks like a seal (`data` and `sig` members), bare or in a 1-element array.
pub(crate) fn looks_like_seal(json: &Json) -> bool {
    let seal = match json {
        Json::Array(items) => match items.as_slice() {
            [one] => one,
            _ => return false,
        },
        other => other,
    };
    seal.get("data").is_some() && seal.get("sig").is_some()
}

/// Parses a seal (a JSON object, or a one-element array holding it as some apps export),
/// loading the signer's key with the default provider.
pub fn parse_seal(text: &str) -> Result<Seal, Error> {
    parse_seal_with(text, crate::crypto::default_provider())
}

/// Parses a seal, loading the signer's key with `provider`.
pub fn parse_seal_with(text: &str, provider: &'static CryptoProvider) -> Result<Seal, Error> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Error::TooLarge {
            what: "input",
            len: text.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let mut json = parse_json_lenient(text.as_bytes(), "VDS-NC seal")?;
    if let Json::Array(items) = json {
        let [one] = <[Json; 1]>::try_from(items)
            .map_err(|_| Error::Json("a seal array must hold exactly one seal".into()))?;
        json = one;
    }
    let data = json
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| Error::Json("no `data` object".into()))?
        .clone();
    let sig = json
        .get("sig")
        .ok_or_else(|| Error::Json("no `sig` object".into()))?;
    let field = |k: &str| {
        jstr(sig, k).ok_or_else(|| Error::Json(format!("`sig.{k}` is missing or not a string")))
    };
    let alg = field("alg")?.to_owned();
    let signer = Cert::from_der_with(&b64url(field("cer")?, "sig.cer")?, provider)?;
    let signature = b64url(field("sigvl")?, "sig.sigvl")?;
    Ok(Seal {
        data,
        alg,
        signer,
        signature,
    })
}

fn check_data(data: &Json) -> Result<(), Error> {
    let hdr = data
        .get("hdr")
        .ok_or_else(|| schema("data.hdr", "required object missing"))?;
    let is = jstr(hdr, "is").ok_or_else(|| schema("data.hdr.is", "required string missing"))?;
    if is.len() != 3 || !is.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(schema("data.hdr.is", "not a 3-letter country code"));
    }
    if hdr.get("v").and_then(Json::as_u64) != Some(1) {
        return Err(schema("data.hdr.v", "must be 1"));
    }
    let msg = data
        .get("msg")
        .filter(|m| m.is_object())
        .ok_or_else(|| schema("data.msg", "required object missing"))?;
    let pid = msg
        .get("pid")
        .ok_or_else(|| schema("data.msg.pid", "required object missing"))?;
    if jstr(pid, "n").is_none() {
        return Err(schema("data.msg.pid.n", "required string missing"));
    }
    match jstr(hdr, "t") {
        Some("icao.vacc") => {
            if jstr(msg, "uvci").is_none() {
                return Err(schema("data.msg.uvci", "required string missing"));
            }
            let ve = msg
                .get("ve")
                .and_then(Json::as_array)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| schema("data.msg.ve", "required non-empty array"))?;
            for (i, e) in ve.iter().enumerate() {
                let ok = e.get("vd").and_then(Json::as_array).is_some_and(|vd| {
                    !vd.is_empty() && vd.iter().all(|d| jstr(d, "dvc").is_some())
                });
                if !ok {
                    return Err(schema(
                        format!("data.msg.ve[{i}].vd"),
                        "required doses with dvc",
                    ));
                }
            }
        }
        Some("icao.test") => {
            if jstr(msg, "utci").is_none() {
                return Err(schema("data.msg.utci", "required string missing"));
            }
            if msg.get("tr").is_none_or(|t| !t.is_object()) {
                return Err(schema("data.msg.tr", "required object missing"));
            }
        }
        _ => return Err(schema("data.hdr.t", "must be icao.vacc or icao.test")),
    }
    Ok(())
}

/// Finds the trusted certificate that anchors `signer`: the signer itself (pinned), or a CA
/// certificate that issued it (subject = issuer, SKI = AKI, signature verifies).
fn anchor<'t>(signer: &Cert, trust: &'t TrustStore) -> Option<&'t Cert> {
    trust
        .certs
        .iter()
        .find(|c| c.der == signer.der)
        .or_else(|| {
            trust
                .certs
                .iter()
                .find(|ca| ca.is_ca != Some(false) && signer.is_signed_by(ca))
        })
}

/// Verifies a seal: signature over canonical `data`, algorithm bound to the signer's key, the
/// signer chained to a trusted CSCA (or itself trusted), both valid now, and the `data` shape.
pub fn verify(text: &str, trust: &TrustStore, options: &VerifyOptions) -> Result<Verified, Error> {
    let seal = parse_seal_with(text, trust.provider)?;
    let alg = Alg::from_jose(&seal.alg)?;
    if alg == Alg::Ps256 {
        return Err(Error::UnsupportedAlgorithm { alg: seal.alg });
    }
    let canonical = serde_json_canonicalizer::to_vec(&seal.data)
        .map_err(|e| Error::Json(format!("cannot canonicalise data: {e}")))?;
    seal.signer.key.verify(alg, &canonical, &seal.signature)?;
    let anchor = anchor(&seal.signer, trust).ok_or_else(|| {
        Error::Chain(format!(
            "no trusted certificate issued `{}`",
            seal.signer.issuer.chars().take(200).collect::<String>()
        ))
    })?;
    let now = options.now;
    let skew = options.skew_secs;
    let covers = |c: &Cert| {
        c.not_before.saturating_sub(skew) <= now && now <= c.not_after.saturating_add(skew)
    };
    if !covers(&seal.signer) {
        return Err(Error::SignerNotValid(format!(
            "the signer certificate is valid from {} to {}",
            crate::util::rfc3339(seal.signer.not_before),
            crate::util::rfc3339(seal.signer.not_after)
        )));
    }
    if !covers(anchor) {
        return Err(Error::Chain(format!(
            "the CSCA `{}` is not valid now",
            anchor.subject.chars().take(200).collect::<String>()
        )));
    }
    check_data(&seal.data)?;
    let country = seal
        .data
        .get("hdr")
        .and_then(|h| jstr(h, "is"))
        .unwrap_or_default()
        .to_owned();
    Ok(Verified {
        format: crate::Format::IcaoVdsNc.as_str(),
        issuer: IssuerRef {
            id: country,
            name: seal.signer.common_name(),
        },
        key_id: to_b64(&dcc_kid(&seal.signer.der)),
        issued_at: None,
        expires_at: None,
        summary: Summary::from_vdsnc(&seal.data),
        claims: seal.data,
    })
}

/// Decodes a seal without verifying it.
pub fn decode(text: &str) -> Result<Decoded, Error> {
    let seal = parse_seal(text)?;
    Ok(Decoded {
        format: crate::Format::IcaoVdsNc.as_str(),
        issuer: seal
            .data
            .get("hdr")
            .and_then(|h| jstr(h, "is"))
            .map(str::to_owned),
        key_id: Some(to_b64(&dcc_kid(&seal.signer.der))),
        alg: Some(seal.alg),
        issued_at: None,
        expires_at: None,
        summary: Summary::from_vdsnc(&seal.data),
        claims: seal.data,
    })
}
