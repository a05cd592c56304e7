//! Trust inputs: X.509 certificates, JWKS, DCC signer lists and SHC revocation lists, each
//! recognised from its bytes.

use std::collections::{HashMap, HashSet};

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::crypto::{CryptoProvider, PublicKey, default_provider};
use crate::error::Error;
use crate::limits::{MAX_CHAIN_LEN, MAX_TRUST_FILE_BYTES};
use crate::util::{b64std, b64url, jstr, parse_json_lenient, to_b64url};
use crate::x509::{Cert, parse_certificates_with};

/// What [`TrustStore::add_file`] recognised and added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustKind {
    /// X.509 certificates (PEM or DER): DCC document signers, VDS-NC CSCAs or signers.
    Certificates(usize),
    /// A JSON Web Key Set (or a single JWK) of SMART Health Card issuer keys.
    Jwks(usize),
    /// A DCC-style list of signer certificates keyed by kid.
    DccSignerList(usize),
    /// A SMART Health Card revocation list (`crl/<kid>.json`, method `rid`).
    ShcRevocationList,
    /// A directory of SHC issuers (`{"participating_issuers":[{"iss","name"}]}`, as the VCI
    /// directory publishes): gives issuers their display names.
    IssuerDirectory(usize),
}

impl TrustKind {
    /// A short name: `certificates`, `jwks`, `dcc-signer-list`, `shc-revocation-list`.
    pub fn as_str(&self) -> &'static str {
        match self {
            TrustKind::Certificates(_) => "certificates",
            TrustKind::Jwks(_) => "jwks",
            TrustKind::DccSignerList(_) => "dcc-signer-list",
            TrustKind::ShcRevocationList => "shc-revocation-list",
            TrustKind::IssuerDirectory(_) => "issuer-directory",
        }
    }
}

/// A DCC document signer: its key and, when known, its certificate.
#[derive(Debug, Clone)]
pub(crate) struct DccSigner {
    pub key: PublicKey,
    pub cert: Option<Cert>,
}

/// A SMART Health Card issuer key.
#[derive(Debug, Clone)]
pub(crate) struct ShcKey {
    pub kid: String,
    pub key: PublicKey,
    /// The issuer (`iss`) the key set was published for, if bound.
    pub issuer: Option<String>,
    pub crl_version: Option<u64>,
    /// The `x5c` leaf certificate, when the JWK carries a chain.
    pub x5c_leaf: Option<Cert>,
}

/// A SMART Health Card revocation list.
#[derive(Debug, Clone)]
pub(crate) struct Crl {
    pub ctr: u64,
    /// rid → revocation cut-off (credentials with `nbf` before it are revoked); `None`: all.
    pub rids: HashMap<String, Option<i64>>,
}

/// Everything a verifier trusts: signer certificates, CSCAs, issuer key sets, revocation lists.
///
/// Every key is loaded once, by the store's [`CryptoProvider`], when its entry is added.
#[derive(Debug, Clone)]
pub struct TrustStore {
    pub(crate) provider: &'static CryptoProvider,
    pub(crate) certs: Vec<Cert>,
    pub(crate) dcc: HashMap<Vec<u8>, Vec<DccSigner>>,
    pub(crate) shc_keys: Vec<ShcKey>,
    pub(crate) crls: HashMap<String, Crl>,
    pub(crate) issuer_names: HashMap<String, String>,
}

/// The DCC key id of a certificate: the first 8 bytes of SHA-256 over its DER.
pub fn dcc_kid(cert_der: &[u8]) -> Vec<u8> {
    Sha256::digest(cert_der).iter().take(8).copied().collect()
}

impl Default for TrustStore {
    /// An empty store using the default provider.
    fn default() -> TrustStore {
        TrustStore::with_provider(default_provider())
    }
}

impl TrustStore {
    /// An empty store using the default provider.
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// An empty store whose keys (and those of certificates embedded in the codes it
    /// verifies) are loaded by `provider`.
    pub fn with_provider(provider: &'static CryptoProvider) -> TrustStore {
        TrustStore {
            provider,
            certs: Vec::new(),
            dcc: HashMap::new(),
            shc_keys: Vec::new(),
            crls: HashMap::new(),
            issuer_names: HashMap::new(),
        }
    }

