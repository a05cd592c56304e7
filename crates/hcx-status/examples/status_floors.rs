//! Measures issue #14's floors for status lists and fails when one is missed:
//!
//! ```sh
//! cargo run --release -p hcx-status --example status_floors            # everything, ~3 min
//! cargo run --release -p hcx-status --example status_floors -- sizes   # sizes, build, exactness
//! cargo run --release -p hcx-status --example status_floors -- deltas  # delta sizes only
//! cargo run --release -p hcx-status --example status_floors -- memory  # verifier memory only
//! cargo run --release -p hcx-status --example status_floors -- bulk    # bulk verify ratio only
//! ```
//!
//! - **size**: the signed file for 10 M covered codes with 0.1 % revoked (floor 16 000 bytes,
//!   information bound N·H(f)) and for 1 M with 1 % (floor 11 500 bytes);
//! - **build**: wall time to build and sign the 10 M list from (code id, status) pairs
//!   (floor 60 s), next to the time to hash the same ids once (a baseline from the same run);
//! - **exact**: every code of each universe is looked up through a verified `StatusState` and
//!   must get its status;
//! - **deltas**: a delta carrying k changes on the 10 M list, against a fresh snapshot of the
//!   same universe carrying exactly those k changes (floor 2×), and against the marginal cost
//!   of k more revoked codes in the full snapshot (reported);
//! - **memory**: a child process reads the 10 M list from a file, verifies it, builds the
//!   state, looks up 1 M codes and reports its peak resident set (`VmHWM`; floor 32 MiB);
//! - **bulk**: bulk verification (`hcx_format::Verifier::verify_many`, 256 codes) with a status lookup
//!   per verified code against the same without, in 41 interleaved rounds, timed in CPU time
//!   of this thread (`/proc/thread-self/schedstat`) so that other work on the machine moves it
//!   little; the median ratio counts (floor 0.95). The list is the 10 M one, plus the codes.
//!
//! Code ids are `i` as 8 big-endian bytes: the ids enter only through SHA-256, so they behave
//! like the random ids issuers draw. Revoked codes are every `1/f`-th id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Instant;

use hcx_format::{Clock, PrivateKey};
use hcx_status::{
    Change, CodeRef, Coverage, IdentityDigest, ListHeader, Lookup, SignedStatusList, Status,
    StatusList, StatusState,
};
use support::{batch_fixture, lookup_verified};

const NOW: i64 = 1_795_000_000;
const DAY: i64 = 86_400;
/// Every code is issued a day before the list and lives 30 days: all are covered.
const IAT: i64 = NOW - DAY;
const EXP: i64 = NOW + 29 * DAY;

fn key() -> PrivateKey {
    PrivateKey::from_seed(&[0x5a; 32])
}

fn header(sequence: u64, issued_at: i64) -> ListHeader {
    ListHeader {
        issuer: "dingtalk".into(),
        sequence,
        issued_at,
        expires_at: issued_at + DAY,
        coverage: Coverage {
            issued_before: NOW,
            expiring_after: NOW - DAY,
        },
    }
}

fn id(i: u64) -> [u8; 8] {
    i.to_be_bytes()
}

/// Binary entropy bound in bytes for `n` items of which `r` are marked.
fn bound_bytes(n: u64, r: u64) -> f64 {
    let f = r as f64 / n as f64;
    let h = -(f * f.log2()) - (1.0 - f) * (1.0 - f).log2();
    n as f64 * h / 8.0
}

/// A snapshot of `n` codes where `revoked(i)` says which are revoked; the signed file.
fn snapshot(n: u64, revoked: impl Fn(u64) -> bool) -> Vec<u8> {
    let codes = (0..n).map(|i| {
        let status = if revoked(i) {
            Status::Revoked
        } else {
            Status::Valid
        };
        (id(i), status)
    });
    StatusList::snapshot(header(1, NOW), codes)
        .unwrap()
        .sign(&key())
}

fn verify(file: &[u8]) -> StatusList {
    SignedStatusList::parse(file)
        .unwrap()
        .verify(&key().public_key(), "dingtalk")
        .unwrap()
}

fn lookup(state: &StatusState, i: u64) -> Lookup {
    state.lookup(&CodeRef {
        code_id: &id(i),
        issued_at: IAT,
        expires_at: EXP,
    })
}

/// Looks up every code of the universe; panics on the first wrong status.
fn check_exact(state: &StatusState, n: u64, revoked: impl Fn(u64) -> bool) {
    for i in 0..n {
        let want = if revoked(i) {
            Status::Revoked
        } else {
            Status::Valid
        };
        assert_eq!(lookup(state, i), Lookup::Covered(want), "code {i}");
    }
}

struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, what: String) {
        println!("  {} {what}", if ok { "ok  " } else { "FAIL" });
        if !ok {
            self.0.push(what);
        }
    }
}

