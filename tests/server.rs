//! `hcx serve` and `hcx sync` as real processes on loopback (127.0.0.1, ephemeral ports): the
//! demo story end to end, and the faults the issue lists — each ends with the documented
//! behaviour and no data lost. tools/ci/server-tests.sh runs these, then load and API fuzzing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hcx_server::testkit::World;
use serde_json::{Value, json};

fn hcx() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hcx"))
}

fn now() -> i64 {
    hcx_verify::timefmt::unix_seconds(std::time::SystemTime::now())
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill {sig} {pid} failed");
}

/// A running `hcx serve`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Server {
    /// Starts `hcx serve ARGS --listen 127.0.0.1:0` and waits for the address it prints.
    fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let log = dir.join(format!("serve-{}.log", rand_suffix()));
        let mut child = hcx()
            .arg("serve")
            .args(args)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--workers",
                "2",
                "--verify-threads",
                "1",
            ])
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("http://").nth(1) {
                    let addr: String = rest
                        .chars()
                        .take_while(|c| *c != '/' && !c.is_whitespace())
                        .collect();
                    let _ = tx.send(addr);
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => Server { child, addr, log },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "hcx serve did not start: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Resident memory of the server, KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(now() as u64);
    h.finish()
}

/// One HTTP/1.1 answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a whole HTTP/1.1 answer (Content-Length or chunked).
fn parse_answer(raw: &[u8]) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete answer: {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..end]).unwrap().trim(), 16)
                .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[end + 2..end + 2 + size]);
            rest = &rest[end + 4 + size..];
        }
        body = out;
    }
    Answer {
        status,
        headers,
        body,
    }
}

/// Sends one request on a new connection (`Connection: close`) and reads the answer.
fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_answer(&raw)
}

fn get(addr: &str, path: &str) -> Answer {
    request(addr, "GET", path, &[], b"")
}

