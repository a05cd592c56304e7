//! `hcx issue --batch` and `hcx verify --batch`: one result line per input line, in input order.
//!
//! The input is streamed: [`CHUNK_LINES`] lines are read, judged or issued in parallel on the
//! worker pool, and handed to a writer thread while the next chunk is read, so memory stays
//! bounded (two chunks in flight) whatever the file size. A bad line never stops the run: it
//! gets its own error line, and its neighbours are unaffected.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

use hcx_format::{BatchIssuer, BatchVerifier, HealthClaims, IssueParams, IssueRequest};
use rayon::prelude::*;
use serde_json::{Value as Json, json};

use crate::cli::{CliError, EXIT_CANNOT_JUDGE, EXIT_REJECTED, duration, now_or};
use crate::cmd::issue::{IssueArgs, issue_params};
use crate::cmd::verdict::hcx_verdict_text;
use crate::cmd::verify::{VerifyArgs, VerifyContext, hcx_verdict};

/// Lines read, processed and written as one unit.
pub const CHUNK_LINES: usize = 8192;
/// Longest line kept; a longer one is answered with an error and skipped without storing it.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Codes handed to one bulk signature check or signing call: enough to amortise the shared
/// inversion and the comb rows' trips into cache, small enough to spread a chunk (16 of them)
/// over the workers.
const SUB_BATCH: usize = 256;

/// One input line as read.
enum Line {
    /// The line's text, without its end of line.
    Text(String),
    /// Not UTF-8.
    NotUtf8,
    /// Longer than [`MAX_LINE_BYTES`] (its length).
    TooLong(usize),
}

/// One output line, with what the summary and the exit status need.
struct Outcome {
    json: String,
    /// `valid`/`issued`, or the error code.
    label: &'static str,
    status: u8,
}

/// Reads one line of at most `max` bytes into `buf`; `None` at end of input. A longer line is
/// consumed to its end but not stored.
fn read_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<Line>> {
    buf.clear();
    let mut total = 0usize;
    let mut any = false;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        any = true;
        let (part, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (available.get(..i).unwrap_or_default(), Some(i + 1)),
            None => (available, None),
        };
        total += part.len();
        if buf.len() + part.len() <= max {
            buf.extend_from_slice(part);
        }
        let used = done.unwrap_or(available.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if total > max {
        return Ok(Some(Line::TooLong(total)));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(match String::from_utf8(std::mem::take(buf)) {
        Ok(s) => Line::Text(s),
        Err(_) => Line::NotUtf8,
    }))
}

/// Where lines come from: a file (its size drives the progress bar) or standard input.
fn open_input(path: &Path) -> Result<(Box<dyn BufRead + Send>, Option<u64>), CliError> {
    if path == Path::new("-") {
        return Ok((
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())),
            None,
        ));
    }
    let file = File::open(path).map_err(|e| CliError::io(path, e))?;
    let len = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(BufReader::with_capacity(1 << 16, file)), len))
}

fn open_output(path: Option<&Path>) -> Result<Box<dyn Write + Send>, CliError> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::with_capacity(
            1 << 16,
            File::create(p).map_err(|e| CliError::io(p, e))?,
        )),
        None => Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout())),
    })
}

fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, CliError> {
    let n = match jobs {
        Some(0) => return Err(CliError::usage("--jobs must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| CliError::usage(format!("cannot start {n} worker threads: {e}")))
}

/// A progress bar on stderr when it is a terminal, silent otherwise.
fn progress(total_bytes: Option<u64>) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match total_bytes {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let template = if total_bytes.is_some() {
        "{wide_bar} {percent:>3}% {msg} eta {eta}"
    } else {
        "{spinner} {msg}"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// Totals for the summary line and the exit status.
#[derive(Default)]
struct Tally {
    lines: u64,
    labels: BTreeMap<&'static str, u64>,
    worst: u8,
}

impl Tally {
    fn add(&mut self, outcomes: &[Outcome]) {
        for o in outcomes {
            self.lines += 1;
            *self.labels.entry(o.label).or_default() += 1;
            self.worst = self.worst.max(o.status);
        }
    }

    /// `N lines in T s (R/s): a valid, b malformed, …` with the success label first.
    fn summary(&self, command: &str, first: &str, secs: f64) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(n) = self.labels.get(first) {
            parts.push(format!("{n} {first}"));
        }
        for (label, n) in &self.labels {
            if *label != first {
                parts.push(format!("{n} {label}"));
            }
        }
        let rate = if secs > 0.0 {
            self.lines as f64 / secs
        } else {
            0.0
        };
        format!(
            "{command}: {} lines in {secs:.2} s ({rate:.0}/s): {}",
            self.lines,
            if parts.is_empty() {
                "nothing to do".to_owned()
            } else {
                parts.join(", ")
            }
        )
    }
}

/// The streaming loop shared by both commands: read a chunk, process it on the pool, hand the
/// encoded lines to the writer thread, repeat.
fn run_stream(
    input: &Path,
    output: Option<&Path>,
    jobs: Option<usize>,
    process: &(dyn Fn(u64, &[Line]) -> Vec<Outcome> + Sync),
) -> Result<Tally, CliError> {
    let (mut reader, total_bytes) = open_input(input)?;
    let mut writer = open_output(output)?;
    let pool = pool(jobs)?;
    let bar = progress(total_bytes);
    let out_name = output.unwrap_or(Path::new("-"));
    // A reader thread, the workers and a writer thread form a pipeline with at most one chunk
    // waiting at each hand-over, so memory stays bounded and the workers never wait for I/O.
    // The writer also drops the chunk's lines, so the main thread hands over and moves on.
    type Written = (Vec<Outcome>, Vec<Line>);
    let (tx, rx): (SyncSender<Written>, Receiver<Written>) = sync_channel(1);
    let (chunk_tx, chunk_rx) = sync_channel::<std::io::Result<(Vec<Line>, u64)>>(1);
    let mut tally = Tally::default();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut buf = Vec::new();
            loop {
                let mut lines = Vec::with_capacity(CHUNK_LINES);
                let mut read_bytes = 0u64;
                while lines.len() < CHUNK_LINES {
                    match read_line(&mut reader, &mut buf, MAX_LINE_BYTES) {
                        Ok(Some(line)) => {
                            read_bytes += match &line {
                                Line::Text(t) => t.len() as u64 + 1,
                                Line::NotUtf8 | Line::TooLong(_) => 1,
                            };
                            lines.push(line);
                        }
                        Ok(None) => break,
                        Err(e) => {
                            let _ = chunk_tx.send(Err(e));
                            return;
                        }
                    }
                }
                // An empty chunk is the end; a closed channel means the run stopped.
                let done = lines.is_empty();
                if chunk_tx.send(Ok((lines, read_bytes))).is_err() || done {
                    return;
                }
            }
        });
        let writing = scope.spawn(move || -> std::io::Result<()> {
            for (outcomes, _lines) in rx {
                for o in &outcomes {
                    writer.write_all(o.json.as_bytes())?;
                    writer.write_all(b"\n")?;
                }
            }
            writer.flush()
        });
        let result = (|| -> Result<(), CliError> {
            let mut first_line = 1u64;
            let mut read_total = 0u64;
            for chunk in &chunk_rx {
                let (lines, read_bytes) = chunk.map_err(|e| CliError::io(input, e))?;
                if lines.is_empty() {
                    return Ok(());
                }
                let outcomes = pool.install(|| process(first_line, &lines));
                tally.add(&outcomes);
                let count = lines.len() as u64;
                if tx.send((outcomes, lines)).is_err() {
                    // The writer stopped on an error; it reports it below.
                    return Ok(());
                }
                first_line += count;
                read_total += read_bytes;
                bar.set_position(read_total);
                bar.set_message(format!("{} lines", tally.lines));
            }
            Ok(())
        })();
        // Stops the reader if it is still going (an error or a failed writer ended the run).
        drop(chunk_rx);
        drop(tx);
        bar.finish_and_clear();
        let written = writing
            .join()
            .map_err(|_| CliError::io(out_name, "the writer thread failed"))?;
        result?;
        written.map_err(|e| CliError::io(out_name, e))
    })?;
    Ok(tally)
}

