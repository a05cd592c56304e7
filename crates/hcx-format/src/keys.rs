//! Ed25519 keys, their PEM forms, and key ids.

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::KeyError;

/// Key id: the first 8 bytes of SHA-256 over the raw 32-byte public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 8]);

impl KeyId {
    /// Derives the key id of a raw public key.
    pub fn of_raw_public_key(raw: &[u8]) -> KeyId {
        let digest = Sha256::digest(raw);
        let mut id = [0u8; 8];
        for (dst, src) in id.iter_mut().zip(digest.iter()) {
            *dst = *src;
        }
        KeyId(id)
    }

    /// Reads a key id from its 8 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<KeyId> {
        <[u8; 8]>::try_from(bytes).ok().map(KeyId)
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for KeyId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let err = || format!("`{s}` is not a key id (16 lowercase hex digits)");
        if s.len() != 16
            || !s
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(err());
        }
        let mut id = [0u8; 8];
        for (i, byte) in id.iter_mut().enumerate() {
            let pair = s.get(2 * i..2 * i + 2).ok_or_else(err)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| err())?;
        }
        Ok(KeyId(id))
    }
}

/// An Ed25519 private key, used by issuers to sign codes and by roots to sign trust lists.
#[derive(Clone)]
pub struct PrivateKey(SigningKey);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({})", self.key_id())
    }
}

impl PrivateKey {
    /// Generates a new key from the operating system's random source.
    pub fn generate() -> Result<PrivateKey, KeyError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut())
            .map_err(|e| KeyError(format!("no randomness available: {e}")))?;
        Ok(PrivateKey::from_seed(&seed))
    }

    /// Builds the key from a 32-byte seed (RFC 8032 private key). Fixtures use fixed seeds.
    pub fn from_seed(seed: &[u8; 32]) -> PrivateKey {
        PrivateKey(SigningKey::from_bytes(seed))
    }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), e.g. from
    /// `openssl genpkey -algorithm ed25519`.
    pub fn from_pem(pem: &str) -> Result<PrivateKey, KeyError> {
        SigningKey::from_pkcs8_pem(pem.trim())
            .map(PrivateKey)
            .map_err(|e| KeyError(format!("not an Ed25519 PKCS#8 PEM private key: {e}")))
    }

    /// Writes the key as PKCS#8 PEM.
    pub fn to_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        self.0
            .to_pkcs8_pem(Default::default())
            .map(|s| Zeroizing::new(s.to_string()))
            .map_err(|e| KeyError(format!("cannot encode key: {e}")))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// The key id of the matching public key.
    pub fn key_id(&self) -> KeyId {
        self.public_key().key_id()
    }

    /// The RFC 8032 private key (the seed), for expanding it once for bulk signing.
    pub(crate) fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// Signs a message (pure Ed25519, RFC 8032); other hcx crates sign their own structures
    /// (status lists) with it.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.key_id())
    }
}

impl PublicKey {
    /// Reads a raw 32-byte public key; rejects encodings that are not points, non-canonical
    /// encodings (y >= p) and small-order (weak) keys, which `verify_strict` would reject anyway.
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        let raw: [u8; 32] = bytes.try_into().map_err(|_| {
            KeyError(format!(
                "an Ed25519 public key is 32 bytes, not {}",
                bytes.len()
            ))
        })?;
        let key = VerifyingKey::from_bytes(&raw)
            .map_err(|_| KeyError("not a valid Ed25519 public key".to_owned()))?;
        // dalek reduces y modulo p, so the 19 encodings with y >= p would also decode; RFC 8032
        // §5.1.3 rejects them, and so does hcx (SPEC.md §6): one key, one encoding, one kid.
        if key.to_edwards().compress().to_bytes() != raw {
            return Err(KeyError(
                "not the canonical encoding of an Ed25519 point (RFC 8032 §5.1.3)".to_owned(),
            ));
        }
        if key.is_weak() {
            return Err(KeyError("small-order (weak) Ed25519 public key".to_owned()));
        }
        Ok(PublicKey(key))
    }

    /// Reads an SPKI PEM public key (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        let key = VerifyingKey::from_public_key_pem(pem.trim())
            .map_err(|e| KeyError(format!("not an Ed25519 SPKI PEM public key: {e}")))?;
        PublicKey::from_bytes(key.as_bytes())
    }

    /// Writes the key as SPKI PEM.
    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.0
            .to_public_key_pem(Default::default())
            .map_err(|e| KeyError(format!("cannot encode key: {e}")))
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The key id.
    pub fn key_id(&self) -> KeyId {
        KeyId::of_raw_public_key(self.0.as_bytes())
    }

    /// Checks an Ed25519 signature with `verify_strict` (rejects non-canonical and small-order
    /// components, so exactly one signature set is accepted; SPEC.md §6).
    pub fn verify_strict(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = Signature::from_slice(signature) else {
            return false;
        };
        self.0.verify_strict(message, &sig).is_ok()
    }
}

/// Reads a public key from PEM text holding either a public key or a private key.
pub fn public_key_from_any_pem(pem: &str) -> Result<PublicKey, KeyError> {
    if pem.contains("PRIVATE KEY") {
        PrivateKey::from_pem(pem).map(|k| k.public_key())
    } else {
        PublicKey::from_pem(pem)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_and_key_id() {
        let k = PrivateKey::from_seed(&[7; 32]);
        let pem = k.to_pem().unwrap();
        let back = PrivateKey::from_pem(&pem).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        let pub_pem = k.public_key().to_pem().unwrap();
        assert_eq!(PublicKey::from_pem(&pub_pem).unwrap(), k.public_key());
        let id = k.key_id();
        assert_eq!(id.to_string().parse::<KeyId>().unwrap(), id);
    }

    #[test]
    fn openssl_made_key_loads() {
        // Made by `openssl genpkey -algorithm ed25519` (RFC 8410 example key).
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
        let k = PrivateKey::from_pem(pem).unwrap();
        assert_eq!(
            k.public_key().to_pem().unwrap().trim(),
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----"
        );
    }

    #[test]
    fn rejects_weak_and_malformed_keys() {
        let mut identity = [0u8; 32];
        identity[0] = 1; // the identity point: small order
        assert!(PublicKey::from_bytes(&identity).is_err());
        assert!(PublicKey::from_bytes(&[1, 2, 3]).is_err());
        // y = p + 3 decodes to the same point as y = 3, which is not of small order.
        let mut twin = [0xff; 32];
        twin[0] = 0xf0;
        twin[31] = 0x7f;
        let mut canonical = [0; 32];
        canonical[0] = 3;
        assert!(PublicKey::from_bytes(&canonical).is_ok());
        assert!(PublicKey::from_bytes(&twin).is_err());
        assert!(PrivateKey::from_pem("garbage").is_err());
    }
}
