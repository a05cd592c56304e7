//! `hcx verify` and `hcx decode`: the verifier's side, for hcx codes and foreign certificates.

use std::path::PathBuf;
use std::process::ExitCode;

use hcx_format::timefmt::{format_duration, format_rfc3339};
use hcx_format::{SignedTrustList, Status, TrustListPolicy, VerifiedCode, Verifier};
use serde_json::{Value as Json, json};

use crate::cli::{
    CliError, EXIT_CANNOT_JUDGE, EXIT_REJECTED, code_text, color_stdout, duration, now_or,
    read_input, read_public_key,
};

/// Where the code comes from: text arguments, `-`, or a QR image.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct CodeInput {
    /// The code text, or `-` to read it from standard input. Several `shc:/K/N/` chunks may be
    /// given, in any order.
    #[arg(value_name = "CODE")]
    pub code: Vec<String>,
    /// Read the code from a QR image (PNG or JPEG) instead.
    #[arg(long, value_name = "IMAGE")]
    pub qr: Option<PathBuf>,
}

/// Arguments of `hcx verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// A trust input, detected by content: an hcx trust list, X.509 certificates (PEM or DER),
    /// a JWKS, a DCC signer list or an SHC revocation list. Repeatable.
    #[arg(long, value_name = "TRUST.json", required = true)]
    pub trust: Vec<PathBuf>,
    /// Root public key the hcx trust list must be signed by (repeatable).
    #[arg(long, value_name = "ROOT_PUB.pem")]
    pub root: Vec<PathBuf>,
    /// How many distinct roots must have signed the hcx trust list.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threshold: usize,
    /// Refuse hcx trust lists older than this sequence (the highest seen before).
    #[arg(long = "min-sequence", value_name = "N")]
    pub min_sequence: Option<u64>,
    /// Validation time instead of now (RFC 3339).
    #[arg(long, value_name = "T")]
    pub at: Option<String>,
    /// Clock-skew tolerance.
    #[arg(long, value_name = "DUR", default_value = "5m")]
    pub skew: String,
    /// Print one JSON object instead of a readable verdict.
    #[arg(long)]
    pub json: bool,
    /// Verify every line of this file (`-` for standard input): one verdict JSON per line.
    #[arg(long, value_name = "IN.txt", group = "CodeInput")]
    pub batch: Option<PathBuf>,
    /// With --batch: write the verdicts here instead of standard output.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "OUT.jsonl",
        requires = "batch"
    )]
    pub output: Option<PathBuf>,
    /// With --batch: worker threads (default: all cores).
    #[arg(long, value_name = "N", requires = "batch")]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub input: CodeInput,
}

/// Arguments of `hcx decode`.
#[derive(clap::Args, Debug)]
pub struct DecodeArgs {
    #[command(flatten)]
    pub input: CodeInput,
}

/// Everything needed to judge codes: built once, then used for one code or a million.
pub struct VerifyContext {
    hcx: Option<Verifier>,
    foreign: hcx_interop::TrustStore,
    now: i64,
    skew: i64,
}

/// Whether the bytes are meant as an hcx trust list: a JSON object with a `payload` member, or
/// something that starts like a JSON object but does not parse (no foreign trust input is
/// broken JSON, so the hcx parser gives the most useful error).
fn is_hcx_trust_list(bytes: &[u8]) -> bool {
    let starts_like_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    match serde_json::from_slice::<serde_json::Map<String, Json>>(bytes) {
        Ok(m) => m.contains_key("payload"),
        Err(_) => starts_like_object && serde_json::from_slice::<Json>(bytes).is_err(),
    }
}