fn sizes(failures: &mut Failures) {
    println!("## Sizes, build time, exactness\n");
    for (n, per_mille_x10, floor) in [
        (1_000_000u64, 100u64, 11_500usize),
        (10_000_000, 10, 16_000),
    ] {
        let every = 10_000 / per_mille_x10;
        let revoked = move |i: u64| i.is_multiple_of(every);
        let r = n / every;

        let t = Instant::now();
        for i in 0..n {
            std::hint::black_box(IdentityDigest::of_code_id(&id(i)));
        }
        let hash_time = t.elapsed();

        let t = Instant::now();
        let file = snapshot(n, revoked);
        let build_time = t.elapsed();

        let bound = bound_bytes(n, r);
        println!(
            "{n} codes, {r} revoked: {} bytes signed; bound N·H(f) = {bound:.0} bytes (ratio \
             {:.3}); floor {floor} (ratio {:.3})",
            file.len(),
            file.len() as f64 / bound,
            file.len() as f64 / floor as f64
        );
        failures.check(
            file.len() <= floor,
            format!("{n} size {} <= {floor}", file.len()),
        );
        println!(
            "  build + sign {:.2} s; hashing the {n} ids alone {:.2} s (ratio {:.1}); load {}",
            build_time.as_secs_f64(),
            hash_time.as_secs_f64(),
            build_time.as_secs_f64() / hash_time.as_secs_f64(),
            loadavg()
        );
        if n == 10_000_000 {
            failures.check(
                build_time.as_secs_f64() < 60.0,
                format!("10M build {:.1} s < 60 s", build_time.as_secs_f64()),
            );
            std::fs::write(memory_file(), &file).unwrap();
        }
        let t = Instant::now();
        let state = StatusState::new(verify(&file), None).unwrap();
        check_exact(&state, n, revoked);
        failures.check(
            true,
            format!(
                "exact: all {n} codes got their status ({:.2} s for every lookup)",
                t.elapsed().as_secs_f64()
            ),
        );
    }
    println!();
}

fn memory_file() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("hcx-status-10m-{}.cose", std::process::id()))
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Peak resident set of this process, KiB (`VmHWM` in /proc/self/status).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The child: read, verify, hold and query a list as a verifier does; print peak RSS.
fn verifier_child(path: &str) {
    let before = peak_rss_kib().unwrap_or(0);
    let file = std::fs::read(path).unwrap();
    let state = StatusState::new(verify(&file), None).unwrap();
    drop(file);
    let mut revoked = 0u64;
    for i in 0..1_000_000u64 {
        if lookup(&state, i * 10) == Lookup::Covered(Status::Revoked) {
            revoked += 1;
        }
    }
    let after = peak_rss_kib().unwrap_or(0);
    println!("{before} {after} {} {revoked}", state.heap_bytes());
}