    /// The provider that loads this store's keys.
    pub fn provider(&self) -> &'static CryptoProvider {
        self.provider
    }

    /// Adds a trust file, recognising its kind from its bytes: DER or PEM certificates, a JWKS
    /// (or single JWK), a DCC signer list, an SHC revocation list or an SHC issuer directory.
    ///
    /// A JWKS added this way is not bound to an issuer: its keys verify cards of any `iss` that
    /// has no bound key set (see [`TrustStore::add_jwks_for_issuer`]).
    pub fn add_file(&mut self, bytes: &[u8]) -> Result<TrustKind, Error> {
        if bytes.len() > MAX_TRUST_FILE_BYTES {
            return Err(Error::TooLarge {
                what: "trust file",
                len: bytes.len(),
                max: MAX_TRUST_FILE_BYTES,
            });
        }
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
        let first = start.and_then(|i| bytes.get(i)).copied();
        let is_pem = bytes
            .windows(27)
            .any(|w| w == b"-----BEGIN CERTIFICATE-----");
        if first == Some(0x30) || is_pem {
            let certs = parse_certificates_with(bytes, self.provider)?;
            let n = certs.len();
            for cert in certs {
                self.add_certificate(cert);
            }
            return Ok(TrustKind::Certificates(n));
        }
        if !matches!(first, Some(b'{') | Some(b'[')) {
            return Err(Error::UnrecognisedTrustFile(
                "not a certificate (DER/PEM) nor JSON".into(),
            ));
        }
        let json = parse_json_lenient(bytes, "trust file")?;
        if json.get("keys").is_some() || json.get("kty").is_some() {
            let n = self.add_jwks_json(&json, None)?;
            return Ok(TrustKind::Jwks(n));
        }
        if let Some(Json::Array(issuers)) = json.get("participating_issuers") {
            let mut n = 0;
            for entry in issuers {
                if let (Some(iss), Some(name)) = (jstr(entry, "iss"), jstr(entry, "name")) {
                    self.issuer_names.insert(iss.to_owned(), name.to_owned());
                    n += 1;
                }
            }
            return Ok(TrustKind::IssuerDirectory(n));
        }
        if json.get("method").is_some() && json.get("rids").is_some() {
            self.add_crl(&json)?;
            return Ok(TrustKind::ShcRevocationList);
        }
        let n = self.add_signer_list(&json)?;
        Ok(TrustKind::DccSignerList(n))
    }

    /// Adds an SHC issuer's JWKS, bound to its issuer URL: cards whose `iss` is `issuer_url` are
    /// then verified only with these keys, and these keys only verify cards of that issuer.
    pub fn add_jwks_for_issuer(&mut self, issuer_url: &str, jwks: &[u8]) -> Result<(), Error> {
        if jwks.len() > MAX_TRUST_FILE_BYTES {
            return Err(Error::TooLarge {
                what: "trust file",
                len: jwks.len(),
                max: MAX_TRUST_FILE_BYTES,
            });
        }
        let json = parse_json_lenient(jwks, "JWKS")?;
        self.add_jwks_json(&json, Some(issuer_url))?;
        Ok(())
    }

    /// Adds one parsed certificate (as a DCC signer under its computed kid, and as a VDS-NC
    /// anchor).
    pub(crate) fn add_certificate(&mut self, cert: Cert) {
        let kid = dcc_kid(&cert.der);
        self.add_dcc_signer(kid, cert.key.clone(), Some(cert.clone()));
        if !self.certs.iter().any(|c| c.der == cert.der) {
            self.certs.push(cert);
        }
    }

    fn add_dcc_signer(&mut self, kid: Vec<u8>, key: PublicKey, cert: Option<Cert>) {
        let list = self.dcc.entry(kid).or_default();
        let dup = list.iter().any(|s| {
            s.key == key && s.cert.as_ref().map(|c| &c.der) == cert.as_ref().map(|c| &c.der)
        });
        if !dup {
            list.push(DccSigner { key, cert });
        }
    }

    /// Number of DCC signers, SHC keys, certificates and revocation lists held.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        (
            self.dcc.values().map(Vec::len).sum(),
            self.shc_keys.len(),
            self.certs.len(),
            self.crls.len(),
        )
    }

    fn add_signer_list(&mut self, json: &Json) -> Result<usize, Error> {
        let bad = |why: &str| Error::InvalidSignerList(why.into());
        let entries: Vec<(String, String)> = match json {
            Json::Array(items) => entries_of(items)?,
            Json::Object(map) => {
                if let Some(Json::Array(items)) = map.get("certificates") {
                    entries_of(items)?
                } else if !map.is_empty() && map.values().all(Json::is_string) {
                    map.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                        .collect()
                } else {
                    return Err(Error::UnrecognisedTrustFile(
                        "JSON is not a JWKS, SHC revocation list or DCC signer list".into(),
                    ));
                }
            }
            _ => return Err(bad("not a JSON array or object")),
        };
        if entries.is_empty() {
            return Err(bad("no entries"));
        }
        let mut n = 0;
        for (kid_b64, data_b64) in entries {
            let kid = b64std(&kid_b64, "signer list kid")?;
            if kid.is_empty() || kid.len() > 64 {
                return Err(bad("kid must be 1 to 64 bytes"));
            }
            let der = b64std(&data_b64, "signer list certificate")?;
            // A certificate, or (as some national lists publish) a bare SubjectPublicKeyInfo.
            match Cert::from_der_with(&der, self.provider) {
                Ok(cert) => {
                    if !self.certs.iter().any(|c| c.der == cert.der) {
                        self.certs.push(cert.clone());
                    }
                    self.add_dcc_signer(kid, cert.key.clone(), Some(cert));
                }
                Err(cert_err) => {
                    use x509_cert::der::Decode;
                    let spki = x509_cert::spki::SubjectPublicKeyInfoOwned::from_der(&der)
                        .map_err(|_| cert_err)?;
                    self.add_dcc_signer(
                        kid,
                        PublicKey::from_spki_with(&spki, self.provider)?,
                        None,
                    );
                }
            }
            n += 1;
        }
        Ok(n)
    }

    fn add_jwks_json(&mut self, json: &Json, issuer: Option<&str>) -> Result<usize, Error> {
        let bad = |why: String| Error::InvalidKeySet(why);
        let keys: Vec<&Json> = match json.get("keys") {
            Some(Json::Array(keys)) => keys.iter().collect(),
            Some(_) => return Err(bad("`keys` is not an array".into())),
            // A bare JWK, as some issuers publish by mistake.
            None => vec![json],
        };
        let mut parsed = Vec::with_capacity(keys.len());
        for jwk in keys {
            parsed.push(parse_jwk(jwk, issuer, self.provider)?);
        }
        let n = parsed.len();
        for key in parsed {
            let dup = self
                .shc_keys
                .iter()
                .any(|k| k.kid == key.kid && k.issuer == key.issuer);
            if !dup {
                self.shc_keys.push(key);
            }
        }
        Ok(n)
    }

    fn add_crl(&mut self, json: &Json) -> Result<(), Error> {
        let bad = |why: String| Error::RevocationListInvalid(why);
        let kid = jstr(json, "kid").ok_or_else(|| bad("no `kid`".into()))?;
        let method = jstr(json, "method").unwrap_or("");
        if method != "rid" {
            return Err(bad(format!("unsupported method `{method}` (only `rid`)")));
        }
        let ctr = json
            .get("ctr")
            .and_then(Json::as_u64)
            .ok_or_else(|| bad("`ctr` is not a non-negative integer".into()))?;
        let Some(Json::Array(items)) = json.get("rids") else {
            return Err(bad("`rids` is not an array".into()));
        };
        let mut rids = HashMap::new();
        for item in items {
            let text = item
                .as_str()
                .ok_or_else(|| bad("a rid is not a string".into()))?;
            let (rid, cutoff) = match text.split_once('.') {
                Some((rid, ts)) => {
                    let ts: i64 = ts
                        .parse()
                        .map_err(|_| bad(format!("bad timestamp in `{text}`")))?;
                    (rid, Some(ts))
                }
                None => (text, None),
            };
            // SHC: a rid is base64url of at most 64 bits' worth, never more than 24 characters.
            if rid.is_empty()
                || rid.len() > 24
                || !rid
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(bad(format!(
                    "rid `{}` is not base64url of at most 24 characters",
                    rid.chars().take(40).collect::<String>()
                )));
            }
            if rids.insert(rid.to_owned(), cutoff).is_some() {
                return Err(bad(format!("rid `{rid}` is listed twice")));
            }
        }
        self.crls.insert(kid.to_owned(), Crl { ctr, rids });
        Ok(())
    }
}