impl VerifyContext {
    /// Reads and checks every trust input. A broken or untrusted hcx trust list is an error
    /// here, before any code is looked at.
    pub fn from_args(args: &VerifyArgs) -> Result<VerifyContext, CliError> {
        let now = now_or(args.at.as_deref())?;
        let skew = duration(&args.skew)?;
        let mut hcx = None;
        let mut foreign = hcx_interop::TrustStore::default();
        for path in &args.trust {
            let bytes = read_input(path)?;
            if is_hcx_trust_list(&bytes) {
                if hcx.is_some() {
                    return Err(CliError::usage("give at most one hcx trust list"));
                }
                let roots = args
                    .root
                    .iter()
                    .map(|p| read_public_key(p))
                    .collect::<Result<Vec<_>, _>>()?;
                if roots.is_empty() {
                    return Err(CliError::usage(format!(
                        "{} is an hcx trust list: give the --root key it must be signed by",
                        path.display()
                    )));
                }
                if args.threshold == 0 || args.threshold > roots.len() {
                    return Err(CliError::usage(
                        "--threshold must be between 1 and the number of --root keys",
                    ));
                }
                let policy = TrustListPolicy {
                    roots,
                    threshold: args.threshold,
                    min_sequence: args.min_sequence,
                };
                let list = SignedTrustList::parse(&bytes)
                    .and_then(|env| env.verify(&policy, now))
                    .map_err(|e| CliError::failed(&e))?;
                hcx = Some(Verifier::new(list).with_skew(u64::try_from(skew).unwrap_or(0)));
            } else if bytes.is_empty() && path.extension().is_some_and(|e| e == "json") {
                return Err(CliError::io(path, "empty trust file"));
            } else {
                foreign.add_file(&bytes).map_err(|e| CliError {
                    code: hcx_error::Code::TrustListInvalid,
                    reason: Some(e.reason()),
                    message: format!("{}: {e}", path.display()),
                    status: EXIT_CANNOT_JUDGE,
                })?;
            }
        }
        Ok(VerifyContext {
            hcx,
            foreign,
            now,
            skew,
        })
    }

    /// The hcx verifier, when an hcx trust list was given (`--batch` checks its codes in bulk).
    pub fn hcx_verifier(&self) -> Option<&Verifier> {
        self.hcx.as_ref()
    }

    /// The validation time, Unix seconds.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Judges one code text (of any format), returning the `verify --json` object of a valid one.
    pub fn judge(&self, text: &str) -> Result<Json, CliError> {
        if text.starts_with(hcx_format::PREFIX) || hcx_interop::detect(text).is_none() {
            let verifier = self.hcx.as_ref().ok_or_else(|| {
                CliError::usage(
                    "an hcx code needs an hcx trust list (--trust TRUST.json --root ROOT_PUB.pem)",
                )
            })?;
            let code = verifier
                .verify_at(text, self.now)
                .map_err(|e| CliError::judged(&e))?;
            return Ok(hcx_verdict(&code));
        }
        self.judge_foreign(&[text])
    }

    /// Judges a foreign certificate, possibly given as several SHC chunks.
    fn judge_foreign(&self, texts: &[&str]) -> Result<Json, CliError> {
        // With no foreign trust input the store is empty: a well-formed certificate is then
        // judged `unknown_key`, a broken one `malformed`, exactly as with an unrelated store.
        let options = hcx_interop::VerifyOptions {
            now: self.now,
            skew_secs: self.skew,
        };
        let result = match texts {
            [one] => hcx_interop::verify(one, &self.foreign, &options),
            many => hcx_interop::verify_chunks(many, &self.foreign, &options),
        };
        let verified = result.map_err(|e| CliError {
            code: e.code(),
            reason: Some(e.reason()),
            message: e.to_string(),
            status: EXIT_REJECTED,
        })?;
        let mut v = json!({ "valid": true });
        if let (Some(obj), Ok(Json::Object(fields))) =
            (v.as_object_mut(), serde_json::to_value(&verified))
        {
            obj.extend(fields);
        }
        Ok(v)
    }

    /// Judges what the command line gave: one text, several SHC chunks, or a QR image.
    fn judge_input(&self, input: &CodeInput) -> Result<Json, CliError> {
        let texts = read_codes(input)?;
        match texts.as_slice() {
            [one] => self.judge(one),
            many => {
                let refs: Vec<&str> = many.iter().map(String::as_str).collect();
                self.judge_foreign(&refs)
            }
        }
    }
}

/// The `verify --json` object of a valid hcx code, with the cross-format summary.
pub fn hcx_verdict(code: &VerifiedCode) -> Json {
    let mut v = hcx_format::verdict_json(code);
    if let (Some(obj), Ok(summary)) = (
        v.as_object_mut(),
        serde_json::to_value(hcx_interop::Summary::from(code)),
    ) {
        obj.insert("summary".into(), summary);
    }
    v
}

