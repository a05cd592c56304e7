//! Signature verification behind one provider seam.
//!
//! Parsing stays here, cryptography goes to a [`CryptoProvider`], shaped like rustls's: a
//! static value naming its parts, chosen at build time by cargo features.
//!
//! - [`aws_lc_rs::PROVIDER`] (feature `aws-lc-rs`, the default): AWS-LC's assembly P-256,
//!   P-384, P-521 and RSA. aws-lc-sys builds it with the system C compiler (no cmake).
//! - [`rust_crypto::PROVIDER`] (feature `rust-crypto`): the pure-Rust RustCrypto crates, for
//!   wasm32 and machines without a C compiler
//!   (`--no-default-features --features rust-crypto`).
//!
//! With both features on, [`default_provider`] is AWS-LC and [`providers`] lists both, so one
//! process can compare them (the crate's tests do). A [`crate::TrustStore`] loads every key of
//! its trust entries once, through its provider, when the entry is added.
//!
//! The seam keeps every decision that could make two providers disagree on this side of it:
//! key encodings are checked here before a provider sees them ([`PublicKey::ec`],
//! [`PublicKey::rsa`]), each key type is bound to the signature schemes it may use, and a
//! provider only answers "does this signature verify". The `tests/providers.rs` suite runs
//! the peers' data, hostile keys and signatures through every compiled-in provider and
//! requires identical verdicts.

use std::fmt;
use std::sync::Arc;

use x509_cert::der::asn1::{ObjectIdentifier, UintRef};
use x509_cert::der::{Decode, Encode, Reader, SliceReader};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::error::Error;

mod provider;
pub use provider::{
    CryptoProvider, Curve, Hash, KeyLoader, KeyMaterial, KeyRejected, Scheme, VerifyingKey,
};

#[cfg(feature = "aws-lc-rs")]
pub mod aws_lc_rs;
#[cfg(feature = "rust-crypto")]
pub mod rust_crypto;

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "hcx-interop needs a crypto provider: enable the `aws-lc-rs` (default) or `rust-crypto` feature"
);

/// A signature algorithm for health-certificate signatures (COSE / JOSE / VDS-NC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// ECDSA P-256 with SHA-256 (COSE -7).
    Es256,
    /// ECDSA P-384 with SHA-384 (COSE -35).
    Es384,
    /// ECDSA P-521 with SHA-512 (COSE -36).
    Es512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (COSE -37).
    Ps256,
}

impl Alg {
    /// From a COSE algorithm number.
    pub fn from_cose(alg: i64) -> Result<Alg, Error> {
        match alg {
            -7 => Ok(Alg::Es256),
            -35 => Ok(Alg::Es384),
            -36 => Ok(Alg::Es512),
            -37 => Ok(Alg::Ps256),
            other => Err(Error::UnsupportedAlgorithm {
                alg: other.to_string(),
            }),
        }
    }

    /// From a JOSE algorithm name.
    pub fn from_jose(alg: &str) -> Result<Alg, Error> {
        match alg {
            "ES256" => Ok(Alg::Es256),
            "ES384" => Ok(Alg::Es384),
            "ES512" => Ok(Alg::Es512),
            "PS256" => Ok(Alg::Ps256),
            other => Err(Error::UnsupportedAlgorithm {
                alg: other.chars().take(32).collect(),
            }),
        }
    }

    /// The JOSE name (`ES256`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::Es256 => "ES256",
            Alg::Es384 => "ES384",
            Alg::Es512 => "ES512",
            Alg::Ps256 => "PS256",
        }
    }

    /// The signature scheme this algorithm names.
    pub fn scheme(self) -> Scheme {
        match self {
            Alg::Es256 => Scheme::EcdsaFixed(Hash::Sha256),
            Alg::Es384 => Scheme::EcdsaFixed(Hash::Sha384),
            Alg::Es512 => Scheme::EcdsaFixed(Hash::Sha512),
            Alg::Ps256 => Scheme::RsaPss(Hash::Sha256),
        }
    }
}

