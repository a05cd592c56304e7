//! Resource attacks through the `hcx` binary (and the library where the CLI adds nothing):
//! decompression bombs, a 100-megapixel PNG header, 50 MB inputs, deeply nested CBOR and a huge
//! trust list each fail fast with a typed error and the documented exit status.
//!
//! Time bounds here are generous safety nets (10 s) so slow CI machines do not flake; the real
//! measurements (time and peak RSS with `/usr/bin/time -v`) are in docs/HARDENING.md. Set
//! `HCX_HOSTILE_DIR=DIR` to keep the generated inputs there for such measurements.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer;
use serde_json::{Value as Json, json};

/// Safety net only: every case here takes well under a second on the reference machine.
const BOUND: Duration = Duration::from_secs(10);
const AT: &str = "2026-11-21T09:00:00Z";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/fixtures")
}

/// Where generated inputs go: `HCX_HOSTILE_DIR` if set (kept), else a temporary directory.
struct Inputs {
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl Inputs {
    fn new() -> Inputs {
        match std::env::var_os("HCX_HOSTILE_DIR") {
            Some(d) => {
                std::fs::create_dir_all(&d).unwrap();
                Inputs {
                    dir: d.into(),
                    _tmp: None,
                }
            }
            None => {
                let t = tempfile::tempdir().unwrap();
                Inputs {
                    dir: t.path().to_path_buf(),
                    _tmp: Some(t),
                }
            }
        }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

/// Runs `hcx` with `args` and `stdin`, returning (exit status, stdout JSON or Null, elapsed).
/// Standard input is written from a thread whose errors are ignored: the binary may stop
/// reading (and exit) at its input limit, long before 50 MB have been written.
fn hcx(args: &[&std::ffi::OsStr], stdin: Vec<u8>) -> (i32, Json, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hcx"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    let elapsed = start.elapsed();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Json::Null);
    (out.status.code().unwrap_or(-1), json, elapsed)
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// `hcx verify --json` against the fixture trust list, code from standard input.
fn verify_stdin(code: Vec<u8>) -> (i32, Json, Duration) {
    let trust = fixtures().join("trust/main.json");
    let root = fixtures().join("keys/root-1.pub.pem");
    hcx(
        &[
            os("verify"),
            os("--json"),
            os("--at"),
            os(AT),
            os("--trust"),
            trust.as_os_str(),
            os("--root"),
            root.as_os_str(),
            os("-"),
        ],
        code,
    )
}

fn assert_error(got: &(i32, Json, Duration), status: i32, code: &str, reason: Option<&str>) {
    let (s, json, elapsed) = got;
    assert_eq!(*s, status, "{json}");
    assert_eq!(json["valid"], false, "{json}");
    assert_eq!(json["error"]["code"], code, "{json}");
    if let Some(r) = reason {
        assert_eq!(json["error"]["reason"], r, "{json}");
    }
    assert!(*elapsed < BOUND, "took {elapsed:?}");
}

// ── Hand-made DEFLATE, so the test needs no compressor ─────────────────────────────────────

struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn new() -> Bits {
        Bits {
            out: Vec::new(),
            acc: 0,
            n: 0,
        }
    }
    /// Appends `len` bits of `v`, least significant first (DEFLATE's bit order).
    fn put(&mut self, v: u32, len: u32) {
        for i in 0..len {
            self.acc |= ((v >> i) & 1) << self.n;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc as u8);
                (self.acc, self.n) = (0, 0);
            }
        }
    }
    /// Appends a Huffman code, most significant bit first.
    fn code(&mut self, v: u32, len: u32) {
        for i in (0..len).rev() {
            self.put((v >> i) & 1, 1);
        }
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A raw DEFLATE stream (one fixed-Huffman block) inflating to `n` bytes of `byte`: one literal,
/// then matches of length 258 at distance 1, 13 bits each, about 1:1000.
fn deflate_bomb(byte: u8, n: usize) -> Vec<u8> {
    let mut b = Bits::new();
    b.put(1, 1); // final block
    b.put(1, 2); // fixed Huffman
    let lit = u32::from(byte);
    if lit < 144 {
        b.code(0x30 + lit, 8);
    } else {
        b.code(0x190 + lit - 144, 9);
    }
    for _ in 0..(n - 1) / 258 {
        b.code(0xC5, 8); // length code 285 = 258
        b.code(0, 5); // distance code 0 = 1
    }
    b.code(0, 7); // end of block
    b.finish()
}

/// The same as a zlib stream (header only: the bombs are stopped long before the checksum).
fn zlib_bomb(n: usize) -> Vec<u8> {
    let mut z = vec![0x78, 0xDA];
    z.extend(deflate_bomb(0, n));
    z.extend([0, 0, 0, 0]);
    z
}

#[test]
fn dcc_zlib_bombs_are_refused() {
    // 10 MiB: larger than the 512 KiB decompression limit.
    let big = zlib_bomb(10 * 1024 * 1024);
    assert!(big.len() < 100_000);
    let got = verify_stdin(format!("HC1:{}", base45::encode(&big)).into_bytes());
    assert_error(&got, 1, "malformed", Some("too_large"));
    // 256 KiB: under the size limit, but far past the 64x ratio limit.
    let small = zlib_bomb(256 * 1024);
    let got = verify_stdin(format!("HC1:{}", base45::encode(&small)).into_bytes());
    assert_error(&got, 1, "malformed", Some("decompression_ratio"));
    let inputs = Inputs::new();
    inputs.write(
        "dcc-bomb.txt",
        format!("HC1:{}", base45::encode(&big)).as_bytes(),
    );
}

#[test]
fn shc_deflate_bomb_is_refused() {
    let header = URL_SAFE_NO_PAD.encode(br#"{"zip":"DEF","alg":"ES256","kid":"x"}"#);
    let payload = URL_SAFE_NO_PAD.encode(deflate_bomb(b' ', 20 * 1024 * 1024));
    let jws = format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode([0u8; 64]));
    let got = verify_stdin(jws.clone().into_bytes());
    assert_error(&got, 1, "malformed", Some("too_large"));
    Inputs::new().write("shc-bomb.txt", jws.as_bytes());
}

/// A PNG that is nothing but a header claiming `w` × `h` pixels.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(png: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        let body: Vec<u8> = kind.iter().chain(data).copied().collect();
        png.extend((data.len() as u32).to_be_bytes());
        png.extend(&body);
        png.extend(crc32(&body).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit grayscale, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    // PNG readers look for the first IDAT before they report dimensions: an empty zlib stream.
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0, 0, 0, 1],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn hundred_megapixel_png_fails_on_its_header() {
    let png = png_header(10_000, 10_000);
    assert_eq!(
        hcx_qr::decode_image(&png).unwrap_err().reason(),
        "image_too_large"
    );
    let inputs = Inputs::new();
    let path = inputs.write("100-megapixel.png", &png);
    let trust = fixtures().join("trust/main.json");
    let root = fixtures().join("keys/root-1.pub.pem");
    let got = hcx(
        &[
            os("verify"),
            os("--json"),
            os("--trust"),
            trust.as_os_str(),
            os("--root"),
            root.as_os_str(),
            os("--qr"),
            path.as_os_str(),
        ],
        Vec::new(),
    );
    assert_error(&got, 2, "invalid_input", Some("image_too_large"));
    // `hcx qr decode` reports it too, with the same exit status.
    let (status, _, elapsed) = hcx(&[os("qr"), os("decode"), path.as_os_str()], Vec::new());
    assert_eq!(status, 2);
    assert!(elapsed < BOUND);
}

#[test]
fn fifty_megabyte_inputs_are_refused_unread() {
    let big = vec![b'A'; 50 * 1024 * 1024];
    // A code on standard input.
    let got = verify_stdin(big.clone());
    assert_error(&got, 2, "io", None);
    // A trust file.
    let inputs = Inputs::new();
    let path = inputs.write("50mb.json", &big);
    let root = fixtures().join("keys/root-1.pub.pem");
    let got = hcx(
        &[
            os("verify"),
            os("--json"),
            os("--trust"),
            path.as_os_str(),
            os("--root"),
            root.as_os_str(),
            os("HCX1:"),
        ],
        Vec::new(),
    );
    assert_error(&got, 2, "io", None);
    // An image file.
    let png_path = inputs.write("50mb.png", &big);
    let got = hcx(
        &[
            os("verify"),
            os("--json"),
            os("--trust"),
            fixtures().join("trust/main.json").as_os_str(),
            os("--root"),
            root.as_os_str(),
            os("--qr"),
            png_path.as_os_str(),
        ],
        Vec::new(),
    );
    assert_error(&got, 2, "invalid_input", Some("file_too_large"));
    if std::env::var_os("HCX_HOSTILE_DIR").is_none() {
        std::fs::remove_file(path).unwrap();
        std::fs::remove_file(png_path).unwrap();
    }
}

#[test]
fn deeply_nested_cbor_is_refused() {
    // 2000 nested arrays fit in the 4096-character text limit.
    let mut cbor = vec![0x81u8; 2000];
    cbor.push(0);
    let text = format!("HCX1:{}", base45::encode(&cbor));
    let got = verify_stdin(text.clone().into_bytes());
    assert_error(&got, 1, "malformed", Some("cbor_too_deep"));
    // Through the DCC pipeline: nesting inside the compressed payload.
    let mut deep = vec![0x81u8; 100_000];
    deep.push(0);
    // Stored (uncompressed) DEFLATE blocks, so no compressor is needed.
    let mut z = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = deep.chunks(65_535).collect();
    for (i, c) in chunks.iter().enumerate() {
        z.push(u8::from(i + 1 == chunks.len()));
        let len = c.len() as u16;
        z.extend(len.to_le_bytes());
        z.extend((!len).to_le_bytes());
        z.extend(*c);
    }
    let adler = {
        let (mut a, mut b) = (1u32, 0u32);
        for &x in &deep {
            a = (a + u32::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        (b << 16) | a
    };
    z.extend(adler.to_be_bytes());
    let got = verify_stdin(format!("HC1:{}", base45::encode(&z)).into_bytes());
    assert_error(&got, 1, "malformed", Some("too_deep"));
    Inputs::new().write("deep-cbor.txt", text.as_bytes());
}

/// A JWS trust-list envelope over `payload`, signed by the fixture root-1 (no validation, so
/// it can carry lists the library would refuse to sign).
fn signed_envelope(payload: &[u8]) -> Vec<u8> {
    let key = hcx_vectors::signing_key("root-1");
    let kid = hcx_vectors::private_key("root-1").key_id().to_string();
    let protected = URL_SAFE_NO_PAD
        .encode(json!({"alg": "EdDSA", "kid": kid, "typ": "hcx-trust-list+json"}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(payload);
    let sig = key.sign(format!("{protected}.{payload}").as_bytes());
    serde_json::to_vec(&json!({
        "payload": payload,
        "signatures": [{"protected": protected, "signature": URL_SAFE_NO_PAD.encode(sig.to_bytes())}],
    }))
    .unwrap()
}

fn verify_with_trust(path: &Path) -> (i32, Json, Duration) {
    let root = fixtures().join("keys/root-1.pub.pem");
    hcx(
        &[
            os("verify"),
            os("--json"),
            os("--at"),
            os(AT),
            os("--trust"),
            path.as_os_str(),
            os("--root"),
            root.as_os_str(),
            os("HCX1:"),
        ],
        Vec::new(),
    )
}

#[test]
fn huge_trust_lists_are_refused() {
    use hcx_format::limits::{MAX_ISSUERS, MAX_TRUST_LIST_BYTES};
    let inputs = Inputs::new();
    // One issuer more than the limit, validly signed by the configured root.
    let mut list = hcx_format::TrustList::new();
    (list.sequence, list.issued_at, list.expires_at) = (9, 1_795_000_000, 1_800_000_000);
    list.issuers = (0..=MAX_ISSUERS)
        .map(|i| hcx_format::IssuerEntry {
            id: format!("issuer-{i}"),
            names: [("en".to_owned(), format!("Issuer {i}"))].into(),
            scopes: hcx_format::Scopes::default(),
            keys: Vec::new(),
        })
        .collect();
    let payload = serde_json::to_vec(&list).unwrap();
    let env = signed_envelope(&payload);
    assert!(env.len() < MAX_TRUST_LIST_BYTES, "{}", env.len());
    let path = inputs.write("trust-10001-issuers.json", &env);
    let got = verify_with_trust(&path);
    assert_error(&got, 2, "trust_list_invalid", Some("trust_list_too_large"));
    // Larger than the byte limit: refused before JSON parsing.
    let mut padded = signed_envelope(b"{}");
    padded.truncate(padded.len() - 1);
    padded.extend(b",\"pad\":\"");
    padded.resize(MAX_TRUST_LIST_BYTES + 10, b'x');
    padded.extend(b"\"}");
    let path = inputs.write("trust-4mib.json", &padded);
    let got = verify_with_trust(&path);
    assert_error(&got, 2, "trust_list_invalid", Some("trust_list_too_large"));
    // The library says the same.
    let e = hcx_format::SignedTrustList::parse(&padded).unwrap_err();
    assert_eq!(e.reason(), "trust_list_too_large");
}
