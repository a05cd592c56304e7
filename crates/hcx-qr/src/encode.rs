//! Text → QR code, and QR code → PNG, SVG and terminal text.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use qrcode::bits::Bits;
use qrcode::optimize::{Parser, Segment};
use qrcode::types::Mode;
use qrcode::{Color, EcLevel, Version};

use crate::Error;

/// The largest picture side, in pixels, that [`QrCode::to_png`] renders.
pub const MAX_RENDER_SIDE_PX: u32 = 16_384;

/// QR error-correction level: L (~7 %), M (~15 %), Q (~25 %) or H (~30 %) of codewords recoverable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EccLevel {
    /// Low: about 7 % of codewords can be restored.
    L,
    /// Medium: about 15 % of codewords can be restored (the default).
    #[default]
    M,
    /// Quartile: about 25 % of codewords can be restored.
    Q,
    /// High: about 30 % of codewords can be restored.
    H,
}

impl EccLevel {
    /// All four levels, lowest first.
    pub const ALL: [EccLevel; 4] = [EccLevel::L, EccLevel::M, EccLevel::Q, EccLevel::H];

    fn to_qrcode(self) -> EcLevel {
        match self {
            EccLevel::L => EcLevel::L,
            EccLevel::M => EcLevel::M,
            EccLevel::Q => EcLevel::Q,
            EccLevel::H => EcLevel::H,
        }
    }

    fn from_qrcode(level: EcLevel) -> Self {
        match level {
            EcLevel::L => EccLevel::L,
            EcLevel::M => EccLevel::M,
            EcLevel::Q => EccLevel::Q,
            EcLevel::H => EccLevel::H,
        }
    }
}

impl fmt::Display for EccLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EccLevel::L => "L",
            EccLevel::M => "M",
            EccLevel::Q => "Q",
            EccLevel::H => "H",
        })
    }
}

impl FromStr for EccLevel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim() {
            "L" | "l" => Ok(EccLevel::L),
            "M" | "m" => Ok(EccLevel::M),
            "Q" | "q" => Ok(EccLevel::Q),
            "H" | "h" => Ok(EccLevel::H),
            other => Err(Error::InvalidEccLevel(other.to_owned())),
        }
    }
}

/// How to encode a text: error-correction level, largest version allowed and quiet zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Error-correction level (default M).
    pub ecc: EccLevel,
    /// Largest QR version allowed, 1..=40 (default 40); a longer text fails with [`Error::TooLong`].
    pub max_version: u8,
    /// Width of the light border in modules (default 4, the minimum the standard asks for).
    pub quiet_zone: u32,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            ecc: EccLevel::M,
            max_version: 40,
            quiet_zone: 4,
        }
    }
}

/// An encoded QR code: its module matrix plus how it was encoded.
#[derive(Debug, Clone)]
pub struct QrCode {
    /// Row-major, `width * width` modules, `true` = dark.
    dark: Vec<bool>,
    width: usize,
    version: u8,
    ecc: EccLevel,
    mode: &'static str,
    quiet_zone: u32,
}

/// Which segments to encode a text with.
enum Plan {
    /// One segment list for every version.
    Fixed(Vec<Segment>),
    /// Let the `qrcode` optimiser choose per version.
    Optimal,
}

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn plan(text: &str) -> Plan {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let is_health_alnum = (text.starts_with("HCX1:") || text.starts_with("HC1:"))
        && bytes.iter().all(|b| ALNUM.contains(b));
    if is_health_alnum {
        return Plan::Fixed(vec![Segment {
            mode: Mode::Alphanumeric,
            begin: 0,
            end: len,
        }]);
    }
    if let Some(rest) = text.strip_prefix("shc:/") {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            return Plan::Fixed(vec![
                Segment {
                    mode: Mode::Byte,
                    begin: 0,
                    end: 5,
                },
                Segment {
                    mode: Mode::Numeric,
                    begin: 5,
                    end: len,
                },
            ]);
        }
    }
    Plan::Optimal
}

