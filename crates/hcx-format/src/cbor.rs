//! SPEC §5.4, deterministic CBOR: the one strict reader every layer of a code is read with, and
//! the writer every layer is written with.
//!
//! [`check`] accepts exactly one well-formed CBOR item (RFC 8949 §3) in deterministic encoding
//! (§4.2.1: shortest heads, definite lengths, shortest floats, map keys unique and sorted by
//! their bytes), nested at most [`MAX_CBOR_DEPTH`] deep. Once bytes have passed it, the layers
//! above (COSE, CWT, claims) walk them with a [`Reader`], which still returns errors rather than
//! trusting the check, and never allocates in proportion to a length the input claims.
//!
//! No crate offers this check without building and re-encoding a value tree (which cost about a
//! quarter of a signature check per code), hence these few hundred lines; `tests` compares the
//! verdicts with ciborium's tree-and-re-encode reference on mutated codes.

use crate::error::DecodeError;
use crate::limits::MAX_CBOR_DEPTH;

/// Major type 0: an unsigned integer (RFC 8949 §3.1).
pub const UINT: u8 = 0;
/// Major type 1: a negative integer.
pub const NINT: u8 = 1;
/// Major type 2: a byte string.
pub const BYTES: u8 = 2;
/// Major type 3: a text string.
pub const TEXT: u8 = 3;
/// Major type 4: an array.
pub const ARRAY: u8 = 4;
/// Major type 5: a map.
pub const MAP: u8 = 5;
/// Major type 6: a tag.
pub const TAG: u8 = 6;
/// Major type 7: a simple value or float.
pub const SIMPLE: u8 = 7;
/// Tags of unsigned and negative bignums (RFC 8949 §3.4.3).
const BIGNUM_POSITIVE: u64 = 2;
const BIGNUM_NEGATIVE: u64 = 3;

/// Checks that `bytes` are exactly one deterministic CBOR item (SPEC §5.4).
///
/// Failures are reported in this order, whatever their position: not well-formed
/// (`bad_cbor`) or too deep (`cbor_too_deep`); bytes after the item (`trailing_bytes`); a
/// duplicate (`duplicate_map_key`) or unsorted (`non_deterministic_cbor`) map key; any other
/// non-deterministic encoding (`non_deterministic_cbor`).
pub(crate) fn check(bytes: &[u8]) -> Result<(), DecodeError> {
    let mut checker = Checker {
        bytes,
        pos: 0,
        key_error: None,
        encoding_error: None,
    };
    checker.item(0)?;
    if checker.pos < bytes.len() {
        return Err(DecodeError::TrailingBytes(bytes.len() - checker.pos));
    }
    if let Some(e) = checker.key_error {
        return Err(e);
    }
    if let Some(what) = checker.encoding_error {
        return Err(DecodeError::NonDeterministicCbor(what));
    }
    Ok(())
}

/// The single pass behind [`check`]: hard errors end it; the first map-key error and the first
/// other encoding error are kept, so the verdict does not depend on their positions.
struct Checker<'a> {
    bytes: &'a [u8],
    pos: usize,
    key_error: Option<DecodeError>,
    encoding_error: Option<&'static str>,
}

/// A CBOR head (RFC 8949 §3) as encoded: the one reading of heads, shared by this crate's
/// [`check`] and reader and by hcx-status's status-list reader, which each decide what a
/// non-shortest or indefinite head means for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The major type (0–7).
    pub major: u8,
    /// The additional information (0–31); 28–30 are reserved, 31 is indefinite or break.
    pub info: u8,
    /// The argument (0 when `info` is 28 or more).
    pub arg: u64,
    /// The head's length in bytes.
    pub len: usize,
}

impl Head {
    /// Reads the head at the start of `bytes`; `None` when the bytes end inside it.
    pub fn read(bytes: &[u8]) -> Option<Head> {
        let (&initial, rest) = bytes.split_first()?;
        let (major, info) = (initial >> 5, initial & 0x1f);
        let (arg, extra) = match info {
            0..=23 => (u64::from(info), 0),
            24..=27 => {
                let extra = 1usize << (info - 24);
                let raw = rest.get(..extra)?;
                (
                    raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
                    extra,
                )
            }
            _ => (0, 0),
        };
        Some(Head {
            major,
            info,
            arg,
            len: 1 + extra,
        })
    }