/// The error line for an input line that is not text at all.
fn unreadable(line: &Line) -> Option<CliError> {
    let message = match line {
        Line::Text(_) => return None,
        Line::NotUtf8 => "the line is not UTF-8 text".to_owned(),
        Line::TooLong(n) => format!("the line is {n} bytes long, more than {MAX_LINE_BYTES}"),
    };
    Some(CliError {
        code: hcx_error::Code::Malformed,
        reason: Some(if matches!(line, Line::TooLong(_)) {
            hcx_error::Reason::TextTooLong
        } else {
            hcx_error::Reason::NotUtf8
        }),
        message,
        status: EXIT_REJECTED,
    })
}

fn verdict_outcome(result: Result<Json, CliError>) -> Outcome {
    match result {
        Ok(v) => Outcome {
            json: v.to_string(),
            label: "valid",
            status: 0,
        },
        Err(e) => Outcome {
            json: e.to_json().to_string(),
            label: e.code.as_str(),
            status: e.status,
        },
    }
}

/// `hcx verify --batch IN [-o OUT] [--jobs N]`.
pub fn verify(args: &VerifyArgs, input: &Path) -> Result<ExitCode, CliError> {
    let start = Instant::now();
    let ctx = VerifyContext::from_args(args)?;
    let bulk = ctx.hcx_verifier().map(BatchVerifier::new);
    let now = ctx.now();
    let process = |_first: u64, lines: &[Line]| -> Vec<Outcome> {
        let texts: Vec<&str> = lines
            .iter()
            .map(|l| match l {
                Line::Text(t) => t.trim(),
                Line::NotUtf8 | Line::TooLong(_) => "",
            })
            .collect();
        // Exactly the lines `judge` sends to the hcx verifier go through the bulk path.
        let is_bulk = |i: usize, t: &str| {
            bulk.is_some()
                && matches!(lines.get(i), Some(Line::Text(_)))
                && (t.starts_with(hcx_format::PREFIX) || hcx_interop::detect(t).is_none())
        };
        let hcx_idx: Vec<usize> = texts
            .iter()
            .enumerate()
            .filter(|(i, t)| is_bulk(*i, t))
            .map(|(i, _)| i)
            .collect();
        let mut out: Vec<Option<Outcome>> = Vec::new();
        out.resize_with(lines.len(), || None);
        if let Some(bulk) = &bulk {
            let hcx: Vec<(usize, Outcome)> = hcx_idx
                .par_chunks(SUB_BATCH)
                .flat_map_iter(|idx| {
                    let batch: Vec<&str> = idx
                        .iter()
                        .map(|i| texts.get(*i).copied().unwrap_or_default())
                        .collect();
                    let results = bulk.verify_many(&batch, now);
                    idx.iter()
                        .copied()
                        .zip(results)
                        .map(|(i, r)| {
                            let outcome = match r.map_err(|e| CliError::judged(&e)) {
                                // The same text as `hcx_verdict(&code).to_string()`, faster.
                                Ok(code) => match hcx_verdict_text(&code) {
                                    Ok(json) => Outcome {
                                        json,
                                        label: "valid",
                                        status: 0,
                                    },
                                    Err(_) => verdict_outcome(Ok(hcx_verdict(&code))),
                                },
                                Err(e) => verdict_outcome(Err(e)),
                            };
                            (i, outcome)
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            for (i, o) in hcx {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(o);
                }
            }
        }
        out.par_iter_mut()
            .zip(lines.par_iter())
            .zip(texts.par_iter())
            .for_each(|((slot, line), text)| {
                if slot.is_none() {
                    *slot = Some(verdict_outcome(match unreadable(line) {
                        Some(e) => Err(e),
                        None => ctx.judge(text),
                    }));
                }
            });
        out.into_iter().flatten().collect()
    };
    let tally = run_stream(input, args.output.as_deref(), args.jobs, &process)?;
    eprintln!(
        "{}",
        tally.summary("verify --batch", "valid", start.elapsed().as_secs_f64())
    );
    Ok(ExitCode::from(tally.worst))
}

/// One line of `issue --batch` input: a claims object, or claims with their own options.
struct IssueLine {
    claims: HealthClaims,
    valid_for: Option<String>,
    at: Option<String>,
}

fn claims_error(e: hcx_format::ClaimsError) -> CliError {
    CliError::failed(&hcx_format::IssueError::InvalidClaims(e))
}

/// Reads `{"claims":{…},"valid_for":"5m","at":"…"}` or a bare claims object.
fn parse_issue_line(text: &str) -> Result<IssueLine, CliError> {
    let bad_json = |e: serde_json::Error| {
        claims_error(hcx_format::ClaimsError {
            field: String::new(),
            problem: format!("not valid claims JSON: {e}"),
        })
    };
    // Most lines are bare claims: read them straight into the type. Anything else (the wrapped
    // form, or an error to explain) goes through the map below, as before.
    if let Ok(claims) = serde_json::from_str::<HealthClaims>(text) {
        return Ok(IssueLine {
            claims: claims.normalized().map_err(claims_error)?,
            valid_for: None,
            at: None,
        });
    }
    let mut map: serde_json::Map<String, Json> = serde_json::from_str(text).map_err(bad_json)?;
    // Claims never have a `claims` field (unknown fields are refused), so its presence marks
    // the wrapped form unambiguously.
    let (claims, valid_for, at) = match map.remove("claims") {
        None => (Json::Object(map), None, None),
        Some(claims) => {
            let mut text_opt = |k: &str| -> Result<Option<String>, CliError> {
                match map.remove(k) {
                    None | Some(Json::Null) => Ok(None),
                    Some(Json::String(s)) => Ok(Some(s)),
                    Some(_) => Err(CliError::usage(format!("`{k}` must be a string"))),
                }
            };
            let (valid_for, at) = (text_opt("valid_for")?, text_opt("at")?);
            if let Some(k) = map.keys().next() {
                return Err(CliError::usage(format!(
                    "unknown field `{k}` (expected `claims`, `valid_for`, `at`)"
                )));
            }
            (claims, valid_for, at)
        }
    };
    let claims = serde_json::from_value::<HealthClaims>(claims)
        .map_err(bad_json)?
        .normalized()
        .map_err(claims_error)?;
    Ok(IssueLine {
        claims,
        valid_for,
        at,
    })
}

/// The output line of one issued code or of one error.
fn issue_outcome(line: u64, result: Result<String, CliError>) -> Outcome {
    match result {
        Ok(code) => Outcome {
            // The same object as `json!({"line": n, "code": code})`, keys in sorted order,
            // written directly.
            json: format!("{{\"code\":{},\"line\":{line}}}", Json::String(code)),
            label: "issued",
            status: 0,
        },
        Err(e) => {
            let mut v = e.to_json();
            let error = v.get_mut("error").map(Json::take).unwrap_or(Json::Null);
            Outcome {
                json: json!({ "line": line, "error": error }).to_string(),
                label: e.code.as_str(),
                status: EXIT_REJECTED,
            }
        }
    }
}

/// `hcx issue --batch IN [-o OUT] [--jobs N]` (the key is already read).
pub fn issue(args: &IssueArgs, key: &hcx_format::PrivateKey) -> Result<ExitCode, CliError> {
    let start = Instant::now();
    let Some(input) = &args.batch else {
        return Err(CliError::usage(
            "give --claims CLAIMS.json or --batch IN.jsonl",
        ));
    };
    // Options given once apply to every line that does not set its own.
    let default_valid_for = duration(&args.valid_for)?;
    if default_valid_for == 0 {
        return Err(CliError::usage("--valid-for must be longer than 0s"));
    }
    let fixed_at = args.at.as_deref().map(|t| now_or(Some(t))).transpose()?;
    // A line's claims and options, checked; what is left is signing.
    let prepare = |text: &str, now: i64| -> Result<(IssueParams, HealthClaims), CliError> {
        if text.trim().is_empty() {
            return Err(CliError {
                code: hcx_error::Code::InvalidInput,
                reason: Some(hcx_error::Reason::EmptyLine),
                message: "empty line: expected a claims object".to_owned(),
                status: EXIT_CANNOT_JUDGE,
            });
        }
        let line = parse_issue_line(text)?;
        let valid_for = match &line.valid_for {
            Some(d) => duration(d)?,
            None => default_valid_for,
        };
        if valid_for == 0 {
            return Err(CliError::usage("valid_for must be longer than 0s"));
        }
        let at = match &line.at {
            Some(t) => now_or(Some(t))?,
            None => fixed_at.unwrap_or(now),
        };
        Ok((issue_params(&args.issuer, at, valid_for), line.claims))
    };
    let issuer = BatchIssuer::new(key);
    let process = |first: u64, lines: &[Line]| -> Vec<Outcome> {
        // Without --at, each chunk is issued at the time it is processed.
        let now = now_or(None).unwrap_or(0);
        let numbered: Vec<(u64, &Line)> = (first..).zip(lines).collect();
        numbered
            .par_chunks(SUB_BATCH)
            .flat_map_iter(|chunk| {
                let prepared: Vec<Result<(IssueParams, HealthClaims), CliError>> = chunk
                    .iter()
                    .map(|(_, line)| match (unreadable(line), line) {
                        (Some(e), _) => Err(e),
                        (None, Line::Text(t)) => prepare(t, now),
                        (None, _) => Err(CliError::usage("unreadable line")),
                    })
                    .collect();
                let requests: Vec<IssueRequest<'_>> = prepared
                    .iter()
                    .filter_map(|p| p.as_ref().ok())
                    .map(|(params, claims)| IssueRequest { params, claims })
                    .collect();
                let mut issued = issuer.issue_many(&requests).into_iter();
                chunk
                    .iter()
                    .zip(prepared)
                    .map(|((n, _), p)| {
                        let result = p.and_then(|_| {
                            issued
                                .next()
                                .unwrap_or_else(|| {
                                    Err(hcx_format::IssueError::InvalidInput(
                                        "not issued".to_owned(),
                                    ))
                                })
                                .map_err(|e| CliError::failed(&e))
                        });
                        issue_outcome(*n, result)
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let tally = run_stream(input, args.output.as_deref(), args.jobs, &process)?;
    eprintln!(
        "{}",
        tally.summary("issue --batch", "issued", start.elapsed().as_secs_f64())
    );
    Ok(ExitCode::from(tally.worst))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut r = std::io::Cursor::new(input.to_vec());
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(l) = read_line(&mut r, &mut buf, max).unwrap() {
            out.push(match l {
                Line::Text(t) => t,
                Line::NotUtf8 => "<utf8>".into(),
                Line::TooLong(n) => format!("<long {n}>"),
            });
        }
        out
    }

    #[test]
    fn lines_are_split_bounded_and_classified() {
        assert_eq!(lines(b"a\nbb\r\n\nc", 10), ["a", "bb", "", "c"]);
        assert_eq!(lines(b"a\n", 10), ["a"]);
        assert_eq!(lines(b"", 10), Vec::<String>::new());
        assert_eq!(lines(b"abcdefghijkl\nok\n", 5), ["<long 12>", "ok"]);
        assert_eq!(lines(b"\xff\xfe\nok", 5), ["<utf8>", "ok"]);
    }

    #[test]
    fn issue_lines_bare_and_wrapped() {
        let bare = r#"{"status":"green","subject":{"name":"A"}}"#;
        assert!(parse_issue_line(bare).is_ok());
        let wrapped = format!(r#"{{"claims":{bare},"valid_for":"5m"}}"#);
        let l = parse_issue_line(&wrapped).unwrap();
        assert_eq!(l.valid_for.as_deref(), Some("5m"));
        assert!(parse_issue_line(&format!(r#"{{"claims":{bare},"x":1}}"#)).is_err());
        assert_eq!(
            parse_issue_line("{").err().map(|e| e.code),
            Some(hcx_error::Code::InvalidClaims)
        );
    }
}
