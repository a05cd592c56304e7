//! What a decoded symbol says about itself besides its text: symbology, QR version,
//! error-correction level and the segments (modes and character counts) of its data.

use rxing::common::BitMatrix;
use rxing::qrcode::cpp_port::decoder::CorrectErrors;
use rxing::qrcode::decoder::{BitMatrixParser, DataBlock};

use crate::EccLevel;

/// One code read from a picture, with the properties of the symbol that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Symbol {
    /// The decoded text.
    pub text: String,
    /// The symbology: QR code or Aztec.
    pub format: SymbolFormat,
    /// QR version 1–40 (the symbol is 17 + 4 × version modules wide); `None` for Aztec.
    pub version: Option<u8>,
    /// QR error-correction level; `None` for Aztec.
    pub ecc: Option<EccLevel>,
    /// The QR data segments in order; `None` for Aztec, or if the data could not be read again.
    pub segments: Option<Vec<Segment>>,
}

/// The symbology a code was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SymbolFormat {
    /// A QR code (Model 2).
    Qr,
    /// An Aztec code.
    Aztec,
}

impl SymbolFormat {
    /// `"qr"` or `"aztec"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolFormat::Qr => "qr",
            SymbolFormat::Aztec => "aztec",
        }
    }
}

/// One segment of a QR code's data stream (ISO/IEC 18004 §7.4), in the order it appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Segment {
    /// The mode indicator of the segment.
    pub mode: SegmentMode,
    /// Characters in a data segment (bytes in byte mode, double-byte characters in Kanji and
    /// Hanzi mode), the assignment number of an ECI designator, 0 otherwise.
    pub count: u32,
}

/// The mode of a QR data segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SegmentMode {
    /// Digits 0–9, three per 10 bits.
    Numeric,
    /// The 45-character set `0–9 A–Z space $%*+-./:`, two per 11 bits.
    Alphanumeric,
    /// 8-bit bytes.
    Byte,
    /// Shift JIS double-byte characters, 13 bits each.
    Kanji,
    /// GB 2312 double-byte characters (GB/T 18284), 13 bits each.
    Hanzi,
    /// An Extended Channel Interpretation designator (a character set switch).
    Eci,
    /// A structured-append header (symbol position, count and parity).
    StructuredAppend,
    /// FNC1 in first position (GS1 data).
    Fnc1First,
    /// FNC1 in second position (an AIM application indicator follows).
    Fnc1Second,
}

impl SegmentMode {
    /// `"numeric"`, `"alphanumeric"`, `"byte"`, `"kanji"`, `"hanzi"`, `"eci"`,
    /// `"structured_append"`, `"fnc1_first"` or `"fnc1_second"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentMode::Numeric => "numeric",
            SegmentMode::Alphanumeric => "alphanumeric",
            SegmentMode::Byte => "byte",
            SegmentMode::Kanji => "kanji",
            SegmentMode::Hanzi => "hanzi",
            SegmentMode::Eci => "eci",
            SegmentMode::StructuredAppend => "structured_append",
            SegmentMode::Fnc1First => "fnc1_first",
            SegmentMode::Fnc1Second => "fnc1_second",
        }
    }
}

/// A QR symbol as the decoder sampled it, kept so its segments can be read when asked for.
pub(crate) struct QrMeta {
    /// The sampled modules (dark = set), as rxing's decoder read them.
    pub(crate) bits: BitMatrix,
    /// The version rxing's decoder read (version information, or the size below version 7).
    pub(crate) version: u8,
    /// Whether the decoder read the symbol mirrored (transposed).
    pub(crate) mirrored: bool,
    /// The error-correction level from the format information.
    pub(crate) ecc: Option<EccLevel>,
}

impl QrMeta {
    /// The segments of the symbol's data, or `None` if the data codewords cannot be read again.
    pub(crate) fn segments(&self) -> Option<Vec<Segment>> {
        let data = data_codewords(&self.bits, self.mirrored, self.version)?;
        parse_segments(&data, self.version)
    }
}

/// rxing's error-correction level name (`"L"`, `"M"`, `"Q"`, `"H"`) as ours.
pub(crate) fn ecc_from_name(name: &str) -> Option<EccLevel> {
    match name {
        "L" => Some(EccLevel::L),
        "M" => Some(EccLevel::M),
        "Q" => Some(EccLevel::Q),
        "H" => Some(EccLevel::H),
        _ => None,
    }
}

