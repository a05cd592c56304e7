//! SPEC §3, the text form: `HCX1:` + base45 (RFC 9285) of the COSE bytes, canonical only.

use crate::error::DecodeError;
use crate::limits::MAX_TEXT_LEN;

/// The text prefix of version 1 hcx codes.
pub const PREFIX: &str = "HCX1:";

/// The base45 alphabet (RFC 9285 §4).
const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Reads a code text down to its COSE bytes: length (C1), prefix (C2), canonical base45 (C3).
pub fn cose_bytes(text: &str) -> Result<Vec<u8>, DecodeError> {
    if text.len() > MAX_TEXT_LEN {
        return Err(DecodeError::TextTooLong {
            len: text.len(),
            max: MAX_TEXT_LEN,
        });
    }
    let body = text.strip_prefix(PREFIX).ok_or(DecodeError::BadPrefix)?;
    decode_base45(body)
}

/// The text form of COSE bytes: `HCX1:` + base45.
pub fn text_from_cose(cose: &[u8]) -> String {
    let mut out = String::with_capacity(PREFIX.len() + cose.len().div_ceil(2) * 3);
    out.push_str(PREFIX);
    encode_base45_into(cose, &mut out);
    out
}

/// The value of one base45 character.
fn digit(c: u8) -> Option<u32> {
    // A 256-entry table would be faster still; a search over 45 bytes is not measurable next to
    // the signature check, and cannot be wrong.
    ALPHABET
        .iter()
        .position(|a| *a == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// Base45 text → bytes, accepting only the one text the encoder writes.
///
/// RFC 9285 reads every text of length ≢ 1 (mod 3) over the alphabet; some byte strings then
/// have two texts, because a final pair of value 256–2024 wraps modulo 256. hcx accepts exactly
/// one text per code (SPEC §3.2): characters outside the alphabet, a length ≡ 1 (mod 3) and a
/// triple above 65535 are `bad_base45` (no decoder reads them); a final pair above 255 is
/// `non_canonical_base45` (decoders read it, wrapped).
fn decode_base45(text: &str) -> Result<Vec<u8>, DecodeError> {
    let bytes = text.as_bytes();
    let bad = |what: &str| DecodeError::Base45(what.to_owned());
    let mut out = Vec::with_capacity(bytes.len() / 3 * 2 + 1);
    let mut chunks = bytes.chunks_exact(3);
    for c in &mut chunks {
        let [a, b, d] = c else {
            return Err(bad("internal chunking"));
        };
        let value = digit(*a)
            .zip(digit(*b))
            .zip(digit(*d))
            .map(|((a, b), d)| a + b * 45 + d * 2025)
            .ok_or_else(|| bad("a character outside the base45 alphabet"))?;
        let pair = u16::try_from(value).map_err(|_| bad("a group of three above 65535"))?;
        out.extend_from_slice(&pair.to_be_bytes());
    }
    match chunks.remainder() {
        [] => {}
        [a, b] => {
            let value = digit(*a)
                .zip(digit(*b))
                .map(|(a, b)| a + b * 45)
                .ok_or_else(|| bad("a character outside the base45 alphabet"))?;
            out.push(u8::try_from(value).map_err(|_| DecodeError::NonCanonicalBase45)?);
        }
        _ => return Err(bad("a length of 3n+1 characters")),
    }
    Ok(out)
}

/// Appends the base45 text of `bytes`.
fn encode_base45_into(bytes: &[u8], out: &mut String) {
    let mut push = |mut v: u32, n: usize| {
        for _ in 0..n {
            let i = usize::try_from(v % 45).unwrap_or(0);
            out.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'0')));
            v /= 45;
        }
    };
    let mut pairs = bytes.chunks_exact(2);
    for p in &mut pairs {
        if let [hi, lo] = p {
            push(u32::from(*hi) * 256 + u32::from(*lo), 3);
        }
    }
    if let [last] = pairs.remainder() {
        push(u32::from(*last), 2);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_base45_crate() {
        for len in 0..64usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 97 + len * 13) as u8 ^ 0xa5).collect();
            let ours = text_from_cose(&bytes);
            assert_eq!(ours, format!("{PREFIX}{}", base45::encode(&bytes)));
            assert_eq!(cose_bytes(&ours).unwrap(), bytes);
        }
    }

    #[test]
    fn accepts_exactly_the_canonical_texts() {
        // What the base45 crate refuses is bad_base45; what it reads but writes otherwise is
        // non-canonical.
        for text in [
            "GGW", ":::", "A", "ABCD", "ab", "AB\u{e9}", "::", "FGW", "U5", "00",
        ] {
            let ours = decode_base45(text);
            match base45::decode(text) {
                Err(_) => assert!(matches!(ours, Err(DecodeError::Base45(_))), "{text}"),
                Ok(b) if base45::encode(&b) != text => {
                    assert_eq!(ours, Err(DecodeError::NonCanonicalBase45), "{text}")
                }
                Ok(b) => assert_eq!(ours, Ok(b), "{text}"),
            }
        }
    }

    #[test]
    fn length_and_prefix_come_first() {
        let long = format!("{PREFIX}{}", "0".repeat(MAX_TEXT_LEN));
        assert!(matches!(
            cose_bytes(&long),
            Err(DecodeError::TextTooLong { .. })
        ));
        assert_eq!(cose_bytes("HC1:00"), Err(DecodeError::BadPrefix));
        assert_eq!(cose_bytes("hcx1:00"), Err(DecodeError::BadPrefix));
    }
}
