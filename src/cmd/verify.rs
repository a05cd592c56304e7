//! `hcx verify` and `hcx decode`: the verifier's side.

use std::path::PathBuf;
use std::process::ExitCode;

use hcx_format::timefmt::{format_duration, format_rfc3339};
use hcx_format::{SignedTrustList, Status, TrustListPolicy, VerifiedCode, Verifier};

use crate::cli::{
    CliError, EXIT_REJECTED, code_text, color_stdout, duration, now_or, read_input, read_public_key,
};

/// Where the code comes from: a text argument, `-`, or a QR image.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct CodeInput {
    /// The code text, or `-` to read it from standard input.
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
    /// Read the code from a QR image (PNG or JPEG) instead.
    #[arg(long, value_name = "IMAGE")]
    pub qr: Option<PathBuf>,
}

/// Arguments of `hcx verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The signed trust list.
    #[arg(long, value_name = "TRUST.json")]
    pub trust: PathBuf,
    /// Root public key the trust list must be signed by (repeatable).
    #[arg(long, value_name = "ROOT_PUB.pem", required = true)]
    pub root: Vec<PathBuf>,
    /// How many distinct roots must have signed the trust list.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threshold: usize,
    /// Refuse trust lists older than this sequence (the highest seen before).
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
    #[command(flatten)]
    pub input: CodeInput,
}

/// Arguments of `hcx decode`.
#[derive(clap::Args, Debug)]
pub struct DecodeArgs {
    #[command(flatten)]
    pub input: CodeInput,
}

/// Reads the code text from the argument, standard input or a QR image.
pub fn read_code(input: &CodeInput) -> Result<String, CliError> {
    if let Some(image) = &input.qr {
        let texts = hcx_qr::decode_file(image).map_err(|e| CliError {
            code: e.code(),
            reason: None,
            message: format!("{}: {e}", image.display()),
            status: if matches!(e, hcx_qr::Error::NoCodeFound) {
                EXIT_REJECTED
            } else {
                2
            },
        })?;
        // A photo may hold other codes too: prefer one that looks like an hcx code.
        let pick = texts
            .iter()
            .find(|t| t.starts_with(hcx_format::PREFIX))
            .or_else(|| texts.first())
            .cloned();
        return pick.ok_or_else(|| CliError {
            code: "no_code_found",
            reason: None,
            message: format!("{}: no QR code found", image.display()),
            status: EXIT_REJECTED,
        });
    }
    code_text(input.code.as_deref().unwrap_or("-"))
}

/// `hcx verify …`.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode, CliError> {
    let result = judge(args);
    if args.json {
        let json = match &result {
            Ok(code) => hcx_format::verify::verdict_json(code),
            Err(e) => e.to_json(),
        };
        println!("{json}");
        return Ok(match result {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => ExitCode::from(e.status),
        });
    }
    match result {
        Ok(code) => {
            print_valid(&code);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.status == EXIT_REJECTED => {
            let (mark, end) = if color_stdout() {
                ("\x1b[1;31m", "\x1b[0m")
            } else {
                ("", "")
            };
            println!("{mark}✘ REJECTED{end}  {}: {}", e.code, e.message);
            Ok(ExitCode::from(EXIT_REJECTED))
        }
        Err(e) => Err(e),
    }
}

fn judge(args: &VerifyArgs) -> Result<VerifiedCode, CliError> {
    let now = now_or(args.at.as_deref())?;
    let skew = duration(&args.skew)?;
    let roots = args
        .root
        .iter()
        .map(|p| read_public_key(p))
        .collect::<Result<Vec<_>, _>>()?;
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
    let trust_bytes = read_input(&args.trust)?;
    let list = SignedTrustList::parse(&trust_bytes)
        .and_then(|env| env.verify(&policy, now))
        .map_err(|e| CliError::failed(&e))?;
    let verifier = Verifier::new(list).with_skew(u64::try_from(skew).unwrap_or(0));
    let text = read_code(&args.input)?;
    verifier
        .verify_at(&text, now)
        .map_err(|e| CliError::judged(&e))
}

fn print_valid(code: &VerifiedCode) {
    let color = color_stdout();
    let (badge, reset) = match (color, code.claims.status) {
        (false, _) => ("", ""),
        (true, Status::Green) => ("\x1b[1;97;42m", "\x1b[0m"),
        (true, Status::Yellow) => ("\x1b[1;30;43m", "\x1b[0m"),
        (true, Status::Red) => ("\x1b[1;97;41m", "\x1b[0m"),
    };
    let status = code.claims.status.as_str().to_uppercase();
    let zh = code
        .issuer
        .names
        .get("zh")
        .map(|n| format!(" / {n}"))
        .unwrap_or_default();
    println!(
        "✔ VALID  {badge} {status} {reset}  {}  issued by {}{zh} ({}), valid until {}",
        code.claims.subject.name,
        code.issuer.name,
        code.issuer.id,
        format_rfc3339(code.expires_at)
    );
    let s = &code.claims.subject;
    let mut person = s.name.clone();
    if let Some(b) = &s.birth_date {
        person.push_str(&format!(", born {b}"));
    }
    if let Some(sfx) = &s.id_suffix {
        person.push_str(&format!(
            ", {} …{sfx}",
            s.id_type.as_deref().unwrap_or("ID")
        ));
    }
    println!("  subject    {person}");
    if let Some(r) = &code.claims.region {
        println!("  region     {r}");
    }
    for v in &code.claims.vaccinations {
        println!(
            "  vaccinated {} dose {}/{} of {} on {}",
            v.disease, v.dose, v.doses, v.vaccine, v.date
        );
    }
    for t in &code.claims.tests {
        println!(
            "  tested     {} {:?} {:?}, sampled {}",
            t.disease,
            t.kind,
            t.result,
            format_rfc3339(t.collected_at)
        );
    }
    for r in &code.claims.recoveries {
        println!(
            "  recovered  {} valid {} to {}",
            r.disease, r.valid_from, r.valid_until
        );
    }
    let lifetime = u64::try_from(code.expires_at - code.issued_at).unwrap_or(0);
    println!(
        "  issued     {} (valid for {}) with key {}",
        format_rfc3339(code.issued_at),
        format_duration(lifetime),
        code.key_id
    );
    println!("  code id    {}", code.code_id);
}

/// `hcx decode …`: the payload as JSON, marked unverified.
pub fn decode(args: &DecodeArgs) -> Result<ExitCode, CliError> {
    let text = read_code(&args.input)?;
    let code = hcx_format::decode(&text).map_err(|e| CliError::judged(&e))?;
    let mut json = serde_json::json!({
        "verified": false,
        "warning": "UNVERIFIED: signature, issuer, validity and scope have not been checked; use `hcx verify`",
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
    let text = serde_json::to_string_pretty(&json).map_err(|e| CliError::usage(e.to_string()))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
