//! Judging codes: which format a text is (written once here), then that format's verifier, then
//! one [`Verdict`].

use hcx_format::{Clock, Summary, VerifiedCode};

use crate::error::VerifyError;
use crate::status::{StatusPolicy, StatusReport};
use crate::trust::TrustStore;
use crate::verdict::{Claims, Format, Issuer, Verdict, Verified};

/// Codes handed to one bulk signature check: enough to amortise the shared inversion and the
/// comb rows' trips into cache, small enough to spread a large batch over the cores.
const SUB_BATCH: usize = 256;

/// Verifies codes of every supported format against one [`TrustStore`], offline.
///
/// A `Verifier` is `Send + Sync`: share one across threads (per-key precomputation is shared).
#[derive(Debug, Clone)]
pub struct Verifier {
    trust: TrustStore,
    status_policy: StatusPolicy,
}

/// Which verifier a text goes to.
enum Route {
    Hcx,
    #[cfg(feature = "foreign")]
    Foreign,
}

/// The one dispatch rule: `HCX1:` texts, and anything no foreign format claims, are hcx codes
/// (so garbage is judged by the hcx reader: `malformed`, `bad_prefix`).
fn route(text: &str) -> Route {
    #[cfg(feature = "foreign")]
    if !text.starts_with(hcx_format::PREFIX) && hcx_interop::detect(text).is_some() {
        return Route::Foreign;
    }
    let _ = text;
    Route::Hcx
}

impl Verifier {
    /// A verifier over `trust`, with the default [`StatusPolicy`].
    pub fn new(trust: TrustStore) -> Verifier {
        Verifier {
            trust,
            status_policy: StatusPolicy::default(),
        }
    }

    /// The same verifier with another status policy (maximum age, what to do when an
    /// issuer's status data is missing or stale).
    pub fn with_status_policy(mut self, policy: StatusPolicy) -> Verifier {
        self.status_policy = policy;
        self
    }

    /// The status policy in use.
    pub fn status_policy(&self) -> &StatusPolicy {
        &self.status_policy
    }

    /// What this verifier trusts.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// Verifies one scanned text of any supported format.
    pub fn verify_text(&self, text: &str, clock: Clock) -> Verdict {
        match route(text) {
            Route::Hcx => self
                .hcx(text, clock)
                .and_then(|code| self.status(code, clock))
                .into(),
            #[cfg(feature = "foreign")]
            Route::Foreign => {
                hcx_interop::verify(text, &self.trust.foreign, &interop_options(clock))
                    .map(from_foreign)
                    .map_err(VerifyError::from)
                    .into()
            }
        }
    }

    /// Verifies a code given as several texts: the `shc:/K/N/` chunks of a SMART Health Card,
    /// in any order. One text is verified as [`Verifier::verify_text`] does.
    pub fn verify_chunks(&self, texts: &[&str], clock: Clock) -> Verdict {
        match texts {
            [one] => self.verify_text(one, clock),
            #[cfg(feature = "foreign")]
            many => hcx_interop::verify_chunks(many, &self.trust.foreign, &interop_options(clock))
                .map(from_foreign)
                .map_err(VerifyError::from)
                .into(),
            #[cfg(not(feature = "foreign"))]
            _ => Verdict::Invalid(VerifyError::Input {
                reason: hcx_error::Reason::BadChunks,
                message: "chunked codes are SMART Health Cards; this build reads hcx codes only"
                    .to_owned(),
            }),
        }
    }

    /// Verifies many texts; the verdicts are in input order and each equals
    /// [`Verifier::verify_text`]'s. hcx signatures are checked in bulk (exactly
    /// `verify_strict`'s acceptance); with the `parallel` feature the work is spread over the
    /// cores of the current rayon pool.
    pub fn verify_many(&self, texts: &[&str], clock: Clock) -> Vec<Verdict> {
        self.verify_many_with(texts, clock, |verdict| verdict)
    }

