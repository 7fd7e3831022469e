//! Compiled rule sets kept on disk, so that a command run again on the same rules does not
//! compile them again: in the user's cache directory by default, in `--cache DIR` when named,
//! nowhere with `--no-cache` or `CREDENCE_CACHE=off`. A directory keeps the most recently
//! written entries only.
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

/// How many entries a cache directory keeps: the most recently written.
const KEPT: usize = 32;

/// A cache directory.
pub(crate) struct Place {
    dir: PathBuf,
    /// Named by the user: a failure to write there is worth a warning. The default directory
    /// is created when missing, and failing to write it only costs time.
    named: bool,
}

impl Place {
    /// The directory named (`--cache DIR`, or `CREDENCE_CACHE`), else the user's cache
    /// directory; none with `--no-cache`, `off`, or no home directory.
    pub(crate) fn of(named: Option<&Path>, no_cache: bool) -> Option<Place> {
        match named {
            _ if no_cache => None,
            Some(dir) if dir.as_os_str() == "off" => None,
            Some(dir) => Some(Place {
                dir: dir.to_path_buf(),
                named: true,
            }),
            None => {
                let absolute = |var| {
                    std::env::var_os(var)
                        .map(PathBuf::from)
                        .filter(|p: &PathBuf| p.is_absolute())
                };
                let base = absolute("XDG_CACHE_HOME")
                    .or_else(|| absolute("HOME").map(|home| home.join(".cache")))?;
                Some(Place {
                    dir: base.join("credence"),
                    named: false,
                })
            }
        }
    }

    /// Creates the default directory when missing, readable and writable by the user alone
    /// (whoever can write it can change the answers).
    fn create(&self) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        let _ = builder.create(&self.dir);
    }

    /// Removes all but the [`KEPT`] most recently written entries (files this cache wrote,
    /// named by a hash); nothing else in the directory is touched.
    fn prune(&self) {
        let Ok(listing) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut entries: Vec<(std::time::SystemTime, PathBuf)> = listing
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.strip_suffix(".rules").is_some_and(|stem| {
                    stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit())
                })
            })
            .filter_map(|e| {
                let meta = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
                Some((meta.modified().ok()?, e.path()))
            })
            .collect();
        if entries.len() <= KEPT {
            return;
        }
        entries.sort_by(|a, b| b.cmp(a));
        for (_, path) in &entries[KEPT..] {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Where the compiled form of one rule set is, or would be, kept.
pub(crate) struct Entry {
    place: Place,
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
    /// and `limits`, in the cache directory `place`; `None` when a file cannot be read
    /// (compiling will say why).
    pub(crate) fn of(
        place: Place,
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
            path: place.dir.join(format!("{name}.rules")),
            place,
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

    /// Keeps `program`, compiled from `named` rule files. A failure to write a directory the
    /// user named is reported, and otherwise ignored: the command goes on with the program it
    /// has.
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
            .and_then(|bytes| {
                if !self.place.named {
                    self.place.create();
                }
                write_own(&self.path, &bytes).map_err(|e| e.problem())
            });
        match written {
            Ok(()) => self.place.prune(),
            Err(problem) if self.place.named => {
                say!("warning: cannot keep the compiled rules in the cache: {problem}");
            }
            Err(_) => {}
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
