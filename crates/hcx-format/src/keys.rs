//! Ed25519 keys, their PEM and JWK forms, and key ids.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::Value as Json;
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
        // `hex` rather than `{:02x}` per byte: this runs for every verified code.
        f.write_str(&hex::encode(self.0))
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

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`): RFC 8410's v1 form (what
    /// `openssl genpkey -algorithm ed25519` writes) or the v2 form with the public key embedded,
    /// which must then match the private key.
    pub fn from_pem(pem: &str) -> Result<PrivateKey, KeyError> {
        SigningKey::from_pkcs8_pem(pem.trim())
            .map(PrivateKey)
            .map_err(|e| KeyError(format!("not an Ed25519 PKCS#8 PEM private key: {e}")))
    }

    /// Writes the key as RFC 8410 PKCS#8 v1 PEM: the private key alone, byte for byte what
    /// `openssl genpkey -algorithm ed25519` writes. The v2 form (with the public key) is refused
    /// by OpenSSL 3.0 and pyca/cryptography ("extra data"), so it is never written.
    pub fn to_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        // `KeypairBytes` zeroizes its copy of the secret on drop.
        let v1 = KeypairBytes {
            secret_key: self.0.to_bytes(),
            public_key: None,
        };
        v1.to_pkcs8_pem(Default::default())
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

    /// Writes the key as an RFC 8037 JWK: `{"kty":"OKP","crv":"Ed25519","x":"…"}`.
    pub fn to_jwk(&self) -> String {
        let x = URL_SAFE_NO_PAD.encode(self.0.as_bytes());
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#)
    }

    /// Reads an RFC 8037 OKP/Ed25519 JWK, or a JWK Set holding exactly one. A private JWK is
    /// accepted too (its `d` must give its `x`), as a private PEM is where a public key is
    /// wanted. `use` and `alg`, when present, must allow signing with EdDSA; other members are
    /// ignored, as RFC 7517 §4 asks.
    pub fn from_jwk(text: &str) -> Result<PublicKey, KeyError> {
        let bad = |why: String| KeyError(format!("not an Ed25519 JWK: {why}"));
        let json: Json = serde_json::from_str(text).map_err(|e| bad(format!("{e}")))?;
        let jwk = match json.get("keys") {
            None => &json,
            Some(Json::Array(keys)) => match keys.as_slice() {
                [one] => one,
                _ => {
                    return Err(bad(format!(
                        "a JWK Set with {} keys; give exactly one",
                        keys.len()
                    )));
                }
            },
            Some(_) => return Err(bad("`keys` is not an array".to_owned())),
        };
        if !jwk.is_object() {
            return Err(bad("not a JSON object".to_owned()));
        }
        let member = |name: &str| -> Result<Option<&str>, KeyError> {
            match jwk.get(name) {
                None => Ok(None),
                Some(Json::String(s)) => Ok(Some(s)),
                Some(_) => Err(bad(format!("`{name}` is not a string"))),
            }
        };
        let expect = |name: &str, want: &[&str]| -> Result<(), KeyError> {
            match member(name)? {
                Some(v) if want.contains(&v) => Ok(()),
                Some(v) => Err(bad(format!(
                    "`{name}` is `{v}`, not `{}`",
                    want.join("` or `")
                ))),
                None => Err(bad(format!("`{name}` is missing"))),
            }
        };
        expect("kty", &["OKP"])?;
        expect("crv", &["Ed25519"])?;
        if member("use")?.is_some() {
            expect("use", &["sig"])?;
        }
        if member("alg")?.is_some() {
            // RFC 8037's `EdDSA`, or RFC 9864's fully specified `Ed25519`.
            expect("alg", &["EdDSA", "Ed25519"])?;
        }
        let decode = |name: &str| -> Result<Option<Zeroizing<Vec<u8>>>, KeyError> {
            member(name)?
                .map(|v| {
                    URL_SAFE_NO_PAD
                        .decode(v)
                        .map(Zeroizing::new)
                        .map_err(|_| bad(format!("`{name}` is not unpadded base64url")))
                })
                .transpose()
        };
        let x = decode("x")?.ok_or_else(|| bad("`x` is missing".to_owned()))?;
        let public = PublicKey::from_bytes(&x)?;
        if let Some(d) = decode("d")? {
            let seed: &[u8; 32] = d
                .as_slice()
                .try_into()
                .map_err(|_| bad(format!("`d` is {} bytes, not 32", d.len())))?;
            if public_key_of_seed(seed) != public {
                return Err(bad("`d` does not match `x`".to_owned()));
            }
        }
        Ok(public)
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

/// The public key of an RFC 8032 private key (its 32-byte seed).
///
/// By variable-base multiplication, not `mul_base` as `SigningKey` does: `mul_base` reads
/// curve25519-dalek's 30 KB table of basepoint multiples, which only signing needs, and this
/// is the one place a verifier meets a private key (a root or JWK given in private form, read
/// once). Keeping it off the table keeps the table out of verify-only builds (hcx-js's small
/// WebAssembly verifier). The tests check it against `SigningKey`.
fn public_key_of_seed(seed: &[u8; 32]) -> PublicKey {
    let scalar = ed25519_dalek::hazmat::ExpandedSecretKey::from(seed).scalar;
    PublicKey(VerifyingKey::from(
        curve25519_dalek::constants::ED25519_BASEPOINT_POINT * scalar,
    ))
}

/// The public key of a PKCS#8 PEM private key, read as [`PrivateKey::from_pem`] reads it (the
/// same forms, the same errors; the v2 form's embedded public key must match) but without
/// building a signing key ([`public_key_of_seed`] says why).
fn public_key_of_private_pem(pem: &str) -> Result<PublicKey, KeyError> {
    let bad = |e: ed25519_dalek::pkcs8::Error| {
        KeyError(format!("not an Ed25519 PKCS#8 PEM private key: {e}"))
    };
    let pair = KeypairBytes::from_pkcs8_pem(pem.trim()).map_err(bad)?;
    let public = public_key_of_seed(&pair.secret_key);
    if let Some(embedded) = &pair.public_key {
        // What ed25519-dalek's `SigningKey::try_from(&KeypairBytes)` checks, with its error.
        let mismatch = || {
            bad(ed25519_dalek::pkcs8::Error::KeyMalformed(
                ed25519_dalek::pkcs8::KeyError::Invalid,
            ))
        };
        let embedded = VerifyingKey::from_bytes(embedded.as_ref()).map_err(|_| mismatch())?;
        if embedded != public.0 {
            return Err(mismatch());
        }
    }
    Ok(public)
}

/// Reads a public key from text holding a PEM public key, a PEM private key, or a JWK
/// (RFC 8037; see [`PublicKey::from_jwk`]): every form a public key is taken in.
pub fn public_key_from_any_pem(text: &str) -> Result<PublicKey, KeyError> {
    if text.trim_start().starts_with('{') {
        PublicKey::from_jwk(text)
    } else if text.contains("PRIVATE KEY") {
        public_key_of_private_pem(text)
    } else {
        PublicKey::from_pem(text)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
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
    fn public_keys_of_private_forms_are_the_signing_keys() {
        for n in 0..64u8 {
            let seed = [n.wrapping_mul(73).wrapping_add(n >> 3); 32];
            let mut seed = seed;
            seed[0] = n;
            let k = PrivateKey::from_seed(&seed);
            assert_eq!(public_key_of_seed(&seed), k.public_key());
            let pem = k.to_pem().unwrap();
            assert_eq!(public_key_of_private_pem(&pem).unwrap(), k.public_key());
            assert_eq!(public_key_from_any_pem(&pem).unwrap(), k.public_key());
        }
        // The v2 form (public key embedded): accepted when it matches, refused with
        // `PrivateKey::from_pem`'s own error when it does not.
        let k = PrivateKey::from_seed(&[9; 32]);
        let other = PrivateKey::from_seed(&[10; 32]);
        for (public, ok) in [(k.public_key(), true), (other.public_key(), false)] {
            let v2 = KeypairBytes {
                secret_key: k.secret_bytes().as_ref().to_owned().try_into().unwrap(),
                public_key: Some(ed25519_dalek::pkcs8::PublicKeyBytes(public.to_bytes())),
            }
            .to_pkcs8_pem(Default::default())
            .unwrap();
            let ours = public_key_of_private_pem(&v2);
            let theirs = PrivateKey::from_pem(&v2).map(|p| p.public_key());
            assert_eq!(ours.is_ok(), ok);
            match (ours, theirs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{a:?} against {b:?}"),
            }
        }
        for bad in [
            "",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        ] {
            assert_eq!(
                public_key_of_private_pem(bad).unwrap_err().to_string(),
                PrivateKey::from_pem(bad).unwrap_err().to_string()
            );
        }
    }

    #[test]
    fn openssl_made_key_loads() {
        // Made by `openssl genpkey -algorithm ed25519` (RFC 8410 example key).
        let k = PrivateKey::from_pem(RFC8410_PEM).unwrap();
        assert_eq!(
            k.public_key().to_pem().unwrap().trim(),
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----"
        );
    }

    /// The RFC 8410 §10.3 example key, as `openssl genpkey -algorithm ed25519` writes it.
    const RFC8410_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";

    #[test]
    fn writes_pkcs8_v1_exactly_as_openssl_does() {
        let k = PrivateKey::from_pem(RFC8410_PEM).unwrap();
        assert_eq!(k.to_pem().unwrap().as_str(), RFC8410_PEM);
        let fresh = PrivateKey::generate().unwrap().to_pem().unwrap();
        // v1: version 0 and no `[1] publicKey` (48 DER bytes, 64 base64 characters).
        let body: String = fresh.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(body.starts_with("MC4CAQAw"), "{body}");
        assert_eq!(body.len(), 64);
    }

    #[test]
    fn reads_pkcs8_v2_with_a_matching_public_key_only() {
        // The v2 form hcx wrote before (OneAsymmetricKey with `[1] publicKey`).
        let v2 = "-----BEGIN PRIVATE KEY-----\nMFECAQEwBQYDK2VwBCIEINqTceZVXIWNdgAkTih+Aa6gBzNyOIDs7BkHAd8J4NWw\ngSEA5m8atYQKwzAws0ZFPVxZ26tK5OFOxNnp/kBpDGhXG28=\n-----END PRIVATE KEY-----\n";
        let k = PrivateKey::from_pem(v2).unwrap();
        assert!(k.to_pem().unwrap().contains("MC4CAQAw"));
        // The same key with one bit of its embedded public key flipped.
        let body: String = v2.lines().filter(|l| !l.starts_with("-----")).collect();
        let mut der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let last = der.len() - 1;
        der[last] ^= 1;
        let bad = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(&der)
        );
        assert!(PrivateKey::from_pem(&bad).is_err());
    }

    #[test]
    fn jwk_round_trip_and_rfc8037_vectors() {
        // RFC 8037 appendix A.1/A.2 (the RFC 8032 test 1 key).
        let private = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let public =
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let k = PublicKey::from_jwk(public).unwrap();
        assert_eq!(k.to_jwk(), public);
        assert_eq!(PublicKey::from_jwk(private).unwrap(), k);
        assert_eq!(
            k.to_bytes()[..4],
            [0xd7, 0x5a, 0x98, 0x01],
            "RFC 8032 test 1 public key"
        );
        let set = format!(r#"{{"keys":[{public}]}}"#);
        assert_eq!(public_key_from_any_pem(&set).unwrap(), k);
        assert_eq!(
            public_key_from_any_pem(&format!("\n {public}\n")).unwrap(),
            k
        );
        let with_extras = r#"{"kty":"OKP","crv":"Ed25519","use":"sig","alg":"EdDSA","kid":"any","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        assert_eq!(PublicKey::from_jwk(with_extras).unwrap(), k);
        let g = PrivateKey::generate().unwrap().public_key();
        assert_eq!(PublicKey::from_jwk(&g.to_jwk()).unwrap(), g);
    }

    #[test]
    fn jwk_rejections_say_why() {
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        for (jwk, why) in [
            (
                format!(r#"{{"kty":"EC","crv":"Ed25519","x":"{x}"}}"#),
                "`kty` is `EC`",
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"X25519","x":"{x}"}}"#),
                "`crv` is `X25519`",
            ),
            (format!(r#"{{"kty":"OKP","x":"{x}"}}"#), "`crv` is missing"),
            (
                r#"{"kty":"OKP","crv":"Ed25519"}"#.to_owned(),
                "`x` is missing",
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}="}}"#),
                "unpadded base64url",
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","use":"enc"}}"#),
                "`use` is `enc`",
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","alg":"ES256"}}"#),
                "`alg` is `ES256`",
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","d":"{x}"}}"#),
                "`d` does not match",
            ),
            (r#"{"keys":[]}"#.to_owned(), "with 0 keys"),
            ("[1]".to_owned(), "not a JSON object"),
            ("{".to_owned(), "not an Ed25519 JWK"),
        ] {
            let err = PublicKey::from_jwk(&jwk).unwrap_err();
            assert_eq!(err.code(), "invalid_key");
            assert!(err.to_string().contains(why), "{jwk}: {err}");
        }
        // 31 bytes.
        let short =
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ"}"#;
        assert!(
            PublicKey::from_jwk(short)
                .unwrap_err()
                .to_string()
                .contains("32 bytes")
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
