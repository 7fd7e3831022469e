//! Scoring many cases: JSON Lines read in chunks bounded in bytes as well as in lines, scored in
//! parallel across cores, results handed back in input order. Each case is isolated: a case
//! that is malformed, over its work budget, or hits an internal error gets its own error, and
//! every other case still gets its result.

use std::io::{self, BufRead};
use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

/// Most records scored together.
pub const CHUNK_RECORDS: usize = 512;

/// Most bytes of input held at once (a chunk ends early when its records reach this).
pub const CHUNK_BYTES: usize = 64 << 20;

/// Stack of each worker thread: as deep as a main thread's, so that a case that scores on the
/// command line also scores in a batch.
pub const WORKER_STACK: usize = 8 << 20;

/// One line of a JSON Lines input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A case: its 1-based line number and its bytes.
    Case {
        /// 1-based line number.
        line: usize,
        /// The line, without its line break.
        bytes: Vec<u8>,
    },
    /// A line longer than the limit: skipped without being held in memory.
    TooLong {
        /// 1-based line number.
        line: usize,
        /// Its length in bytes.
        length: u64,
    },
}

impl Record {
    /// The record's line number.
    pub fn line(&self) -> usize {
        match self {
            Record::Case { line, .. } | Record::TooLong { line, .. } => *line,
        }
    }

    fn size(&self) -> usize {
        match self {
            Record::Case { bytes, .. } => bytes.len(),
            Record::TooLong { .. } => 0,
        }
    }
}

/// The records of a JSON Lines input: blank lines are skipped, a UTF-8 byte-order mark at the
/// start is dropped, and no line longer than `limit` bytes is held.
pub struct Records<R> {
    reader: R,
    limit: usize,
    line: usize,
}

impl<R: BufRead> Records<R> {
    /// Reads records from `reader`, each at most `limit` bytes.
    pub fn new(reader: R, limit: usize) -> Records<R> {
        Records {
            reader,
            limit,
            line: 0,
        }
    }

    /// Reads one line into `buf`, up to the limit; returns its full length, or `None` at the end.
    fn read_line(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<u64>> {
        let mut length: u64 = 0;
        let mut any = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(any.then_some(length));
            }
            any = true;
            let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
                Some(end) => (&available[..end], end + 1),
                None => (available, available.len()),
            };
            length += chunk.len() as u64;
            if buf.len() + chunk.len() <= self.limit {
                buf.extend_from_slice(chunk);
            }
            let ended = done > chunk.len();
            self.reader.consume(done);
            if ended {
                return Ok(Some(length));
            }
        }
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<io::Result<Record>> {
        loop {
            let mut bytes = Vec::new();
            let length = match self.read_line(&mut bytes) {
                Ok(Some(length)) => length,
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            };
            self.line += 1;
            if length > self.limit as u64 {
                return Some(Ok(Record::TooLong {
                    line: self.line,
                    length,
                }));
            }
            if self.line == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Ok(Record::Case {
                line: self.line,
                bytes,
            }));
        }
    }
}

/// A worker pool with main-thread-sized stacks: `threads` workers, or one per core for 0.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(WORKER_STACK)
        .build()
}

/// What went wrong inside the engine while scoring one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalError(pub String);

impl std::fmt::Display for InternalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "internal error while scoring this case ({}); the other cases are unaffected, please report it",
            self.0
        )
    }
}

impl std::error::Error for InternalError {}

/// Runs `work` for one record, turning a panic into an [`InternalError`] for that record.
pub fn isolated<T>(work: impl FnOnce() -> T) -> Result<T, InternalError> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        InternalError(message)
    })
}

/// Scores `records` in chunks (at most [`CHUNK_RECORDS`] records and about [`CHUNK_BYTES`]
/// bytes each) on `pool`, calling `emit` with each result in input order. `score` runs once
/// per record, isolated. Stops at the first error `emit` or the input returns.
pub fn run<T, E>(
    pool: &rayon::ThreadPool,
    records: impl Iterator<Item = io::Result<Record>>,
    score: impl Fn(&Record) -> T + Sync,
    mut emit: impl FnMut(&Record, Result<T, InternalError>) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
    E: From<io::Error>,
{
    let mut records = records.peekable();
    loop {
        let mut chunk: Vec<Record> = Vec::new();
        let mut bytes = 0;
        while chunk.len() < CHUNK_RECORDS && bytes < CHUNK_BYTES {
            match records.next() {
                Some(record) => {
                    let record = record?;
                    bytes += record.size();
                    chunk.push(record);
                }
                None => break,
            }
        }
        if chunk.is_empty() {
            return Ok(());
        }
        let results: Vec<Result<T, InternalError>> = pool.install(|| {
            chunk
                .par_iter()
                .map(|record| isolated(|| score(record)))
                .collect()
        });
        for (record, result) in chunk.iter().zip(results) {
            emit(record, result)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &[u8], limit: usize) -> Vec<Record> {
        Records::new(input, limit)
            .collect::<io::Result<Vec<_>>>()
            .expect("in memory")
    }

    #[test]
    fn blank_lines_crlf_and_a_byte_order_mark() {
        let got = records(b"\xEF\xBB\xBF{\"a\":1}\r\n\n   \n{\"b\":2}", 100);
        assert_eq!(
            got,
            [
                Record::Case {
                    line: 1,
                    bytes: b"{\"a\":1}\r".to_vec()
                },
                Record::Case {
                    line: 4,
                    bytes: b"{\"b\":2}".to_vec()
                }
            ]
        );
    }

    #[test]
    fn a_long_line_is_skipped_not_held() {
        let mut input = b"{}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 1000));
        input.extend(b"\n{}\n");
        let got = records(&input, 10);
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[1],
            Record::TooLong {
                line: 2,
                length: 1000
            }
        );
        assert_eq!(got[2].line(), 3);
    }

    #[test]
    fn a_panic_is_confined_to_its_record() {
        let pool = pool(0).expect("pool");
        let input = b"1\n2\n3\n";
        let mut seen = Vec::new();
        run::<_, io::Error>(
            &pool,
            Records::new(&input[..], 100),
            |record| {
                if record.line() == 2 {
                    panic!("boom");
                }
                record.line()
            },
            |record, result| {
                seen.push((record.line(), result.map_err(|e| e.0)));
                Ok(())
            },
        )
        .expect("runs");
        assert_eq!(seen, [(1, Ok(1)), (2, Err("boom".to_string())), (3, Ok(3))]);
    }
}
