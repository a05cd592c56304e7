//! Code ids (`cti`) as the registry keeps them: 8 to 16 bytes, written in lowercase hex as
//! verdicts print them (`code_id`).

use crate::RegistryError;

/// Longest code id SPEC §4.1 allows.
const MAX_LEN: usize = 16;
/// Shortest code id SPEC §4.1 allows.
const MIN_LEN: usize = 8;

/// A code id: the `cti` of a code, 8 to 16 bytes, kept inline (no allocation per code).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeId {
    len: u8,
    bytes: [u8; MAX_LEN],
}

impl CodeId {
    /// The code id with these bytes; 8 to 16 of them.
    pub fn new(bytes: &[u8]) -> Result<CodeId, RegistryError> {
        if !(MIN_LEN..=MAX_LEN).contains(&bytes.len()) {
            return Err(RegistryError::InvalidInput(format!(
                "a code id is {MIN_LEN} to {MAX_LEN} bytes, not {}",
                bytes.len()
            )));
        }
        let mut out = [0u8; MAX_LEN];
        out.get_mut(..bytes.len())
            .ok_or_else(|| RegistryError::InvalidInput("code id too long".to_owned()))?
            .copy_from_slice(bytes);
        Ok(CodeId {
            len: bytes.len() as u8,
            bytes: out,
        })
    }

    /// Parses the hex form verdicts print (`code_id`), either case, surrounding space ignored.
    pub fn from_hex(text: &str) -> Result<CodeId, RegistryError> {
        let text = text.trim();
        let bytes = hex::decode(text).map_err(|e| {
            RegistryError::InvalidInput(format!("`{text}` is not a code id in hex: {e}"))
        })?;
        CodeId::new(&bytes)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// Lowercase hex, as verdicts print it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.as_bytes())
    }
}

impl AsRef<[u8]> for CodeId {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::fmt::Display for CodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl std::fmt::Debug for CodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CodeId({})", self.to_hex())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_lengths_are_checked() {
        let id = CodeId::from_hex(" 0102030405060708\n").unwrap();
        assert_eq!(id.as_bytes(), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(id.to_hex(), "0102030405060708");
        assert_eq!(
            CodeId::from_hex("0A0B0C0D0E0F1011").unwrap().to_hex(),
            "0a0b0c0d0e0f1011"
        );
        assert!(CodeId::from_hex("01020304050607").is_err());
        assert!(CodeId::from_hex(&"ab".repeat(17)).is_err());
        assert!(CodeId::from_hex("zz02030405060708").is_err());
        assert!(CodeId::new(&[0; 16]).is_ok());
        assert_ne!(CodeId::new(&[0; 8]).unwrap(), CodeId::new(&[0; 9]).unwrap());
    }
}