    /// Whether the argument is in its shortest form (RFC 8949 §4.2.1): a one-byte argument
    /// is at least 24, and each longer form exceeds the range of the shorter one.
    pub fn is_shortest(&self) -> bool {
        match self.info {
            24 => self.arg >= 24,
            25 => self.arg > 0xff,
            26 => self.arg > 0xffff,
            27 => self.arg > 0xffff_ffff,
            _ => true,
        }
    }
}

fn syntax(what: &str, at: usize) -> DecodeError {
    DecodeError::Cbor(format!("{what} at byte {at}"))
}

impl<'a> Checker<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| DecodeError::Cbor("unexpected end of input".to_owned()))?;
        let out = self.bytes.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        Ok(out)
    }

    fn non_deterministic(&mut self, what: &'static str) {
        self.encoding_error.get_or_insert(what);
    }

    /// A head; records a non-shortest argument. `info` 31 (indefinite or break) has arg 0.
    fn head(&mut self) -> Result<Head, DecodeError> {
        let at = self.pos;
        let head = self
            .bytes
            .get(self.pos..)
            .and_then(Head::read)
            .ok_or_else(|| DecodeError::Cbor("unexpected end of input".to_owned()))?;
        self.pos += head.len;
        match head.info {
            // Floats are judged by value, not by argument size; other majors want the
            // shortest head. Simple values in two bytes below 32 are not well-formed at all.
            24 if head.major == SIMPLE && head.arg < 32 => {
                return Err(syntax("a simple value below 32 in two bytes", at));
            }
            24..=27 if head.major == SIMPLE => {}
            24..=27 if !head.is_shortest() => {
                self.non_deterministic(
                    "non-minimal length, indefinite length or non-shortest float",
                );
            }
            28..=30 => return Err(syntax("reserved additional information", at)),
            _ => {}
        }
        Ok(head)
    }

    fn item(&mut self, depth: usize) -> Result<(), DecodeError> {
        let at = self.pos;
        let head = self.head()?;
        let indefinite = head.info == 31;
        match head.major {
            UINT | NINT if indefinite => Err(syntax("an indefinite-length integer", at)),
            UINT | NINT => Ok(()),
            BYTES | TEXT if indefinite => {
                self.non_deterministic(
                    "non-minimal length, indefinite length or non-shortest float",
                );
                loop {
                    let chunk_at = self.pos;
                    if self.bytes.get(self.pos) == Some(&0xff) {
                        self.pos += 1;
                        return Ok(());
                    }
                    let chunk = self.head()?;
                    if chunk.major != head.major || chunk.info == 31 {
                        return Err(syntax(
                            "a bad chunk in an indefinite-length string",
                            chunk_at,
                        ));
                    }
                    self.string(head.major, chunk.arg, chunk_at)?;
                }
            }
            BYTES | TEXT => self.string(head.major, head.arg, at),
            ARRAY | MAP | TAG if depth >= MAX_CBOR_DEPTH => Err(DecodeError::CborTooDeep {
                max: MAX_CBOR_DEPTH,
            }),
            ARRAY => {
                if indefinite {
                    self.non_deterministic(
                        "non-minimal length, indefinite length or non-shortest float",
                    );
                    while !self.at_break()? {
                        self.item(depth + 1)?;
                    }
                    return Ok(());
                }
                // Each item takes at least one byte, so a huge count ends at the input's end.
                for _ in 0..head.arg {
                    self.item(depth + 1)?;
                }
                Ok(())
            }
            MAP => {
                if indefinite {
                    self.non_deterministic(
                        "non-minimal length, indefinite length or non-shortest float",
                    );
                }
                let mut previous: Option<&'a [u8]> = None;
                let mut remaining = head.arg;
                loop {
                    if indefinite {
                        if self.at_break()? {
                            return Ok(());
                        }
                    } else if remaining == 0 {
                        return Ok(());
                    } else {
                        remaining -= 1;
                    }
                    let key_start = self.pos;
                    self.item(depth + 1)?;
                    let key = self.bytes.get(key_start..self.pos).unwrap_or_default();
                    if let Some(prev) = previous {
                        if self.key_error.is_none() {
                            match prev.cmp(key) {
                                std::cmp::Ordering::Equal => {
                                    self.key_error = Some(DecodeError::DuplicateMapKey);
                                }
                                std::cmp::Ordering::Greater => {
                                    self.key_error = Some(DecodeError::NonDeterministicCbor(
                                        "map keys are not sorted",
                                    ));
                                }
                                std::cmp::Ordering::Less => {}
                            }
                        }
                    }
                    previous = Some(key);
                    self.item(depth + 1)?;
                }
            }
            TAG if indefinite => Err(syntax("an indefinite-length tag", at)),
            TAG if head.arg == BIGNUM_POSITIVE || head.arg == BIGNUM_NEGATIVE => {
                self.bignum(at)?;
                self.item(depth + 1)
            }
            TAG => self.item(depth + 1),
            _ => self.simple(head, at),
        }
    }

    /// Judges a bignum's content (RFC 8949 §3.4.3) without consuming it: it must be a byte
    /// string; in preferred serialization, one that needs more than 64 bits and has no leading
    /// zero byte (smaller values are written as plain integers).
    fn bignum(&mut self, at: usize) -> Result<(), DecodeError> {
        let start = self.pos;
        let content = self.head()?;
        let after_head = self.pos;
        self.pos = start;
        if content.major != BYTES {
            return Err(syntax("a bignum whose content is not a byte string", at));
        }
        if content.info != 31 && (content.arg <= 8 || self.bytes.get(after_head) == Some(&0)) {
            self.non_deterministic("a bignum that is not in preferred serialization");
        }
        Ok(())
    }

    /// Consumes a break (0xff) if one is next.
    fn at_break(&mut self) -> Result<bool, DecodeError> {
        match self.bytes.get(self.pos) {
            Some(0xff) => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) => Ok(false),
            None => Err(DecodeError::Cbor("unexpected end of input".to_owned())),
        }
    }

    fn string(&mut self, major: u8, len: u64, at: usize) -> Result<(), DecodeError> {
        let len = usize::try_from(len)
            .map_err(|_| DecodeError::Cbor("unexpected end of input".to_owned()))?;
        let content = self.take(len)?;
        if major == TEXT && std::str::from_utf8(content).is_err() {
            return Err(syntax("invalid UTF-8 in a text string", at));
        }
        Ok(())
    }

    /// Major type 7: simple values and floats.
    fn simple(&mut self, head: Head, at: usize) -> Result<(), DecodeError> {
        match head.info {
            0..=24 => Ok(()),
            25 => {
                // f16 is the shortest form; only NaN has a single allowed encoding.
                let bits = u16::try_from(head.arg).unwrap_or(0);
                if f16_is_nan(bits) && bits != 0x7e00 {
                    self.non_deterministic(
                        "non-minimal length, indefinite length or non-shortest float",
                    );
                }
                Ok(())
            }
            26 => {
                let x = f64::from(f32::from_bits(u32::try_from(head.arg).unwrap_or(0)));
                if x.is_nan() || fits_f16(x) {
                    self.non_deterministic(
                        "non-minimal length, indefinite length or non-shortest float",
                    );
                }
                Ok(())
            }
            27 => {
                let x = f64::from_bits(head.arg);
                if x.is_nan() || fits_f16(x) || fits_f32(x) {
                    self.non_deterministic(
                        "non-minimal length, indefinite length or non-shortest float",
                    );
                }
                Ok(())
            }
            _ => Err(syntax("a break outside an indefinite-length item", at)),
        }
    }
}

