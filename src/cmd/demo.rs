//! `hcx demo`: the whole story on built-in data — a regulator, DingTalk issuing, WeChat verifying.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hcx_format::timefmt::format_rfc3339;

/// The reference claims (张三), as spec/fixtures holds them.
const REFERENCE_CLAIMS_JSON: &str =
    include_str!("../../spec/fixtures/samples/reference-claims.json");
use hcx_format::{IssuerEntry, KeyEntry, KeyUsage, Scopes, SignedTrustList, TrustList};
use hcx_registry::{PublishOptions, Registry};
use hcx_verify::{
    Clock, HealthClaims, IssueError, IssueParams, PrivateKey, TrustListPolicy, TrustStore, Verdict,
    Verifier,
};

use crate::cli::{CliError, now_or};
use crate::output::{write_file, write_new_key, write_qr};

/// Arguments of `hcx demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Directory for the demo's files (created if absent; demo files in it are replaced).
    #[arg(long, value_name = "DIR", default_value = "hcx-demo")]
    pub dir: PathBuf,
    /// Run the demo as if at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "T")]
    pub at: Option<String>,
}

fn step(n: u32, title: &str) {
    outln!("\n── {n}. {title}");
}

fn shell_path(p: &Path) -> String {
    let s = p.display().to_string();
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Runs the demo.
pub fn run(args: &DemoArgs) -> Result<ExitCode, CliError> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir, e))?;
    let now = now_or(args.at.as_deref())?;
    let f = |name: &str| dir.join(name);
    let sh = |name: &str| shell_path(&dir.join(name));
    let hcx = "hcx";

    outln!("hcx demo: a health code issued in DingTalk, verified offline in WeChat.");
    outln!(
        "Files go to {}; each step shows the command that repeats it by hand.",
        dir.display()
    );

    step(
        1,
        "The regulator creates its root key; each app creates an issuing key",
    );
    let root = PrivateKey::generate()?;
    let dingtalk = PrivateKey::generate()?;
    let wechat = PrivateKey::generate()?;
    // DingTalk signs its status lists with a key of their own (SPEC §7.1 key usage).
    let dingtalk_status = PrivateKey::generate()?;
    for (name, key) in [
        ("root", &root),
        ("dingtalk", &dingtalk),
        ("dingtalk-status", &dingtalk_status),
        ("wechat", &wechat),
    ] {
        write_new_key(&f(&format!("{name}.pem")), key, true)?;
        write_file(
            &f(&format!("{name}.pub.pem")),
            key.public_key().to_pem()?.as_bytes(),
        )?;
        outln!("   {name:<9} key id {}", key.key_id());
        outln!(
            "   $ {hcx} keygen -o {} --force",
            sh(&format!("{name}.pem"))
        );
        outln!(
            "   $ {hcx} pubkey {} > {}",
            sh(&format!("{name}.pem")),
            sh(&format!("{name}.pub.pem"))
        );
    }

    step(
        2,
        "The regulator registers both apps as issuers and signs the trust list",
    );
    let mut list = TrustList::new();
    for (id, en, zh, key) in [
        ("dingtalk", "DingTalk", "钉钉", &dingtalk),
        ("wechat", "WeChat", "微信", &wechat),
    ] {
        list.issuers.push(IssuerEntry {
            id: id.to_owned(),
            names: [
                ("en".to_owned(), en.to_owned()),
                ("zh".to_owned(), zh.to_owned()),
            ]
            .into(),
            scopes: Scopes {
                regions: Some(vec!["CN".to_owned()]),
                ..Scopes::default()
            },
            keys: vec![KeyEntry::new(&key.public_key(), None, None)],
        });
        outln!(
            "   $ {hcx} trust add {} --issuer {id} --name {en} --name-zh {zh} --key {} --regions CN",
            sh("trust.json"),
            sh(&format!("{id}.pub.pem"))
        );
    }
    let mut status_key = KeyEntry::new(&dingtalk_status.public_key(), None, None);
    status_key.usage = vec![KeyUsage::Status];
    if let Some(entry) = list.issuers.first_mut() {
        entry.keys.push(status_key);
    }
    outln!(
        "   $ {hcx} trust add {} --issuer dingtalk --usage status --key {}",
        sh("trust.json"),
        sh("dingtalk-status.pub.pem")
    );
    list.sequence = 1;
    list.issued_at = now;
    list.expires_at = now + 30 * 86_400;
    let signed = SignedTrustList::sign(&list, &[&root])?;
    let trust_json = signed.to_json()?;
    write_file(&f("trust.json"), trust_json.as_bytes())?;
    outln!(
        "   $ {hcx} trust sign {} --key {} --valid-for 30d",
        sh("trust.json"),
        sh("root.pem")
    );
    outln!(
        "   trust list sequence 1 signed by root {}, expires {}",
        root.key_id(),
        format_rfc3339(list.expires_at)
    );

    step(3, "DingTalk issues 张三's health code, valid for 24 hours");
    let claims = HealthClaims::from_json(REFERENCE_CLAIMS_JSON.trim())
        .map_err(|e| CliError::failed(&IssueError::InvalidClaims(e)))?;
    write_file(&f("claims.json"), REFERENCE_CLAIMS_JSON.as_bytes())?;
    let params = IssueParams {
        issuer: "dingtalk".to_owned(),
        issued_at: now,
        expires_at: now + 86_400,
        not_before: None,
    };
    // DingTalk records every code it signs in its registry, so it can change its status later.
    let registry_path = f("dingtalk-registry.db");
    for stale in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{stale}", registry_path.display()));
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(CliError::io(&path, e));
        }
    }
    let mut registry = Registry::open(&registry_path.to_string_lossy())?;
    let (text, code_id) = registry.issue(&dingtalk, &params, &claims)?;
    write_file(&f("code.txt"), format!("{text}\n").as_bytes())?;
    let qr = write_qr(&text, &f("code.png"), hcx_qr::EccLevel::M, 8)?;
    outln!(
        "   $ {hcx} issue --key {} --issuer dingtalk --claims {} --valid-for 24h --registry {} --qr {} > {}",
        sh("dingtalk.pem"),
        sh("claims.json"),
        sh("dingtalk-registry.db"),
        sh("code.png"),
        sh("code.txt")
    );
    outln!("   {text}");
    outln!(
        "   {} characters: QR version {} at error correction {} ({}×{} modules)",
        text.len(),
        qr.version(),
        qr.ecc(),
        qr.modules(),
        qr.modules()
    );
    out!(
        "{}",
        crate::cli::terminal_qr(&qr, crate::cli::color_stdout())
    );

    step(
        4,
        "WeChat verifies it offline, with only the trust list and the regulator's root public key",
    );
    let policy = TrustListPolicy::single_root(root.public_key());
    let verifier = Verifier::new(
        TrustStore::load(&[trust_json.as_bytes()], &policy, now)
            .map_err(|e| CliError::trust(&f("trust.json"), &e))?,
    );
    let clock = Clock::at(now);
    outln!(
        "   $ {hcx} verify --trust {} --root {} --qr {}",
        sh("trust.json"),
        sh("root.pub.pem"),
        sh("code.png")
    );
    let verified = verifier
        .verify_text(&text, clock)
        .into_result()
        .map_err(|e| CliError::verify(None, &e))?;
    outln!(
        "   ✔ VALID  {}  {}  issued by {} / {}, valid until {}",
        verified.status().map_or("", |s| s.as_str()).to_uppercase(),
        verified.summary.name.as_deref().unwrap_or_default(),
        verified.issuer.name.as_deref().unwrap_or_default(),
        verified
            .issuer
            .names
            .as_ref()
            .and_then(|n| n.get("zh"))
            .map_or("", String::as_str),
        verified.expires_at.map(format_rfc3339).unwrap_or_default()
    );

    step(
        5,
        "Someone edits the birth date inside the code: WeChat rejects it",
    );
    let tampered = tamper(&text)?;
    write_file(&f("tampered.txt"), format!("{tampered}\n").as_bytes())?;
    outln!(
        "   $ {hcx} verify --trust {} --root {} - < {}",
        sh("trust.json"),
        sh("root.pub.pem"),
        sh("tampered.txt")
    );
    match verifier.verify_text(&tampered, clock) {
        Verdict::Valid(_) => {
            return Err(CliError::usage(
                "the tampered code verified: this is a bug, please report it",
            ));
        }
        Verdict::Invalid(e) => outln!("   ✘ REJECTED  {}: {e}", e.code()),
    }

    step(
        6,
        "A code from a key the regulator never registered is rejected too",
    );
    let rogue = PrivateKey::generate()?;
    let forged = hcx_verify::issue(&rogue, &params, &claims)?;
    match verifier.verify_text(&forged, clock) {
        Verdict::Valid(_) => {
            return Err(CliError::usage(
                "the forged code verified: this is a bug, please report it",
            ));
        }
        Verdict::Invalid(e) => outln!("   ✘ REJECTED  {}: {e}", e.code()),
    }

    step(
        7,
        "张三 tests positive: DingTalk turns the printed card red, and WeChat sees it offline",
    );
    let status_dir = f("status");
    if let Err(e) = std::fs::remove_dir_all(&status_dir)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        return Err(CliError::io(&status_dir, e));
    }
    // A list covers the codes issued before it: publish a minute after issuing.
    let mut options = PublishOptions::new("dingtalk", now + 60);
    let mut lists = vec![registry.publish(&dingtalk_status, &status_dir, &options)?];
    outln!(
        "   $ {hcx} status set-colour --colour red --registry {} {code_id}",
        sh("dingtalk-registry.db")
    );
    for changed in registry.change_status(
        "dingtalk",
        std::slice::from_ref(&code_id),
        hcx_status::Status::NowRed,
    )? {
        changed?;
    }
    options.now = now + 120;
    lists.push(registry.publish(&dingtalk_status, &status_dir, &options)?);
    outln!(
        "   $ {hcx} status publish --registry {} --key {} -o {}",
        sh("dingtalk-registry.db"),
        sh("dingtalk-status.pem"),
        sh("status")
    );
    outln!(
        "   $ {hcx} verify --trust {} --root {} --status {} --qr {}",
        sh("trust.json"),
        sh("root.pub.pem"),
        shell_path(&status_dir.join("dingtalk")),
        sh("code.png")
    );
    let mut inputs = vec![trust_json.clone().into_bytes()];
    for list in &lists {
        inputs.push(std::fs::read(&list.file).map_err(|e| CliError::io(&list.file, e))?);
    }
    let later = now + 120;
    let with_status = Verifier::new(
        TrustStore::load(&inputs, &policy, later).map_err(|e| CliError::trust(&status_dir, &e))?,
    );
    let verified = with_status
        .verify_text(&text, Clock::at(later))
        .into_result()
        .map_err(|e| CliError::verify(None, &e))?;
    let sequence = verified.status_list.as_ref().map_or(0, |r| r.sequence);
    outln!(
        "   ✔ VALID  {}  {}  (printed {}; DingTalk's status list #{sequence} says {})",
        verified
            .current_status()
            .map_or("", |s| s.as_str())
            .to_uppercase(),
        verified.summary.name.as_deref().unwrap_or_default(),
        verified.status().map_or("", |s| s.as_str()),
        verified
            .status_list
            .as_ref()
            .map_or("nothing", |r| r.outcome.as_str())
    );

    outln!(
        "\nDone. Try `{hcx} decode $(cat {})` to see what the code holds.",
        sh("code.txt")
    );
    Ok(ExitCode::SUCCESS)
}

/// Changes `1990` to `1980` inside the signed payload, keeping the original signature.
fn tamper(text: &str) -> Result<String, CliError> {
    let mut cose = hcx_format::cose_bytes(text).map_err(|e| CliError::failed(&e))?;
    let at = cose
        .windows(4)
        .position(|w| w == b"1990")
        .ok_or_else(|| CliError::usage("demo code has no birth year to tamper with"))?;
    if let Some(b) = cose.get_mut(at + 2) {
        *b = b'8';
    }
    Ok(hcx_format::text_from_cose(&cose))
}
