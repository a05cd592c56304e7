//! Small shared helpers: bounded inflation, base64, times, CBOR→JSON, JSON depth.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ciborium::value::Value as Cbor;
use serde_json::Value as Json;

use crate::error::Error;
use crate::limits::{
    MAX_CBOR_DEPTH, MAX_DECOMPRESSED_BYTES, MAX_DECOMPRESSION_RATIO, MAX_JSON_DEPTH,
};

/// Latest time accepted anywhere (9999-12-31T23:59:59Z).
pub(crate) const MAX_UNIX_TIME: i64 = hcx_format::timefmt::MAX_UNIX_TIME;

/// Inflates `bytes` (zlib when `zlib`, else raw DEFLATE) in one call of miniz_oxide's
/// inflater into a growing output buffer, never larger than [`MAX_DECOMPRESSED_BYTES`] nor
/// [`MAX_DECOMPRESSION_RATIO`] times the input, plus one byte to see a bomb without inflating
/// it further. Returns the data and how many input bytes the stream took; what may follow the
/// stream is for the caller to judge.
///
/// Why not flate2's reader: it allocates a 32 KiB window, a 32 KiB read buffer and the inflater
/// state for every call, which cost more than inflating a health certificate's ~300 bytes
/// (docs/INTEROP.md); the whole output buffer doubles as the window here.
fn inflate(bytes: &[u8], zlib: bool) -> Result<(Vec<u8>, usize), Error> {
    use miniz_oxide::inflate::core::DecompressorOxide;
    // About 11 KiB of Huffman tables: kept per thread, since clearing and allocating them
    // again cost as much as inflating a health certificate; `decompress` starts a stream
    // afresh from the `Start` state that `init` sets.
    thread_local! {
        static STATE: std::cell::RefCell<Box<DecompressorOxide>> = std::cell::RefCell::default();
    }
    STATE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut state) => {
            state.init();
            inflate_with(&mut state, bytes, zlib)
        }
        // Only if inflating ever re-entered itself on this thread: use a fresh state.
        Err(_) => inflate_with(&mut Box::default(), bytes, zlib),
    })
}

/// [`inflate`] with a given inflater state.
fn inflate_with(
    state: &mut miniz_oxide::inflate::core::DecompressorOxide,
    bytes: &[u8],
    zlib: bool,
) -> Result<(Vec<u8>, usize), Error> {
    use miniz_oxide::inflate::TINFLStatus;
    use miniz_oxide::inflate::core::decompress;
    use miniz_oxide::inflate::core::inflate_flags::{
        TINFL_FLAG_COMPUTE_ADLER32, TINFL_FLAG_PARSE_ZLIB_HEADER,
        TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
    };
    let what = if zlib { "zlib" } else { "DEFLATE" };
    let by_ratio = bytes.len().saturating_mul(MAX_DECOMPRESSION_RATIO);
    let cap = by_ratio.min(MAX_DECOMPRESSED_BYTES).saturating_add(1);
    let flags = TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
        | if zlib {
            TINFL_FLAG_PARSE_ZLIB_HEADER | TINFL_FLAG_COMPUTE_ADLER32
        } else {
            0
        };
    let mut out = vec![0u8; bytes.len().saturating_mul(4).max(256).min(cap)];
    let (mut read, mut written) = (0usize, 0usize);
    loop {
        let input = bytes.get(read..).unwrap_or_default();
        let (status, r, w) = decompress(state, input, &mut out, written, flags);
        read = read.saturating_add(r);
        written = written.saturating_add(w);
        match status {
            TINFLStatus::Done => break,
            TINFLStatus::HasMoreOutput if out.len() < cap => {
                out.resize(out.len().saturating_mul(2).min(cap), 0);
            }
            // The output reached the cap: the stream inflates to more than the limits allow.
            TINFLStatus::HasMoreOutput => break,
            TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                return Err(Error::Inflate(format!("the {what} stream is truncated")));
            }
            TINFLStatus::Adler32Mismatch => {
                return Err(Error::Inflate("the zlib checksum does not match".into()));
            }
            _ => return Err(Error::Inflate(format!("not a valid {what} stream"))),
        }
    }
    out.truncate(written);
    if out.len() > MAX_DECOMPRESSED_BYTES {
        return Err(Error::TooLarge {
            what: "decompressed payload",
            len: out.len(),
            max: MAX_DECOMPRESSED_BYTES,
        });
    }
    if out.len() > by_ratio {
        return Err(Error::DecompressionRatio {
            compressed: bytes.len(),
            max_ratio: MAX_DECOMPRESSION_RATIO,
        });
    }
    Ok((out, read))
}