fn f16_is_nan(bits: u16) -> bool {
    bits & 0x7c00 == 0x7c00 && bits & 0x03ff != 0
}

/// Whether a finite or infinite `x` is exactly an f16 (RFC 8949 §4.2.1: a float is written in
/// the shortest form that keeps its value).
fn fits_f16(x: f64) -> bool {
    fits(x, 10, -14, 15)
}

/// Whether `x` is exactly an f32.
fn fits_f32(x: f64) -> bool {
    fits(x, 23, -126, 127)
}

/// Whether `x` is exactly representable with `mantissa_bits` of fraction and exponents
/// `min_exp..=max_exp` (normal numbers), or as a subnormal of that format.
fn fits(x: f64, mantissa_bits: u32, min_exp: i64, max_exp: i64) -> bool {
    if x == 0.0 || x.is_infinite() {
        return true;
    }
    let bits = x.to_bits();
    let biased = i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    if biased == 0 {
        return false; // an f64 subnormal is far below any smaller format's range
    }
    let exp = biased - 1023;
    let significand = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let dropped = if exp > max_exp {
        return false;
    } else if exp >= min_exp {
        52 - i64::from(mantissa_bits)
    } else {
        // Subnormal in the smaller format: value = m · 2^(min_exp − mantissa_bits).
        52 - i64::from(mantissa_bits) + (min_exp - exp)
    };
    if dropped >= 53 {
        return false;
    }
    let mask = (1u64 << u32::try_from(dropped).unwrap_or(63)) - 1;
    significand & mask == 0
}

