//! The few X.509 facts verification needs, read once per certificate.

use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};

use crate::crypto::{CryptoProvider, PublicKey, default_provider};
use crate::error::Error;
use crate::limits::MAX_CERTIFICATE_BYTES;

/// A parsed X.509 certificate, reduced to what the verifiers use.
#[derive(Debug, Clone)]
pub struct Cert {
    /// The DER bytes.
    pub der: Vec<u8>,
    /// Subject, RFC 4514 text.
    pub subject: String,
    /// Issuer, RFC 4514 text.
    pub issuer: String,
    subject_der: Vec<u8>,
    issuer_der: Vec<u8>,
    /// `notBefore`, Unix seconds.
    pub not_before: i64,
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
    /// The subject public key.
    pub key: PublicKey,
    /// Extended key usage OIDs, dotted; `None` when the extension is absent.
    pub eku: Option<Vec<String>>,
    /// Subject key identifier.
    pub ski: Option<Vec<u8>>,
    /// Authority key identifier (key id part).
    pub aki: Option<Vec<u8>>,
    /// `cA` of basic constraints; `None` when the extension is absent.
    pub is_ca: Option<bool>,
    /// URIs in the subject alternative name; `None` when the extension is absent.
    pub san_uris: Option<Vec<String>>,
    tbs: Vec<u8>,
    sig_alg: x509_cert::der::asn1::ObjectIdentifier,
    /// The DER of the signature algorithm's parameters (RSASSA-PSS names its hash there).
    sig_alg_params: Option<Vec<u8>>,
    signature: Vec<u8>,
}

