//! The CBOR subset of status lists: a strict, borrowing reader, on hcx-format's one reading
//! and writing of CBOR heads.
//!
//! Status lists have a fixed schema of unsigned and negative integers, byte and text strings,
//! booleans, definite arrays and maps, and tag 18. Reading it with a cursor that knows the
//! schema checks every head for its shortest form and every length against the bytes left
//! *before* anything is allocated: byte strings are borrowed, never copied, and each error
//! names the field that was wrong.

use hcx_format::cbor::Head;
pub(crate) use hcx_format::cbor::{
    ARRAY, BYTES as BSTR, MAP, NINT, TAG, TEXT as TSTR, UINT, write_bytes, write_head, write_text,
};

use crate::error::StatusError;

/// Appends a boolean.
pub(crate) fn write_bool(out: &mut Vec<u8>, value: bool) {
    out.push(if value { 0xf5 } else { 0xf4 });
}

/// A cursor over CBOR bytes that reads the expected item or fails with a precise error.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A cursor at the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    /// Bytes not yet read.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// Fails unless every byte has been read.
    pub(crate) fn finish(&self) -> Result<(), StatusError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(StatusError::TrailingBytes(n)),
        }
    }

    fn byte(&mut self) -> Result<u8, StatusError> {
        let b = self
            .bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| truncated(self.pos))?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], StatusError> {
        // Checked against what is left before slicing: a declared length never allocates.
        let len = usize::try_from(len)
            .ok()
            .filter(|l| *l <= self.remaining())
            .ok_or_else(|| truncated(self.pos))?;
        let slice = self
            .bytes
            .get(self.pos..self.pos + len)
            .ok_or_else(|| truncated(self.pos))?;
        self.pos += len;
        Ok(slice)
    }

    /// Reads a head: its major type and argument. Indefinite lengths, reserved additional
    /// information and arguments not in their shortest form are rejected.
    pub(crate) fn head(&mut self) -> Result<(u8, u64), StatusError> {
        let at = self.pos;
        let head = self
            .bytes
            .get(self.pos..)
            .and_then(Head::read)
            .ok_or_else(|| truncated(self.bytes.len()))?;
        match head.info {
            0..=27 if !head.is_shortest() => Err(StatusError::NonCanonical(format!(
                "integer or length at byte {at} is not in its shortest form"
            ))),
            0..=27 => {
                self.pos += head.len;
                Ok((head.major, head.arg))
            }
            31 if (BSTR..=MAP).contains(&head.major) => Err(StatusError::NonCanonical(format!(
                "indefinite length at byte {at}"
            ))),
            _ => Err(StatusError::Cbor(format!(
                "reserved or unsupported head 0x{:02x} at byte {at}",
                self.bytes.get(at).copied().unwrap_or(0)
            ))),
        }
    }

    fn expect(&mut self, major: u8, what: &str) -> Result<u64, StatusError> {
        let at = self.pos;
        let (m, arg) = self.head()?;
        if m != major {
            return Err(StatusError::BadPayload(format!(
                "{what} at byte {at} has CBOR major type {m}, expected {major}"
            )));
        }
        Ok(arg)
    }

    /// Reads an unsigned integer.
    pub(crate) fn uint(&mut self, what: &str) -> Result<u64, StatusError> {
        self.expect(UINT, what)
    }

    /// Reads an integer (unsigned or negative) that fits an `i64`.
    pub(crate) fn int(&mut self, what: &str) -> Result<i64, StatusError> {
        let at = self.pos;
        let (major, arg) = self.head()?;
        let value = match major {
            UINT => i64::try_from(arg).ok(),
            NINT => i64::try_from(arg).ok().map(|a| -1 - a),
            _ => None,
        };
        value.ok_or_else(|| {
            StatusError::BadPayload(format!("{what} at byte {at} is not a 64-bit integer"))
        })
    }

    /// Reads a byte string, borrowed.
    pub(crate) fn bytes(&mut self, what: &str) -> Result<&'a [u8], StatusError> {
        let len = self.expect(BSTR, what)?;
        self.take(len)
    }

    /// Reads a text string, borrowed; it must be UTF-8.
    pub(crate) fn text(&mut self, what: &str) -> Result<&'a str, StatusError> {
        let at = self.pos;
        let len = self.expect(TSTR, what)?;
        let raw = self.take(len)?;
        std::str::from_utf8(raw)
            .map_err(|_| StatusError::Cbor(format!("{what} at byte {at} is not valid UTF-8")))
    }

    /// Reads a boolean.
    pub(crate) fn bool(&mut self, what: &str) -> Result<bool, StatusError> {
        let at = self.pos;
        match self.byte()? {
            0xf4 => Ok(false),
            0xf5 => Ok(true),
            _ => Err(StatusError::BadPayload(format!(
                "{what} at byte {at} is not a boolean"
            ))),
        }
    }

    /// Reads an array head of exactly `len` items.
    pub(crate) fn array(&mut self, len: u64, what: &str) -> Result<(), StatusError> {
        let at = self.pos;
        let found = self.expect(ARRAY, what)?;
        if found != len {
            return Err(StatusError::BadPayload(format!(
                "{what} at byte {at} has {found} items, expected {len}"
            )));
        }
        Ok(())
    }

    /// Reads an array head of at most `max` items and returns the count.
    pub(crate) fn array_up_to(&mut self, max: u64, what: &str) -> Result<u64, StatusError> {
        let found = self.expect(ARRAY, what)?;
        if found > max {
            return Err(StatusError::TooLarge {
                what: "levels in one map",
                len: found,
                max,
            });
        }
        Ok(found)
    }

    /// Reads a map head and returns its number of entries (at most `max`).
    pub(crate) fn map(&mut self, max: u64, what: &str) -> Result<u64, StatusError> {
        let at = self.pos;
        let found = self.expect(MAP, what)?;
        if found > max {
            return Err(StatusError::BadPayload(format!(
                "{what} at byte {at} has {found} entries, at most {max} are defined"
            )));
        }
        Ok(found)
    }

    /// Reads a tag and checks its number.
    pub(crate) fn tag(&mut self, number: u64) -> Result<(), StatusError> {
        let (major, arg) = self.head()?;
        if major != TAG || arg != number {
            return Err(StatusError::NotCoseSign1(format!("expected tag {number}")));
        }
        Ok(())
    }
}