/// Inflates zlib data (RFC 1950), bounded; the stream must end exactly at the end of the input.
pub(crate) fn inflate_zlib(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let (out, read) = inflate(bytes, true)?;
    if read != bytes.len() {
        return Err(Error::Inflate(
            "data after the end of the zlib stream".into(),
        ));
    }
    Ok(out)
}

/// Inflates raw DEFLATE data (RFC 1951), bounded. The stream must end at the end of the input,
/// or be followed by exactly the 8-byte gzip member trailer (RFC 1952: CRC-32 and size of the
/// inflated data, little-endian) that a national issuer's real cards carry and the SHC
/// validator accepts; it must then match the data. Anything else after the stream is refused.
pub(crate) fn inflate_raw(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let (out, read) = inflate(bytes, false)?;
    let rest = bytes.get(read..).unwrap_or_default();
    if rest.is_empty() || is_gzip_trailer(rest, &out) {
        return Ok(out);
    }
    Err(Error::Inflate(format!(
        "{} bytes after the end of the DEFLATE stream{}",
        rest.len(),
        if rest.len() == 8 {
            " that are not its gzip trailer (CRC-32 and size)"
        } else {
            ""
        }
    )))
}

/// Whether `rest` is the gzip trailer of `data`: CRC-32 then size modulo 2^32, little-endian.
fn is_gzip_trailer(rest: &[u8], data: &[u8]) -> bool {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    // Truncation is the format's rule: ISIZE is the size modulo 2^32.
    let size = (data.len() as u64 & 0xffff_ffff) as u32;
    let trailer = crc
        .sum()
        .to_le_bytes()
        .into_iter()
        .chain(size.to_le_bytes());
    rest.iter().copied().eq(trailer)
}

/// Decodes base45 (RFC 9285) exactly as the `base45` crate 3.2 does, final pair above 255
/// (truncated) included, but through a lookup table: the crate's per-character `match` was a
/// twentieth of a whole DCC verification with AWS-LC (perf, DE/1). `None` for invalid text;
/// a unit test compares it with the crate.
pub(crate) fn base45_decode(text: &[u8]) -> Option<Vec<u8>> {
    const INVALID: u8 = 0xff;
    // Evaluated at compile time: an index out of bounds would fail the build, not a run.
    #[allow(clippy::indexing_slicing)]
    const TABLE: [u8; 256] = {
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        let mut table = [INVALID; 256];
        let mut i = 0;
        while i < alphabet.len() {
            table[alphabet[i] as usize] = i as u8;
            i += 1;
        }
        table
    };
    let digit = |b: &u8| match TABLE.get(usize::from(*b)) {
        Some(&INVALID) | None => None,
        Some(&v) => Some(u32::from(v)),
    };
    let mut out = Vec::with_capacity(text.len() / 3 * 2 + 1);
    let mut triples = text.chunks_exact(3);
    for t in &mut triples {
        let [a, b, c] = t else { return None };
        let v = u16::try_from(digit(a)? + digit(b)? * 45 + digit(c)? * 45 * 45).ok()?;
        out.extend_from_slice(&v.to_be_bytes());
    }
    match triples.remainder() {
        [] => {}
        [a, b] => out.push(((digit(a)? + digit(b)? * 45) & 0xff) as u8),
        _ => return None,
    }
    Some(out)
}

/// Decodes base64url, with or without `=` padding (VDS-NC samples use both).
pub(crate) fn b64url(text: &str, what: &'static str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| Error::Base64(what))
}

/// Decodes standard base64 (padding optional), or base64url as a fallback.
pub(crate) fn b64std(text: &str, what: &'static str) -> Result<Vec<u8>, Error> {
    let t = text.trim();
    STANDARD
        .decode(t)
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(t.trim_end_matches('='))
        })
        .or_else(|_| b64url(t, what))
        .map_err(|_| Error::Base64(what))
}

/// Encodes bytes as standard base64 (how DCC kids are written).
pub(crate) fn to_b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Encodes bytes as base64url without padding.
pub(crate) fn to_b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Formats Unix seconds as RFC 3339 UTC.
pub(crate) fn rfc3339(unix: i64) -> String {
    hcx_format::timefmt::format_rfc3339(unix)
}