/// The provider used when none is named: AWS-LC when the `aws-lc-rs` feature is on, else
/// RustCrypto.
pub fn default_provider() -> &'static CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    return &aws_lc_rs::PROVIDER;
    #[cfg(not(feature = "aws-lc-rs"))]
    return &rust_crypto::PROVIDER;
}

/// Every provider compiled in, the default first.
pub fn providers() -> &'static [&'static CryptoProvider] {
    static ALL: &[&CryptoProvider] = &[
        #[cfg(feature = "aws-lc-rs")]
        &aws_lc_rs::PROVIDER,
        #[cfg(feature = "rust-crypto")]
        &rust_crypto::PROVIDER,
    ];
    ALL
}

/// The kind of a [`PublicKey`], which fixes the signature schemes it may verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyKind {
    Ec(Curve),
    /// RSA, with the modulus length in bytes (the length of every signature).
    Rsa(usize),
}

/// A public key of one of the supported types, loaded once by a provider.
#[derive(Clone)]
pub struct PublicKey {
    kind: KeyKind,
    /// What makes two keys the same key whatever their encoding or provider: the compressed
    /// SEC1 point, or the PKCS#1 DER.
    identity: Arc<[u8]>,
    provider: &'static CryptoProvider,
    key: Arc<dyn VerifyingKey>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.kind == other.kind && self.identity == other.identity
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({}, {})", self.describe(), self.provider.name)
    }
}

const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len() / 2)
        .filter_map(|i| h.get(2 * i..2 * i + 2))
        .filter_map(|b| u8::from_str_radix(b, 16).ok())
        .collect()
}

/// Recognises explicit ECParameters by their prime and group order. The point itself is then
/// validated on the standard curve, so parameters that merely share p and n gain nothing.
fn explicit_curve(params_der: &[u8]) -> Option<ObjectIdentifier> {
    const CURVES: [(&str, &str, ObjectIdentifier); 3] = [
        (
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
            OID_P256,
        ),
        (
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
            OID_P384,
        ),
        (
            "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
            OID_P521,
        ),
    ];
    let contains = |needle: &[u8]| params_der.windows(needle.len()).any(|w| w == needle);
    CURVES
        .iter()
        .find(|(p, n, _)| contains(&unhex(p)) && contains(&unhex(n)))
        .map(|(_, _, oid)| *oid)
}

/// Smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits: the limit of RustCrypto's `rsa`, and well above any
/// health-certificate signer or CSCA seen (RSA-4096 CSCAs exist).
const MAX_RSA_BITS: usize = 4096;
/// Largest RSA public exponent accepted (both providers' limit: larger ones are a DoS vector).
const MAX_RSA_EXPONENT: u64 = (1 << 33) - 1;

/// The modulus and exponent of a DER `RSAPublicKey`, minimal big-endian bytes.
fn rsa_components(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut reader = SliceReader::new(der).ok()?;
    let (n, e) = reader
        .sequence(|seq| {
            let n = UintRef::decode(seq)?;
            let e = UintRef::decode(seq)?;
            Ok::<_, x509_cert::der::Error>((n, e))
        })
        .ok()?;
    reader.finish().ok()?;
    Some((n.as_bytes(), e.as_bytes()))
}

