//! Ed25519 signatures over many messages with one key, byte for byte those of
//! `SigningKey::sign`, with the one costly step that can be shared done once per batch.
//!
//! RFC 8032 signing is `r = H(prefix ‖ M)`, `R = [r]B`, `k = H(R ‖ A ‖ M)`, `s = r + k·a`.
//! Encoding `R` needs a field inversion — about a third of a signature's cost — and ed25519-dalek
//! pays one per signature. Here the `R`s of a batch are encoded together with one inversion
//! (Montgomery's trick, curve25519-dalek's `compress_batch_alloc`, which runs in constant time
//! like the rest). Everything else is ed25519-dalek's own key expansion and curve25519-dalek's
//! constant-time fixed-base multiplication; no crate offers batched signing, hence this module.
//! The tests compare every signature with `SigningKey::sign`.

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::hazmat::ExpandedSecretKey;
use sha2::{Digest, Sha512};

use crate::keys::PrivateKey;

/// A private key expanded once, for signing many messages.
pub(crate) struct BulkSigner {
    secret: ExpandedSecretKey,
    public: [u8; 32],
}

impl BulkSigner {
    /// Expands `key` (RFC 8032 §5.1.5), as ed25519-dalek does for each signature.
    pub(crate) fn new(key: &PrivateKey) -> BulkSigner {
        BulkSigner {
            secret: ExpandedSecretKey::from(&*key.secret_bytes()),
            public: key.public_key().to_bytes(),
        }
    }

    /// The signature of each message, in order.
    pub(crate) fn sign_all(&self, messages: &[&[u8]]) -> Vec<[u8; 64]> {
        let nonces: Vec<Scalar> = messages
            .iter()
            .map(|m| {
                let mut h = Sha512::new();
                h.update(self.secret.hash_prefix);
                h.update(m);
                Scalar::from_bytes_mod_order_wide(&h.finalize().into())
            })
            .collect();
        let points: Vec<EdwardsPoint> = nonces.iter().map(EdwardsPoint::mul_base).collect();
        let encoded = EdwardsPoint::compress_batch_alloc(&points);
        messages
            .iter()
            .zip(nonces)
            .zip(encoded)
            .map(|((m, r), big_r)| {
                let mut h = Sha512::new();
                h.update(big_r.as_bytes());
                h.update(self.public);
                h.update(m);
                let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
                let s = k * self.secret.scalar + r;
                let mut signature = [0u8; 64];
                let (r_part, s_part) = signature.split_at_mut(32);
                r_part.copy_from_slice(big_r.as_bytes());
                s_part.copy_from_slice(s.as_bytes());
                signature
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn signatures_equal_ed25519_dalek_sign() {
        for seed in 0u8..8 {
            let key = PrivateKey::from_seed(&[seed.wrapping_mul(37); 32]);
            let signer = BulkSigner::new(&key);
            let messages: Vec<Vec<u8>> = (0..70usize)
                .map(|n| {
                    (0..n * 3)
                        .map(|i| (i * 7 + n + seed as usize) as u8)
                        .collect()
                })
                .collect();
            let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
            let bulk = signer.sign_all(&refs);
            assert_eq!(bulk.len(), refs.len());
            for (m, sig) in refs.iter().zip(&bulk) {
                assert_eq!(
                    *sig,
                    key.sign(m),
                    "seed {seed}, message of {} bytes",
                    m.len()
                );
            }
            // One at a time, and none at all.
            assert_eq!(signer.sign_all(&refs[5..6]), vec![key.sign(refs[5])]);
            assert!(signer.sign_all(&[]).is_empty());
        }
    }
}