/// The error-corrected data codewords of a sampled QR symbol.
///
/// rxing's zxing-cpp decoder, which found the symbol, keeps these to itself (its result holds only
/// the text), so they are read again with rxing's public Java-port parts: the module reader, the
/// block de-interleaver and the Reed–Solomon corrector. A mirrored symbol is transposed first, as
/// that port's own mirrored read does. `None` if anything disagrees with the first read.
fn data_codewords(bits: &BitMatrix, mirrored: bool, version: u8) -> Option<Vec<u8>> {
    let mut parser = BitMatrixParser::new(bits.clone()).ok()?;
    if mirrored {
        parser.mirror();
    }
    let read = parser.readVersion().ok()?;
    if read.getVersionNumber() != u32::from(version) {
        return None;
    }
    let level = parser
        .readFormatInformation()
        .ok()?
        .getErrorCorrectionLevel();
    let codewords = parser.readCodewords().ok()?;
    let blocks = DataBlock::getDataBlocks(&codewords, read, level).ok()?;
    let mut data = Vec::with_capacity(codewords.len());
    for block in &blocks {
        let mut words = block.getCodewords().to_vec();
        let n = block.getNumDataCodewords();
        if !CorrectErrors(&mut words, n).ok()? {
            return None;
        }
        data.extend_from_slice(words.get(..usize::try_from(n).ok()?)?);
    }
    Some(data)
}

/// Reads bits most significant first, never past the end.
struct Bits<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn remaining(&self) -> usize {
        (self.bytes.len() * 8).saturating_sub(self.pos)
    }

    /// The next `n` (≤ 32) bits, or `None` if fewer remain.
    fn read(&mut self, n: usize) -> Option<u32> {
        if n > 32 || n > self.remaining() {
            return None;
        }
        let mut v = 0u32;
        for _ in 0..n {
            let byte = self.bytes.get(self.pos / 8)?;
            let bit = (byte >> (7 - self.pos % 8)) & 1;
            v = (v << 1) | u32::from(bit);
            self.pos += 1;
        }
        Some(v)
    }

    /// Skips `n` bits, or `None` if fewer remain.
    fn skip(&mut self, n: u64) -> Option<()> {
        let n = usize::try_from(n).ok()?;
        if n > self.remaining() {
            return None;
        }
        self.pos += n;
        Some(())
    }
}

