//! `hcx trust add | set-key | sign | show`: the regulator's side.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hcx_format::timefmt::{format_rfc3339, parse_rfc3339};
use hcx_format::{
    EvidenceKind, IssuerEntry, KeyEntry, KeyId, KeyStatus, KeyUsage, Scopes, SignedTrustList,
    Status, TrustList, TrustListPolicy,
};

use crate::cli::{CliError, duration, now_or, read_input, read_private_key, read_public_key};
use crate::output::write_file;

/// Arguments of `hcx trust`.
#[derive(clap::Args, Debug)]
pub struct TrustArgs {
    #[command(subcommand)]
    command: TrustCommand,
}

#[derive(clap::Subcommand, Debug)]
enum TrustCommand {
    /// Register an issuer key (creating the list or the issuer if absent); leaves the list unsigned.
    Add(AddArgs),
    /// Change a registered key's status or validity window; leaves the list unsigned.
    SetKey(SetKeyArgs),
    /// Bump the sequence, set issued/expiry times and sign with one or more root keys.
    Sign(SignArgs),
    /// Print a readable summary; checks the signature with --root.
    Show(ShowArgs),
}

#[derive(clap::Args, Debug)]
struct AddArgs {
    /// The trust list file (created if absent).
    #[arg(value_name = "TRUST.json")]
    file: PathBuf,
    /// Issuer id, as codes carry it in `iss` (e.g. `dingtalk`).
    #[arg(long, value_name = "ID")]
    issuer: String,
    /// Display name (English); required for a new issuer.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Display name in Chinese.
    #[arg(long = "name-zh", value_name = "NAME")]
    name_zh: Option<String>,
    /// The issuer's public key: SPKI PEM or a JWK (RFC 8037); a private key file is accepted too.
    #[arg(long, value_name = "PUB.pem")]
    key: PathBuf,
    /// Codes issued before this time (RFC 3339) are not accepted under this key.
    #[arg(long = "not-before", value_name = "T")]
    not_before: Option<String>,
    /// Codes issued after this time (RFC 3339) are not accepted under this key.
    #[arg(long = "not-after", value_name = "T")]
    not_after: Option<String>,
    /// Statuses the issuer may issue, comma-separated (default: all).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    statuses: Option<Vec<Status>>,
    /// Evidence kinds the issuer may include, comma-separated (default: all).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    evidence: Option<Vec<EvidenceKind>>,
    /// Regions the issuer may issue for, e.g. `CN-33,CN-11` or `CN` (default: any).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    regions: Option<Vec<String>>,
    /// What the key may sign: `codes`, `status` (the issuer's status lists) or both,
    /// comma-separated (default: codes).
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "codes"
    )]
    usage: Vec<KeyUsage>,
}

#[derive(clap::Args, Debug)]
struct SetKeyArgs {
    /// The trust list file.
    #[arg(value_name = "TRUST.json")]
    file: PathBuf,
    /// Key id of the key to change.
    #[arg(long, value_name = "KID")]
    kid: String,
    /// New status: active, retired or compromised.
    #[arg(long, value_parser = parse_key_status)]
    status: Option<KeyStatus>,
    /// New end of the key's issuing window (RFC 3339).
    #[arg(long = "not-after", value_name = "T")]
    not_after: Option<String>,
}

#[derive(clap::Args, Debug)]
struct SignArgs {
    /// The trust list file.
    #[arg(value_name = "TRUST.json")]
    file: PathBuf,
    /// Root private key; repeat to sign with several roots (for a threshold).
    #[arg(long, value_name = "ROOT.pem", required = true)]
    key: Vec<PathBuf>,
    /// How long the signed list stays valid.
    #[arg(long = "valid-for", value_name = "DUR", default_value = "30d")]
    valid_for: String,
    /// Signing time instead of now (RFC 3339).
    #[arg(long, value_name = "T")]
    at: Option<String>,
}