fn entries_of(items: &[Json]) -> Result<Vec<(String, String)>, Error> {
    items
        .iter()
        .map(|e| {
            let kid = jstr(e, "kid");
            let data = jstr(e, "certificate")
                .or_else(|| jstr(e, "rawData"))
                .or_else(|| jstr(e, "publicKey"));
            match (kid, data) {
                (Some(k), Some(d)) => Ok((k.to_owned(), d.to_owned())),
                _ => Err(Error::InvalidSignerList(
                    "each entry needs `kid` and `certificate`, `rawData` or `publicKey`".into(),
                )),
            }
        })
        .collect()
}

/// RFC 7638 thumbprint of a P-256 JWK.
fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    to_b64url(&Sha256::digest(canonical.as_bytes()))
}

fn parse_jwk(
    jwk: &Json,
    issuer: Option<&str>,
    provider: &'static CryptoProvider,
) -> Result<ShcKey, Error> {
    let kid = jstr(jwk, "kid").unwrap_or("");
    let bad = |why: &str| Error::InvalidKeySet(format!("key `{kid}`: {why}"));
    if jstr(jwk, "kty") != Some("EC") {
        return Err(bad("kty must be EC"));
    }
    if jstr(jwk, "crv") != Some("P-256") {
        return Err(bad("crv must be P-256"));
    }
    if jstr(jwk, "alg") != Some("ES256") {
        return Err(bad("alg must be ES256"));
    }
    if jwk.get("use").is_some() && jstr(jwk, "use") != Some("sig") {
        return Err(bad("use must be sig"));
    }
    let (x, y) = match (jstr(jwk, "x"), jstr(jwk, "y")) {
        (Some(x), Some(y)) => (x, y),
        _ => return Err(bad("missing x or y")),
    };
    let key =
        PublicKey::p256_from_coordinates(&b64url(x, "JWK x")?, &b64url(y, "JWK y")?, provider)
            .map_err(|_| bad("x/y are not a P-256 point"))?;
    if kid != thumbprint(x, y) {
        return Err(bad("kid is not the RFC 7638 thumbprint of the key"));
    }
    let crl_version = match jwk.get("crlVersion") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| bad("crlVersion is not an integer"))?,
        ),
    };
    let x5c_leaf = match jwk.get("x5c") {
        None => None,
        Some(chain) => Some(check_x5c(chain, &key, issuer, provider).map_err(|e| bad(&e))?),
    };
    Ok(ShcKey {
        kid: kid.to_owned(),
        key,
        issuer: issuer.map(str::to_owned),
        crl_version,
        x5c_leaf,
    })
}