/// Bit length of a minimal big-endian unsigned integer.
fn bit_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        None | Some(0) => 0,
        Some(top) => (bytes.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo (EC P-256/384/521 or RSA) with the default provider.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<PublicKey, Error> {
        PublicKey::from_spki_with(spki, default_provider())
    }

    /// Reads a SubjectPublicKeyInfo (EC P-256/384/521 or RSA) with `provider`.
    pub fn from_spki_with(
        spki: &SubjectPublicKeyInfoOwned,
        provider: &'static CryptoProvider,
    ) -> Result<PublicKey, Error> {
        let bad = |why: &str| Error::CertificateInvalid(format!("public key: {why}"));
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| bad("unaligned bit string"))?;
        if spki.algorithm.oid == OID_EC {
            let params = spki
                .algorithm
                .parameters
                .as_ref()
                .ok_or_else(|| bad("EC key without curve parameters"))?;
            let curve: ObjectIdentifier = match params.decode_as() {
                Ok(oid) => oid,
                // ICAO CSCAs often spell the curve out (explicit ECParameters).
                Err(_) => explicit_curve(&params.to_der().map_err(|_| bad("bad EC parameters"))?)
                    .ok_or_else(|| bad("explicit EC parameters of an unsupported curve"))?,
            };
            let curve = match curve {
                c if c == OID_P256 => Curve::P256,
                c if c == OID_P384 => Curve::P384,
                c if c == OID_P521 => Curve::P521,
                other => return Err(bad(&format!("unsupported curve {other}"))),
            };
            PublicKey::ec(curve, bits, provider)
        } else if spki.algorithm.oid == OID_RSA {
            PublicKey::rsa(bits, provider)
        } else {
            Err(bad(&format!("unsupported key type {}", spki.algorithm.oid)))
        }
    }

    /// Loads a SEC1-encoded EC point (uncompressed or compressed) with `provider`.
    pub fn ec(
        curve: Curve,
        point: &[u8],
        provider: &'static CryptoProvider,
    ) -> Result<PublicKey, Error> {
        let invalid =
            || Error::CertificateInvalid(format!("public key: invalid {} point", curve.name()));
        let size = curve.field_bytes();
        // The identity is the compressed form: the same point, however it was written.
        let identity: Vec<u8> = match point {
            [4, xy @ ..] if xy.len() == 2 * size => {
                let (x, y) = xy.split_at(size);
                let parity = y.last().map_or(0, |b| b & 1);
                std::iter::once(2 | parity)
                    .chain(x.iter().copied())
                    .collect()
            }
            [2 | 3, x @ ..] if x.len() == size => point.to_vec(),
            _ => return Err(invalid()),
        };
        let key = provider
            .key_loader
            .load(KeyMaterial::Ec { curve, point })
            .map_err(|_| invalid())?;
        Ok(PublicKey {
            kind: KeyKind::Ec(curve),
            identity: identity.into(),
            provider,
            key,
        })
    }

    /// Loads a DER `RSAPublicKey` (PKCS#1) with `provider`: 2048 to 4096 bits, an odd modulus
    /// and an odd public exponent from 3 to 2^33 - 1, checked here so every provider sees the
    /// same keys.
    pub fn rsa(pkcs1_der: &[u8], provider: &'static CryptoProvider) -> Result<PublicKey, Error> {
        let bad = |why: &str| Error::CertificateInvalid(format!("public key: {why}"));
        let (n, e) = rsa_components(pkcs1_der).ok_or_else(|| bad("invalid RSA key"))?;
        let bits = bit_len(n);
        if bits < MIN_RSA_BITS {
            return Err(bad("RSA key shorter than 2048 bits"));
        }
        if bits > MAX_RSA_BITS {
            return Err(bad("RSA key longer than 4096 bits"));
        }
        let odd = |x: &[u8]| x.last().is_some_and(|b| b & 1 == 1);
        let exponent =
            (e.len() <= 8).then(|| e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)));
        if !odd(n) || !odd(e) || !exponent.is_some_and(|x| (3..=MAX_RSA_EXPONENT).contains(&x)) {
            return Err(bad("invalid RSA key"));
        }
        let key = provider
            .key_loader
            .load(KeyMaterial::Rsa { pkcs1_der })
            .map_err(|_| bad("invalid RSA key"))?;
        Ok(PublicKey {
            kind: KeyKind::Rsa(n.len()),
            identity: pkcs1_der.into(),
            provider,
            key,
        })
    }

    /// Builds a P-256 key from JWK coordinates.
    pub fn p256_from_coordinates(
        x: &[u8],
        y: &[u8],
        provider: &'static CryptoProvider,
    ) -> Result<PublicKey, Error> {
        if x.len() != 32 || y.len() != 32 {
            return Err(Error::InvalidKeySet(
                "P-256 coordinates must be 32 bytes".into(),
            ));
        }
        let mut sec1 = Vec::with_capacity(65);
        sec1.push(4u8);
        sec1.extend_from_slice(x);
        sec1.extend_from_slice(y);
        PublicKey::ec(Curve::P256, &sec1, provider)
            .map_err(|_| Error::InvalidKeySet("the JWK is not a point on P-256".into()))
    }

    /// The one algorithm this key may verify (RSA keys: PS256 only).
    pub fn alg(&self) -> Alg {
        match self.kind {
            KeyKind::Ec(Curve::P256) => Alg::Es256,
            KeyKind::Ec(Curve::P384) => Alg::Es384,
            KeyKind::Ec(Curve::P521) => Alg::Es512,
            KeyKind::Rsa(_) => Alg::Ps256,
        }
    }

    /// Short description, e.g. `EC P-256` or `RSA-3072`.
    pub fn describe(&self) -> String {
        match self.kind {
            KeyKind::Ec(curve) => format!("EC {}", curve.name()),
            KeyKind::Rsa(bytes) => format!("RSA-{}", bytes * 8),
        }
    }

    /// The provider that loaded this key.
    pub fn provider(&self) -> &'static CryptoProvider {
        self.provider
    }

    /// Verifies a health-certificate signature: `alg` must be this key's algorithm, ECDSA
    /// signatures must be raw r‖s of the curve's size.
    pub fn verify(&self, alg: Alg, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        if alg != self.alg() {
            return Err(Error::AlgorithmNotAllowedForKey {
                alg: alg.as_str().into(),
                kid: self.describe(),
            });
        }
        let expected = match self.kind {
            KeyKind::Ec(curve) => 2 * curve.field_bytes(),
            KeyKind::Rsa(bytes) => bytes,
        };
        if sig.len() != expected {
            return Err(Error::SignatureFormat {
                expected,
                len: sig.len(),
            });
        }
        if self.key.verify(alg.scheme(), msg, sig) {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }

    /// True when this key type may verify `scheme` (the one table both providers follow).
    /// ECDSA: raw signatures only with the curve's own hash; DER (X.509) signatures with any
    /// SHA-2 (the SMART Health Card example root CA signs with P-521 and SHA-256).
    pub fn allows(&self, scheme: Scheme) -> bool {
        match (self.kind, scheme) {
            (KeyKind::Ec(curve), Scheme::EcdsaFixed(hash)) => hash == curve.hash(),
            (KeyKind::Ec(_), Scheme::EcdsaDer(_)) => true,
            (KeyKind::Rsa(_), Scheme::RsaPss(_) | Scheme::RsaPkcs1v15(_)) => true,
            _ => false,
        }
    }

    /// Verifies a signature under an explicit `scheme`, which this key type must allow
    /// ([`PublicKey::allows`]); false otherwise.
    pub fn verify_scheme(&self, scheme: Scheme, msg: &[u8], sig: &[u8]) -> bool {
        self.allows(scheme) && self.key.verify(scheme, msg, sig)
    }

    /// Verifies an X.509 certificate signature made with this (issuer) key. X.509 allows any
    /// hash with any curve, so the scheme comes from the signature algorithm and its
    /// parameters (`params`, DER, for RSASSA-PSS).
    pub(crate) fn verify_x509(
        &self,
        sig_alg: &ObjectIdentifier,
        params: Option<&[u8]>,
        tbs: &[u8],
        sig: &[u8],
    ) -> bool {
        x509_scheme(sig_alg, params).is_some_and(|scheme| self.verify_scheme(scheme, tbs, sig))
    }
}