    /// [`Verifier::verify_many`], with each verdict handed to `then` on the thread that made
    /// it: for a host that turns verdicts into output (`|v| v.to_json()`), that work is spread
    /// over the cores too instead of running on one thread after the rest. The results are in
    /// input order.
    pub fn verify_many_with<R, F>(&self, texts: &[&str], clock: Clock, then: F) -> Vec<R>
    where
        R: Send,
        F: Fn(Verdict) -> R + Sync + Send,
    {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            // One ordered vector per sub-batch, then one pass to join them: the verdicts
            // themselves never cross threads, only what `then` made of them.
            let parts: Vec<Vec<R>> = texts
                .par_chunks(SUB_BATCH)
                .map(|chunk| {
                    self.verify_sub_batch(chunk, clock)
                        .into_iter()
                        .map(&then)
                        .collect()
                })
                .collect();
            let mut out = Vec::with_capacity(texts.len());
            for part in parts {
                out.extend(part);
            }
            out
        }
        #[cfg(not(feature = "parallel"))]
        {
            texts
                .chunks(SUB_BATCH)
                .flat_map(|chunk| self.verify_sub_batch(chunk, clock).into_iter().map(&then))
                .collect()
        }
    }

    /// One sub-batch: the hcx codes through the bulk signature check, the others one by one.
    fn verify_sub_batch(&self, texts: &[&str], clock: Clock) -> Vec<Verdict> {
        let mut out: Vec<Option<Verdict>> = texts
            .iter()
            .map(|t| match route(t) {
                Route::Hcx => None,
                #[cfg(feature = "foreign")]
                Route::Foreign => Some(self.verify_text(t, clock)),
            })
            .collect();
        match &self.trust.hcx {
            Some(hcx) => {
                let idx: Vec<usize> = (0..texts.len())
                    .filter(|i| out.get(*i).is_some_and(Option::is_none))
                    .collect();
                let batch: Vec<&str> = idx
                    .iter()
                    .map(|i| texts.get(*i).copied().unwrap_or_default())
                    .collect();
                for (i, r) in idx.into_iter().zip(hcx.verify_many(&batch, clock)) {
                    if let Some(slot) = out.get_mut(i) {
                        let verified = r
                            .map_err(VerifyError::from)
                            .and_then(|code| self.status(code, clock));
                        *slot = Some(verified.into());
                    }
                }
            }
            None => {
                for slot in out.iter_mut().filter(|s| s.is_none()) {
                    *slot = Some(Verdict::Invalid(VerifyError::NoHcxTrustList));
                }
            }
        }
        out.into_iter()
            .map(|v| v.unwrap_or(Verdict::Invalid(VerifyError::NoHcxTrustList)))
            .collect()
    }

    fn hcx(&self, text: &str, clock: Clock) -> Result<VerifiedCode, VerifyError> {
        let hcx = self.trust.hcx.as_ref().ok_or(VerifyError::NoHcxTrustList)?;
        Ok(hcx.verify(text, clock)?)
    }

    /// Steps S1–S3 (SPEC §14) for an hcx code valid through C17.
    fn status(&self, code: VerifiedCode, clock: Clock) -> Result<Verified, VerifyError> {
        let report = if self.trust.status.is_empty()
            && self.status_policy.when_missing == crate::status::Missing::Accept
        {
            None
        } else {
            let code_id = unhex(&code.code_id);
            let cref = hcx_status::CodeRef {
                code_id: &code_id,
                issued_at: code.issued_at,
                expires_at: code.expires_at,
            };
            self.trust
                .status
                .check(&self.status_policy, &code.issuer.id, &cref, clock.now)?
        };
        Ok(from_hcx(code, report))
    }
}

#[cfg(feature = "foreign")]
fn interop_options(clock: Clock) -> hcx_interop::VerifyOptions {
    hcx_interop::VerifyOptions {
        now: clock.now,
        skew_secs: clock.skew_secs,
    }
}

/// Bytes of lowercase hex (the code id of a verified code, which hcx-format wrote).
fn unhex(hex: &str) -> Vec<u8> {
    hex.as_bytes()
        .chunks_exact(2)
        .filter_map(|pair| {
            let digit = |c: u8| char::from(c).to_digit(16);
            u8::try_from(digit(*pair.first()?)? * 16 + digit(*pair.get(1)?)?).ok()
        })
        .collect()
}

/// The verdict of a verified hcx code.
pub(crate) fn from_hcx(code: VerifiedCode, status_list: Option<StatusReport>) -> Verified {
    let summary = Summary::from(&code);
    Verified {
        format: Format::Hcx,
        issuer: Issuer {
            id: code.issuer.id,
            name: Some(code.issuer.name),
            names: Some(code.issuer.names),
        },
        key_id: code.key_id,
        issued_at: Some(code.issued_at),
        expires_at: Some(code.expires_at),
        not_before: code.not_before,
        code_id: Some(code.code_id),
        claims: Claims::Hcx(code.claims),
        summary,
        status_list,
    }
}

