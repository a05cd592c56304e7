//! Text ⇄ QR images for health-code texts (`HCX1:`, `HC1:`, `shc:/` …), knowing nothing of their payload.
//!
//! Encoding picks the smallest version at the wanted error-correction level, with alphanumeric mode for
//! base45 texts; decoding finds every QR (and Aztec) code in a PNG, JPEG or raw grayscale picture,
//! rotated, blurred, noisy, dim or inverted, in pure Rust. The `*_symbols` functions also tell
//! each code's symbology, QR version, error-correction level and data segments.
//!
//! ```
//! use hcx_qr::{EncodeOptions, decode_image, encode};
//!
//! let text = "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH";
//! let code = encode(text, &EncodeOptions::default())?;
//! assert_eq!(code.mode(), "alphanumeric");
//! let png = code.to_png(4)?;
//! assert_eq!(decode_image(&png)?, vec![text.to_string()]);
//! # Ok::<(), hcx_qr::Error>(())
//! ```
#![forbid(unsafe_code)]

mod binarize;
mod decode;
mod encode;
mod error;
mod locate;
mod simd;
mod symbol;

pub use decode::{
    MAX_CODES, MAX_FILE_BYTES, MAX_PIXELS, decode_file, decode_file_symbols, decode_image,
    decode_image_symbols, decode_luma, decode_luma_symbols, luma_from_rgba, read_image_file,
};
pub use encode::{EccLevel, EncodeOptions, MAX_RENDER_SIDE_PX, OutputFormat, QrCode, encode};
pub use error::Error;
pub use symbol::{Segment, SegmentMode, Symbol, SymbolFormat};