fn post_json(addr: &str, path: &str, body: &Value) -> Answer {
    request(
        addr,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
}

fn verify_over_http(addr: &str, code: &str) -> Value {
    let a = post_json(addr, "/v1/verify", &json!({ "text": code }));
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    a.json()
}

fn error_code(verdict: &Value) -> Option<&str> {
    verdict["error"]["code"].as_str()
}

/// `hcx sync URL --dir DIR --root ROOT --json`: (exit status, report).
fn sync(url: &str, dir: &Path, root: &Path) -> (i32, Value) {
    let out = hcx()
        .args(["sync", url, "--json", "--timeout", "5s", "--dir"])
        .arg(dir)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    let status = out.status.code().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(text.trim()).unwrap_or_else(
        |_| json!({"stdout": text, "stderr": String::from_utf8_lossy(&out.stderr)}),
    );
    (status, report)
}

/// `hcx verify --trust-dir DIR --root ROOT --json CODE`: (exit status, verdict).
fn verify_offline(dir: &Path, root: &Path, code: &str) -> (i32, Value) {
    let out = hcx()
        .args(["verify", "--json", "--trust-dir"])
        .arg(dir)
        .arg("--root")
        .arg(root)
        .arg(code)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let verdict = serde_json::from_str(text.trim()).unwrap_or_else(|_| {
        panic!(
            "hcx verify printed no verdict: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), verdict)
}

#[test]
fn demo_story_issue_verify_revoke_reverify() {
    let tmp = tempfile::tempdir().unwrap();
    let demo_dir = tmp.path().join("demo");
    let server = Server::start(
        tmp.path(),
        &["--demo", "--demo-dir", demo_dir.to_str().unwrap()],
        &[],
    );
    let root = demo_dir.join("root.pub.pem");
    let page = get(&server.addr, "/demo/");
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("/demo/issue"));

    // Issue, then verify over HTTP.
    let issued = post_json(
        &server.addr,
        "/demo/issue",
        &json!({"name": "Zhang San", "colour": "green"}),
    );
    assert_eq!(
        issued.status,
        200,
        "{}",
        String::from_utf8_lossy(&issued.body)
    );
    let issued = issued.json();
    let code = issued["text"].as_str().unwrap().to_owned();
    let code_id = issued["code_id"].as_str().unwrap().to_owned();
    assert!(
        issued["qr_svg"].as_str().unwrap().contains("<svg"),
        "{issued}"
    );
    let online = verify_over_http(&server.addr, &code);
    assert_eq!(online["valid"], true, "{online}");

    // Sync, then verify offline from the trust directory: the same judgement.
    let trust = tmp.path().join("trust");
    let (status, report) = sync(&server.url(), &trust, &root);
    assert_eq!(status, 0, "{report}");
    assert_eq!(report["outcome"], "fresh");
    assert_eq!(report["fetch"], "updated");
    let (status, offline) = verify_offline(&trust, &root, &code);
    assert_eq!(status, 0, "{offline}");
    assert_eq!(offline["valid"], true);

    // Unchanged: a conditional request, nothing fetched.
    let (status, report) = sync(&server.url(), &trust, &root);
    assert_eq!(
        (status, &report["fetch"]),
        (0, &json!("not_modified")),
        "{report}"
    );

    // The issuer revokes; the server republishes at once.
    let revoked = post_json(&server.addr, "/demo/revoke", &json!({ "code_id": code_id }));
    assert_eq!(
        revoked.status,
        200,
        "{}",
        String::from_utf8_lossy(&revoked.body)
    );
    assert_eq!(revoked.json()["served"], true);
    let online = verify_over_http(&server.addr, &code);
    assert_eq!(error_code(&online), Some("revoked"), "{online}");

    // The next sync sees it, and so does the offline verifier.
    let (status, report) = sync(&server.url(), &trust, &root);
    assert_eq!(
        (status, &report["fetch"]),
        (0, &json!("updated")),
        "{report}"
    );
    let (status, offline) = verify_offline(&trust, &root, &code);
    assert_eq!(error_code(&offline), Some("revoked"), "{offline}");
    assert_ne!(status, 0);
    // Both said it through the one serializer: same fields apart from the clock.
    assert_eq!(offline["error"], online["error"]);

    // Published files revalidate: the index answers If-None-Match with 304.
    let index = get(&server.addr, "/v1/index.json");
    let etag = index.header("ETag").unwrap().to_owned();
    assert!(index.header("Cache-Control").unwrap().contains("max-age"));
    let again = request(
        &server.addr,
        "GET",
        "/v1/index.json",
        &[("If-None-Match", &etag)],
        b"",
    );
    assert_eq!(again.status, 304);

    // The page's trust bundle carries the same data.
    let bundle = get(&server.addr, "/trust/bundle.json").json();
    assert_eq!(bundle["hcx_trust_bundle"], 1);
    assert!(bundle["inputs"].as_array().unwrap().len() >= 2);

    // Metrics count the verdicts by code.
    let metrics = String::from_utf8_lossy(&get(&server.addr, "/metrics").body).into_owned();
    assert!(metrics.contains("code=\"revoked\""), "{metrics}");
    assert!(!server.log().contains(&code), "the log carries a code");
}

/// A static file server for `hcx sync` to fetch from, whose faults the test switches.
struct Upstream {
    addr: String,
    root: Arc<Mutex<PathBuf>>,
    /// Send status files cut in half (with the full Content-Length, then close).
    truncate: Arc<AtomicBool>,
}

impl Upstream {
    fn start(root: &Path) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let root = Arc::new(Mutex::new(root.to_owned()));
        let truncate = Arc::new(AtomicBool::new(false));
        let (r, t) = (root.clone(), truncate.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (r, t) = (r.clone(), t.clone());
                std::thread::spawn(move || serve_static(stream, &r, &t));
            }
        });
        Upstream {
            addr,
            root,
            truncate,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/pub", self.addr)
    }

    fn publish(&self, tree: &Path) {
        *self.root.lock().unwrap() = tree.to_owned();
    }
}

fn serve_static(mut s: TcpStream, root: &Mutex<PathBuf>, truncate: &AtomicBool) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
    let rel = path.trim_start_matches("/pub/");
    let file = (!rel.contains("..")).then(|| root.lock().unwrap().join(rel));
    match file.and_then(|f| std::fs::read(f).ok()) {
        Some(bytes) => {
            let cut = truncate.load(Ordering::SeqCst) && rel.starts_with("files/");
            let sent = if cut {
                &bytes[..bytes.len() / 2]
            } else {
                &bytes[..]
            };
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = s.write_all(sent);
        }
        None => {
            let _ = s.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    }
}

/// `hcx serve --export`: the published tree of a data directory, for a CDN.
fn export(data: &Path, root: &Path, out: &Path) {
    let o = hcx()
        .args(["serve", "--data"])
        .arg(data)
        .arg("--root")
        .arg(root)
        .arg("--export")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "export: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A published tree of `w` with trust list `sequence` and status snapshot `status_seq`.
fn tree(w: &World, base: &Path, sequence: u64, status_seq: u64, revoked: &[u64]) -> PathBuf {
    let data = base.join(format!("data-{sequence}-{status_seq}"));
    w.write_data_dir(&data, sequence, status_seq, revoked)
        .unwrap();
    let out = base.join(format!("tree-{sequence}-{status_seq}"));
    export(&data, &data.join("root.pub.pem"), &out);
    out
}

fn held_sequence(trust: &Path) -> u64 {
    hcx_server::sync::TrustDir::read(trust)
        .unwrap()
        .state
        .trust_list
        .sequence
}

#[test]
fn sync_refuses_bad_data_and_keeps_the_last_good() {
    let tmp = tempfile::tempdir().unwrap();
    let w = World::at(now());
    let root = tmp.path().join("root.pub.pem");
    std::fs::write(&root, w.root_pem()).unwrap();
    let good = tree(&w, tmp.path(), 2, 1, &[]);
    let upstream = Upstream::start(&good);
    let trust = tmp.path().join("trust");
    let code = w.code(7);

    let (status, report) = sync(&upstream.url(), &trust, &root);
    assert_eq!(status, 0, "{report}");
    assert_eq!(verify_offline(&trust, &root, &code).0, 0);

    // A server that answers with an older sequence: refused, across restarts (each sync is a
    // new process; the floor is on disk).
    upstream.publish(&tree(&w, tmp.path(), 1, 1, &[]));
    let (status, report) = sync(&upstream.url(), &trust, &root);
    assert_eq!(status, 5, "{report}");
    assert_eq!(report["outcome"], "last_good_within_policy");
    assert_eq!(
        report["fetch"]["failed"]["code"], "trust_list_rollback",
        "{report}"
    );
    assert_eq!(held_sequence(&trust), 2);

    // A trust list signed by someone else.
    let forger = hcx_verify::PrivateKey::from_seed(&[9; 32]);
    let forged_data = tmp.path().join("forged");
    w.write_data_dir(&forged_data, 3, 1, &[]).unwrap();
    std::fs::write(
        forged_data.join("trust.json"),
        w.trust_signed_by(3, &forger),
    )
    .unwrap();
    let forged_root = tmp.path().join("forger.pub.pem");
    std::fs::write(&forged_root, forger.public_key().to_pem().unwrap()).unwrap();
    let forged_tree = tmp.path().join("forged-tree");
    export(&forged_data, &forged_root, &forged_tree);
    upstream.publish(&forged_tree);
    let (status, report) = sync(&upstream.url(), &trust, &root);
    assert_eq!(status, 5, "{report}");
    assert!(
        report["fetch"]["failed"]["code"]
            .as_str()
            .unwrap()
            .starts_with("trust_list_"),
        "{report}"
    );
    assert_eq!(held_sequence(&trust), 2);

    // Malicious status data: a newer snapshot revoking code 7, altered after signing (the
    // index still names the signed file's hash: the download does not match it).
    let newer = tree(&w, tmp.path(), 3, 2, &[7]);
    let index: Value =
        serde_json::from_slice(&std::fs::read(newer.join("index.json")).unwrap()).unwrap();
    let status_file = newer.join(
        index["status_lists"][0]["lists"][0]["file"]
            .as_str()
            .unwrap(),
    );
    let mut bytes = std::fs::read(&status_file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&status_file, &bytes).unwrap();
    upstream.publish(&newer);
    let (status, report) = sync(&upstream.url(), &trust, &root);
    assert_eq!(status, 5, "{report}");
    assert_eq!(
        held_sequence(&trust),
        2,
        "nothing of a refused run is committed"
    );
    assert_eq!(
        verify_offline(&trust, &root, &code).0,
        0,
        "the last good data still verifies"
    );

    // A truncated download.
    upstream.publish(&tree(&w, tmp.path(), 4, 3, &[7]));
    upstream.truncate.store(true, Ordering::SeqCst);
    let (status, report) = sync(&upstream.url(), &trust, &root);
    assert_eq!(status, 5, "{report}");
    assert_eq!(held_sequence(&trust), 2);

    // The source is down: the last good data is kept and flagged as such.
    let down = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (status, report) = sync(&format!("http://{down}/pub"), &trust, &root);
    assert_eq!(status, 5, "{report}");
    assert_eq!(report["outcome"], "last_good_within_policy");
    assert_eq!(report["fetch"]["failed"]["code"], "io", "{report}");
    assert_eq!(verify_offline(&trust, &root, &code).0, 0);

    // Everything good again: the newest data, and the revocation, arrive.
    upstream.truncate.store(false, Ordering::SeqCst);
    let (status, report) = sync(&upstream.url(), &trust, &root);
    assert_eq!(status, 0, "{report}");
    assert_eq!(held_sequence(&trust), 4);
    let (status, verdict) = verify_offline(&trust, &root, &code);
    assert_eq!(error_code(&verdict), Some("revoked"), "{verdict}");
    assert_ne!(status, 0);

    // Stale status data is its own outcome, distinct from an expired trust list.
    let later = hcx_verify::timefmt::format_rfc3339(now() + 3 * 86_400 + 3600);
    let out = hcx()
        .args([
            "sync",
            "--json",
            "--status-max-age",
            "1h",
            "--at",
            &later,
            "--dir",
        ])
        .arg(&trust)
        .arg("--root")
        .arg(&root)
        .arg(upstream.url())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(out.status.code(), Some(4), "{report}");
    assert_eq!(report["outcome"], "status_stale");
    let expired = hcx_verify::timefmt::format_rfc3339(now() + 31 * 86_400);
    let out = hcx()
        .args(["sync", "--json", "--at", &expired, "--dir"])
        .arg(&trust)
        .arg("--root")
        .arg(&root)
        .arg(upstream.url())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(out.status.code(), Some(3), "{report}");
    assert_eq!(report["outcome"], "trust_list_expired");
}

#[test]
fn sync_killed_at_any_moment_leaves_a_whole_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let w = World::at(now());
    let root = tmp.path().join("root.pub.pem");
    std::fs::write(&root, w.root_pem()).unwrap();
    let first = tree(&w, tmp.path(), 1, 1, &[]);
    let upstream = Upstream::start(&first);
    let trust = tmp.path().join("trust");
    assert_eq!(sync(&upstream.url(), &trust, &root).0, 0);
    let mut held = 1;
    for i in 0..16u64 {
        let sequence = i + 2;
        upstream.publish(&tree(&w, tmp.path(), sequence, sequence, &[i]));
        let mut child = hcx()
            .args(["sync", &upstream.url(), "--dir"])
            .arg(&trust)
            .arg("--root")
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // kill -9 at a different point of each run (start-up, fetching, committing, done).
        std::thread::sleep(Duration::from_micros(500 * i * i));
        let _ = child.kill();
        let _ = child.wait();
        let dir = hcx_server::sync::TrustDir::read(&trust)
            .unwrap_or_else(|e| panic!("after kill -9 #{i}: the directory is damaged: {e}"));
        let now_held = dir.state.trust_list.sequence;
        assert!(
            now_held == held || now_held == sequence,
            "held {now_held}, expected {held} or {sequence}"
        );
        held = now_held;
        let (status, verdict) = verify_offline(&trust, &root, &w.code(99));
        assert_eq!(status, 0, "after kill -9 #{i}: {verdict}");
    }
    // A clean run finishes what the killed ones did not, and leaves no stray files.
    let (status, report) = sync(&upstream.url(), &trust, &root);
    assert_eq!(status, 0, "{report}");
    assert_eq!(held_sequence(&trust), 17);
    let state = hcx_server::sync::TrustDir::read(&trust).unwrap().state;
    let named = 1 + state
        .status_lists
        .iter()
        .map(|s| s.files.len())
        .sum::<usize>();
    let on_disk = std::fs::read_dir(trust.join("files")).unwrap().count();
    assert_eq!(
        on_disk, named,
        "files left behind by killed runs are cleaned up"
    );
}

/// A server on a data directory of `w`, with 1-second header and idle timeouts.
fn data_server(tmp: &Path, w: &World, extra_env: &[(&str, &str)]) -> (Server, PathBuf) {
    let data = tmp.join("data");
    w.write_data_dir(&data, 1, 1, &[7]).unwrap();
    let mut env = vec![
        ("HCX_SERVE_LIMITS__HEADER_TIMEOUT", "1s"),
        ("HCX_SERVE_WATCH_INTERVAL", "0s"),
    ];
    env.extend_from_slice(extra_env);
    let server = Server::start(
        tmp,
        &[
            "--data",
            data.to_str().unwrap(),
            "--root",
            data.join("root.pub.pem").to_str().unwrap(),
        ],
        &env,
    );
    (server, data)
}

fn published_sequence(addr: &str) -> u64 {
    get(addr, "/v1/index.json").json()["trust_list"]["sequence"]
        .as_u64()
        .unwrap()
}

#[test]
fn request_faults_get_typed_errors_and_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let w = World::at(now());
    let (server, _) = data_server(tmp.path(), &w, &[]);
    let addr = server.addr.clone();
    assert_eq!(verify_over_http(&addr, &w.code(1))["valid"], true);
    assert_eq!(
        error_code(&verify_over_http(&addr, &w.code(7))),
        Some("revoked")
    );

    // Malformed JSON, wrong fields, wrong media type: 4xx with the error JSON.
    for (body, media, want) in [
        (&b"{\"text\": "[..], "application/json", 400),
        (&b"{\"txt\": \"x\"}"[..], "application/json", 400),
        (&b"[1,2,3]"[..], "application/json", 400),
        (&b"\xff\xfe"[..], "application/json", 400),
        (&b"HC1:..."[..], "text/plain", 415),
    ] {
        let a = request(
            &addr,
            "POST",
            "/v1/verify",
            &[("Content-Type", media)],
            body,
        );
        assert_eq!(a.status, want, "{}", String::from_utf8_lossy(&a.body));
        assert_eq!(a.json()["valid"], false);
        assert!(a.json()["error"]["code"].is_string());
    }

    // A 100 MB body, declared: refused before it is read.
    let rss_before = server.rss_kib();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    write!(
        s,
        "POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        100 * 1024 * 1024
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let a = parse_answer(&raw);
    assert_eq!(a.status, 413);
    assert_eq!(a.json()["error"]["code"], "invalid_input");
    assert!(started.elapsed() < Duration::from_secs(5));

    // A 100 MB body, chunked (no length): refused as soon as it passes the limit; the server
    // stops reading. Writing the rest may then fail: that is the server hanging up.
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "POST /v1/verify/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..100 {
        if write!(s, "{:x}\r\n", chunk.len()).is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let a = parse_answer(&raw);
    assert_eq!(a.status, 413, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["error"]["code"], "invalid_input");
    let grown_mib = server.rss_kib().saturating_sub(rss_before) / 1024;
    assert!(
        grown_mib < 48,
        "memory grew by {grown_mib} MiB for refused 100 MB bodies"
    );

    // A batch over the count limit.
    let codes: Vec<String> = (0..1001).map(|_| "x".to_owned()).collect();
    let a = post_json(&addr, "/v1/verify/batch", &json!({ "codes": codes }));
    assert_eq!(a.status, 413);

    // Still serving, and the log never holds a code.
    assert_eq!(verify_over_http(&addr, &w.code(2))["valid"], true);
    assert!(!server.log().contains(&w.code(1)));
}

#[test]
fn slowloris_and_idle_connections_are_closed_while_others_are_served() {
    let tmp = tempfile::tempdir().unwrap();
    let w = World::at(now());
    let (server, _) = data_server(tmp.path(), &w, &[]);
    let addr = server.addr.clone();

    // A slowloris client: a header byte every 200 ms never finishes within the 1 s limit.
    let slow_addr = addr.clone();
    let slow = std::thread::spawn(move || {
        let mut s = TcpStream::connect(&slow_addr).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
        let started = Instant::now();
        let head = b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        for b in head {
            if s.write_all(&[*b]).is_err() {
                break;
            }
            // The server closing shows as a read of zero bytes, an answer (408) or a reset.
            s.set_nonblocking(true).unwrap();
            let mut buf = [0u8; 512];
            let closed = match s.read(&mut buf) {
                Ok(_) => true,
                Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
            };
            s.set_nonblocking(false).unwrap();
            if closed || started.elapsed() > Duration::from_secs(8) {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        started.elapsed()
    });

    // 10,000 idle connections.
    let mut idle = Vec::with_capacity(10_000);
    for i in 0..10_000 {
        match TcpStream::connect(&addr) {
            Ok(s) => idle.push(s),
            Err(e) => panic!(
                "connection {i} failed: {e} (the test needs `ulimit -n` above 10,100; \
                 tools/ci/server-tests.sh raises it)"
            ),
        }
    }
    // Meanwhile a real client is served promptly.
    let started = Instant::now();
    assert_eq!(verify_over_http(&addr, &w.code(3))["valid"], true);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );

    let slow_for = slow.join().unwrap();
    assert!(
        slow_for < Duration::from_secs(5),
        "the slowloris connection lived {slow_for:?}"
    );

    // After the idle limit, the server has closed them all.
    std::thread::sleep(Duration::from_secs(3));
    let mut open = 0;
    for s in idle.iter_mut().step_by(97) {
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut buf = [0u8; 64];
        if s.read(&mut buf).is_err() {
            open += 1; // timed out: still open
        }
    }
    assert_eq!(
        open, 0,
        "idle connections left open past the header timeout"
    );
    drop(idle);
    let metrics = String::from_utf8_lossy(&get(&addr, "/metrics").body).into_owned();
    assert!(metrics.contains("hcx_open_connections"), "{metrics}");
    assert_eq!(verify_over_http(&addr, &w.code(4))["valid"], true);
}

#[test]
fn reload_never_uses_a_half_written_file_and_survives_kill_9() {
    let tmp = tempfile::tempdir().unwrap();
    let w = World::at(now());
    let (server, data) = data_server(tmp.path(), &w, &[]);
    let addr = server.addr.clone();
    assert_eq!(published_sequence(&addr), 1);

    // The trust file replaced mid-write (the writer is not atomic): half a file, SIGHUP.
    let next = w.trust(2);
    std::fs::write(data.join("trust.json"), &next[..next.len() / 2]).unwrap();
    signal(server.pid(), "-HUP");
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(
        published_sequence(&addr),
        1,
        "a half-written trust list was published"
    );
    assert_eq!(get(&addr, "/readyz").status, 200);
    assert_eq!(verify_over_http(&addr, &w.code(1))["valid"], true);
    let metrics = String::from_utf8_lossy(&get(&addr, "/metrics").body).into_owned();
    assert!(metrics.contains("result=\"failed\""), "{metrics}");

    // The write completes: the next reload publishes it whole.
    std::fs::write(data.join("trust.json"), &next).unwrap();
    signal(server.pid(), "-HUP");
    let deadline = Instant::now() + Duration::from_secs(10);
    while published_sequence(&addr) != 2 {
        assert!(
            Instant::now() < deadline,
            "the complete trust list was not published"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // kill -9 during a reload; the restarted server serves the newest complete data.
    std::fs::write(data.join("trust.json"), w.trust(3)).unwrap();
    signal(server.pid(), "-HUP");
    signal(server.pid(), "-KILL");
    drop(server);
    let (server, _) = {
        let root = data.join("root.pub.pem");
        let s = Server::start(
            tmp.path(),
            &[
                "--data",
                data.to_str().unwrap(),
                "--root",
                root.to_str().unwrap(),
            ],
            &[],
        );
        (s, ())
    };
    assert_eq!(published_sequence(&server.addr), 3);
    assert_eq!(verify_over_http(&server.addr, &w.code(1))["valid"], true);

    // Graceful shutdown: SIGTERM ends the process with status 0.
    let mut server = server;
    signal(server.pid(), "-TERM");
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}: {}", server.log());
}