/// The segment headers of a QR data stream (`data`: the error-corrected data codewords of a
/// Model 2 symbol of `version`), with each payload skipped by its length.
///
/// Hand-written because rxing's decoders turn the stream straight into text and keep no record of
/// its segments. It follows ISO/IEC 18004 §7.4 (and GB/T 18284 for Hanzi) as rxing's zxing-cpp
/// decoder does, including its end-of-stream rule: the stream ends at a terminator, or where fewer
/// than 4 bits are left and they are all zero. Anything else (an unknown mode, a payload that runs
/// past the end) gives `None`. At most one segment per 4 bits, so the work is bounded by `data`.
pub(crate) fn parse_segments(data: &[u8], version: u8) -> Option<Vec<Segment>> {
    // Character count indicator lengths by version range 1–9, 10–26, 27–40 (Table 3).
    let range = match version {
        1..=9 => 0,
        10..=26 => 1,
        27..=40 => 2,
        _ => return None,
    };
    let count_bits = |widths: [usize; 3]| widths.get(range).copied();
    let mut bits = Bits {
        bytes: data,
        pos: 0,
    };
    let mut segments = Vec::new();
    loop {
        let left = bits.remaining();
        if left < 4 {
            // Fewer than 4 bits: an implied terminator if they are zero.
            return (bits.read(left)? == 0).then_some(segments);
        }
        let (mode, count) = match bits.read(4)? {
            0b0000 => return Some(segments),
            0b0001 => {
                let n = bits.read(count_bits([10, 12, 14])?)?;
                let tail = match n % 3 {
                    1 => 4,
                    2 => 7,
                    _ => 0,
                };
                bits.skip(10 * u64::from(n / 3) + tail)?;
                (SegmentMode::Numeric, n)
            }
            0b0010 => {
                let n = bits.read(count_bits([9, 11, 13])?)?;
                bits.skip(11 * u64::from(n / 2) + 6 * u64::from(n % 2))?;
                (SegmentMode::Alphanumeric, n)
            }
            0b0100 => {
                let n = bits.read(count_bits([8, 16, 16])?)?;
                bits.skip(8 * u64::from(n))?;
                (SegmentMode::Byte, n)
            }
            0b1000 => {
                let n = bits.read(count_bits([8, 10, 12])?)?;
                bits.skip(13 * u64::from(n))?;
                (SegmentMode::Kanji, n)
            }
            0b1101 => {
                // A 4-bit subset indicator precedes the count; 1 (GB 2312) is the only one defined.
                if bits.read(4)? != 1 {
                    return None;
                }
                let n = bits.read(count_bits([8, 10, 12])?)?;
                bits.skip(13 * u64::from(n))?;
                (SegmentMode::Hanzi, n)
            }
            0b0111 => {
                // The assignment number takes 1, 2 or 3 bytes, told by its leading bits 0, 10, 110.
                let first = bits.read(8)?;
                let number = if first & 0x80 == 0 {
                    first
                } else if first & 0xC0 == 0x80 {
                    ((first & 0x3F) << 8) | bits.read(8)?
                } else if first & 0xE0 == 0xC0 {
                    ((first & 0x1F) << 16) | bits.read(16)?
                } else {
                    return None;
                };
                (SegmentMode::Eci, number)
            }
            0b0011 => {
                // Symbol position (4 bits), total symbols − 1 (4 bits), parity (8 bits).
                bits.skip(16)?;
                (SegmentMode::StructuredAppend, 0)
            }
            0b0101 => (SegmentMode::Fnc1First, 0),
            0b1001 => {
                // The application indicator.
                bits.skip(8)?;
                (SegmentMode::Fnc1Second, 0)
            }
            _ => return None,
        };
        segments.push(Segment { mode, count });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes bits most significant first.
    #[derive(Default)]
    struct Writer {
        bytes: Vec<u8>,
        len: usize,
    }

    impl Writer {
        fn put(&mut self, value: u32, n: usize) -> &mut Self {
            for i in (0..n).rev() {
                if self.len.is_multiple_of(8) {
                    self.bytes.push(0);
                }
                let bit = ((value >> i) & 1) as u8;
                *self.bytes.last_mut().unwrap() |= bit << (7 - self.len % 8);
                self.len += 1;
            }
            self
        }
    }

    fn seg(mode: SegmentMode, count: u32) -> Segment {
        Segment { mode, count }
    }

    #[test]
    fn byte_then_numeric_at_each_count_width() {
        // version → (byte count bits, numeric count bits)
        for (version, byte_bits, num_bits) in [(1, 8, 10), (9, 8, 10), (10, 16, 12), (27, 16, 14)] {
            let mut w = Writer::default();
            w.put(0b0100, 4).put(5, byte_bits);
            for &b in b"shc:/" {
                w.put(u32::from(b), 8);
            }
            // 8 digits: two groups of 10 bits, then 2 digits in 7 bits.
            w.put(0b0001, 4)
                .put(8, num_bits)
                .put(567, 10)
                .put(890, 10)
                .put(12, 7);
            w.put(0, 4).put(0xEC, 8).put(0x11, 8);
            assert_eq!(
                parse_segments(&w.bytes, version),
                Some(vec![
                    seg(SegmentMode::Byte, 5),
                    seg(SegmentMode::Numeric, 8)
                ]),
                "version {version}"
            );
        }
    }

    #[test]
    fn every_mode() {
        let mut w = Writer::default();
        w.put(0b0111, 4).put(26, 8); // ECI 26 (UTF-8)
        w.put(0b0111, 4).put(0x80 | 3, 8).put(0xE8, 8); // ECI 1000 in two bytes
        w.put(0b0011, 4).put(0x1234, 16); // structured append
        w.put(0b0101, 4); // FNC1 first
        w.put(0b0010, 4).put(3, 9).put(1000, 11).put(40, 6); // alphanumeric, 3 characters
        w.put(0b1000, 4).put(2, 8).put(0, 26); // Kanji, 2 characters
        w.put(0b1101, 4).put(1, 4).put(1, 8).put(0, 13); // Hanzi, 1 character
        w.put(0b0001, 4).put(1, 10).put(7, 4); // numeric, 1 digit
        w.put(0b1001, 4).put(37, 8); // FNC1 second
        // No terminator: the last byte's unused bits are zero (fewer than 4 left, or a terminator).
        assert_eq!(
            parse_segments(&w.bytes, 5),
            Some(vec![
                seg(SegmentMode::Eci, 26),
                seg(SegmentMode::Eci, 1000),
                seg(SegmentMode::StructuredAppend, 0),
                seg(SegmentMode::Fnc1First, 0),
                seg(SegmentMode::Alphanumeric, 3),
                seg(SegmentMode::Kanji, 2),
                seg(SegmentMode::Hanzi, 1),
                seg(SegmentMode::Numeric, 1),
                seg(SegmentMode::Fnc1Second, 0),
            ])
        );
    }

    #[test]
    fn malformed_streams_are_none() {
        // A byte segment claiming more bytes than there are.
        let mut w = Writer::default();
        w.put(0b0100, 4).put(200, 8).put(0x41, 8);
        assert_eq!(parse_segments(&w.bytes, 1), None);
        // An undefined mode indicator.
        assert_eq!(parse_segments(&[0b1111_0000], 1), None);
        // A Hanzi subset other than GB 2312.
        assert_eq!(parse_segments(&[0b1101_0010, 0], 1), None);
        // Non-zero bits where fewer than 4 are left.
        let mut w = Writer::default();
        w.put(0b0001, 4).put(1, 10).put(7, 4).put(0b11, 2);
        assert_eq!(parse_segments(&w.bytes, 1), None);
        // No version.
        assert_eq!(parse_segments(&[0], 0), None);
        assert_eq!(parse_segments(&[0], 41), None);
        // Empty data: nothing, not an error.
        assert_eq!(parse_segments(&[], 1), Some(vec![]));
    }

    /// Random bytes at every version: an answer, never a panic, and never more segments than
    /// 4-bit headers fit.
    #[test]
    fn random_streams_never_panic() {
        let mut seed = 0x9E37_79B9_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for round in 0..4000 {
            let len = (next() % 64) as usize;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let version = (round % 42) as u8;
            if let Some(segments) = parse_segments(&data, version) {
                assert!(segments.len() <= len * 2);
            }
        }
    }
}
