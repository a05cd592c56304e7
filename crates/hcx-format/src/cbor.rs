//! Strict CBOR reading and deterministic writing (RFC 8949 §4.2.1).
//!
//! ciborium decodes leniently (it accepts non-minimal heads, indefinite lengths, unsorted and
//! duplicate map keys). hcx allows exactly one encoding of every value, so after decoding we check
//! map keys and then re-encode: a well-formed item is deterministic exactly when its re-encoding is
//! byte-identical. No crate offers this check for arbitrary `Value`s, hence these few lines.

use ciborium::value::Value;

use crate::error::Error;
use crate::limits::MAX_CBOR_DEPTH;

/// Decodes exactly one deterministically encoded CBOR item from `bytes`.
pub(crate) fn decode_deterministic(bytes: &[u8]) -> Result<Value, Error> {
    let mut rest = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_CBOR_DEPTH)
        .map_err(|e| match e {
            ciborium::de::Error::RecursionLimitExceeded => Error::CborTooDeep {
                max: MAX_CBOR_DEPTH,
            },
            other => Error::Cbor(describe_de_error(&other)),
        })?;
    if !rest.is_empty() {
        return Err(Error::TrailingBytes(rest.len()));
    }
    check_map_keys(&value, 0)?;
    let reencoded = encode(&value)?;
    if reencoded != bytes {
        return Err(Error::NonDeterministicCbor(
            "non-minimal length, indefinite length or non-shortest float",
        ));
    }
    Ok(value)
}

fn describe_de_error<T: std::fmt::Debug>(e: &ciborium::de::Error<T>) -> String {
    match e {
        ciborium::de::Error::Io(_) => "unexpected end of input".to_owned(),
        ciborium::de::Error::Syntax(offset) => format!("syntax error at byte {offset}"),
        ciborium::de::Error::Semantic(offset, msg) => match offset {
            Some(o) => format!("{msg} at byte {o}"),
            None => msg.clone(),
        },
        ciborium::de::Error::RecursionLimitExceeded => "nesting too deep".to_owned(),
    }
}

/// Map keys must be unique and sorted by their encoded bytes (bytewise lexicographic order).
fn check_map_keys(value: &Value, depth: usize) -> Result<(), Error> {
    // ciborium already bounds recursion while decoding; this bound keeps the walk itself safe.
    if depth > MAX_CBOR_DEPTH {
        return Err(Error::CborTooDeep {
            max: MAX_CBOR_DEPTH,
        });
    }
    match value {
        Value::Array(items) => items.iter().try_for_each(|v| check_map_keys(v, depth + 1)),
        Value::Tag(_, inner) => check_map_keys(inner, depth + 1),
        Value::Map(entries) => {
            let mut previous: Option<Vec<u8>> = None;
            for (k, v) in entries {
                let key = encode(k)?;
                if let Some(prev) = &previous {
                    match prev.as_slice().cmp(key.as_slice()) {
                        std::cmp::Ordering::Equal => return Err(Error::DuplicateMapKey),
                        std::cmp::Ordering::Greater => {
                            return Err(Error::NonDeterministicCbor("map keys are not sorted"));
                        }
                        std::cmp::Ordering::Less => {}
                    }
                }
                check_map_keys(k, depth + 1)?;
                check_map_keys(v, depth + 1)?;
                previous = Some(key);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Encodes a value; ciborium always writes minimal heads and definite lengths.
pub(crate) fn encode(value: &Value) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out)
        .map_err(|e| Error::Cbor(format!("cannot encode: {e}")))?;
    Ok(out)
}

/// Builds a map with its entries sorted in deterministic order.
pub(crate) fn sorted_map(mut entries: Vec<(Value, Value)>) -> Result<Value, Error> {
    // hcx's own maps have integer keys. Their encodings sort as (major type, argument): a
    // non-negative n is major 0 with argument n, a negative n major 1 with argument -1-n, and
    // within one major type a larger argument never has a shorter head. So they can be sorted
    // without encoding each key (a test checks the two orders agree).
    let integer_order = |k: &Value| match k {
        Value::Integer(i) => {
            let i = i128::from(*i);
            Some(if i >= 0 { (0u8, i) } else { (1, -1 - i) })
        }
        _ => None,
    };
    if entries.iter().all(|(k, _)| integer_order(k).is_some()) {
        entries.sort_by_key(|(k, _)| integer_order(k));
        return Ok(Value::Map(entries));
    }
    let mut keyed = Vec::with_capacity(entries.len());
    for (k, v) in entries.drain(..) {
        keyed.push((encode(&k)?, k, v));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Value::Map(
        keyed.into_iter().map(|(_, k, v)| (k, v)).collect(),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn integer_keys_sort_as_their_encodings() {
        let keys: Vec<i128> = vec![
            0,
            1,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            4_294_967_296,
            -1,
            -24,
            -25,
            -256,
            -257,
            -65_537,
            -4_294_967_297,
        ];
        let entries: Vec<(Value, Value)> = keys
            .iter()
            .rev()
            .map(|k| (Value::Integer((*k).try_into().unwrap()), Value::Null))
            .collect();
        let Value::Map(fast) = sorted_map(entries.clone()).unwrap() else {
            panic!("not a map")
        };
        let mut by_bytes = entries;
        by_bytes.sort_by_key(|(k, _)| encode(k).unwrap());
        assert_eq!(fast, by_bytes);
    }

    #[test]
    fn accepts_deterministic() {
        assert!(decode_deterministic(&hex("a201020304")).is_ok());
    }

    #[test]
    fn rejects_each_non_deterministic_form() {
        let cases = [
            ("a203040102", "non_deterministic_cbor"), // unsorted keys
            ("a201020102", "duplicate_map_key"),
            ("1817", "non_deterministic_cbor"), // 23 encoded in two bytes
            ("9f01ff", "non_deterministic_cbor"), // indefinite array
            ("0101", "trailing_bytes"),
            ("5a00", "bad_cbor"), // truncated
        ];
        for (input, reason) in cases {
            let got = decode_deterministic(&hex(input));
            assert_eq!(got.unwrap_err().reason(), reason, "{input}");
        }
    }

    #[test]
    fn floats_must_be_shortest() {
        assert!(decode_deterministic(&hex("f93e00")).is_ok()); // 1.5 as f16
        assert_eq!(
            decode_deterministic(&hex("fa3fc00000"))
                .unwrap_err()
                .reason(),
            "non_deterministic_cbor"
        ); // 1.5 as f32
    }

    #[test]
    fn rejects_deep_nesting() {
        let mut bytes = vec![0x81; 200];
        bytes.push(0x00);
        assert_eq!(
            decode_deterministic(&bytes).unwrap_err().reason(),
            "cbor_too_deep"
        );
    }
}