fn memory(failures: &mut Failures) {
    println!("## Verifier memory (10 M codes)\n");
    let path = memory_file();
    if !path.exists() {
        std::fs::write(&path, snapshot(10_000_000, |i| i % 1000 == 0)).unwrap();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("verifier-child")
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<u64> = text
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [before, after, held, revoked] = fields[..] else {
        eprintln!(
            "the verifier child printed {text:?}, stderr {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::process::exit(2);
    };
    println!(
        "  peak RSS of the verifier process {:.1} MiB (at start {:.1} MiB); status data held \
         {held} bytes; 1 M lookups found {revoked} revoked",
        after as f64 / 1024.0,
        before as f64 / 1024.0
    );
    failures.check(
        after < 32 * 1024,
        format!(
            "verifier peak RSS {:.1} MiB < 32 MiB",
            after as f64 / 1024.0
        ),
    );
    println!();
}

fn deltas(failures: &mut Failures) {
    println!("## Deltas on 10 M codes with 0.1 % revoked\n");
    let n = 10_000_000u64;
    let base_revoked = |i: u64| i.is_multiple_of(1000);
    let base_file = snapshot(n, base_revoked);
    let base = verify(&base_file);
    println!(
        "| k changes | delta bytes | snapshot carrying the k changes | ratio (floor 2) | \
         marginal bytes in the full snapshot | ratio |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for k in [1u64, 10, 100, 1_000, 10_000] {
        // k valid codes become revoked: ids 1 + 1000·j are valid in the base.
        let changed = |i: u64| i % 1000 == 1 && i / 1000 < k;
        let old = (0..n).map(|i| {
            let change = if changed(i) {
                Change::To(Status::Revoked)
            } else {
                Change::Unchanged
            };
            (id(i), change)
        });
        let delta = StatusList::delta(
            header(2, NOW + 3600),
            &base,
            old,
            Vec::<([u8; 8], Status)>::new(),
        )
        .unwrap()
        .sign(&key());
        // Exactness of base + delta for the changed codes and a sample of the rest.
        let mut state = StatusState::new(base.clone(), None).unwrap();
        state.apply(verify(&delta)).unwrap();
        for i in (0..n).step_by(97).chain((0..k).map(|j| 1 + 1000 * j)) {
            let want = if base_revoked(i) || changed(i) {
                Status::Revoked
            } else {
                Status::Valid
            };
            assert_eq!(lookup(&state, i), Lookup::Covered(want));
        }
        let carrying = snapshot(n, changed);
        let full = snapshot(n, |i| base_revoked(i) || changed(i));
        let marginal = full.len() as i64 - base_file.len() as i64;
        let ratio = delta.len() as f64 / carrying.len() as f64;
        println!(
            "| {k} | {} | {} | {ratio:.3} | {marginal} | {:.2} |",
            delta.len(),
            carrying.len(),
            delta.len() as f64 / marginal.max(1) as f64
        );
        failures.check(ratio <= 2.0, format!("delta k={k} ratio {ratio:.3} <= 2"));
    }
    println!();
}

/// CPU time of this thread so far, nanoseconds.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn bulk(failures: &mut Failures) {
    println!("## Bulk verify with status lookups (10 M codes)\n");
    let fixture = batch_fixture(256, NOW, IAT, EXP);
    let (verifier, texts, ids) = (&fixture.verifier, &fixture.texts, &fixture.ids);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let codes = (0..10_000_000u64)
        .map(|i| {
            (
                id(i).to_vec(),
                if i % 1000 == 0 {
                    Status::Revoked
                } else {
                    Status::Valid
                },
            )
        })
        .chain(ids.iter().enumerate().map(|(i, c)| {
            (
                c.clone(),
                if i % 8 == 0 {
                    Status::Revoked
                } else {
                    Status::Valid
                },
            )
        }));
    let file = StatusList::snapshot(header(1, NOW), codes)
        .unwrap()
        .sign(&key());
    let state = StatusState::new(verify(&file), None).unwrap();
    let bulk = verifier;
    let plain = || {
        for r in bulk.verify_many(&refs, Clock::at(NOW)) {
            std::hint::black_box(r.unwrap());
        }
    };
    let with_status = || {
        let mut revoked = 0;
        for r in bulk.verify_many(&refs, Clock::at(NOW)) {
            let got = lookup_verified(&state, &r.unwrap());
            revoked += usize::from(got == Lookup::Covered(Status::Revoked));
        }
        assert_eq!(revoked, 32);
    };
    let lookups_only = || {
        for c in ids {
            std::hint::black_box(state.lookup(&CodeRef {
                code_id: c,
                issued_at: IAT,
                expires_at: EXP,
            }));
        }
    };
    let time = |f: &dyn Fn(), reps: u32| {
        let start = thread_cpu_ns();
        for _ in 0..reps {
            f();
        }
        (thread_cpu_ns() - start) as f64 / f64::from(reps) / 256.0
    };
    plain();
    with_status();
    // Each round alternates the two 16 times (A B A B …, the order flipped every round) and
    // sums each one's CPU time, so drifts in machine load fall on both alike.
    let mut ratios = Vec::new();
    let mut verify_ns = Vec::new();
    let mut lookup_ns = Vec::new();
    for round in 0..41 {
        let (mut a, mut b) = (0.0, 0.0);
        for i in 0..16 {
            if (i + round) % 2 == 0 {
                a += time(&plain, 1);
                b += time(&with_status, 1);
            } else {
                b += time(&with_status, 1);
                a += time(&plain, 1);
            }
        }
        ratios.push(a / b);
        verify_ns.push(a / 16.0);
        lookup_ns.push(time(&lookups_only, 200));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ratio = median(&mut ratios);
    let (v, l) = (median(&mut verify_ns), median(&mut lookup_ns));
    println!(
        "  CPU time per code: bulk verify {v:.0} ns, lookup {l:.0} ns ({:.4} of a verify, so \
         {:.3}x expected); measured, median of 41 interleaved rounds: with status / without = \
         {ratio:.3} (quartiles {:.3}-{:.3})",
        l / v,
        v / (v + l),
        ratios[10],
        ratios[30]
    );
    failures.check(
        ratio >= 0.95,
        format!("bulk verify with status {ratio:.3}x >= 0.95x"),
    );
    println!();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("verifier-child") {
        verifier_child(&args[1]);
        return;
    }
    let what = args.first().map_or("all", String::as_str);
    let mut failures = Failures(Vec::new());
    println!("load average at start: {}\n", loadavg());
    if matches!(what, "all" | "sizes") {
        sizes(&mut failures);
    }
    if matches!(what, "all" | "memory") {
        memory(&mut failures);
    }
    if matches!(what, "all" | "deltas") {
        deltas(&mut failures);
    }
    if matches!(what, "all" | "bulk") {
        bulk(&mut failures);
    }
    if failures.0.is_empty() {
        println!("all floors met");
    } else {
        println!("floors missed: {:?}", failures.0);
        std::process::exit(1);
    }
}
