//! The signed envelope: a COSE_Sign1 like the codes', told apart by its `typ` header
//! (SPEC.md §14.5.1).

use hcx_format::{KeyId, PrivateKey, PublicKey};

use crate::cbor::{self, Reader, write_bytes, write_head, write_text};
use crate::error::StatusError;
use crate::limits::MAX_LIST_BYTES;
use crate::list::{ListHeader, ListSummary, StatusList};

/// The `typ` (COSE header 16, RFC 9596) of a status list. A code's protected header may hold
/// only `alg` and `kid`, so no status list can pass for a code, nor a code for a status list.
pub const CONTENT_TYPE: &str = "application/hcx-status+cbor";

const COSE_SIGN1_TAG: u64 = 18;
const ALG_EDDSA: i64 = -8;
const HEADER_ALG: u64 = 1;
const HEADER_KID: u64 = 4;
const HEADER_TYP: u64 = 16;

/// The protected header `{1: -8, 4: kid, 16: CONTENT_TYPE}`.
fn protected_header(kid: &KeyId) -> Vec<u8> {
    let mut out = Vec::with_capacity(48);
    write_head(&mut out, cbor::MAP, 3);
    write_head(&mut out, cbor::UINT, HEADER_ALG);
    write_head(&mut out, cbor::NINT, (-1 - ALG_EDDSA) as u64);
    write_head(&mut out, cbor::UINT, HEADER_KID);
    write_bytes(&mut out, &kid.0);
    write_head(&mut out, cbor::UINT, HEADER_TYP);
    write_text(&mut out, CONTENT_TYPE);
    out
}

/// The COSE Sig_structure `["Signature1", protected, h'', payload]` (RFC 9052 §4.4).
fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected.len() + payload.len() + 24);
    write_head(&mut out, cbor::ARRAY, 4);
    write_text(&mut out, "Signature1");
    write_bytes(&mut out, protected);
    write_bytes(&mut out, &[]);
    write_bytes(&mut out, payload);
    out
}

impl StatusList {
    /// Signs the list with the issuer's status key: the bytes of the file to publish.
    pub fn sign(&self, key: &PrivateKey) -> Vec<u8> {
        let protected = protected_header(&key.key_id());
        let payload = self.to_payload();
        let signature = key.sign(&sig_structure(&protected, &payload));
        let mut out = Vec::with_capacity(payload.len() + protected.len() + 80);
        write_head(&mut out, cbor::TAG, COSE_SIGN1_TAG);
        write_head(&mut out, cbor::ARRAY, 4);
        write_bytes(&mut out, &protected);
        write_head(&mut out, cbor::MAP, 0);
        write_bytes(&mut out, &payload);
        write_bytes(&mut out, &signature);
        out
    }
}

/// A status list file whose envelope has been read, but whose signature is not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedStatusList {
    protected: Vec<u8>,
    payload: Vec<u8>,
    signature: [u8; 64],
    key_id: KeyId,
}