/// Wraps a parse error from an inner layer with `wrap`, except limit errors, which keep their
/// own variant (and so their own reason) whatever layer they happen in.
pub(crate) fn rewrap(e: Error, wrap: impl FnOnce(String) -> Error) -> Error {
    match e {
        Error::TooDeep { .. } | Error::TooLarge { .. } | Error::DecompressionRatio { .. } => e,
        other => wrap(other.to_string()),
    }
}

/// Parses a CBOR item with a nesting limit, rejecting trailing bytes.
pub(crate) fn parse_cbor(bytes: &[u8]) -> Result<Cbor, Error> {
    let mut reader = bytes;
    let value: Cbor = ciborium::de::from_reader_with_recursion_limit(&mut reader, MAX_CBOR_DEPTH)
        .map_err(|e| match e {
        ciborium::de::Error::RecursionLimitExceeded => Error::TooDeep {
            what: "CBOR",
            max: MAX_CBOR_DEPTH,
        },
        // ciborium's `Display` is its `Debug` (`Syntax(3)`, `Io(Error { kind: … })`): say it
        // in words instead.
        ciborium::de::Error::Io(_) => Error::Cbor("unexpected end of input".into()),
        ciborium::de::Error::Syntax(at) => Error::Cbor(format!("syntax error at byte {at}")),
        ciborium::de::Error::Semantic(Some(at), why) => Error::Cbor(format!("{why} at byte {at}")),
        ciborium::de::Error::Semantic(None, why) => Error::Cbor(why),
    })?;
    if !reader.is_empty() {
        return Err(Error::Cbor(format!(
            "{} trailing bytes after the CBOR item",
            reader.len()
        )));
    }
    Ok(value)
}

/// Converts a CBOR value to JSON: tags are dropped (tag 0/1004 dates become their text), byte
/// strings become base64, non-text map keys become their text form.
pub(crate) fn cbor_to_json(value: &Cbor) -> Result<Json, Error> {
    Ok(match value {
        Cbor::Integer(i) => {
            let n = i128::from(*i);
            if let Ok(v) = i64::try_from(n) {
                Json::from(v)
            } else if let Ok(v) = u64::try_from(n) {
                Json::from(v)
            } else {
                return Err(Error::Cbor("integer out of range".into()));
            }
        }
        Cbor::Float(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .ok_or_else(|| Error::Cbor("non-finite float".into()))?,
        Cbor::Text(s) => Json::String(s.clone()),
        Cbor::Bytes(b) => Json::String(to_b64(b)),
        Cbor::Bool(b) => Json::Bool(*b),
        Cbor::Null => Json::Null,
        Cbor::Tag(_, inner) => cbor_to_json(inner)?,
        Cbor::Array(items) => {
            Json::Array(items.iter().map(cbor_to_json).collect::<Result<_, _>>()?)
        }
        Cbor::Map(entries) => {
            let mut map = serde_json::Map::new();
            for (k, v) in entries {
                let key = match k {
                    Cbor::Text(s) => s.clone(),
                    Cbor::Integer(i) => i128::from(*i).to_string(),
                    _ => return Err(Error::Cbor("map key is neither text nor integer".into())),
                };
                if map.insert(key, cbor_to_json(v)?).is_some() {
                    return Err(Error::Cbor("duplicate map key".into()));
                }
            }
            Json::Object(map)
        }
        _ => return Err(Error::Cbor("unsupported CBOR item".into())),
    })
}

/// Parses JSON from bytes, rejecting anything after the value (whitespace included, as the SHC
/// validator does) and nesting deeper than [`MAX_JSON_DEPTH`].
pub(crate) fn parse_json_strict(bytes: &[u8], what: &'static str) -> Result<Json, Error> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(Error::TrailingCharacters(format!(
            "a byte-order mark precedes the {what}"
        )));
    }
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Json>();
    let value = match stream.next() {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Err(Error::Json(format!("{what}: {e}"))),
        None => return Err(Error::Json(format!("{what}: empty"))),
    };
    let end = stream.byte_offset();
    if end != bytes.len() {
        return Err(Error::TrailingCharacters(format!(
            "{} bytes after the {what}",
            bytes.len().saturating_sub(end)
        )));
    }
    check_json_depth(&value, what)?;
    Ok(value)
}

/// Parses JSON from bytes, allowing surrounding whitespace (trust files).
pub(crate) fn parse_json_lenient(bytes: &[u8], what: &'static str) -> Result<Json, Error> {
    let value: Json =
        serde_json::from_slice(bytes).map_err(|e| Error::Json(format!("{what}: {e}")))?;
    check_json_depth(&value, what)?;
    Ok(value)
}

