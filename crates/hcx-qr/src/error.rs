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
    /// The stable verdict code: `no_code_found` when a picture holds no code (the code is
    /// judged absent), `io` when a file cannot be read or written, `invalid_input` otherwise.
    pub fn code(&self) -> hcx_error::Code {
        use hcx_error::Code;
        match self {
            Error::NoCodeFound => Code::NoCodeFound,
            Error::Io { .. } => Code::Io,
            Error::TooLong { .. }
            | Error::InvalidMaxVersion(_)
            | Error::InvalidEccLevel(_)
            | Error::InvalidScale { .. }
            | Error::Render(_)
            | Error::FileTooLarge { .. }
            | Error::ImageTooLarge { .. }
            | Error::TooManyCodes { .. }
            | Error::UnsupportedFormat
            | Error::UnreadableImage(_)
            | Error::InvalidDimensions { .. }
            | Error::UnsupportedOutputFormat { .. } => Code::InvalidInput,
        }
    }

    /// The precise reason (one per variant).
    pub fn reason(&self) -> hcx_error::Reason {
        use hcx_error::Reason;
        match self {
            Error::TooLong { .. } => Reason::TooLongForVersion,
            Error::InvalidMaxVersion(_) => Reason::InvalidMaxVersion,
            Error::InvalidEccLevel(_) => Reason::InvalidEccLevel,
            Error::InvalidScale { .. } => Reason::InvalidScale,
            Error::Render(_) => Reason::RenderFailed,
            Error::NoCodeFound => Reason::NoCodeFound,
            Error::FileTooLarge { .. } => Reason::FileTooLarge,
            Error::ImageTooLarge { .. } => Reason::ImageTooLarge,
            Error::TooManyCodes { .. } => Reason::TooManyCodes,
            Error::UnsupportedFormat => Reason::UnsupportedFormat,
            Error::UnreadableImage(_) => Reason::UnreadableImage,
            Error::InvalidDimensions { .. } => Reason::InvalidDimensions,
            Error::UnsupportedOutputFormat { .. } => Reason::UnsupportedOutputFormat,
            Error::Io { .. } => Reason::IoError,
        }
    }
}

impl hcx_error::Coded for Error {
    fn code(&self) -> hcx_error::Code {
        Error::code(self)
    }
    fn reason(&self) -> hcx_error::Reason {
        Error::reason(self)
    }
}
