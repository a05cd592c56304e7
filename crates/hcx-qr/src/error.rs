//! The one error type of this crate.

use std::path::PathBuf;

use crate::EccLevel;

/// Everything that can go wrong while encoding or decoding a QR code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text does not fit in a QR code of at most `max_version` at this error-correction level.
    #[error(
        "text of {len} bytes does not fit in a QR code of version {max_version} or lower at ECC level {ecc}"
    )]
    TooLong {
        /// Length of the text in bytes.
        len: usize,
        /// The error-correction level asked for.
        ecc: EccLevel,
        /// The largest version allowed.
        max_version: u8,
    },
    /// `max_version` is outside 1..=40.
    #[error("invalid maximum QR version {0}: must be 1 to 40")]
    InvalidMaxVersion(u8),
    /// The text is not a known error-correction level (L, M, Q or H).
    #[error("invalid error-correction level {0:?}: expected L, M, Q or H")]
    InvalidEccLevel(String),
    /// The module size (pixels per module) is 0 or makes the picture too large.
    #[error("invalid module size {module_px} px: must be 1 to {max} for this code")]
    InvalidScale {
        /// The module size asked for.
        module_px: u32,
        /// The largest module size allowed for this code.
        max: u32,
    },
    /// The QR encoder or the image encoder failed for another reason.
    #[error("cannot render the QR code: {0}")]
    Render(String),
    /// No QR (or Aztec) code was found in the picture.
    #[error("no QR code found in the image")]
    NoCodeFound,
    /// The file is larger than [`crate::MAX_FILE_BYTES`].
    #[error("file is {size} bytes, more than the limit of {max} bytes")]
    FileTooLarge {
        /// Size of the file in bytes.
        size: u64,
        /// The limit in bytes.
        max: u64,
    },
    /// The picture has more pixels than [`crate::MAX_PIXELS`] (checked from its header).
    #[error("image is {width}x{height} pixels, more than the limit of {max} pixels")]
    ImageTooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The limit in pixels.
        max: u64,
    },
    /// The picture holds more codes than [`crate::MAX_CODES`].
    #[error("image holds more than {max} codes")]
    TooManyCodes {
        /// The limit.
        max: usize,
    },
    /// The bytes are neither PNG nor JPEG.
    #[error("unsupported image format: only PNG and JPEG are read")]
    UnsupportedFormat,
    /// The PNG or JPEG data is corrupt or truncated.
    #[error("unreadable image: {0}")]
    UnreadableImage(String),
    /// A raw luma buffer does not match its width and height.
    #[error("luma buffer of {len} bytes does not match {width}x{height}")]
    InvalidDimensions {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Length of the buffer.
        len: usize,
    },
    /// The output file name ends in neither `.png` nor `.svg`.
    #[error("cannot tell the image format of {}: the file name must end in .png or .svg", path.display())]
    UnsupportedOutputFormat {
        /// The output file.
        path: PathBuf,
    },
    /// Reading or writing the file failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// A stable snake_case code for this error, for machine-readable output.
    pub fn code(&self) -> &'static str {
        match self {
            Error::TooLong { .. } => "too_long_for_version",
            Error::InvalidMaxVersion(_) => "invalid_max_version",
            Error::InvalidEccLevel(_) => "invalid_ecc_level",
            Error::InvalidScale { .. } => "invalid_scale",
            Error::Render(_) => "render_failed",
            Error::NoCodeFound => "no_code_found",
            Error::FileTooLarge { .. } => "file_too_large",
            Error::ImageTooLarge { .. } => "image_too_large",
            Error::TooManyCodes { .. } => "too_many_codes",
            Error::UnsupportedFormat => "unsupported_format",
            Error::UnreadableImage(_) => "unreadable_image",
            Error::InvalidDimensions { .. } => "invalid_dimensions",
            Error::UnsupportedOutputFormat { .. } => "unsupported_output_format",
            Error::Io { .. } => "io_error",
        }
    }
}