/// The DER content of the SHA-2 OIDs (2.16.840.1.101.3.4.2.{1,2,3}).
fn sha2_oid(hash: Hash) -> [u8; 9] {
    let last = match hash {
        Hash::Sha256 => 1,
        Hash::Sha384 => 2,
        Hash::Sha512 => 3,
    };
    [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, last]
}

/// `tag len content` for contents shorter than 128 bytes (all PSS parameter parts are).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = u8::try_from(content.len()).unwrap_or(u8::MAX);
    [tag, len].iter().chain(content).copied().collect()
}

/// The DER of RSASSA-PSS-params (RFC 4055) naming `hash` for the digest and for MGF1, a salt
/// as long as the digest and the default trailer, with NULL or absent parameters in each of
/// the two hash AlgorithmIdentifiers (RFC 4055 §2.1 asks verifiers to accept both).
fn pss_params(hash: Hash, hash_null: bool, mgf_hash_null: bool) -> Vec<u8> {
    const OID_MGF1: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08];
    let hash_alg = |null: bool| {
        let mut content = tlv(0x06, &sha2_oid(hash));
        if null {
            content.extend_from_slice(&[0x05, 0x00]);
        }
        tlv(0x30, &content)
    };
    let mut mgf = tlv(0x06, &OID_MGF1);
    mgf.extend(hash_alg(mgf_hash_null));
    let salt = u8::try_from(hash.output_len()).unwrap_or(0);
    let mut body = tlv(0xa0, &hash_alg(hash_null));
    body.extend(tlv(0xa1, &tlv(0x30, &mgf)));
    body.extend(tlv(0xa2, &tlv(0x02, &[salt])));
    tlv(0x30, &body)
}

