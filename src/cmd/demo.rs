//! `hcx demo`: the whole story on built-in data — a regulator, DingTalk issuing, WeChat verifying.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hcx_format::REFERENCE_CLAIMS_JSON;
use hcx_format::timefmt::format_rfc3339;
use hcx_format::{
    HealthClaims, IssuerEntry, KeyEntry, PrivateKey, Scopes, SignedTrustList, TrustList,
    TrustListPolicy, Verifier,
};

use crate::cli::{CliError, now_or, write_file};
use crate::cmd::keys::write_new_key;

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
    for (name, key) in [
        ("root", &root),
        ("dingtalk", &dingtalk),
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
    let claims = HealthClaims::from_json(REFERENCE_CLAIMS_JSON)
        .map_err(|e| CliError::failed(&hcx_format::IssueError::InvalidClaims(e)))?;
    write_file(
        &f("claims.json"),
        format!("{REFERENCE_CLAIMS_JSON}\n").as_bytes(),
    )?;
    let text = crate::cmd::issue::issue_code(&dingtalk, "dingtalk", &claims, now, 86_400)?;
    write_file(&f("code.txt"), format!("{text}\n").as_bytes())?;
    let qr =
        crate::cmd::qr::write_qr(&text, &f("code.png"), hcx_qr::EccLevel::M, 8).map_err(|e| {
            CliError {
                code: e.code(),
                reason: Some(e.reason()),
                message: e.to_string(),
                status: 2,
            }
        })?;
    outln!(
        "   $ {hcx} issue --key {} --issuer dingtalk --claims {} --valid-for 24h --qr {} > {}",
        sh("dingtalk.pem"),
        sh("claims.json"),
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
    out!("{}", qr.to_terminal());

    step(
        4,
        "WeChat verifies it offline, with only the trust list and the regulator's root public key",
    );
    let policy = TrustListPolicy::single_root(root.public_key());
    let verifier =
        Verifier::new(SignedTrustList::parse(trust_json.as_bytes())?.verify(&policy, now)?);
    outln!(
        "   $ {hcx} verify --trust {} --root {} --qr {}",
        sh("trust.json"),
        sh("root.pub.pem"),
        sh("code.png")
    );
    let verified = verifier
        .verify_at(&text, now)
        .map_err(|e| CliError::judged(&e))?;
    outln!(
        "   ✔ VALID  {}  {}  issued by {} / {}, valid until {}",
        verified.claims.status.as_str().to_uppercase(),
        verified.claims.subject.name,
        verified.issuer.name,
        verified.issuer.names.get("zh").map_or("", String::as_str),
        format_rfc3339(verified.expires_at)
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
    match verifier.verify_at(&tampered, now) {
        Ok(_) => {
            return Err(CliError::usage(
                "the tampered code verified: this is a bug, please report it",
            ));
        }
        Err(e) => outln!("   ✘ REJECTED  {}: {e}", e.code()),
    }

    step(
        6,
        "A code from a key the regulator never registered is rejected too",
    );
    let rogue = PrivateKey::generate()?;
    let forged = crate::cmd::issue::issue_code(&rogue, "dingtalk", &claims, now, 86_400)?;
    match verifier.verify_at(&forged, now) {
        Ok(_) => {
            return Err(CliError::usage(
                "the forged code verified: this is a bug, please report it",
            ));
        }
        Err(e) => outln!("   ✘ REJECTED  {}: {e}", e.code()),
    }

    outln!(
        "\nDone. Try `{hcx} decode $(cat {})` to see what the code holds.",
        sh("code.txt")
    );
    Ok(ExitCode::SUCCESS)
}

/// Changes `1990` to `1980` inside the signed payload, keeping the original signature.
fn tamper(text: &str) -> Result<String, CliError> {
    let mut cose = hcx_format::cose_bytes(text)?;
    let at = cose
        .windows(4)
        .position(|w| w == b"1990")
        .ok_or_else(|| CliError::usage("demo code has no birth year to tamper with"))?;
    if let Some(b) = cose.get_mut(at + 2) {
        *b = b'8';
    }
    Ok(hcx_format::text_from_cose(&cose))
}
