//! `hcx issue --registry`, `hcx status …` end to end, and durability: `kill -9` in the middle
//! of a bulk revoke and of a bulk issue loses no acknowledged change. The registry tests run
//! against SQLite always and PostgreSQL when `HCX_TEST_POSTGRES_URL` is set
//! (tools/ci/postgres-tests.sh).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[path = "../crates/hcx-registry/tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command as Process, Stdio};

use assert_cmd::Command;
use common::Fixture;
use hcx_registry::{CodeId, NewCode, PublishOptions, Registry};
use hcx_status::{ListKind, SignedStatusList, Status};
use serde_json::Value as Json;

const T0: &str = "2026-11-21T08:00:00Z";
const T0_UNIX: i64 = 1_795_248_000;
const DAY: i64 = 86_400;
const CLAIMS: &str = r#"{"status":"green","subject":{"name":"张三"}}"#;

fn hcx() -> Command {
    Command::cargo_bin("hcx").unwrap()
}

fn keygen(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    hcx().args(["keygen", "-o"]).arg(&path).assert().success();
    path
}

fn json_lines(out: &[u8]) -> Vec<Json> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Issue into a registry, change statuses, publish twice, show: the whole issuer's side.
fn issue_change_publish_show(f: &Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "issuer.pem");
    let claims = dir.path().join("claims.json");
    std::fs::write(&claims, CLAIMS).unwrap();
    let db = f.location.as_str();
    // One code, and a batch of three (one line bad).
    let out = hcx()
        .args([
            "issue",
            "--issuer",
            "dingtalk",
            "--at",
            T0,
            "--registry",
            db,
            "--key",
        ])
        .arg(&key)
        .arg("--claims")
        .arg(&claims)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let card = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let card_id = hcx_format::decode(&card).unwrap().code_id_hex();
    let batch = dir.path().join("in.jsonl");
    std::fs::write(
        &batch,
        format!("{CLAIMS}\n{{\"status\":\"purple\"}}\n{CLAIMS}\n"),
    )
    .unwrap();
    let out = hcx()
        .args([
            "issue",
            "--issuer",
            "dingtalk",
            "--at",
            T0,
            "--registry",
            db,
            "--key",
        ])
        .arg(&key)
        .arg("--batch")
        .arg(&batch)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 3);
    assert!(lines[1].get("error").is_some());
    let others: Vec<String> = [&lines[0], &lines[2]]
        .iter()
        .map(|l| {
            hcx_format::decode(l["code"].as_str().unwrap())
                .unwrap()
                .code_id_hex()
        })
        .collect();
    let mut r = f.open();
    assert_eq!(r.issuers().unwrap()[0].codes, 3);
    for id in [&card_id, &others[0], &others[1]] {
        assert!(
            r.code("dingtalk", &CodeId::from_hex(id).unwrap())
                .unwrap()
                .is_some()
        );
    }

    // Status changes: by argument, from a file, as JSON; bad and unknown ids refused alone.
    hcx()
        .args([
            "status",
            "set-colour",
            "--colour",
            "red",
            "--registry",
            db,
            &card_id,
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("now_red (was valid)"));
    let ids = dir.path().join("ids.txt");
    std::fs::write(
        &ids,
        format!("# to revoke\n{}\n\n{}\n", others[0], others[1]),
    )
    .unwrap();
    let out = hcx()
        .args(["status", "revoke", "--json", "--registry", db, "--from"])
        .arg(&ids)
        .arg("00000000000000ff")
        .arg("xyz")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["error"]["reason"], "unknown_code");
    assert_eq!(lines[1]["error"]["reason"], "invalid_input");
    assert_eq!(lines[2]["code_id"], others[0].as_str());
    assert_eq!(
        (lines[3]["status"].as_str(), lines[3]["previous"].as_str()),
        (Some("revoked"), Some("valid"))
    );
    hcx()
        .args(["status", "restore", "--registry", db, &others[0]])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("revocation is final"));
    hcx()
        .args([
            "status",
            "suspend",
            "--registry",
            db,
            "--issuer",
            "wechat",
            &others[0],
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no codes of issuer `wechat`"));
    hcx()
        .args([
            "status",
            "set-colour",
            "--colour",
            "blue",
            "--registry",
            db,
            &card_id,
        ])
        .assert()
        .code(2);

    // Publish: a snapshot, then a delta; show both.
    let status_key = keygen(dir.path(), "status.pem");
    let out_dir = dir.path().join("www");
    let publish = |at: &str| {
        let out = hcx()
            .args([
                "status",
                "publish",
                "--json",
                "--at",
                at,
                "--registry",
                db,
                "--key",
            ])
            .arg(&status_key)
            .arg("-o")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json_lines(&out.stdout).remove(0)
    };
    let first = publish("2026-11-21T09:00:00Z");
    assert_eq!(
        (first["kind"].as_str(), first["sequence"].as_u64()),
        (Some("snapshot"), Some(1))
    );
    assert_eq!(first["counts"]["now_red"], 1);
    assert_eq!(first["counts"]["revoked"], 2);
    hcx()
        .args(["status", "restore", "--registry", db, &card_id])
        .assert()
        .success();
    let second = publish("2026-11-21T10:00:00Z");
    assert_eq!(
        (second["kind"].as_str(), second["sequence"].as_u64()),
        (Some("delta"), Some(2))
    );
    assert_eq!(second["base_hash"], first["payload_hash"]);
    let file = second["file"].as_str().unwrap();
    let out = hcx()
        .args(["status", "show", "--json", file, "--registry", db, "--key"])
        .arg(&status_key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = json_lines(&out.stdout).remove(0);
    assert_eq!(shown["issuer"], "dingtalk");
    assert_eq!(shown["kind"], "delta");
    assert_eq!(shown["sequence"], 2);
    assert_eq!(shown["signature"], "valid");
    assert_eq!(shown["base_hash"], first["payload_hash"]);
    assert_eq!(shown["counts"]["valid"], 1);
    assert_eq!(shown["counts"]["revoked"], 2);
    hcx()
        .args(["status", "show", file])
        .assert()
        .success()
        .stdout(predicates::str::contains("kind:        delta"))
        .stdout(predicates::str::contains("signature not checked"));
    // The wrong key, a damaged file, a file that is not there.
    let other = keygen(dir.path(), "other.pem");
    let out = hcx()
        .args(["status", "show", "--key"])
        .arg(&other)
        .arg(file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[status_invalid]"));
    let bad = dir.path().join("bad.hcxs");
    let mut bytes = std::fs::read(file).unwrap();
    bytes.truncate(bytes.len() - 5);
    std::fs::write(&bad, bytes).unwrap();
    hcx().args(["status", "show"]).arg(&bad).assert().code(2);
    hcx().args(["status", "show", "nope.hcxs"]).assert().code(2);
    // The pointer names the snapshot and the delta after it.
    let index: Json = serde_json::from_slice(
        &std::fs::read(out_dir.join("dingtalk").join("latest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(index["sequence"], 2);
    assert_eq!(
        index["snapshot"]["file"],
        Path::new(first["file"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
    );
    assert_eq!(index["deltas"].as_array().unwrap().len(), 1);
    r.check().unwrap();
}

/// Starts `hcx` with `args`, reads its standard output until `lines` lines came, kills it
/// with SIGKILL, and returns every line it had written (the acknowledgements).
fn kill_after(args: &[&str], lines: usize) -> Vec<String> {
    let mut child = Process::new(env!("CARGO_BIN_EXE_hcx"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut got = Vec::new();
    let mut line = String::new();
    while got.len() < lines {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 || !line.ends_with('\n') {
            break;
        }
        got.push(line.trim_end().to_owned());
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, no rollback by the process
    // Whatever it wrote before dying is acknowledged too, line by whole line: a last line
    // cut off by the kill (no newline) acknowledges nothing.
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    let complete = rest.rfind('\n').map_or("", |end| &rest[..end]);
    got.extend(complete.lines().map(str::to_owned));
    let status = child.wait().unwrap();
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "the run finished before it could be killed ({} lines): make it longer",
            got.len()
        );
    }
    got
}

/// `kill -9` during `hcx status revoke --from FILE`: every id it printed is revoked after
/// reopening, the revoked ids are exactly a prefix of whole transactions, the store passes
/// its checks, and running the command again finishes the job.
fn kill_during_bulk_revoke(f: &Fixture) {
    const N: u64 = 60_000;
    let mut r = f.open();
    let codes: Vec<NewCode> = (1..=N)
        .map(|n| NewCode {
            code_id: CodeId::new(&n.to_be_bytes()).unwrap(),
            issued_at: T0_UNIX - 3600,
            expires_at: T0_UNIX + DAY,
        })
        .collect();
    for chunk in codes.chunks(10_000) {
        assert!(
            r.record("dingtalk", chunk)
                .unwrap()
                .iter()
                .all(Result::is_ok)
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let ids = dir.path().join("ids.txt");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&ids).unwrap());
    for c in &codes {
        writeln!(file, "{}", c.code_id).unwrap();
    }
    drop(file);
    let args = [
        "status",
        "revoke",
        "--json",
        "--registry",
        &f.location,
        "--from",
        ids.to_str().unwrap(),
    ];
    let acked = kill_after(&args, 2_000);
    let acked: Vec<CodeId> = acked
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: Json = serde_json::from_str(l).unwrap();
            assert_eq!(v["status"], "revoked", "{l}");
            CodeId::from_hex(v["code_id"].as_str().unwrap()).unwrap()
        })
        .collect();
    assert!(acked.len() >= 2_000);
    // Reopen, as the next process would.
    let mut r = f.open();
    r.check().unwrap();
    for id in &acked {
        assert_eq!(
            r.code("dingtalk", id).unwrap().unwrap().status,
            Status::Revoked,
            "{id}"
        );
    }
    // Exactly the ids of whole committed transactions, in file order, are revoked: count them
    // with a published list, and check each of the first `revoked` ids.
    let out = dir.path().join("www");
    let key = hcx_format::PrivateKey::from_seed(&[3; 32]);
    let p = r
        .publish(&key, &out, &PublishOptions::new("dingtalk", T0_UNIX))
        .unwrap();
    let revoked = p.epoch.counts[Status::Revoked.to_wire() as usize];
    assert!(
        revoked >= acked.len() as u64 && revoked < N,
        "{revoked} revoked"
    );
    assert!(
        revoked.is_multiple_of(1000),
        "{revoked} is not whole transactions of 1000"
    );
    for c in codes.iter().take(revoked as usize) {
        assert_eq!(
            r.code("dingtalk", &c.code_id).unwrap().unwrap().status,
            Status::Revoked
        );
    }
    eprintln!(
        "kill -9 after {} acknowledged revocations: {revoked} committed, none lost",
        acked.len()
    );
    // Running it again completes the job; the ids already revoked are unchanged.
    hcx().args(&args[..6]).arg(&ids).assert().success();
    let p = r
        .publish(&key, &out, &PublishOptions::new("dingtalk", T0_UNIX + 60))
        .unwrap();
    assert_eq!(p.epoch.counts[Status::Revoked.to_wire() as usize], N);
    assert_eq!(p.epoch.kind, ListKind::Delta);
    r.check().unwrap();
}

/// `kill -9` during `hcx issue --batch --registry`: every code it printed is in the registry.
fn kill_during_bulk_issue(f: &Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "issuer.pem");
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, format!("{CLAIMS}\n").repeat(40_000)).unwrap();
    let args = [
        "issue",
        "--issuer",
        "dingtalk",
        "--at",
        T0,
        "--jobs",
        "1",
        "--registry",
        &f.location,
        "--key",
        key.to_str().unwrap(),
        "--batch",
        input.to_str().unwrap(),
    ];
    let printed = kill_after(&args, 1);
    assert!(!printed.is_empty());
    let mut r = f.open();
    r.check().unwrap();
    for l in printed.iter().filter(|l| !l.is_empty()) {
        let v: Json = serde_json::from_str(l).unwrap();
        let text = v["code"].as_str().unwrap();
        let id = CodeId::from_hex(&hcx_format::decode(text).unwrap().code_id_hex()).unwrap();
        let row = r
            .code("dingtalk", &id)
            .unwrap()
            .expect("a printed code is recorded");
        assert_eq!((row.issued_at, row.expires_at), (T0_UNIX, T0_UNIX + DAY));
    }
    let recorded = r.issuers().unwrap()[0].codes;
    assert!(
        recorded >= printed.len() as u64 && recorded < 40_000,
        "{recorded}"
    );
    eprintln!(
        "kill -9 after {} printed codes: {recorded} recorded",
        printed.len()
    );
}

/// The whole story through the verifier: codes issued into the registry, a trust list that
/// authorises a separate status key for the issuer, then revoke, suspend and a new colour;
/// after `hcx status publish`, `hcx verify --status` gives `revoked`, `suspended` and the
/// card's new colour, and `restore` brings a suspended code back. Nothing changes on a card.
fn verifier_sees_each_published_status(f: &Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    for name in ["root", "dingtalk", "status"] {
        keygen(dir.path(), &format!("{name}.pem"));
        let out = hcx()
            .arg("pubkey")
            .arg(p(&format!("{name}.pem")))
            .output()
            .unwrap();
        std::fs::write(p(&format!("{name}.pub.pem")), out.stdout).unwrap();
    }
    let trust = p("trust.json");
    hcx()
        .args(["trust", "add"])
        .arg(&trust)
        .args(["--issuer", "dingtalk", "--name", "DingTalk", "--key"])
        .arg(p("dingtalk.pub.pem"))
        .assert()
        .success();
    hcx()
        .args(["trust", "add"])
        .arg(&trust)
        .args(["--issuer", "dingtalk", "--usage", "status", "--key"])
        .arg(p("status.pub.pem"))
        .assert()
        .success();
    hcx()
        .args(["trust", "sign"])
        .arg(&trust)
        .arg("--key")
        .arg(p("root.pem"))
        .args(["--at", T0])
        .assert()
        .success();
    std::fs::write(p("claims.json"), CLAIMS).unwrap();
    let db = f.location.as_str();
    let issue = |at: &str| {
        let out = hcx()
            .args(["issue", "--issuer", "dingtalk", "--valid-for", "30d"])
            .args(["--at", at, "--registry", db, "--key"])
            .arg(p("dingtalk.pem"))
            .arg("--claims")
            .arg(p("claims.json"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let id = hcx_format::decode(&text).unwrap().code_id_hex();
        (text, id)
    };
    // Four printed cards: one stays as issued, one is revoked, one suspended, one turns red.
    let cards: Vec<(String, String)> = (0..4).map(|_| issue(T0)).collect();
    let www = p("www");
    let publish = |at: &str| {
        hcx()
            .args(["status", "publish", "--registry", db, "--at", at, "--key"])
            .arg(p("status.pem"))
            .arg("-o")
            .arg(&www)
            .assert()
            .success();
    };
    // Every list the issuer's directory holds, as a verifier would fetch them.
    let lists = || -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(www.join("dingtalk"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "hcxs"))
            .collect();
        v.sort();
        v
    };
    let verify = |text: &str, at: &str| -> (i32, Json) {
        let mut c = hcx();
        c.args(["verify", "--json", "--at", at, "--trust"])
            .arg(&trust)
            .arg("--root")
            .arg(p("root.pub.pem"));
        for l in lists() {
            c.arg("--status").arg(l);
        }
        let out = c.arg(text).output().unwrap();
        let json: Json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap(), json)
    };
    let outcome = |text: &str, at: &str| -> String {
        let (code, json) = verify(text, at);
        if code == 0 {
            assert_eq!(json["valid"], true, "{json}");
            json["status_list"]["outcome"].as_str().unwrap().to_owned()
        } else {
            assert_eq!(code, 1, "{json}");
            json["error"]["code"].as_str().unwrap().to_owned()
        }
    };

    publish("2026-11-21T09:00:00Z");
    let at1 = "2026-11-21T09:05:00Z";
    for (text, _) in &cards {
        assert_eq!(outcome(text, at1), "valid");
    }
    let (_, json) = verify(&cards[0].0, at1);
    assert_eq!(json["status_list"]["sequence"], 1);
    assert_eq!(json["status_list"]["issuer"], "dingtalk");

    let change = |verb: &[&str], id: &str| {
        hcx()
            .arg("status")
            .args(verb)
            .args(["--registry", db, id])
            .assert()
            .success();
    };
    change(&["revoke"], &cards[1].1);
    change(&["suspend"], &cards[2].1);
    change(&["set-colour", "--colour", "red"], &cards[3].1);
    // Verifiers learn of changes from lists: before the next publication nothing moved.
    for (text, _) in &cards {
        assert_eq!(outcome(text, at1), "valid");
    }
    publish("2026-11-21T10:00:00Z");
    assert_eq!(lists().len(), 2, "a snapshot and a delta");
    let at2 = "2026-11-21T10:05:00Z";
    assert_eq!(outcome(&cards[0].0, at2), "valid");
    assert_eq!(outcome(&cards[1].0, at2), "revoked");
    assert_eq!(outcome(&cards[2].0, at2), "suspended");
    assert_eq!(outcome(&cards[3].0, at2), "now_red");
    let (_, json) = verify(&cards[3].0, at2);
    assert_eq!(json["status_list"]["sequence"], 2);
    // The printed card says green; the verifier shows red.
    assert_eq!(json["claims"]["status"], "green", "{json}");
    // The publisher's directory as a whole: every list in it.
    let out = hcx()
        .args(["verify", "--at", at2, "--trust"])
        .arg(&trust)
        .arg("--root")
        .arg(p("root.pub.pem"))
        .arg("--status")
        .arg(www.join("dingtalk"))
        .arg(&cards[3].0)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains(" RED "), "{text}");
    assert!(
        text.contains("status     now red (status list dingtalk #2"),
        "{text}"
    );
    // A directory without lists is an error, not a verifier without status data.
    hcx()
        .args(["verify", "--at", at2, "--trust"])
        .arg(&trust)
        .arg("--root")
        .arg(p("root.pub.pem"))
        .arg("--status")
        .arg(dir.path())
        .arg(&cards[3].0)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no status lists"));

    // A code issued after the list is outside its universe: "not covered".
    let late = issue("2026-11-21T11:00:00Z");
    let (code, json) = verify(&late.0, "2026-11-21T11:05:00Z");
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["status_list"]["outcome"], "not_covered");
    assert_eq!(json["status_list"]["not_covered"], "issued_after_list");

    // Suspension lifts; revocation does not.
    change(&["restore"], &cards[2].1);
    hcx()
        .args(["status", "restore", "--registry", db, &cards[1].1])
        .assert()
        .code(1);
    publish("2026-11-21T12:00:00Z");
    let at3 = "2026-11-21T12:05:00Z";
    assert_eq!(outcome(&cards[1].0, at3), "revoked");
    assert_eq!(outcome(&cards[2].0, at3), "valid");
    assert_eq!(outcome(&cards[3].0, at3), "now_red");
    assert_eq!(outcome(&late.0, at3), "valid");
    f.open().check().unwrap();
}

/// `kill -9` of `hcx status publish` at points spread over its run: each time the registry
/// passes its checks, the pointer names lists that exist and verify (the previous
/// publication's or the new one's, never a part of one), and the next publication follows the
/// last list recorded and agrees with the registry on every code.
fn kill_during_publish(f: &Fixture) {
    use hcx_status::{CodeRef, Lookup, StatusState};
    const N: u64 = 60_000;
    let dir = tempfile::tempdir().unwrap();
    let key_file = keygen(dir.path(), "status.pem");
    let key =
        hcx_format::PrivateKey::from_pem(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    let mut r = f.open();
    let codes: Vec<NewCode> = (1..=N)
        .map(|n| NewCode {
            code_id: CodeId::new(&n.to_be_bytes()).unwrap(),
            issued_at: T0_UNIX - 3600,
            expires_at: T0_UNIX + 7 * DAY,
        })
        .collect();
    for chunk in codes.chunks(10_000) {
        assert!(
            r.record("dingtalk", chunk)
                .unwrap()
                .iter()
                .all(Result::is_ok)
        );
    }
    let www = dir.path().join("www");
    let publish_args = |at: i64| -> Vec<String> {
        [
            "status",
            "publish",
            "--registry",
            &f.location,
            "--key",
            key_file.to_str().unwrap(),
            "-o",
            www.to_str().unwrap(),
            "--at",
            &hcx_format::timefmt::format_rfc3339(at),
        ]
        .map(str::to_owned)
        .to_vec()
    };
    // What a verifier holding the pointer's lists sees; checks each list as it loads.
    let from_pointer = || -> StatusState {
        let idir = www.join("dingtalk");
        let index: hcx_registry::Index =
            serde_json::from_slice(&std::fs::read(idir.join("latest.json")).unwrap()).unwrap();
        let load = |file: &str| {
            SignedStatusList::parse(&std::fs::read(idir.join(file)).unwrap())
                .unwrap()
                .verify(&key.public_key(), "dingtalk")
                .unwrap()
        };
        let mut state = StatusState::new(load(&index.snapshot.file), None).unwrap();
        for d in &index.deltas {
            state.apply(load(&d.file)).unwrap();
        }
        assert_eq!(state.head().sequence, index.sequence);
        state
    };
    // One whole run first, timed, to spread the kills over a run's length.
    let started = std::time::Instant::now();
    hcx().args(publish_args(T0_UNIX)).assert().success();
    let whole = started.elapsed();
    let mut statuses = vec![Status::Valid; N as usize];
    let mut killed = 0;
    for attempt in 1..=6u64 {
        // An acknowledged change, then a publication killed part way (or not at all).
        let ids: Vec<CodeId> = (attempt * 100..attempt * 100 + 50)
            .map(|n| codes[n as usize].code_id)
            .collect();
        for t in r.set_status("dingtalk", &ids, Status::Revoked).unwrap() {
            t.unwrap();
        }
        for n in attempt * 100..attempt * 100 + 50 {
            statuses[n as usize] = Status::Revoked;
        }
        let before = r.epochs("dingtalk").unwrap().len();
        let mut child = Process::new(env!("CARGO_BIN_EXE_hcx"))
            .args(publish_args(T0_UNIX + attempt as i64 * 60))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole.mul_f64(attempt as f64 / 8.0));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !status.success() {
            killed += 1;
        }
        let mut r2 = f.open();
        r2.check().unwrap();
        let epochs = r2.epochs("dingtalk").unwrap();
        assert!(
            epochs.len() == before || epochs.len() == before + 1,
            "attempt {attempt}: {before} lists before, {} after",
            epochs.len()
        );
        // Every list the registry recorded was written in full before it was recorded.
        for e in &epochs {
            let bytes = std::fs::read(www.join("dingtalk").join(&e.file)).unwrap();
            assert_eq!(bytes.len() as u64, e.bytes);
        }
        // The pointer may lag the registry by the list whose publication was killed.
        let state = from_pointer();
        let newest = epochs.last().unwrap().sequence;
        assert!(
            state.head().sequence == newest || state.head().sequence + 1 == newest,
            "attempt {attempt}: pointer at {}, registry at {newest}",
            state.head().sequence
        );
    }
    assert!(
        killed >= 2,
        "only {killed} of 6 publications were killed part way"
    );
    // The next publication completes the story.
    let p = r
        .publish(&key, &www, &PublishOptions::new("dingtalk", T0_UNIX + 3600))
        .unwrap();
    assert_eq!(p.epoch.counts[Status::Revoked.to_wire() as usize], 300);
    let state = from_pointer();
    for (c, want) in codes.iter().zip(&statuses) {
        let got = state.lookup(&CodeRef {
            code_id: c.code_id.as_bytes(),
            issued_at: c.issued_at,
            expires_at: c.expires_at,
        });
        assert_eq!(got, Lookup::Covered(*want), "{}", c.code_id);
    }
    eprintln!("kill -9 during publish: {killed} of 6 runs killed part way, nothing lost");
}

both_backends!(
    issue_change_publish_show,
    verifier_sees_each_published_status,
    kill_during_bulk_revoke,
    kill_during_bulk_issue,
    kill_during_publish,
);

#[test]
fn status_lists_read_back_by_the_library() {
    // What `publish` writes is what hcx-status reads: the snapshot verifies with the key.
    let f = common::sqlite();
    let mut r = f.open();
    r.record(
        "dingtalk",
        &[NewCode {
            code_id: CodeId::new(&[1; 8]).unwrap(),
            issued_at: T0_UNIX - 10,
            expires_at: T0_UNIX + DAY,
        }],
    )
    .unwrap();
    let key = hcx_format::PrivateKey::from_seed(&[4; 32]);
    let p = r
        .publish(&key, &f.out, &PublishOptions::new("dingtalk", T0_UNIX))
        .unwrap();
    let list = SignedStatusList::parse(&std::fs::read(&p.file).unwrap())
        .unwrap()
        .verify(&key.public_key(), "dingtalk")
        .unwrap();
    assert_eq!(list.header().sequence, 1);
    let _ = Registry::open(&f.location).unwrap();
}