fn qr_error(image: &std::path::Path, e: &hcx_qr::Error) -> CliError {
    CliError {
        code: e.code(),
        reason: Some(e.reason()),
        message: format!("{}: {e}", image.display()),
        status: if matches!(e, hcx_qr::Error::NoCodeFound) {
            EXIT_REJECTED
        } else {
            EXIT_CANNOT_JUDGE
        },
    }
}

/// The SHC spec's rules for the QR code of a card or chunk (segments, version), applied to the
/// symbol of every picked `shc:` text, so that an image is judged as the SHC validator judges it.
fn check_shc_symbols(
    image: &std::path::Path,
    symbols: &[hcx_qr::Symbol],
    picked: &[String],
) -> Result<(), CliError> {
    use hcx_interop::shc::{QrMode, ScannedSymbol};
    let shc = symbols
        .iter()
        .filter(|s| s.text.starts_with("shc:") && picked.contains(&s.text));
    for symbol in shc {
        let scanned = match (symbol.format, symbol.version) {
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
        };
        hcx_interop::shc::check_symbol(&scanned).map_err(|e| CliError {
            code: e.code(),
            reason: Some(e.reason()),
            message: format!("{}: {e}", image.display()),
            status: EXIT_REJECTED,
        })?;
    }
    Ok(())
}

/// Reads the code texts from the arguments, standard input or a QR image.
pub fn read_codes(input: &CodeInput) -> Result<Vec<String>, CliError> {
    if let Some(image) = &input.qr {
        let symbols = hcx_qr::decode_file_symbols(image).map_err(|e| qr_error(image, &e))?;
        let texts: Vec<String> = symbols.iter().map(|s| s.text.clone()).collect();
        // A photo may hold other codes too: prefer one that looks like a health code.
        let shc_chunks: Vec<String> = texts
            .iter()
            .filter(|t| t.starts_with("shc:/"))
            .cloned()
            .collect();
        if shc_chunks.len() > 1 {
            check_shc_symbols(image, &symbols, &shc_chunks)?;
            return Ok(shc_chunks);
        }
        let pick = texts
            .iter()
            .find(|t| t.starts_with(hcx_format::PREFIX))
            .or_else(|| texts.iter().find(|t| hcx_interop::detect(t).is_some()))
            .or_else(|| texts.first())
            .cloned();
        let picked = pick
            .map(|t| vec![t])
            .ok_or_else(|| qr_error(image, &hcx_qr::Error::NoCodeFound))?;
        check_shc_symbols(image, &symbols, &picked)?;
        return Ok(picked);
    }
    match input.code.as_slice() {
        [] => Ok(vec![code_text("-")?]),
        codes => codes.iter().map(|c| code_text(c)).collect(),
    }
}

/// `hcx verify …`.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode, CliError> {
    if let Some(input) = &args.batch {
        return crate::cmd::batch::verify(args, input);
    }
    let result = VerifyContext::from_args(args).and_then(|ctx| ctx.judge_input(&args.input));
    if args.json {
        outln!(
            "{}",
            result.as_ref().map_or_else(CliError::to_json, Clone::clone)
        );
        return Ok(match result {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => ExitCode::from(e.status),
        });
    }
    match result {
        Ok(verdict) => {
            print_valid(&verdict);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.status == EXIT_REJECTED => {
            let (mark, end) = if color_stdout() {
                ("\x1b[1;31m", "\x1b[0m")
            } else {
                ("", "")
            };
            outln!("{mark}✘ REJECTED{end}  {}: {}", e.code, e.message);
            Ok(ExitCode::from(EXIT_REJECTED))
        }
        Err(e) => Err(e),
    }
}

