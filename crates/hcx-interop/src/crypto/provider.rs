//! The seam itself: what a provider is given (curves, hashes, schemes, key material) and what
//! it must do (load a key, check a signature). Its own module so the providers and the parsing
//! side (`crypto`) both depend on it, and not on each other.

use std::fmt;
use std::sync::Arc;

/// An elliptic curve a provider must support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
}

impl Curve {
    /// Bytes of a field element (and of each half of a raw r‖s signature).
    pub fn field_bytes(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// The hash its COSE/JOSE algorithm pairs it with (ES256, ES384, ES512).
    pub fn hash(self) -> Hash {
        match self {
            Curve::P256 => Hash::Sha256,
            Curve::P384 => Hash::Sha384,
            Curve::P521 => Hash::Sha512,
        }
    }

    /// `P-256`, `P-384` or `P-521`.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }
}

/// A SHA-2 hash function, as signature schemes use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

/// A signature scheme: what a provider is asked to verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// ECDSA over the hash of the message, signature as raw r‖s (COSE, JOSE, VDS-NC).
    EcdsaFixed(Hash),
    /// ECDSA over the hash of the message, signature as a DER `Ecdsa-Sig-Value` (X.509).
    EcdsaDer(Hash),
    /// RSASSA-PSS with MGF1 of the same hash and a salt as long as the digest.
    RsaPss(Hash),
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1v15(Hash),
}

/// Public-key material, already checked by the seam: a provider only has to load it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyMaterial<'a> {
    /// An EC point, SEC1-encoded (uncompressed `04‖x‖y` or compressed `02/03‖x`, of the
    /// curve's size); whether it lies on the curve is for the provider to check.
    Ec {
        /// The curve.
        curve: Curve,
        /// The SEC1 encoding.
        point: &'a [u8],
    },
    /// A DER `RSAPublicKey` (PKCS#1) with an odd modulus of 2048 to 4096 bits and an odd
    /// exponent from 3 to 2^33 - 1.
    Rsa {
        /// The DER encoding.
        pkcs1_der: &'a [u8],
    },
}

/// A provider refused a public key (not a point on the curve, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRejected;

/// Loads public keys: called once per key, when a trust entry or certificate is read.
pub trait KeyLoader: Send + Sync + fmt::Debug {
    /// Loads (parses and validates) a key for repeated verification.
    fn load(&self, material: KeyMaterial<'_>) -> Result<Arc<dyn VerifyingKey>, KeyRejected>;
}

/// A loaded public key.
pub trait VerifyingKey: Send + Sync + fmt::Debug {
    /// True when `signature` is a valid signature of `message` under `scheme`. The seam only
    /// asks for schemes the key type allows; anything a provider cannot check is `false`.
    fn verify(&self, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool;
}

/// A set of cryptographic implementations, chosen at build time (see the module docs).
#[derive(Debug)]
pub struct CryptoProvider {
    /// A short name for reports: `aws-lc-rs`, `rust-crypto`.
    pub name: &'static str,
    /// Loads public keys.
    pub key_loader: &'static dyn KeyLoader,
}
