//! Issuing codes: claims → CWT → COSE_Sign1 → text, signed with Ed25519 (SPEC §4–§6).

use crate::claims::HealthClaims;
use crate::cose;
use crate::cwt::{self, CODE_ID_LEN, CwtClaims};
use crate::error::IssueError;
use crate::keys::{KeyId, PrivateKey};
use crate::text::text_from_cose;

/// What to put in a code besides the health claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueParams {
    /// The issuer id (`iss`), as registered in the trust list.
    pub issuer: String,
    /// Issuing time (`iat`), Unix seconds.
    pub issued_at: i64,
    /// Expiry (`exp`), Unix seconds; later than `issued_at`.
    pub expires_at: i64,
    /// Optional start of validity (`nbf`), Unix seconds.
    pub not_before: Option<i64>,
}

/// Issues a code: validates the claims, signs them with `key`, and returns the `HCX1:` text.
pub fn issue(
    key: &PrivateKey,
    params: &IssueParams,
    claims: &HealthClaims,
) -> Result<String, IssueError> {
    let mut code_id = [0u8; CODE_ID_LEN];
    getrandom::fill(&mut code_id)
        .map_err(|e| IssueError::InvalidInput(format!("no randomness available: {e}")))?;
    issue_with_code_id(key, params, claims, &code_id)
}

/// Issues a code with a given code id (for reproducible test vectors; use [`issue`] otherwise).
pub fn issue_with_code_id(
    key: &PrivateKey,
    params: &IssueParams,
    claims: &HealthClaims,
    code_id: &[u8],
) -> Result<String, IssueError> {
    let code = PreparedCode::new(&key.key_id(), params, claims, code_id)?;
    let signature = key.sign(&code.signed_bytes());
    Ok(code.into_text(&signature))
}

/// Issues many codes with one key: for each request the same result as [`issue`], with the
/// signatures made together (one shared field inversion, see `hcx_ed25519::BatchSigner`) and
/// the random code ids drawn in one call.
#[derive(Debug)]
pub struct BatchIssuer {
    key: PrivateKey,
    key_id: KeyId,
}

/// A code issued by [`BatchIssuer::issue_many_identified`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The code text, `HCX1:…`.
    pub text: String,
    /// The code's id (`cti`), drawn at random.
    pub code_id: [u8; CODE_ID_LEN],
}

/// One code for [`BatchIssuer::issue_many`].
#[derive(Debug, Clone, Copy)]
pub struct IssueRequest<'a> {
    /// Issuer, times.
    pub params: &'a IssueParams,
    /// The health claims.
    pub claims: &'a HealthClaims,
}

impl BatchIssuer {
    /// A batch issuer signing with `key`.
    pub fn new(key: &PrivateKey) -> BatchIssuer {
        BatchIssuer {
            key: key.clone(),
            key_id: key.key_id(),
        }
    }