/// The verdict of a verified foreign certificate.
#[cfg(feature = "foreign")]
fn from_foreign(v: hcx_interop::Verified) -> Verified {
    Verified {
        format: Format::from_name(v.format).unwrap_or(Format::EuDcc),
        issuer: Issuer {
            id: v.issuer.id,
            name: v.issuer.name,
            names: None,
        },
        key_id: v.key_id,
        issued_at: v.issued_at,
        expires_at: v.expires_at,
        not_before: None,
        code_id: None,
        claims: Claims::Foreign(v.claims),
        summary: v.summary,
        status_list: None,
    }
}

#[cfg(feature = "qr")]
mod image {
    //! Codes from pictures: which of the codes in a photo is the one to judge.

    use super::*;

    impl Verifier {
        /// Verifies the health code in a PNG or JPEG picture (a photo of a screen or a card).
        pub fn verify_image(&self, image: &[u8], clock: Clock) -> Verdict {
            self.verify_scan(scan_image(image), clock)
        }

        /// Verifies the health code in a camera frame of 8-bit luma (one byte per pixel).
        pub fn verify_luma(&self, width: u32, height: u32, luma: &[u8], clock: Clock) -> Verdict {
            self.verify_scan(scan_luma(width, height, luma), clock)
        }

        fn verify_scan(&self, scan: Result<Vec<String>, VerifyError>, clock: Clock) -> Verdict {
            match scan {
                Ok(texts) => {
                    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                    self.verify_chunks(&refs, clock)
                }
                Err(e) => Verdict::Invalid(e),
            }
        }
    }

    /// Finds the code to judge in a PNG or JPEG picture: its text, or the texts of an SHC's
    /// chunks. See [`pick`] for the rule.
    pub fn scan_image(image: &[u8]) -> Result<Vec<String>, VerifyError> {
        pick(&hcx_qr::decode_image_symbols(image)?)
    }

    /// Finds the code to judge in a frame of 8-bit luma.
    pub fn scan_luma(width: u32, height: u32, luma: &[u8]) -> Result<Vec<String>, VerifyError> {
        pick(&hcx_qr::decode_luma_symbols(width, height, luma)?)
    }

    /// A photo may hold other codes too (a poster, a product code). The rule: several `shc:/`
    /// chunks are one card; otherwise the first hcx code, else the first code of a known
    /// format, else the first code. SHC symbols are then held to the SHC spec's QR rules.
    pub fn pick(symbols: &[hcx_qr::Symbol]) -> Result<Vec<String>, VerifyError> {
        let texts = || symbols.iter().map(|s| s.text.as_str());
        let shc_chunks: Vec<&str> = texts().filter(|t| t.starts_with("shc:/")).collect();
        let picked: Vec<&str> = if shc_chunks.len() > 1 {
            shc_chunks
        } else {
            let known = |t: &&str| !matches!(route(t), Route::Hcx);
            texts()
                .find(|t| t.starts_with(hcx_format::PREFIX))
                .or_else(|| texts().find(known))
                .or_else(|| texts().next())
                .into_iter()
                .collect()
        };
        if picked.is_empty() {
            return Err(hcx_qr::Error::NoCodeFound.into());
        }
        #[cfg(feature = "foreign")]
        for symbol in symbols
            .iter()
            .filter(|s| s.text.starts_with("shc:") && picked.contains(&s.text.as_str()))
        {
            hcx_interop::shc::check_symbol(&scanned(symbol))?;
        }
        Ok(picked.into_iter().map(str::to_owned).collect())
    }

    /// The QR decoder's description of a symbol, in the terms of the SHC rules.
    #[cfg(feature = "foreign")]
    fn scanned(symbol: &hcx_qr::Symbol) -> hcx_interop::shc::ScannedSymbol {
        use hcx_interop::shc::{QrMode, ScannedSymbol};
        match (symbol.format, symbol.version) {
            (hcx_qr::SymbolFormat::Qr, Some(version)) => ScannedSymbol::Qr {
                version,
                modes: symbol.segments.as_ref().map(|segments| {
                    segments
                        .iter()
                        .map(|s| match s.mode {
                            hcx_qr::SegmentMode::Numeric => QrMode::Numeric,
                            hcx_qr::SegmentMode::Alphanumeric => QrMode::Alphanumeric,
                            hcx_qr::SegmentMode::Byte => QrMode::Byte,
                            hcx_qr::SegmentMode::Kanji => QrMode::Kanji,
                            _ => QrMode::Other,
                        })
                        .collect()
                }),
            },
            (format, _) => ScannedSymbol::Other(format.as_str().into()),
        }
    }
}

#[cfg(feature = "qr")]
pub use image::{pick, scan_image, scan_luma};