// Indexing a `serde_json::Value` by key yields `Null` when absent; it cannot panic.
#[allow(clippy::indexing_slicing)]
fn print_valid(verdict: &Json) {
    let status = verdict["claims"]["status"]
        .as_str()
        .and_then(|s| s.parse::<Status>().ok());
    let (badge, reset) = match (color_stdout(), status) {
        (true, Some(Status::Green)) => ("\x1b[1;97;42m", "\x1b[0m"),
        (true, Some(Status::Yellow)) => ("\x1b[1;30;43m", "\x1b[0m"),
        (true, Some(Status::Red)) => ("\x1b[1;97;41m", "\x1b[0m"),
        _ => ("", ""),
    };
    let label = match status {
        Some(s) => s.as_str().to_uppercase(),
        None => verdict["format"].as_str().unwrap_or("valid").to_uppercase(),
    };
    let summary = &verdict["summary"];
    let name = summary["name"].as_str().unwrap_or("(no name)");
    let issuer = &verdict["issuer"];
    let issuer_name = issuer["name"]
        .as_str()
        .or_else(|| issuer["id"].as_str())
        .unwrap_or("?");
    let zh = issuer["names"]["zh"]
        .as_str()
        .map(|n| format!(" / {n}"))
        .unwrap_or_default();
    let until = verdict["expires_at"].as_str().unwrap_or("no expiry");
    outln!(
        "✔ VALID  {badge} {label} {reset}  {name}  issued by {issuer_name}{zh} ({}), valid until {until}",
        issuer["id"].as_str().unwrap_or("?")
    );
    let subject = &verdict["claims"]["subject"];
    let mut person = name.to_owned();
    if let Some(b) = summary["birth_date"].as_str() {
        person.push_str(&format!(", born {b}"));
    }
    if let Some(sfx) = subject["id_suffix"].as_str() {
        person.push_str(&format!(
            ", {} …{sfx}",
            subject["id_type"].as_str().unwrap_or("ID")
        ));
    }
    outln!("  subject    {person}");
    if let Some(r) = verdict["claims"]["region"].as_str() {
        outln!("  region     {r}");
    }
    for e in summary["evidence"].as_array().into_iter().flatten() {
        let field = |k: &str| e[k].as_str().unwrap_or("").to_owned();
        outln!(
            "  {:<10} {} {} {}",
            field("kind"),
            field("disease"),
            field("date"),
            field("detail")
        );
    }
    let issued = verdict["issued_at"].as_str().unwrap_or("?");
    let lifetime = match (
        verdict["issued_at"]
            .as_str()
            .and_then(|t| hcx_format::timefmt::parse_rfc3339(t).ok()),
        verdict["expires_at"]
            .as_str()
            .and_then(|t| hcx_format::timefmt::parse_rfc3339(t).ok()),
    ) {
        (Some(i), Some(x)) => format!(
            " (valid for {})",
            format_duration(u64::try_from(x - i).unwrap_or(0))
        ),
        _ => String::new(),
    };
    outln!(
        "  issued     {issued}{lifetime} with key {}  [{}]",
        verdict["key_id"].as_str().unwrap_or("?"),
        verdict["format"].as_str().unwrap_or("?")
    );
    if let Some(id) = verdict["code_id"].as_str() {
        outln!("  code id    {id}");
    }
}

/// `hcx decode …`: the payload as JSON, marked unverified.
pub fn decode(args: &DecodeArgs) -> Result<ExitCode, CliError> {
    let texts = read_codes(&args.input)?;
    let warning =
        "UNVERIFIED: signature, issuer, validity and scope have not been checked; use `hcx verify`";
    let text = texts.first().cloned().unwrap_or_default();
    let json = if text.starts_with(hcx_format::PREFIX) || hcx_interop::detect(&text).is_none() {
        let code = hcx_format::decode(&text).map_err(|e| CliError::judged(&e))?;
        let mut json = json!({
            "verified": false,
            "warning": warning,
            "format": "hcx",
            "alg": code.alg,
            "key_id": code.key_id.to_string(),
            "issuer": code.issuer,
            "issued_at": format_rfc3339(code.issued_at),
            "expires_at": format_rfc3339(code.expires_at),
            "code_id": code.code_id.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "claims": code.claims,
        });
        if let (Some(nbf), Some(obj)) = (code.not_before, json.as_object_mut()) {
            obj.insert("not_before".into(), format_rfc3339(nbf).into());
        }
        json
    } else {
        let decoded = hcx_interop::decode(&text).map_err(|e| CliError {
            code: e.code(),
            reason: Some(e.reason()),
            message: e.to_string(),
            status: EXIT_REJECTED,
        })?;
        let mut json = json!({ "verified": false, "warning": warning });
        if let (Some(obj), Ok(Json::Object(fields))) =
            (json.as_object_mut(), serde_json::to_value(&decoded))
        {
            obj.extend(fields);
        }
        json
    };
    let text = serde_json::to_string_pretty(&json).map_err(|e| CliError::usage(e.to_string()))?;
    outln!("{text}");
    Ok(ExitCode::SUCCESS)
}