    /// Issues one code per request, in order; a bad request fails alone.
    pub fn issue_many(&self, requests: &[IssueRequest<'_>]) -> Vec<Result<String, IssueError>> {
        self.issue_many_identified(requests)
            .into_iter()
            .map(|r| r.map(|issued| issued.text))
            .collect()
    }

    /// [`BatchIssuer::issue_many`], also giving each code's random id (`cti`): what an
    /// issuer's registry records so that the code's status can be published later.
    pub fn issue_many_identified(
        &self,
        requests: &[IssueRequest<'_>],
    ) -> Vec<Result<IssuedCode, IssueError>> {
        let mut ids = vec![0u8; CODE_ID_LEN * requests.len()];
        if let Err(e) = getrandom::fill(&mut ids) {
            let problem = format!("no randomness available: {e}");
            return requests
                .iter()
                .map(|_| Err(IssueError::InvalidInput(problem.clone())))
                .collect();
        }
        // Each code ready to sign: the code, its signed bytes, its id.
        type Prepared = (PreparedCode, Vec<u8>, [u8; CODE_ID_LEN]);
        let prepared: Vec<Result<Prepared, IssueError>> = requests
            .iter()
            .zip(ids.chunks_exact(CODE_ID_LEN))
            .map(|(r, id)| {
                let code = PreparedCode::new(&self.key_id, r.params, r.claims, id)?;
                let tbs = code.signed_bytes();
                let mut code_id = [0u8; CODE_ID_LEN];
                code_id.copy_from_slice(id);
                Ok((code, tbs, code_id))
            })
            .collect();
        let messages: Vec<&[u8]> = prepared
            .iter()
            .filter_map(|p| p.as_ref().ok().map(|(_, tbs, _)| tbs.as_slice()))
            .collect();
        let signing_key = ed25519_dalek::SigningKey::from_bytes(&self.key.secret_bytes());
        // A fault caught by the bulk signer's check releases nothing; sign that batch again
        // one by one, with no shared step for a fault to spread through.
        let mut signatures = hcx_ed25519::BatchSigner::new(&signing_key)
            .sign_all(&messages)
            .unwrap_or_else(|_| messages.iter().map(|m| self.key.sign(m)).collect())
            .into_iter();
        prepared
            .into_iter()
            .map(|p| {
                let (code, _, code_id) = p?;
                let signature = signatures
                    .next()
                    .ok_or_else(|| IssueError::InvalidInput("signature missing".to_owned()))?;
                Ok(IssuedCode {
                    text: code.into_text(&signature),
                    code_id,
                })
            })
            .collect()
    }
}

/// A code checked and encoded up to its signature.
struct PreparedCode {
    /// The protected header's bytes: `{1: -8, 4: kid}`.
    protected: Vec<u8>,
    /// The CWT claims set's bytes.
    payload: Vec<u8>,
}

impl PreparedCode {
    fn new(
        key_id: &KeyId,
        params: &IssueParams,
        claims: &HealthClaims,
        code_id: &[u8],
    ) -> Result<PreparedCode, IssueError> {
        claims.validate()?;
        let cwt = CwtClaims {
            issuer: params.issuer.clone(),
            issued_at: params.issued_at,
            expires_at: params.expires_at,
            not_before: params.not_before,
            code_id: code_id.to_vec(),
            health: claims.clone(),
        };
        cwt::check_for_issue(&cwt).map_err(IssueError::InvalidInput)?;
        Ok(PreparedCode {
            protected: cose::protected_header_bytes(key_id),
            payload: cwt::write(&cwt),
        })
    }

    /// The COSE Sig_structure the signature covers.
    fn signed_bytes(&self) -> Vec<u8> {
        cose::sig_structure(&self.protected, &self.payload)
    }

    /// The code text: `HCX1:` + base45 of the tagged COSE_Sign1.
    fn into_text(self, signature: &[u8; 64]) -> String {
        text_from_cose(&cose::write(&self.protected, &self.payload, signature))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::decode::decode;

    #[test]
    fn batch_issuer_codes_decode_like_single_ones() {
        let key = PrivateKey::from_seed(&[7; 32]);
        let claims =
            HealthClaims::from_json(r#"{"status":"green","subject":{"name":"张三"}}"#).unwrap();
        let good = IssueParams {
            issuer: "dingtalk".into(),
            issued_at: 1_795_000_000,
            expires_at: 1_795_086_400,
            not_before: Some(1_795_000_100),
        };
        let bad = IssueParams {
            expires_at: 1,
            ..good.clone()
        };
        let requests = [
            IssueRequest {
                params: &good,
                claims: &claims,
            },
            IssueRequest {
                params: &bad,
                claims: &claims,
            },
            IssueRequest {
                params: &good,
                claims: &claims,
            },
        ];
        let out = BatchIssuer::new(&key).issue_many(&requests);
        assert!(matches!(out[1], Err(IssueError::InvalidInput(_))));
        let (a, b) = (out[0].as_ref().unwrap(), out[2].as_ref().unwrap());
        assert_ne!(a, b, "each code has its own random id");
        for text in [a, b] {
            let code = decode(text).unwrap();
            assert_eq!(code.claims, claims);
            assert_eq!(code.not_before, Some(1_795_000_100));
            assert!(
                key.public_key()
                    .verify_strict(&code.signed_bytes, &code.signature)
            );
            // The same code id through the single path gives the very same text.
            let single = issue_with_code_id(&key, &good, &claims, &code.code_id).unwrap();
            assert_eq!(&single, text);
        }
        // The identified form gives the id that is in the code.
        let identified = BatchIssuer::new(&key).issue_many_identified(&requests[..1]);
        let issued = identified[0].as_ref().unwrap();
        assert_eq!(decode(&issued.text).unwrap().code_id, issued.code_id);
    }
}