/// Segments for one version; Kanji segments become byte segments (the text is UTF-8, not Shift JIS).
fn segments_for(text: &str, plan: &Plan, version: Version) -> Vec<Segment> {
    match plan {
        Plan::Fixed(s) => s.clone(),
        Plan::Optimal => Parser::new(text.as_bytes())
            .optimize(version)
            .map(|mut s| {
                if s.mode == Mode::Kanji {
                    s.mode = Mode::Byte;
                }
                s
            })
            .collect(),
    }
}

fn mode_name(segments: &[Segment]) -> &'static str {
    let first = segments.first().map(|s| s.mode);
    if segments.iter().any(|s| Some(s.mode) != first) {
        return "mixed";
    }
    match first {
        Some(Mode::Numeric) => "numeric",
        Some(Mode::Alphanumeric) => "alphanumeric",
        _ => "byte",
    }
}

fn try_version(
    text: &str,
    segments: &[Segment],
    version: Version,
    ecc: EcLevel,
) -> Option<qrcode::QrCode> {
    let mut bits = Bits::new(version);
    if !text.is_ascii() {
        // ECI 26 = UTF-8, so readers do not guess ISO-8859-1 or Shift JIS.
        bits.push_eci_designator(26).ok()?;
    }
    bits.push_segments(text.as_bytes(), segments.iter().copied())
        .ok()?;
    bits.push_terminator(ecc).ok()?;
    qrcode::QrCode::with_bits(bits, ecc).ok()
}

/// Encodes `text` in the smallest QR code that fits, with the mode suited to health-code texts.
///
/// `HCX1:`/`HC1:` base45 texts use alphanumeric mode, `shc:/` texts a byte segment then a numeric
/// segment, anything else the smallest mix of modes.
pub fn encode(text: &str, options: &EncodeOptions) -> Result<QrCode, Error> {
    if !(1..=40).contains(&options.max_version) {
        return Err(Error::InvalidMaxVersion(options.max_version));
    }
    let ecc = options.ecc.to_qrcode();
    let plan = plan(text);
    for v in 1..=options.max_version {
        let version = Version::Normal(i16::from(v));
        let segments = segments_for(text, &plan, version);
        if let Some(code) = try_version(text, &segments, version, ecc) {
            let width = code.width();
            let dark = code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect();
            return Ok(QrCode {
                dark,
                width,
                version: v,
                ecc: EccLevel::from_qrcode(code.error_correction_level()),
                mode: mode_name(&segments),
                quiet_zone: options.quiet_zone,
            });
        }
    }
    Err(Error::TooLong {
        len: text.len(),
        ecc: options.ecc,
        max_version: options.max_version,
    })
}

/// A file format [`QrCode::write_file`] can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// 8-bit grayscale PNG.
    Png,
    /// Standalone SVG.
    Svg,
}

impl OutputFormat {
    /// The format named by a file's extension (`.png` or `.svg`, any case).
    pub fn from_path(path: &Path) -> Result<Self, Error> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => Ok(OutputFormat::Png),
            Some("svg") => Ok(OutputFormat::Svg),
            _ => Err(Error::UnsupportedOutputFormat {
                path: path.to_path_buf(),
            }),
        }
    }
}

impl QrCode {
    /// Renders the code in `format`, `module_px` pixels per module, as file contents.
    pub fn render(&self, format: OutputFormat, module_px: u32) -> Result<Vec<u8>, Error> {
        match format {
            OutputFormat::Png => self.to_png(module_px),
            OutputFormat::Svg => Ok(self.to_svg(module_px).into_bytes()),
        }
    }

    /// Writes the code to `path` as PNG or SVG, as its extension says.
    pub fn write_file(&self, path: &Path, module_px: u32) -> Result<(), Error> {
        let bytes = self.render(OutputFormat::from_path(path)?, module_px)?;
        std::fs::write(path, bytes).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The QR version, 1..=40.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The error-correction level.
    pub fn ecc(&self) -> EccLevel {
        self.ecc
    }

    /// The data mode: `"alphanumeric"`, `"byte"`, `"numeric"` or `"mixed"`.
    pub fn mode(&self) -> &'static str {
        self.mode
    }

    /// Width (and height) in modules, without the quiet zone.
    pub fn modules(&self) -> usize {
        self.width
    }

    /// Width of the quiet zone in modules.
    pub fn quiet_zone(&self) -> u32 {
        self.quiet_zone
    }