/// The signature scheme of an X.509 signature algorithm. RSASSA-PSS is accepted only with
/// SHA-2 for both the digest and MGF1 and a salt as long as the digest: what CSCAs use, and
/// the only parameter sets AWS-LC verifies, so both providers refuse the same others.
fn x509_scheme(oid: &ObjectIdentifier, params: Option<&[u8]>) -> Option<Scheme> {
    const HASHES: [Hash; 3] = [Hash::Sha256, Hash::Sha384, Hash::Sha512];
    Some(match oid.to_string().as_str() {
        "1.2.840.10045.4.3.2" => Scheme::EcdsaDer(Hash::Sha256),
        "1.2.840.10045.4.3.3" => Scheme::EcdsaDer(Hash::Sha384),
        "1.2.840.10045.4.3.4" => Scheme::EcdsaDer(Hash::Sha512),
        "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1v15(Hash::Sha256),
        "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1v15(Hash::Sha384),
        "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1v15(Hash::Sha512),
        "1.2.840.113549.1.1.10" => {
            let params = params?;
            let hash = HASHES.into_iter().find(|&h| {
                [(true, true), (true, false), (false, true), (false, false)]
                    .into_iter()
                    .any(|(a, b)| pss_params(h, a, b) == params)
            })?;
            Scheme::RsaPss(hash)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_params_match_the_rfc_4055_encoding() {
        // RFC 4055 §2.2 style sha256Identifier / mgf1SHA256Identifier with NULL parameters,
        // saltLength 32 (as OpenSSL writes `-sigopt rsa_pss_saltlen:32`).
        let expected = unhex(
            "3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d0609608648016503040201050\
             0a203020120",
        );
        assert_eq!(pss_params(Hash::Sha256, true, true), expected);
        let oid = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
        assert_eq!(
            x509_scheme(&oid, Some(&expected)),
            Some(Scheme::RsaPss(Hash::Sha256))
        );
        // The default (SHA-1, salt 20) and an absent parameter field are refused.
        assert_eq!(x509_scheme(&oid, Some(&[0x30, 0x00])), None);
        assert_eq!(x509_scheme(&oid, None), None);
    }

    #[test]
    fn rsa_components_are_strict_der() {
        // SEQUENCE { INTEGER 0x00c1, INTEGER 3 }: fine.
        assert!(rsa_components(&[0x30, 0x07, 0x02, 0x02, 0x00, 0xc1, 0x02, 0x01, 0x03]).is_some());
        // A non-minimal INTEGER, a negative one, trailing bytes: refused.
        assert!(rsa_components(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x41, 0x02, 0x01, 0x03]).is_none());
        assert!(rsa_components(&[0x30, 0x06, 0x02, 0x01, 0xc1, 0x02, 0x01, 0x03]).is_none());
        assert!(rsa_components(&[0x30, 0x06, 0x02, 0x01, 0x41, 0x02, 0x01, 0x03, 0x00]).is_none());
        assert_eq!(bit_len(&[0x01, 0x00]), 9);
        assert_eq!(bit_len(&[0xff]), 8);
    }
}
