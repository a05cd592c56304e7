//! The streaming pipeline of `verify --batch` and `issue --batch`: one result line per input
//! line, in input order.
//!
//! The input is read [`CHUNK_LINES`] lines at a time; each chunk is processed on the worker pool
//! while the next is read, and handed to a writer thread, so memory stays bounded (a chunk at
//! each hand-over) whatever the file size. A bad line never stops the run: it gets its own
//! result line, and its neighbours are unaffected.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::cli::CliError;

/// Lines read, processed and written as one unit.
pub const CHUNK_LINES: usize = 8192;
/// Longest line kept; a longer one is answered with an error and skipped without storing it.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// One input line as read.
pub enum Line {
    /// The line's text, without its end of line.
    Text(String),
    /// Not UTF-8.
    NotUtf8,
    /// Longer than [`MAX_LINE_BYTES`] (its length).
    TooLong(usize),
}

impl Line {
    /// Why this line is not text at all (`not_utf8`, `text_too_long`), for its result line.
    pub fn problem(&self) -> Option<(hcx_verify::Reason, String)> {
        match self {
            Line::Text(_) => None,
            Line::NotUtf8 => Some((
                hcx_verify::Reason::NotUtf8,
                "the line is not UTF-8 text".to_owned(),
            )),
            Line::TooLong(n) => Some((
                hcx_verify::Reason::TextTooLong,
                format!("the line is {n} bytes long, more than {MAX_LINE_BYTES}"),
            )),
        }
    }
}

/// One output line, with what the summary and the exit status need.
pub struct Outcome {
    pub json: String,
    /// `valid`/`issued`, or the error code.
    pub label: &'static str,
    /// The exit status this line asks for (0, 1 or 2).
    pub status: u8,
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
pub struct Tally {
    lines: u64,
    labels: BTreeMap<&'static str, u64>,
    /// The highest exit status of any line.
    pub worst: u8,
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
    pub fn summary(&self, command: &str, first: &str, secs: f64) -> String {
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

/// The streaming loop shared by `verify --batch` and `issue --batch`: read a chunk, process it
/// on the pool, hand the encoded lines to the writer thread, repeat.
pub fn run_stream(
    input: &Path,
    output: Option<&Path>,
    jobs: Option<usize>,
    process: &(dyn Fn(u64, &[Line]) -> Vec<Outcome> + Sync),
) -> Result<Tally, CliError> {
    run_stream_committed(
        input,
        output,
        jobs,
        &|first, lines| (process(first, lines), ()),
        |(), _| Ok(()),
    )
}

/// What processes a chunk for [`run_stream_committed`]: its outcomes, and what to commit.
pub type ChunkWithCommit<'a, T> = dyn Fn(u64, &[Line]) -> (Vec<Outcome>, T) + Sync + 'a;

/// [`run_stream`] with a commit step: `process` also returns what its chunk must commit, and
/// the writer thread calls `commit` with it before writing the chunk's lines, so a line is
/// written only once its chunk is committed (`issue --batch --registry`: an output line means
/// a recorded code). `commit` may rewrite outcomes (a code that could not be recorded becomes
/// an error line); an error from it ends the run with that chunk unwritten.
pub fn run_stream_committed<T: Send>(
    input: &Path,
    output: Option<&Path>,
    jobs: Option<usize>,
    process: &ChunkWithCommit<'_, T>,
    mut commit: impl FnMut(T, &mut [Outcome]) -> Result<(), CliError> + Send,
) -> Result<Tally, CliError> {
    let (mut reader, total_bytes) = open_input(input)?;
    let mut writer = open_output(output)?;
    let pool = pool(jobs)?;
    let bar = progress(total_bytes);
    let out_name = output.unwrap_or(Path::new("-"));
    // A reader thread, the workers and a writer thread form a pipeline with at most one chunk
    // waiting at each hand-over, so memory stays bounded and the workers never wait for I/O
    // (nor for the commit, which overlaps the next chunk's processing). The writer also drops
    // the chunk's lines, so the main thread hands over and moves on.
    type Written<T> = (Vec<Outcome>, T, Vec<Line>);
    let (tx, rx): (SyncSender<Written<T>>, Receiver<Written<T>>) = sync_channel(1);
    let (chunk_tx, chunk_rx) = sync_channel::<std::io::Result<(Vec<Line>, u64)>>(1);
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
        let writing = scope.spawn(move || -> Result<Tally, CliError> {
            // Counted here, after the commit, so the summary tells what was written.
            let mut tally = Tally::default();
            for (mut outcomes, pending, _lines) in rx {
                commit(pending, &mut outcomes)?;
                for o in &outcomes {
                    writer
                        .write_all(o.json.as_bytes())
                        .and_then(|()| writer.write_all(b"\n"))
                        .map_err(|e| CliError::io(out_name, e))?;
                }
                tally.add(&outcomes);
            }
            writer.flush().map_err(|e| CliError::io(out_name, e))?;
            Ok(tally)
        });
        let result = (|| -> Result<(), CliError> {
            let mut first_line = 1u64;
            let mut read_total = 0u64;
            for chunk in &chunk_rx {
                let (lines, read_bytes) = chunk.map_err(|e| CliError::io(input, e))?;
                if lines.is_empty() {
                    return Ok(());
                }
                let (outcomes, pending) = pool.install(|| process(first_line, &lines));
                let count = lines.len() as u64;
                if tx.send((outcomes, pending, lines)).is_err() {
                    // The writer stopped on an error; it reports it below.
                    return Ok(());
                }
                first_line += count;
                read_total += read_bytes;
                bar.set_position(read_total);
                bar.set_message(format!("{} lines", first_line - 1));
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
        written
    })
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
}