fn check_json_depth(value: &Json, what: &'static str) -> Result<(), Error> {
    // Iterative, so a deep document cannot overflow the stack here either.
    let mut stack = vec![(value, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        if depth > MAX_JSON_DEPTH {
            return Err(Error::TooDeep {
                what,
                max: MAX_JSON_DEPTH,
            });
        }
        match v {
            Json::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            Json::Object(map) => stack.extend(map.values().map(|i| (i, depth + 1))),
            _ => {}
        }
    }
    Ok(())
}

/// A JSON member as text, if it is text.
pub(crate) fn jstr<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Json::as_str)
}

/// Converts a JSON NumericDate (possibly fractional) to whole Unix seconds (floor).
pub(crate) fn numeric_date(v: &Json, name: &str) -> Result<i64, Error> {
    let f = v
        .as_f64()
        .ok_or_else(|| Error::BadValidityPeriod(format!("`{name}` is not a number")))?;
    if !f.is_finite() || f < 0.0 || f > MAX_UNIX_TIME as f64 {
        return Err(Error::BadValidityPeriod(format!(
            "`{name}` = {f} is outside 1970..9999 (milliseconds instead of seconds?)"
        )));
    }
    // In range by the check above, so the cast cannot saturate.
    Ok(f.floor() as i64)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = e.write_all(data);
        e.finish().unwrap_or_default()
    }

    /// What flate2's reader (the inflater used before) makes of the same bytes.
    fn flate2_zlib(bytes: &[u8]) -> Option<Vec<u8>> {
        let mut d = flate2::read::ZlibDecoder::new(bytes);
        let mut out = Vec::new();
        d.read_to_end(&mut out).ok()?;
        (d.total_in() == bytes.len() as u64).then_some(out)
    }

    #[test]
    fn inflate_agrees_with_flate2_on_mutated_streams() {
        let text: Vec<u8> = (0..600u32)
            .map(|i| b"vaccination dose 1/2 COVID-19 "[(i % 30) as usize])
            .collect();
        let good = zlib(&text);
        assert_eq!(inflate_zlib(&good).ok(), Some(text));
        let mut variants = vec![Vec::new(), good[..good.len() - 1].to_vec()];
        variants.push([good.clone(), vec![0]].concat());
        for i in 0..good.len() {
            for bit in [0x01, 0x10, 0x80] {
                let mut v = good.clone();
                v[i] ^= bit;
                variants.push(v);
            }
        }
        let mut ok = 0;
        for v in &variants {
            let ours = inflate_zlib(v).ok();
            assert_eq!(ours, flate2_zlib(v), "{v:02x?}");
            ok += usize::from(ours.is_some());
        }
        // Flips in the checksum or a stored length are caught; most flips are not valid.
        assert!(
            ok < variants.len() / 4,
            "{ok} of {} inflate",
            variants.len()
        );
    }

    #[test]
    fn inflate_errors() {
        let good = zlib(b"hello hello hello hello");
        let reason = |r: Result<Vec<u8>, Error>| r.map_err(|e| e.to_string()).unwrap_err();
        assert!(reason(inflate_zlib(&[])).contains("truncated"));
        assert!(reason(inflate_zlib(&good[..good.len() - 2])).contains("truncated"));
        assert!(reason(inflate_zlib(&[good.clone(), vec![1]].concat())).contains("after the end"));
        let mut bad_sum = good.clone();
        let last = bad_sum.len() - 1;
        bad_sum[last] ^= 1;
        assert!(reason(inflate_zlib(&bad_sum)).contains("checksum"));
        assert!(reason(inflate_raw(&[0xff, 0xff])).contains("DEFLATE"));
    }

    #[test]
    fn base45_agrees_with_the_crate() {
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:az\x00~";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut valid = 0;
        for _ in 0..20_000 {
            let len = (next() % 9) as usize;
            // Mostly base45 characters, sometimes others; big digits often, to overflow.
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    let i = if r % 4 == 0 {
                        36 + r / 4 % 14
                    } else {
                        r / 4 % 45
                    };
                    alphabet[i as usize % alphabet.len()]
                })
                .collect();
            let ours = base45_decode(&text);
            assert_eq!(ours, base45::decode(&text).ok(), "{text:?}");
            valid += usize::from(ours.is_some());
        }
        assert!(valid > 2_000 && valid < 18_000, "{valid}");
        let sample = b"NCF:603A0T9WTWGSLKC 4K694WJN.0J$6C-7WAB0XK3JCSGA2F3R8PP4V2F35VPP";
        assert_eq!(base45_decode(sample), base45::decode(sample).ok());
    }
}
