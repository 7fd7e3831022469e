//! Compiled rule sets kept on disk (`--cache DIR`), so that a command run again on the same rules
//! does not compile them again.
//!
//! An entry is named by the hash of everything that decides the program: this build of the
//! engine, the entry format, the limits and allowed paths, the schema given, and each rule file
//! named (its path and text). It holds the other files compiling read (includes, the schema a
//! header declares) with the hash of their text, which are read and checked again before the
//! entry is used, then the program. An entry that cannot be read, names files that changed or
//! does not decode is ignored and written anew: the cache only ever saves time, it never
//! changes an answer. Rule sets with warnings are not kept, so their warnings show every time.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::check::{Disk, FileSource};
use crate::files::{read_bytes, read_text, write_own};
use crate::limits::Limits;
use crate::program::Program;

use super::say;

/// The layout of an entry; a change makes older entries miss.
const FORMAT: u32 = 1;

/// The largest entry read back.
const ENTRY_BYTES: u64 = 256 << 20;

/// Where the compiled form of one rule set is, or would be, kept.
pub(crate) struct Entry {
    path: PathBuf,
    disk: Disk,
}

/// What an entry holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    /// Files compiling read besides those named (includes, the declared schema): path and the
    /// hash of the text.
    read: Vec<(String, [u8; 32])>,
    /// The hash of `program`, so that a damaged entry is never used.
    digest: [u8; 32],
    /// The program, encoded.
    program: Vec<u8>,
}

impl Entry {
    /// The entry for rule files `files` (as expanded) with the schema `schema`, `allowed` paths
    /// and `limits`, in the cache directory `dir`; `None` when a file cannot be read (compiling
    /// will say why).
    pub(crate) fn of(
        dir: &Path,
        files: &[PathBuf],
        schema: Option<&Path>,
        allowed: &[PathBuf],
        limits: &Limits,
    ) -> Option<Entry> {
        let disk = Disk::new(files, allowed, limits.rule_file_bytes);
        let mut key = Sha256::new();
        key.update(FORMAT.to_le_bytes());
        key.update(build_identity()?.as_bytes());
        key.update(format!("{limits:?}{allowed:?}").as_bytes());
        if let Some(schema) = schema {
            let text = read_text(schema, limits.rule_file_bytes).ok()?;
            part(&mut key, schema.to_string_lossy().as_bytes());
            part(&mut key, text.as_bytes());
        }
        for file in files {
            let text = disk.read(file, false).ok()?;
            part(&mut key, file.to_string_lossy().as_bytes());
            part(&mut key, text.as_bytes());
        }
        let name = crate::check::hex(&key.finalize());
        Some(Entry {
            path: dir.join(format!("{name}.rules")),
            disk,
        })
    }

    /// The program kept for these rules, when there is one and every other file it read is
    /// unchanged.
    pub(crate) fn load(&self) -> Option<Program> {
        let bytes = read_bytes(&self.path, ENTRY_BYTES).ok()?;
        let stored: Stored = postcard::from_bytes(&bytes).ok()?;
        let unchanged = stored.read.iter().all(|(path, hash)| {
            self.disk
                .read(Path::new(path), true)
                .is_ok_and(|text| Sha256::digest(text.as_bytes()).as_slice() == hash)
        });
        let intact = Sha256::digest(&stored.program).as_slice() == stored.digest;
        if !(unchanged && intact) {
            return None;
        }
        postcard::from_bytes(&stored.program).ok()
    }

    /// Keeps `program`, compiled from `named` rule files. A failure to write is reported and
    /// otherwise ignored: the command goes on with the program it has.
    pub(crate) fn store(&self, program: &Program, named: &[PathBuf]) {
        let read: Vec<(String, [u8; 32])> = program
            .source_files()
            .into_iter()
            .filter(|(name, _)| !named.iter().any(|n| n.as_os_str() == name.as_str()))
            .map(|(name, text)| (name, Sha256::digest(text.as_bytes()).into()))
            .collect();
        let written = postcard::to_stdvec(program)
            .and_then(|program| {
                postcard::to_stdvec(&Stored {
                    read,
                    digest: Sha256::digest(&program).into(),
                    program,
                })
            })
            .map_err(|e| e.to_string())
            .and_then(|bytes| write_own(&self.path, &bytes).map_err(|e| e.problem()));
        if let Err(problem) = written {
            say!("warning: cannot keep the compiled rules in the cache: {problem}");
        }
    }
}

/// Adds one length-prefixed part to a hash, so that parts cannot run into each other.
fn part(key: &mut Sha256, bytes: &[u8]) {
    key.update((bytes.len() as u64).to_le_bytes());
    key.update(bytes);
}

/// What tells this build of the engine from another: its version, and the size and modification
/// time of its executable (a rebuild changes the program's layout without changing the
/// version). Without it nothing is cached.
fn build_identity() -> Option<String> {
    let executable = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    Some(format!(
        "{} {} {:?}",
        env!("CARGO_PKG_VERSION"),
        executable.len(),
        executable.modified().ok()?
    ))
}