/// One item's head as the [`Reader`] returns it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Item<'a> {
    /// An unsigned integer.
    Uint(u64),
    /// A negative integer: the value is `-1 - n`.
    Nint(u64),
    /// A byte string.
    Bytes(&'a [u8]),
    /// A text string.
    Text(&'a str),
    /// An array of this many items (which follow).
    Array(u64),
    /// A map of this many pairs (which follow).
    Map(u64),
    /// A tag; its item follows.
    Tag(u64),
    /// The simple value null.
    Null,
    /// Another simple value or a float (hcx has no use for them).
    Other,
}

impl Item<'_> {
    /// The value of an integer item, if it is one that fits `i64`.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match *self {
            Item::Uint(n) => i64::try_from(n).ok(),
            Item::Nint(n) => i64::try_from(n).ok().map(|n| -1 - n),
            _ => None,
        }
    }
}

/// A cursor over bytes that [`check`] accepted, read item by item.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// The reader met something its caller did not expect (each layer names its own error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unexpected;

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes` (which must have passed [`check`]).
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], Unexpected> {
        let n = usize::try_from(n).map_err(|_| Unexpected)?;
        let end = self.pos.checked_add(n).ok_or(Unexpected)?;
        let out = self.bytes.get(self.pos..end).ok_or(Unexpected)?;
        self.pos = end;
        Ok(out)
    }

    /// The next item's head (and, for strings, their content).
    pub(crate) fn next(&mut self) -> Result<Item<'a>, Unexpected> {
        let initial = *self.bytes.get(self.pos).ok_or(Unexpected)?;
        let head = self
            .bytes
            .get(self.pos..)
            .and_then(Head::read)
            .ok_or(Unexpected)?;
        if head.info > 27 {
            return Err(Unexpected); // indefinite lengths never pass `check`
        }
        self.pos += head.len;
        let arg = head.arg;
        Ok(match head.major {
            UINT => Item::Uint(arg),
            NINT => Item::Nint(arg),
            BYTES => Item::Bytes(self.take(arg)?),
            TEXT => Item::Text(std::str::from_utf8(self.take(arg)?).map_err(|_| Unexpected)?),
            ARRAY => Item::Array(arg),
            MAP => Item::Map(arg),
            TAG => Item::Tag(arg),
            _ if initial == 0xf6 => Item::Null,
            _ => Item::Other,
        })
    }

    /// Skips one whole item (nested items included) and returns its bytes.
    pub(crate) fn skip(&mut self) -> Result<&'a [u8], Unexpected> {
        let start = self.pos;
        // `check` bounded the nesting; a counter of items still to skip avoids recursion.
        let mut pending: u64 = 1;
        while pending > 0 {
            pending -= 1;
            let more = match self.next()? {
                Item::Array(n) => n,
                Item::Map(n) => n.checked_mul(2).ok_or(Unexpected)?,
                Item::Tag(_) => 1,
                _ => 0,
            };
            pending = pending.checked_add(more).ok_or(Unexpected)?;
        }
        self.bytes.get(start..self.pos).ok_or(Unexpected)
    }
}

/// Appends a head of major type `major` with argument `n`, in its shortest form: the one
/// writer of heads (hcx-status writes status lists with it too).
pub fn write_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match (u8::try_from(n), u16::try_from(n), u32::try_from(n)) {
        (Ok(b), _, _) if b < 24 => out.push(m | b),
        (Ok(b), _, _) => out.extend_from_slice(&[m | 24, b]),
        (_, Ok(w), _) => {
            out.push(m | 25);
            out.extend_from_slice(&w.to_be_bytes());
        }
        (_, _, Ok(w)) => {
            out.push(m | 26);
            out.extend_from_slice(&w.to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// Appends a byte string.
pub fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_head(out, BYTES, b.len() as u64);
    out.extend_from_slice(b);
}

/// Appends a text string.
pub fn write_text(out: &mut Vec<u8>, t: &str) {
    write_head(out, TEXT, t.len() as u64);
    out.extend_from_slice(t.as_bytes());
}

/// Writes deterministic CBOR: every head in its shortest form, definite lengths only.
#[derive(Debug, Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    /// A writer with room for `n` bytes.
    pub(crate) fn with_capacity(n: usize) -> Writer {
        Writer(Vec::with_capacity(n))
    }

    /// A head of major type `major` with argument `n`, in its shortest form.
    pub(crate) fn head(&mut self, major: u8, n: u64) {
        write_head(&mut self.0, major, n);
    }

    /// An integer.
    pub(crate) fn int(&mut self, n: i64) {
        match u64::try_from(n) {
            Ok(u) => self.head(UINT, u),
            // -1 - n, computed without overflow for i64::MIN.
            Err(_) => self.head(NINT, !(n as u64)),
        }
    }

    /// A byte string.
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        write_bytes(&mut self.0, b);
    }

    /// A text string.
    pub(crate) fn text(&mut self, t: &str) {
        write_text(&mut self.0, t);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ciborium::value::Value;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn reason(input: &str) -> &'static str {
        match check(&hex(input)) {
            Ok(()) => "ok",
            Err(e) => e.reason().as_str(),
        }
    }

    #[test]
    fn accepts_deterministic() {
        assert_eq!(reason("a201020304"), "ok");
        assert_eq!(reason("d28440a0f640"), "ok");
        assert_eq!(reason("f93e00"), "ok"); // 1.5 as f16
        assert_eq!(reason("f97e00"), "ok"); // the one NaN
        assert_eq!(reason("3a00010000"), "ok"); // -65537
        assert_eq!(reason("f7"), "ok"); // undefined is well-formed
    }

    #[test]
    fn rejects_each_non_deterministic_form() {
        let cases = [
            ("a203040102", "non_deterministic_cbor"), // unsorted keys
            ("a201020102", "duplicate_map_key"),
            ("1817", "non_deterministic_cbor"), // 23 encoded in two bytes
            ("9f01ff", "non_deterministic_cbor"), // indefinite array
            ("bf0102ff", "non_deterministic_cbor"), // indefinite map
            ("7f6161ff", "non_deterministic_cbor"), // indefinite text
            ("0101", "trailing_bytes"),
            ("5a00", "bad_cbor"),                             // truncated
            ("61ff", "bad_cbor"),                             // invalid UTF-8
            ("1c", "bad_cbor"),                               // reserved
            ("ff", "bad_cbor"),                               // lone break
            ("f818", "bad_cbor"),                             // simple value below 32 in two bytes
            ("fa3fc00000", "non_deterministic_cbor"),         // 1.5 as f32
            ("fb3ff8000000000000", "non_deterministic_cbor"), // 1.5 as f64
            ("fb3ff199999999999a", "ok"),                     // 1.1 needs f64
            ("f97e01", "non_deterministic_cbor"),             // a NaN with payload
            ("7f4161ff", "bad_cbor"),                         // a byte chunk in a text string
            // A duplicate key is reported before a non-minimal head that comes first.
            ("a2180101180101", "duplicate_map_key"),
            // Trailing bytes come before key order.
            ("a20201010200", "trailing_bytes"),
            // Bignums (RFC 8949 §3.4.3): only a byte string of more than 64 bits, no leading zero.
            ("c2420100", "non_deterministic_cbor"),
            ("c249000000000000000001", "non_deterministic_cbor"),
            ("c249010000000000000000", "ok"),
            ("c301", "bad_cbor"),
            ("c340", "non_deterministic_cbor"),
        ];
        for (input, want) in cases {
            assert_eq!(reason(input), want, "{input}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let mut ok = vec![0x81; MAX_CBOR_DEPTH];
        ok.push(0x00);
        assert_eq!(check(&ok), Ok(()));
        let mut deep = vec![0x81; MAX_CBOR_DEPTH + 1];
        deep.push(0x00);
        assert_eq!(check(&deep).unwrap_err().reason(), "cbor_too_deep");
        // Tags count as levels, as arrays and maps do.
        let mut tags = vec![0xc1; MAX_CBOR_DEPTH + 1];
        tags.push(0x00);
        assert_eq!(check(&tags).unwrap_err().reason(), "cbor_too_deep");
    }

    #[test]
    fn huge_counts_end_at_the_input_not_in_memory() {
        assert_eq!(reason("9bffffffffffffffff"), "bad_cbor");
        assert_eq!(reason("bbffffffffffffffff"), "bad_cbor");
        assert_eq!(reason("5bffffffffffffffff"), "bad_cbor");
    }

    #[test]
    fn float_widths() {
        assert!(fits_f16(1.5) && fits_f16(65504.0) && fits_f16(-0.0) && fits_f16(f64::INFINITY));
        assert!(fits_f16(2f64.powi(-24)) && !fits_f16(2f64.powi(-25)));
        assert!(!fits_f16(65520.0) && fits_f32(65520.0));
        assert!(fits_f32(2f64.powi(-149)) && !fits_f32(2f64.powi(-150)));
        assert!(!fits_f32(1.1) && fits_f32(f64::from(1.1f32)));
    }

    /// The reference: ciborium decodes into a value tree, which must re-encode to the same bytes.
    fn ciborium_accepts(bytes: &[u8]) -> bool {
        let mut rest = bytes;
        let Ok(value) =
            ciborium::de::from_reader_with_recursion_limit::<Value, _>(&mut rest, MAX_CBOR_DEPTH)
        else {
            return false;
        };
        let mut out = Vec::new();
        rest.is_empty()
            && ciborium::ser::into_writer(&value, &mut out).is_ok()
            && out == bytes
            && keys_sorted(&value)
    }

    /// Map keys unique and sorted by their encodings, everywhere in the tree.
    fn keys_sorted(value: &Value) -> bool {
        let enc = |v: &Value| {
            let mut out = Vec::new();
            ciborium::ser::into_writer(v, &mut out).unwrap();
            out
        };
        match value {
            Value::Array(items) => items.iter().all(keys_sorted),
            Value::Tag(_, inner) => keys_sorted(inner),
            Value::Map(entries) => {
                entries.windows(2).all(|w| enc(&w[0].0) < enc(&w[1].0))
                    && entries
                        .iter()
                        .all(|(k, v)| keys_sorted(k) && keys_sorted(v))
            }
            _ => true,
        }
    }

    /// On every one- and two-byte change of a few deterministic items, whatever ciborium's
    /// decode-and-re-encode accepts, `check` accepts (where ciborium maps values it cannot hold,
    /// `check` is stricter or equal, never looser in ways hcx relies on).
    #[test]
    fn accepts_what_the_value_tree_reference_accepts() {
        let seeds = [
            hex("a30102036474657874044401020304"),
            hex("d28443a10127a1044101f658406161"),
            hex("82a2012002f93e00"),
        ];
        let mut agree = 0;
        for seed in &seeds {
            for i in 0..seed.len() {
                for b in 0..=255u8 {
                    let mut m = seed.clone();
                    m[i] = b;
                    let verdict = check(&m);
                    let ours = verdict.is_ok();
                    let theirs = ciborium_accepts(&m);
                    // check is stricter only where SPEC §5.4 says so: bignum contents.
                    let bignum_rule = matches!(&verdict, Err(DecodeError::Cbor(m)) if m.contains("bignum"))
                        || matches!(&verdict, Err(DecodeError::NonDeterministicCbor(m)) if m.contains("bignum"));
                    if theirs && !bignum_rule {
                        assert!(
                            ours,
                            "ciborium accepts {m:02x?}, check does not: {verdict:?}"
                        );
                    }
                    agree += usize::from(ours == theirs);
                }
            }
        }
        assert!(agree > 0);
    }
}