/// Checks an `x5c` chain: each certificate signed by the next, the leaf holding the JWK's key and
/// naming an issuer URL in its subjectAltName (the issuer's, when bound). Dates are checked at
/// verification time, against the card's issuance time.
fn check_x5c(
    chain: &Json,
    key: &PublicKey,
    issuer: Option<&str>,
    provider: &'static CryptoProvider,
) -> Result<Cert, String> {
    let Json::Array(items) = chain else {
        return Err("x5c is not an array".into());
    };
    if items.is_empty() || items.len() > MAX_CHAIN_LEN {
        return Err(format!("x5c must hold 1 to {MAX_CHAIN_LEN} certificates"));
    }
    let mut certs = Vec::with_capacity(items.len());
    for item in items {
        let der = item
            .as_str()
            .ok_or("x5c entry is not a string")
            .and_then(|s| {
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, s)
                    .map_err(|_| "x5c entry is not base64")
            })?;
        certs.push(Cert::from_der_with(&der, provider).map_err(|e| format!("x5c: {e}"))?);
    }
    let mut seen = HashSet::new();
    for pair in certs.windows(2) {
        if let [child, parent] = pair {
            if !seen.insert(child.der.clone()) || !child.is_signed_by(parent) {
                return Err("x5c: a certificate is not signed by the next one".into());
            }
        }
    }
    let leaf = certs
        .into_iter()
        .next()
        .ok_or_else(|| "x5c is empty".to_owned())?;
    if &leaf.key != key {
        return Err("x5c: the leaf certificate holds another key than the JWK".into());
    }
    let uris = leaf.san_uris.clone().unwrap_or_default();
    if uris.is_empty() {
        return Err("x5c: the leaf certificate has no subjectAltName URI".into());
    }
    if let Some(iss) = issuer {
        if !uris.iter().any(|u| u == iss) {
            return Err(format!("x5c: the leaf certificate is not for issuer {iss}"));
        }
    }
    Ok(leaf)
}
