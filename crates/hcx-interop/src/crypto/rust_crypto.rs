//! The pure-Rust provider (feature `rust-crypto`): RustCrypto's `p256`, `p384`, `p521` and
//! `rsa`, for wasm32 and for builds without a C compiler.

use std::sync::Arc;

use p256::ecdsa::signature::Verifier;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::DecodeRsaPublicKey;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::provider::{CryptoProvider, Curve, Hash, KeyLoader, KeyMaterial, KeyRejected, Scheme};

/// The RustCrypto provider.
pub static PROVIDER: CryptoProvider = CryptoProvider {
    name: "rust-crypto",
    key_loader: &Loader,
};

#[derive(Debug)]
struct Loader;

/// A key, parsed once; an RSA key keeps its PS256 verifier ready, as DCCs use it.
#[derive(Debug)]
enum Key {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Rsa(Box<rsa::pss::VerifyingKey<Sha256>>),
}

impl KeyLoader for Loader {
    fn load(
        &self,
        material: KeyMaterial<'_>,
    ) -> Result<Arc<dyn super::provider::VerifyingKey>, KeyRejected> {
        let key = match material {
            KeyMaterial::Ec { curve, point } => match curve {
                Curve::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map(Key::P256),
                Curve::P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map(Key::P384),
                Curve::P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map(Key::P521),
            }
            .map_err(|_| KeyRejected)?,
            KeyMaterial::Rsa { pkcs1_der } => {
                let key = rsa::RsaPublicKey::from_pkcs1_der(pkcs1_der).map_err(|_| KeyRejected)?;
                // `new` fixes the salt length to the digest size (32), as COSE PS256 requires.
                Key::Rsa(Box::new(rsa::pss::VerifyingKey::new(key)))
            }
        };
        Ok(Arc::new(key))
    }
}

fn digest(hash: Hash, data: &[u8]) -> Vec<u8> {
    match hash {
        Hash::Sha256 => Sha256::digest(data).to_vec(),
        Hash::Sha384 => Sha384::digest(data).to_vec(),
        Hash::Sha512 => Sha512::digest(data).to_vec(),
    }
}

/// ECDSA with a raw (r‖s) or DER signature, over the digest of `msg` (X.509 may pair any
/// SHA-2 with any curve, so the digest is computed here and verified as a prehash).
macro_rules! ecdsa {
    ($curve:ident, $key:expr, $scheme:expr, $own:expr, $msg:expr, $sig:expr) => {
        match $scheme {
            Scheme::EcdsaFixed(h) if h == $own => $curve::ecdsa::Signature::from_slice($sig)
                .is_ok_and(|s| $key.verify($msg, &s).is_ok()),
            Scheme::EcdsaDer(h) => $curve::ecdsa::Signature::from_der($sig)
                .is_ok_and(|s| $key.verify_prehash(&digest(h, $msg), &s).is_ok()),
            _ => false,
        }
    };
}

/// RSASSA-PSS (salt as long as the digest) or PKCS#1 v1.5 with hash `H`.
fn rsa_verify<H>(key: &rsa::RsaPublicKey, pss: bool, msg: &[u8], sig: &[u8]) -> bool
where
    H: Digest + sha2::digest::FixedOutputReset + sha2::digest::const_oid::AssociatedOid,
{
    if pss {
        rsa::pss::Signature::try_from(sig).is_ok_and(|s| {
            rsa::pss::VerifyingKey::<H>::new(key.clone())
                .verify(msg, &s)
                .is_ok()
        })
    } else {
        rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| {
            rsa::pkcs1v15::VerifyingKey::<H>::new(key.clone())
                .verify(msg, &s)
                .is_ok()
        })
    }
}

impl super::provider::VerifyingKey for Key {
    fn verify(&self, scheme: Scheme, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            Key::P256(k) => ecdsa!(p256, k, scheme, Hash::Sha256, msg, sig),
            Key::P384(k) => ecdsa!(p384, k, scheme, Hash::Sha384, msg, sig),
            Key::P521(k) => ecdsa!(p521, k, scheme, Hash::Sha512, msg, sig),
            Key::Rsa(pss256) => {
                let key: &rsa::RsaPublicKey = pss256.as_ref().as_ref();
                match scheme {
                    Scheme::RsaPss(Hash::Sha256) => rsa::pss::Signature::try_from(sig)
                        .is_ok_and(|s| pss256.verify(msg, &s).is_ok()),
                    Scheme::RsaPss(Hash::Sha384) => rsa_verify::<Sha384>(key, true, msg, sig),
                    Scheme::RsaPss(Hash::Sha512) => rsa_verify::<Sha512>(key, true, msg, sig),
                    Scheme::RsaPkcs1v15(Hash::Sha256) => rsa_verify::<Sha256>(key, false, msg, sig),
                    Scheme::RsaPkcs1v15(Hash::Sha384) => rsa_verify::<Sha384>(key, false, msg, sig),
                    Scheme::RsaPkcs1v15(Hash::Sha512) => rsa_verify::<Sha512>(key, false, msg, sig),
                    _ => false,
                }
            }
        }
    }
}