    /// Whether the module at column `x`, row `y` (quiet zone included) is dark.
    pub fn is_dark_with_quiet_zone(&self, x: usize, y: usize) -> bool {
        let qz = self.quiet_zone as usize;
        let (Some(cx), Some(cy)) = (x.checked_sub(qz), y.checked_sub(qz)) else {
            return false;
        };
        if cx >= self.width || cy >= self.width {
            return false;
        }
        self.dark
            .get(cy * self.width + cx)
            .copied()
            .unwrap_or(false)
    }

    /// Side of the picture in modules, quiet zone included.
    pub fn total_modules(&self) -> usize {
        self.width + 2 * self.quiet_zone as usize
    }

    /// Renders a black-on-white grayscale picture, `module_px` pixels per module.
    pub fn to_luma(&self, module_px: u32) -> Result<image::GrayImage, Error> {
        let total = u32::try_from(self.total_modules()).unwrap_or(u32::MAX);
        let max = (MAX_RENDER_SIDE_PX / total.max(1)).max(1);
        if module_px == 0 || module_px > max {
            return Err(Error::InvalidScale { module_px, max });
        }
        let side = total * module_px;
        let img = image::GrayImage::from_fn(side, side, |x, y| {
            let dark =
                self.is_dark_with_quiet_zone((x / module_px) as usize, (y / module_px) as usize);
            image::Luma([if dark { 0 } else { 255 }])
        });
        Ok(img)
    }

    /// Encodes the code as an 8-bit grayscale PNG, `module_px` pixels per module.
    pub fn to_png(&self, module_px: u32) -> Result<Vec<u8>, Error> {
        let img = self.to_luma(module_px)?;
        let mut out = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new(&mut out);
        image::ImageEncoder::write_image(
            encoder,
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .map_err(|e| Error::Render(e.to_string()))?;
        Ok(out)
    }

    /// Renders a standalone SVG, `module_px` pixels per module (0 is taken as 1).
    pub fn to_svg(&self, module_px: u32) -> String {
        let total = self.total_modules();
        let side = total as u64 * u64::from(module_px.max(1));
        let mut path = String::with_capacity(self.dark.len() * 6);
        for y in 0..total {
            let mut x = 0;
            while x < total {
                if self.is_dark_with_quiet_zone(x, y) {
                    let start = x;
                    while x < total && self.is_dark_with_quiet_zone(x, y) {
                        x += 1;
                    }
                    path.push_str(&format!("M{start} {y}h{}v1h-{}z", x - start, x - start));
                } else {
                    x += 1;
                }
            }
        }
        format!(
            concat!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{side}\" height=\"{side}\" ",
                "viewBox=\"0 0 {total} {total}\" shape-rendering=\"crispEdges\">\n",
                "<rect width=\"{total}\" height=\"{total}\" fill=\"#ffffff\"/>\n",
                "<path fill=\"#000000\" d=\"{path}\"/>\n",
                "</svg>\n"
            ),
            side = side,
            total = total,
            path = path
        )
    }

    /// Renders with Unicode half blocks, two module rows per line, quiet zone included.
    ///
    /// Each line sets black foreground on white background with ANSI colours, so the code is
    /// dark-on-light whatever the terminal theme; see [`QrCode::to_terminal_plain`] for no escapes.
    pub fn to_terminal(&self) -> String {
        self.terminal(true)
    }

    /// Like [`QrCode::to_terminal`] without ANSI colour escapes (for files or pipes).
    pub fn to_terminal_plain(&self) -> String {
        self.terminal(false)
    }

    fn terminal(&self, ansi: bool) -> String {
        let total = self.total_modules();
        let mut out = String::new();
        let mut y = 0;
        while y < total {
            if ansi {
                out.push_str("\x1b[38;5;16;48;5;231m");
            }
            for x in 0..total {
                let top = self.is_dark_with_quiet_zone(x, y);
                let bottom = y + 1 < total && self.is_dark_with_quiet_zone(x, y + 1);
                out.push(match (top, bottom) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            if ansi {
                out.push_str("\x1b[0m");
            }
            out.push('\n');
            y += 2;
        }
        out
    }
}
