//! The AWS-LC provider (feature `aws-lc-rs`, the default): AWS-LC's assembly field
//! arithmetic for P-256/384/521 and RSA, about 3× RustCrypto's speed on P-256 here
//! (docs/INTEROP.md). Chosen over ring, which is as fast on P-256 but has no P-521.

use std::sync::{Arc, OnceLock};

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, VerificationAlgorithm};

use super::provider::{CryptoProvider, Curve, Hash, KeyLoader, KeyMaterial, KeyRejected, Scheme};

/// The AWS-LC provider.
pub static PROVIDER: CryptoProvider = CryptoProvider {
    name: "aws-lc-rs",
    key_loader: &Loader,
};

#[derive(Debug)]
struct Loader;

/// Which key a scheme is for, so a scheme of another key type finds no algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ec(Curve),
    Rsa,
}

/// AWS-LC's algorithm for a key kind and scheme, with its slot in [`Key::parsed`].
fn algorithm(kind: Kind, scheme: Scheme) -> Option<(usize, &'static dyn VerificationAlgorithm)> {
    use Hash::*;
    let alg: &'static dyn VerificationAlgorithm = match (kind, scheme) {
        (Kind::Ec(Curve::P256), Scheme::EcdsaFixed(Sha256)) => &sig::ECDSA_P256_SHA256_FIXED,
        (Kind::Ec(Curve::P384), Scheme::EcdsaFixed(Sha384)) => &sig::ECDSA_P384_SHA384_FIXED,
        (Kind::Ec(Curve::P521), Scheme::EcdsaFixed(Sha512)) => &sig::ECDSA_P521_SHA512_FIXED,
        (Kind::Ec(Curve::P256), Scheme::EcdsaDer(Sha256)) => &sig::ECDSA_P256_SHA256_ASN1,
        (Kind::Ec(Curve::P256), Scheme::EcdsaDer(Sha384)) => &sig::ECDSA_P256_SHA384_ASN1,
        (Kind::Ec(Curve::P256), Scheme::EcdsaDer(Sha512)) => &sig::ECDSA_P256_SHA512_ASN1,
        (Kind::Ec(Curve::P384), Scheme::EcdsaDer(Sha256)) => &sig::ECDSA_P384_SHA256_ASN1,
        (Kind::Ec(Curve::P384), Scheme::EcdsaDer(Sha384)) => &sig::ECDSA_P384_SHA384_ASN1,
        (Kind::Ec(Curve::P384), Scheme::EcdsaDer(Sha512)) => &sig::ECDSA_P384_SHA512_ASN1,
        (Kind::Ec(Curve::P521), Scheme::EcdsaDer(Sha256)) => &sig::ECDSA_P521_SHA256_ASN1,
        (Kind::Ec(Curve::P521), Scheme::EcdsaDer(Sha384)) => &sig::ECDSA_P521_SHA384_ASN1,
        (Kind::Ec(Curve::P521), Scheme::EcdsaDer(Sha512)) => &sig::ECDSA_P521_SHA512_ASN1,
        (Kind::Rsa, Scheme::RsaPss(Sha256)) => &sig::RSA_PSS_2048_8192_SHA256,
        (Kind::Rsa, Scheme::RsaPss(Sha384)) => &sig::RSA_PSS_2048_8192_SHA384,
        (Kind::Rsa, Scheme::RsaPss(Sha512)) => &sig::RSA_PSS_2048_8192_SHA512,
        (Kind::Rsa, Scheme::RsaPkcs1v15(Sha256)) => &sig::RSA_PKCS1_2048_8192_SHA256,
        (Kind::Rsa, Scheme::RsaPkcs1v15(Sha384)) => &sig::RSA_PKCS1_2048_8192_SHA384,
        (Kind::Rsa, Scheme::RsaPkcs1v15(Sha512)) => &sig::RSA_PKCS1_2048_8192_SHA512,
        _ => return None,
    };
    // Slot 0 is the key's own COSE/JOSE scheme (ES256/384/512, PS256), loaded up front; the
    // others (X.509 chains) are loaded on first use.
    let slot = match scheme {
        Scheme::EcdsaFixed(_) | Scheme::RsaPss(Sha256) => 0,
        Scheme::EcdsaDer(h) | Scheme::RsaPkcs1v15(h) => 1 + hash_index(h),
        Scheme::RsaPss(h) => 4 + hash_index(h),
    };
    Some((slot, alg))
}

fn hash_index(hash: Hash) -> usize {
    match hash {
        Hash::Sha256 => 0,
        Hash::Sha384 => 1,
        Hash::Sha512 => 2,
    }
}

/// Number of [`Key::parsed`] slots: the main scheme, three X.509 hashes, three PSS hashes.
const SLOTS: usize = 7;

/// A key, parsed by AWS-LC once per algorithm it is used with.
struct Key {
    kind: Kind,
    /// The SEC1 point or PKCS#1 DER the key was loaded from.
    bytes: Box<[u8]>,
    parsed: [OnceLock<Option<ParsedPublicKey>>; SLOTS],
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "aws-lc-rs {:?} key", self.kind)
    }
}

impl Key {
    fn parsed(&self, scheme: Scheme) -> Option<&ParsedPublicKey> {
        let (slot, alg) = algorithm(self.kind, scheme)?;
        self.parsed
            .get(slot)?
            .get_or_init(|| ParsedPublicKey::new(alg, &self.bytes).ok())
            .as_ref()
    }
}

impl KeyLoader for Loader {
    fn load(
        &self,
        material: KeyMaterial<'_>,
    ) -> Result<Arc<dyn super::provider::VerifyingKey>, KeyRejected> {
        let (kind, bytes, main) = match material {
            KeyMaterial::Ec { curve, point } => {
                (Kind::Ec(curve), point, Scheme::EcdsaFixed(curve.hash()))
            }
            KeyMaterial::Rsa { pkcs1_der } => (Kind::Rsa, pkcs1_der, Scheme::RsaPss(Hash::Sha256)),
        };
        let key = Key {
            kind,
            bytes: bytes.into(),
            parsed: Default::default(),
        };
        // Parse (and so validate) the key now, for its main scheme: a bad point or modulus is
        // refused when the trust entry is read, and verification finds it ready.
        key.parsed(main).ok_or(KeyRejected)?;
        Ok(Arc::new(key))
    }
}

impl super::provider::VerifyingKey for Key {
    fn verify(&self, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool {
        self.parsed(scheme)
            .is_some_and(|key| key.verify_sig(message, signature).is_ok())
    }
}