/// Reads one DER TLV header at `pos`: (header length, content length).
fn tlv(bytes: &[u8], pos: usize) -> Option<(usize, usize)> {
    let _tag = bytes.get(pos)?;
    let first = *bytes.get(pos.checked_add(1)?)?;
    if first < 0x80 {
        return Some((2, usize::from(first)));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..n {
        len = (len << 8) | usize::from(*bytes.get(pos.checked_add(2 + i)?)?);
    }
    Some((2 + n, len))
}

/// The exact bytes of the `tbsCertificate` inside a certificate's DER (the signed bytes), so a
/// certificate that is not perfectly DER still verifies as its issuer signed it.
fn raw_tbs(der: &[u8]) -> Option<&[u8]> {
    let (outer_header, _) = tlv(der, 0)?;
    let (header, len) = tlv(der, outer_header)?;
    der.get(outer_header..outer_header.checked_add(header)?.checked_add(len)?)
}

impl Cert {
    /// Parses a DER certificate, loading its key with the default provider.
    pub fn from_der(der: &[u8]) -> Result<Cert, Error> {
        Cert::from_der_with(der, default_provider())
    }

    /// Parses a DER certificate, loading its key with `provider`.
    pub fn from_der_with(der: &[u8], provider: &'static CryptoProvider) -> Result<Cert, Error> {
        let bad = |why: String| Error::CertificateInvalid(why);
        if der.len() > MAX_CERTIFICATE_BYTES {
            return Err(Error::TooLarge {
                what: "certificate",
                len: der.len(),
                max: MAX_CERTIFICATE_BYTES,
            });
        }
        let cert = Certificate::from_der(der).map_err(|e| bad(format!("not DER X.509: {e}")))?;
        let tbs = cert.tbs_certificate();
        let key = PublicKey::from_spki_with(tbs.subject_public_key_info(), provider)?;
        let validity = tbs.validity();
        let secs = |t: x509_cert::time::Time| {
            i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
        };
        let ext_err = |e: x509_cert::der::Error| bad(format!("bad extension: {e}"));
        let eku = tbs
            .get_extension::<ExtendedKeyUsage>()
            .map_err(ext_err)?
            .map(|(_, eku)| eku.0.iter().map(|o| o.to_string()).collect());
        let ski = tbs
            .get_extension::<SubjectKeyIdentifier>()
            .map_err(ext_err)?
            .map(|(_, s)| s.0.as_bytes().to_vec());
        let aki = tbs
            .get_extension::<AuthorityKeyIdentifier>()
            .map_err(ext_err)?
            .and_then(|(_, a)| a.key_identifier.map(|k| k.as_bytes().to_vec()));
        let is_ca = tbs
            .get_extension::<BasicConstraints>()
            .map_err(ext_err)?
            .map(|(_, b)| b.ca);
        let san_uris = tbs
            .get_extension::<SubjectAltName>()
            .map_err(ext_err)?
            .map(|(_, san)| {
                san.0
                    .iter()
                    .filter_map(|g| match g {
                        GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
                        _ => None,
                    })
                    .collect()
            });
        let raw = raw_tbs(der).ok_or_else(|| bad("cannot locate tbsCertificate".into()))?;
        let enc = |n: &x509_cert::name::Name| n.to_der().map_err(|e| bad(e.to_string()));
        Ok(Cert {
            der: der.to_vec(),
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            subject_der: enc(tbs.subject())?,
            issuer_der: enc(tbs.issuer())?,
            not_before: secs(validity.not_before),
            not_after: secs(validity.not_after),
            key,
            eku,
            ski,
            aki,
            is_ca,
            san_uris,
            tbs: raw.to_vec(),
            sig_alg: cert.signature_algorithm().oid,
            sig_alg_params: match &cert.signature_algorithm().parameters {
                None => None,
                Some(p) => Some(p.to_der().map_err(|e| bad(e.to_string()))?),
            },
            signature: cert.signature().raw_bytes().to_vec(),
        })
    }

    /// The subject's common name, if any.
    pub fn common_name(&self) -> Option<String> {
        self.subject
            .split(',')
            .find_map(|rdn| rdn.trim().strip_prefix("CN="))
            .map(|cn| cn.replace("\\ ", " "))
    }

    /// True when `issuer` names this certificate's issuer (and key, where both carry key
    /// identifiers) and its key verifies this certificate's signature.
    pub fn is_signed_by(&self, issuer: &Cert) -> bool {
        if self.issuer_der != issuer.subject_der {
            return false;
        }
        if let (Some(aki), Some(ski)) = (&self.aki, &issuer.ski) {
            if aki != ski {
                return false;
            }
        }
        issuer.key.verify_x509(
            &self.sig_alg,
            self.sig_alg_params.as_deref(),
            &self.tbs,
            &self.signature,
        )
    }

    /// True when `now` lies within the validity period.
    pub fn valid_at(&self, t: i64) -> bool {
        self.not_before <= t && t <= self.not_after
    }
}

/// Reads every certificate from PEM text (one or more `CERTIFICATE` blocks) or one DER
/// certificate, loading keys with the default provider.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Cert>, Error> {
    parse_certificates_with(bytes, default_provider())
}

/// Reads every certificate from PEM text (one or more `CERTIFICATE` blocks) or one DER
/// certificate, loading keys with `provider`.
pub fn parse_certificates_with(
    bytes: &[u8],
    provider: &'static CryptoProvider,
) -> Result<Vec<Cert>, Error> {
    if bytes.first() == Some(&0x30) {
        return Ok(vec![Cert::from_der_with(bytes, provider)?]);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::CertificateInvalid("neither DER nor PEM".into()))?;
    let mut certs = Vec::new();
    let mut rest = text;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    while let Some(start) = rest.find(BEGIN) {
        let after = rest.get(start + BEGIN.len()..).unwrap_or("");
        let end = after
            .find(END)
            .ok_or_else(|| Error::CertificateInvalid("unterminated PEM block".into()))?;
        let body: String = after
            .get(..end)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = crate::util::b64std(&body, "PEM certificate")?;
        certs.push(Cert::from_der_with(&der, provider)?);
        rest = after.get(end + END.len()..).unwrap_or("");
    }
    if certs.is_empty() {
        return Err(Error::CertificateInvalid("no PEM CERTIFICATE block".into()));
    }
    Ok(certs)
}