fn truncated(at: usize) -> StatusError {
    StatusError::Cbor(format!("truncated at byte {at}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_round_trip_at_every_width() {
        for arg in [
            0u64,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            u32::MAX as u64,
            1 << 32,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            write_head(&mut out, UINT, arg);
            let mut r = Reader::new(&out);
            assert_eq!(r.uint("x").unwrap(), arg);
            r.finish().unwrap();
        }
    }

    #[test]
    fn rejects_long_forms_indefinite_and_reserved() {
        let reason = |bytes: &[u8]| Reader::new(bytes).uint("x").unwrap_err().reason();
        assert_eq!(reason(&[0x18, 0x17]), "status_non_canonical");
        assert_eq!(reason(&[0x19, 0x00, 0xff]), "status_non_canonical");
        assert_eq!(reason(&[0x1c]), "status_bad_cbor");
        assert_eq!(reason(&[0x19, 0x01]), "status_bad_cbor");
        assert_eq!(
            Reader::new(&[0x5f]).bytes("x").unwrap_err().reason(),
            "status_non_canonical"
        );
        assert_eq!(
            Reader::new(&[0x5a, 0xff, 0xff, 0xff, 0xff])
                .bytes("x")
                .unwrap_err()
                .reason(),
            "status_bad_cbor"
        );
        assert_eq!(
            Reader::new(&[0x62, 0xff, 0xfe])
                .text("x")
                .unwrap_err()
                .reason(),
            "status_bad_cbor"
        );
    }

    #[test]
    fn negative_integers() {
        let mut r = Reader::new(&[0x27, 0x38, 0x18]);
        assert_eq!(r.int("a").unwrap(), -8);
        assert_eq!(r.int("b").unwrap(), -25);
    }
}
