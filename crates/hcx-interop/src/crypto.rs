//! Public keys and signature algorithms: each key verifies only with the algorithm its type
//! allows, so a P-384 key cannot be used for ES256 nor an RSA key for an ECDSA header.

use p256::ecdsa::signature::Verifier;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::der::Encode;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::error::Error;

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
}

/// A public key of one of the supported types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// NIST P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// NIST P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// NIST P-521.
    P521(p521::ecdsa::VerifyingKey),
    /// RSA, 2048 to 4096 bits.
    Rsa(rsa::RsaPublicKey),
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

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo (EC P-256/384/521 or RSA).
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<PublicKey, Error> {
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
            if curve == OID_P256 {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(PublicKey::P256)
                    .map_err(|_| bad("invalid P-256 point"))
            } else if curve == OID_P384 {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(PublicKey::P384)
                    .map_err(|_| bad("invalid P-384 point"))
            } else if curve == OID_P521 {
                p521::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(PublicKey::P521)
                    .map_err(|_| bad("invalid P-521 point"))
            } else {
                Err(bad(&format!("unsupported curve {curve}")))
            }
        } else if spki.algorithm.oid == OID_RSA {
            let key =
                rsa::RsaPublicKey::from_pkcs1_der(bits).map_err(|_| bad("invalid RSA key"))?;
            if key.size() * 8 < MIN_RSA_BITS {
                return Err(bad("RSA key shorter than 2048 bits"));
            }
            Ok(PublicKey::Rsa(key))
        } else {
            Err(bad(&format!("unsupported key type {}", spki.algorithm.oid)))
        }
    }

    /// Builds a P-256 key from JWK coordinates.
    pub fn p256_from_coordinates(x: &[u8], y: &[u8]) -> Result<PublicKey, Error> {
        if x.len() != 32 || y.len() != 32 {
            return Err(Error::InvalidKeySet(
                "P-256 coordinates must be 32 bytes".into(),
            ));
        }
        let mut sec1 = Vec::with_capacity(65);
        sec1.push(4u8);
        sec1.extend_from_slice(x);
        sec1.extend_from_slice(y);
        p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
            .map(PublicKey::P256)
            .map_err(|_| Error::InvalidKeySet("the JWK is not a point on P-256".into()))
    }

    /// The one algorithm this key may verify (RSA keys: PS256 only).
    pub fn alg(&self) -> Alg {
        match self {
            PublicKey::P256(_) => Alg::Es256,
            PublicKey::P384(_) => Alg::Es384,
            PublicKey::P521(_) => Alg::Es512,
            PublicKey::Rsa(_) => Alg::Ps256,
        }
    }

    /// Short description, e.g. `EC P-256` or `RSA-3072`.
    pub fn describe(&self) -> String {
        match self {
            PublicKey::P256(_) => "EC P-256".into(),
            PublicKey::P384(_) => "EC P-384".into(),
            PublicKey::P521(_) => "EC P-521".into(),
            PublicKey::Rsa(k) => format!("RSA-{}", k.size() * 8),
        }
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
        let fixed = |n: usize| {
            if sig.len() == n {
                Ok(())
            } else {
                Err(Error::SignatureFormat {
                    expected: n,
                    len: sig.len(),
                })
            }
        };
        let ok = match self {
            PublicKey::P256(k) => {
                fixed(64)?;
                let s = p256::ecdsa::Signature::from_slice(sig).map_err(|_| Error::BadSignature)?;
                k.verify(msg, &s).is_ok()
            }
            PublicKey::P384(k) => {
                fixed(96)?;
                let s = p384::ecdsa::Signature::from_slice(sig).map_err(|_| Error::BadSignature)?;
                k.verify(msg, &s).is_ok()
            }
            PublicKey::P521(k) => {
                fixed(132)?;
                let s = p521::ecdsa::Signature::from_slice(sig).map_err(|_| Error::BadSignature)?;
                k.verify(msg, &s).is_ok()
            }
            PublicKey::Rsa(k) => {
                fixed(k.size())?;
                let s = rsa::pss::Signature::try_from(sig).map_err(|_| Error::BadSignature)?;
                // `new` fixes the salt length to the digest size (32), as COSE PS256 requires.
                rsa::pss::VerifyingKey::<Sha256>::new(k.clone())
                    .verify(msg, &s)
                    .is_ok()
            }
        };
        if ok { Ok(()) } else { Err(Error::BadSignature) }
    }

    /// Verifies an X.509 certificate signature made with this (issuer) key. X.509 allows any
    /// hash with any curve, so the digest comes from the signature algorithm OID.
    pub(crate) fn verify_x509(&self, sig_alg: &ObjectIdentifier, tbs: &[u8], sig: &[u8]) -> bool {
        let Some(hash) = X509Hash::from_oid(sig_alg) else {
            return false;
        };
        let digest = hash.digest(tbs);
        match (self, hash.kind) {
            (PublicKey::P256(k), SigKind::Ecdsa) => p256::ecdsa::Signature::from_der(sig)
                .is_ok_and(|s| k.verify_prehash(&digest, &s).is_ok()),
            (PublicKey::P384(k), SigKind::Ecdsa) => p384::ecdsa::Signature::from_der(sig)
                .is_ok_and(|s| k.verify_prehash(&digest, &s).is_ok()),
            (PublicKey::P521(k), SigKind::Ecdsa) => p521::ecdsa::Signature::from_der(sig)
                .is_ok_and(|s| k.verify_prehash(&digest, &s).is_ok()),
            (PublicKey::Rsa(k), SigKind::RsaPkcs1) => {
                let scheme = match hash.bits {
                    256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                    384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                    _ => rsa::Pkcs1v15Sign::new::<Sha512>(),
                };
                k.verify(scheme, &digest, sig).is_ok()
            }
            (PublicKey::Rsa(k), SigKind::RsaPss) => {
                // RSASSA-PSS parameters are in the AlgorithmIdentifier; CSCAs use SHA-256 with a
                // salt of the digest size, which is what we accept (auto-detected salt length).
                let s = match rsa::pss::Signature::try_from(sig) {
                    Ok(s) => s,
                    Err(_) => return false,
                };
                match hash.bits {
                    256 => rsa::pss::VerifyingKey::<Sha256>::new_with_auto_salt_len(k.clone())
                        .verify_prehash(&digest, &s)
                        .is_ok(),
                    384 => rsa::pss::VerifyingKey::<Sha384>::new_with_auto_salt_len(k.clone())
                        .verify_prehash(&digest, &s)
                        .is_ok(),
                    _ => rsa::pss::VerifyingKey::<Sha512>::new_with_auto_salt_len(k.clone())
                        .verify_prehash(&digest, &s)
                        .is_ok(),
                }
            }
            _ => false,
        }
    }
}