#[derive(clap::Args, Debug)]
struct ShowArgs {
    /// The trust list file.
    #[arg(value_name = "TRUST.json")]
    file: PathBuf,
    /// Root public key to check the signature with, PEM or JWK (repeatable).
    #[arg(long, value_name = "ROOT_PUB.pem")]
    root: Vec<PathBuf>,
    /// Check expiry at this time instead of now (RFC 3339).
    #[arg(long, value_name = "T")]
    at: Option<String>,
    /// Print the list payload as JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

fn parse_key_status(s: &str) -> Result<KeyStatus, String> {
    match s {
        "active" => Ok(KeyStatus::Active),
        "retired" => Ok(KeyStatus::Retired),
        "compromised" => Ok(KeyStatus::Compromised),
        _ => Err(format!(
            "`{s}` is not a key status (active, retired, compromised)"
        )),
    }
}

/// Runs `hcx trust …`.
pub fn run(args: &TrustArgs) -> Result<ExitCode, CliError> {
    match &args.command {
        TrustCommand::Add(a) => add(a),
        TrustCommand::SetKey(a) => set_key(a),
        TrustCommand::Sign(a) => sign(a),
        TrustCommand::Show(a) => show(a),
    }
}

fn load(path: &Path) -> Result<(SignedTrustList, TrustList), CliError> {
    let env = SignedTrustList::parse(&read_input(path)?)?;
    let list = env.payload_unverified()?;
    Ok((env, list))
}

fn save_unsigned(path: &Path, list: &TrustList) -> Result<(), CliError> {
    let json = SignedTrustList::unsigned(list)?.to_json()?;
    write_file(path, json.as_bytes())
}

fn opt_time(t: &Option<String>) -> Result<Option<i64>, CliError> {
    t.as_deref()
        .map(parse_rfc3339)
        .transpose()
        .map_err(CliError::usage)
}

fn add(a: &AddArgs) -> Result<ExitCode, CliError> {
    hcx_format::check_issuer_id(&a.issuer).map_err(CliError::usage)?;
    let mut list = if a.file.exists() {
        load(&a.file)?.1
    } else {
        TrustList::new()
    };
    let public = read_public_key(&a.key)?;
    let entry = KeyEntry {
        usage: a.usage.clone(),
        ..KeyEntry::new(&public, opt_time(&a.not_before)?, opt_time(&a.not_after)?)
    };
    if list
        .issuers
        .iter()
        .flat_map(|i| &i.keys)
        .any(|k| k.kid == entry.kid)
    {
        return Err(CliError::usage(format!(
            "key {} is already in the list",
            entry.kid
        )));
    }
    let pos = match list.issuers.iter().position(|i| i.id == a.issuer) {
        Some(p) => p,
        None => {
            let name = a.name.clone().ok_or_else(|| {
                CliError::usage(format!("issuer `{}` is new: give its --name", a.issuer))
            })?;
            list.issuers.push(IssuerEntry {
                id: a.issuer.clone(),
                names: [("en".to_owned(), name)].into(),
                scopes: Scopes::default(),
                keys: Vec::new(),
            });
            list.issuers.len() - 1
        }
    };
    let issuer = list
        .issuers
        .get_mut(pos)
        .ok_or_else(|| CliError::usage("issuer vanished"))?;
    if let Some(n) = &a.name {
        issuer.names.insert("en".to_owned(), n.clone());
    }
    if let Some(n) = &a.name_zh {
        issuer.names.insert("zh".to_owned(), n.clone());
    }
    if let Some(s) = &a.statuses {
        issuer.scopes.statuses = s.clone();
    }
    if let Some(e) = &a.evidence {
        issuer.scopes.evidence = e.clone();
    }
    if let Some(r) = &a.regions {
        for region in r {
            hcx_format::check_region("--regions", region)
                .map_err(|e| CliError::usage(e.to_string()))?;
        }
        issuer.scopes.regions = Some(r.clone());
    }
    issuer.keys.push(entry.clone());
    save_unsigned(&a.file, &list)?;
    outln!(
        "added key {} to issuer `{}` in {}; the list is unsigned until `hcx trust sign`",
        entry.kid,
        a.issuer,
        a.file.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn set_key(a: &SetKeyArgs) -> Result<ExitCode, CliError> {
    let kid: KeyId = a.kid.parse().map_err(CliError::usage)?;
    let (_, mut list) = load(&a.file)?;
    let key = list
        .issuers
        .iter_mut()
        .flat_map(|i| i.keys.iter_mut())
        .find(|k| k.kid == kid.to_string())
        .ok_or_else(|| CliError::usage(format!("no key {kid} in {}", a.file.display())))?;
    if let Some(s) = a.status {
        key.status = s;
    }
    if let Some(t) = opt_time(&a.not_after)? {
        key.not_after = Some(t);
    }
    save_unsigned(&a.file, &list)?;
    outln!("updated key {kid}; the list is unsigned until `hcx trust sign`");
    Ok(ExitCode::SUCCESS)
}

fn sign(a: &SignArgs) -> Result<ExitCode, CliError> {
    let (_, mut list) = load(&a.file)?;
    let roots = a
        .key
        .iter()
        .map(|p| read_private_key(p))
        .collect::<Result<Vec<_>, _>>()?;
    let now = now_or(a.at.as_deref())?;
    list.sequence = list
        .sequence
        .checked_add(1)
        .ok_or_else(|| CliError::usage("sequence overflow"))?;
    list.issued_at = now;
    list.expires_at = now.saturating_add(duration(&a.valid_for)?);
    let refs: Vec<&hcx_format::PrivateKey> = roots.iter().collect();
    let signed = SignedTrustList::sign(&list, &refs)?;
    write_file(&a.file, signed.to_json()?.as_bytes())?;
    outln!(
        "signed {} as sequence {} by {}; expires {}",
        a.file.display(),
        list.sequence,
        roots
            .iter()
            .map(|r| r.key_id().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        format_rfc3339(list.expires_at)
    );
    Ok(ExitCode::SUCCESS)
}

fn show(a: &ShowArgs) -> Result<ExitCode, CliError> {
    let (env, list) = load(&a.file)?;
    let check = if a.root.is_empty() {
        None
    } else {
        let roots = a
            .root
            .iter()
            .map(|p| read_public_key(p))
            .collect::<Result<Vec<_>, _>>()?;
        let policy = TrustListPolicy {
            roots,
            threshold: 1,
            min_sequence: None,
        };
        Some(env.verify(&policy, now_or(a.at.as_deref())?))
    };
    if a.json {
        let text =
            serde_json::to_string_pretty(&list).map_err(|e| CliError::usage(e.to_string()))?;
        outln!("{text}");
    } else {
        print_summary(&env, &list);
    }
    match check {
        None => {
            if !a.json {
                outln!("signature: not checked (give --root ROOT_PUB.pem)");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Ok(_)) => {
            if !a.json {
                outln!("signature: valid");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Err(e)) => Err(CliError::failed(&e)),
    }
}

fn print_summary(env: &SignedTrustList, list: &TrustList) {
    let signers = env.signer_kids();
    outln!("trust list, sequence {}", list.sequence);
    if env.signatures.is_empty() {
        outln!("  UNSIGNED draft: run `hcx trust sign` before publishing");
    } else {
        outln!(
            "  issued {}  expires {}",
            format_rfc3339(list.issued_at),
            format_rfc3339(list.expires_at)
        );
        outln!("  signed by root(s): {}", signers.join(", "));
    }
    outln!("  {} issuer(s)", list.issuers.len());
    for issuer in &list.issuers {
        let names: Vec<String> = issuer
            .names
            .iter()
            .map(|(l, n)| format!("{n} [{l}]"))
            .collect();
        outln!("  - {}: {}", issuer.id, names.join(", "));
        let statuses: Vec<&str> = issuer.scopes.statuses.iter().map(|s| s.as_str()).collect();
        let evidence: Vec<&str> = issuer.scopes.evidence.iter().map(|e| e.as_str()).collect();
        let regions = issuer
            .scopes
            .regions
            .as_ref()
            .map_or("any".to_owned(), |r| r.join(","));
        outln!(
            "      may issue: statuses {}; evidence {}; regions {}",
            statuses.join(","),
            if evidence.is_empty() {
                "none".to_owned()
            } else {
                evidence.join(",")
            },
            regions
        );
        for k in &issuer.keys {
            let window = match (k.not_before, k.not_after) {
                (None, None) => "no window".to_owned(),
                (nb, na) => format!(
                    "{} .. {}",
                    nb.map_or("-".to_owned(), format_rfc3339),
                    na.map_or("-".to_owned(), format_rfc3339)
                ),
            };
            let status = match k.status {
                KeyStatus::Active => "active",
                KeyStatus::Retired => "retired",
                KeyStatus::Compromised => "compromised",
            };
            let usage: Vec<&str> = k.usage.iter().map(|u| u.as_str()).collect();
            outln!(
                "      key {} {} {status} ({window}) signs {}",
                k.kid,
                k.alg,
                usage.join(",")
            );
        }
    }
}