impl SignedStatusList {
    /// Reads the envelope strictly: size limit first, then tag 18, four items, the protected
    /// header exactly `{alg: EdDSA, kid, typ}`, an empty unprotected header, a 64-byte
    /// signature, nothing after. The payload is not parsed until [`Self::verify`].
    pub fn parse(bytes: &[u8]) -> Result<SignedStatusList, StatusError> {
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusError::TooLarge {
                what: "bytes",
                len: bytes.len() as u64,
                max: MAX_LIST_BYTES as u64,
            });
        }
        let mut r = Reader::new(bytes);
        r.tag(COSE_SIGN1_TAG)?;
        let shape = |e: StatusError| match e {
            StatusError::BadPayload(what) => StatusError::NotCoseSign1(what),
            other => other,
        };
        r.array(4, "the COSE_Sign1").map_err(shape)?;
        let protected = r.bytes("the protected header").map_err(shape)?;
        let key_id = read_protected(protected)?;
        // `map(0, …)` accepts only the empty map: anything unsigned could steer a verifier.
        r.map(0, "the unprotected header").map_err(|e| match e {
            StatusError::BadPayload(_) => {
                StatusError::BadHeader("the unprotected header must be empty".to_owned())
            }
            other => other,
        })?;
        let payload = r.bytes("the payload").map_err(shape)?;
        let signature = r.bytes("the signature").map_err(shape)?;
        let signature: [u8; 64] = signature.try_into().map_err(|_| {
            StatusError::NotCoseSign1(format!(
                "the signature is {} bytes, not 64",
                signature.len()
            ))
        })?;
        r.finish()?;
        Ok(SignedStatusList {
            protected: protected.to_vec(),
            payload: payload.to_vec(),
            signature,
            key_id,
        })
    }

    /// The kid in the protected header: a hint for choosing among the issuer's status keys.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// Checks the signature with `key`, the key the trust list authorises for `issuer`'s
    /// status, then reads the payload and checks it names that issuer.
    pub fn verify(&self, key: &PublicKey, issuer: &str) -> Result<StatusList, StatusError> {
        if !key.verify_strict(
            &sig_structure(&self.protected, &self.payload),
            &self.signature,
        ) {
            return Err(StatusError::BadSignature);
        }
        let list = StatusList::from_payload(&self.payload)?;
        if list.header().issuer != issuer {
            return Err(StatusError::WrongIssuer {
                expected: issuer.to_owned(),
                found: list.header().issuer.clone(),
            });
        }
        Ok(list)
    }

    /// The payload's structure without checking the signature, for display only: nothing
    /// read this way can be used for lookups.
    pub fn summary_unverified(&self) -> Result<ListSummary, StatusError> {
        StatusList::from_payload(&self.payload).map(|l| l.summary())
    }

    /// The payload's header without checking the signature, for choosing the issuer's keys.
    pub fn header_unverified(&self) -> Result<ListHeader, StatusError> {
        StatusList::from_payload(&self.payload).map(|l| l.header().clone())
    }
}

/// Reads the protected header and returns its kid.
fn read_protected(bytes: &[u8]) -> Result<KeyId, StatusError> {
    let header = |what: &str| StatusError::BadHeader(what.to_owned());
    let mut r = Reader::new(bytes);
    let entries = r.map(3, "the protected header").map_err(|e| match e {
        StatusError::BadPayload(_) => header("the protected header is a map of 3 entries"),
        other => other,
    })?;
    if entries != 3 {
        return Err(header(
            "the protected header holds exactly alg, kid and typ",
        ));
    }
    let key = |r: &mut Reader<'_>, expected: u64, name: &str| -> Result<(), StatusError> {
        match r.uint("a header label") {
            Ok(k) if k == expected => Ok(()),
            Ok(_) | Err(StatusError::BadPayload(_)) => Err(header(&format!(
                "the protected header holds exactly alg (1), kid (4) and typ (16), in order; \
                 {name} is missing or misplaced"
            ))),
            Err(other) => Err(other),
        }
    };
    key(&mut r, HEADER_ALG, "alg")?;
    let alg = r.int("alg").map_err(|_| header("alg is not an integer"))?;
    if alg != ALG_EDDSA {
        return Err(StatusError::UnsupportedAlgorithm(alg));
    }
    key(&mut r, HEADER_KID, "kid")?;
    let kid = r
        .bytes("kid")
        .map_err(|_| header("kid is not a byte string"))?;
    let kid = KeyId::from_slice(kid).ok_or_else(|| header("kid is not 8 bytes"))?;
    key(&mut r, HEADER_TYP, "typ")?;
    let typ = r
        .text("typ")
        .map_err(|_| header("typ is not a text string"))?;
    if typ != CONTENT_TYPE {
        return Err(header(&format!("typ is `{typ}`, not `{CONTENT_TYPE}`")));
    }
    r.finish()
        .map_err(|_| header("bytes after the protected header map"))?;
    Ok(kid)
}