#[derive(Clone, Copy)]
enum SigKind {
    Ecdsa,
    RsaPkcs1,
    RsaPss,
}

struct X509Hash {
    kind: SigKind,
    bits: u16,
}

impl X509Hash {
    fn from_oid(oid: &ObjectIdentifier) -> Option<X509Hash> {
        let (kind, bits) = match oid.to_string().as_str() {
            "1.2.840.10045.4.3.2" => (SigKind::Ecdsa, 256),
            "1.2.840.10045.4.3.3" => (SigKind::Ecdsa, 384),
            "1.2.840.10045.4.3.4" => (SigKind::Ecdsa, 512),
            "1.2.840.113549.1.1.11" => (SigKind::RsaPkcs1, 256),
            "1.2.840.113549.1.1.12" => (SigKind::RsaPkcs1, 384),
            "1.2.840.113549.1.1.13" => (SigKind::RsaPkcs1, 512),
            // RSASSA-PSS: the hash is in the parameters; SHA-256 is by far the most common for
            // CSCAs. Other parameter sets simply fail to verify.
            "1.2.840.113549.1.1.10" => (SigKind::RsaPss, 256),
            _ => return None,
        };
        Some(X509Hash { kind, bits })
    }

    fn digest(&self, data: &[u8]) -> Vec<u8> {
        match self.bits {
            256 => Sha256::digest(data).to_vec(),
            384 => Sha384::digest(data).to_vec(),
            _ => Sha512::digest(data).to_vec(),
        }
    }
}
