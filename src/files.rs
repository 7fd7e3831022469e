//! Reading and writing files safely. Only regular files are read (a FIFO, a device or a
//! directory is refused before it can block or stream forever), within a size limit, and files
//! named *by other files* (includes, schemas, fixture cases) only inside an allowed root. Outputs
//! are written atomically, through symlinks to their target, keeping the file's mode, and never
//! over anything but a regular file.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be read or written.
#[derive(Debug)]
pub enum FileError {
    /// The path names a directory, FIFO, socket or device.
    NotRegular {
        /// The path as given.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// The file is larger than the limit.
    TooLarge {
        /// The path as given.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// The path resolves outside every allowed root.
    Outside {
        /// The path as given.
        path: PathBuf,
        /// The roots it had to be under.
        roots: Vec<PathBuf>,
    },
    /// The file is not UTF-8 text.
    NotText {
        /// The path as given.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column (in characters) of the first invalid byte.
        column: usize,
    },
    /// A `.cred` name that leads (through a link) to a file that is not a rule file.
    NotRuleFile {
        /// The path as given.
        path: PathBuf,
        /// What it leads to.
        target: PathBuf,
    },
    /// A link found in a directory that leads out of it.
    LinkOut {
        /// The link.
        path: PathBuf,
        /// What it leads to.
        target: PathBuf,
        /// The directory it was found in.
        dir: PathBuf,
    },
    /// A link where only a file of its own may be (a golden trace, a report page, a file to
    /// rewrite): written through, it would change a file elsewhere.
    Link {
        /// The link.
        path: PathBuf,
    },
    /// A file the user cannot write to, which rewriting would replace.
    ReadOnly {
        /// The path as given.
        path: PathBuf,
    },
    /// The operating system refused.
    Io {
        /// The path as given.
        path: PathBuf,
        /// Its error.
        source: std::io::Error,
    },
}

impl FileError {
    /// The path the error is about.
    pub(crate) fn path(&self) -> &Path {
        match self {
            FileError::NotRegular { path, .. }
            | FileError::TooLarge { path, .. }
            | FileError::Outside { path, .. }
            | FileError::NotText { path, .. }
            | FileError::NotRuleFile { path, .. }
            | FileError::LinkOut { path, .. }
            | FileError::Link { path }
            | FileError::ReadOnly { path }
            | FileError::Io { path, .. } => path,
        }
    }

    /// The problem without the path (for a diagnostic that already shows where).
    pub(crate) fn problem(&self) -> String {
        match self {
            FileError::NotRegular { kind, .. } => format!("it is {kind}, not a regular file"),
            FileError::TooLarge { limit, .. } => {
                format!("it is larger than the limit of {}", bytes(*limit))
            }
            FileError::Outside { roots, .. } => format!(
                "it is outside {} (pass `--allow-path DIR` to read there)",
                roots
                    .iter()
                    .map(|r| format!("`{}`", r.display()))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            FileError::NotText { line, column, .. } => {
                format!("it is not UTF-8 text (invalid byte at line {line}, column {column})")
            }
            FileError::NotRuleFile { target, .. } => format!(
                "it leads to `{}`, which is not a rule file (rule files end in `.cred`)",
                target.display()
            ),
            FileError::LinkOut { target, dir, .. } => format!(
                "it is a link out of `{}` (to `{}`); a directory's rule files are read only from inside it",
                dir.display(),
                target.display()
            ),
            FileError::Link { .. } => {
                "it is a link to a file elsewhere, and writing through it would change that file; remove the link, or name the file itself".into()
            }
            FileError::ReadOnly { .. } => {
                "it is read-only; make it writable to let credence rewrite it".into()
            }
            FileError::Io { source, .. } => source.to_string(),
        }
    }

    fn io(path: &Path, source: std::io::Error) -> FileError {
        FileError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.path().display(), self.problem())
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `12 MiB`, `512 KiB`, `300 bytes`.
pub(crate) fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// What a file that is not a regular file is, for a message: "a FIFO", "a link", ….
pub(crate) fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_symlink() {
        return "a link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file of at most `limit` bytes.
pub(crate) fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    // Refuse special files before opening: opening a FIFO for reading blocks until a writer
    // comes, and a device can stream forever.
    let meta = std::fs::metadata(path).map_err(|e| FileError::io(path, e))?;
    if !meta.is_file() {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_of(meta.file_type()),
        });
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Should the path have been swapped for a FIFO since, opening still does not block.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| FileError::io(path, e))?;
    let meta = file.metadata().map_err(|e| FileError::io(path, e))?;
    if !meta.is_file() {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_of(meta.file_type()),
        });
    }
    if meta.len() > limit {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    read_limited(path, file, limit)
}

/// Opens an input the user named for streaming: a regular file, or a pipe or FIFO (process
/// substitution, `mkfifo`), which is read as it comes. Directories, devices and sockets are
/// refused.
pub(crate) fn open_stream(path: &Path) -> Result<std::fs::File, FileError> {
    let meta = std::fs::metadata(path).map_err(|e| FileError::io(path, e))?;
    #[cfg(unix)]
    let is_fifo = {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_fifo()
    };
    #[cfg(not(unix))]
    let is_fifo = false;
    if !meta.is_file() && !is_fifo {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_of(meta.file_type()),
        });
    }
    std::fs::File::open(path).map_err(|e| FileError::io(path, e))
}

/// Reads all of a stream, failing once it passes `limit` bytes.
pub(crate) fn read_limited(
    path: &Path,
    reader: impl Read,
    limit: u64,
) -> Result<Vec<u8>, FileError> {
    let mut out = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| FileError::io(path, e))?;
    if out.len() as u64 > limit {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(out)
}

/// Reads a regular UTF-8 text file of at most `limit` bytes.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    String::from_utf8(read_bytes(path, limit)?).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // INVARIANT: the bytes before `valid_up_to` are UTF-8.
        let before = std::str::from_utf8(valid).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        FileError::NotText {
            path: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    })
}

/// Directories that files named by other files (includes, schemas, fixture cases) must stay
/// inside. Symlinks are resolved before the check, so a link cannot lead out.
#[derive(Debug, Clone, Default)]
pub(crate) struct Roots {
    dirs: Vec<PathBuf>,
}

impl Roots {
    /// No roots: nothing named by another file can be read.
    pub(crate) fn none() -> Roots {
        Roots::default()
    }

    /// Adds a directory (or the directory of a file) as a root.
    pub(crate) fn allow(&mut self, path: &Path) {
        let dir = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(Path::new(""))
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(canonical) = std::fs::canonicalize(dir)
            && !self.dirs.contains(&canonical)
        {
            self.dirs.push(canonical);
        }
    }

    /// Checks that `path` resolves inside a root.
    pub(crate) fn check(&self, path: &Path) -> Result<(), FileError> {
        let resolved = std::fs::canonicalize(path).map_err(|e| FileError::io(path, e))?;
        if self.dirs.iter().any(|root| resolved.starts_with(root)) {
            Ok(())
        } else {
            Err(FileError::Outside {
                path: path.to_path_buf(),
                roots: self.dirs.clone(),
            })
        }
    }
}

/// Writes an output the user named (a report): a regular file (or a new one) is written
/// atomically; a character device or FIFO (`/dev/null`, `/dev/stdout`, a pipe) is written into,
/// never replaced; anything else is refused.
pub(crate) fn write_output(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    match std::fs::metadata(path) {
        Ok(meta) if is_stream(&meta) => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| FileError::io(path, e))?;
            file.write_all(contents)
                .and_then(|()| file.flush())
                .map_err(|e| FileError::io(path, e))
        }
        _ => write_atomically(path, contents),
    }
}

fn is_stream(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_char_device() || meta.file_type().is_fifo()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Rewrites a file the user named in place of its old text (`fmt`, `check --fix`): only a
/// regular file, through a link only to a file in the link's own directory (a link elsewhere
/// would change a file outside the rules), never one that is read-only. Written atomically,
/// keeping its permissions, owner and group; a file with other hard links is written in place
/// instead, so that every link keeps seeing it.
pub(crate) fn rewrite(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let link = std::fs::symlink_metadata(path).map_err(|e| FileError::io(path, e))?;
    let target = if link.file_type().is_symlink() {
        let target = std::fs::canonicalize(path).map_err(|e| FileError::io(path, e))?;
        let home = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let home = std::fs::canonicalize(home).map_err(|e| FileError::io(path, e))?;
        if target.parent() != Some(home.as_path()) {
            return Err(FileError::Link {
                path: path.to_path_buf(),
            });
        }
        target
    } else {
        path.to_path_buf()
    };
    let meta = std::fs::metadata(&target).map_err(|e| FileError::io(path, e))?;
    if !meta.is_file() {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_of(meta.file_type()),
        });
    }
    if meta.permissions().readonly() {
        return Err(FileError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(&target)
                .map_err(|e| FileError::io(path, e))?;
            return file
                .write_all(contents)
                .and_then(|()| file.sync_all())
                .map_err(|e| FileError::io(path, e));
        }
    }
    write_replacing(path, &target, contents, Some(&meta))
}

/// Writes a file of a directory credence fills (golden traces, report pages): atomically, and
/// never through a link already there, which would change a file outside the directory.
pub(crate) fn write_own(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(FileError::Link {
            path: path.to_path_buf(),
        }),
        _ => write_atomically(path, contents),
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the target's directory, synced,
/// then renamed over the target. A symlink is written through to its target; an existing file
/// keeps its permissions; anything that is not a regular file is refused. On any error nothing
/// is left behind.
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let target = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(|e| FileError::io(path, e))?
        }
        _ => path.to_path_buf(),
    };
    let existing = match std::fs::metadata(&target) {
        Ok(meta) if meta.is_file() => Some(meta),
        Ok(meta) => {
            return Err(FileError::NotRegular {
                path: path.to_path_buf(),
                kind: kind_of(meta.file_type()),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(FileError::io(path, e)),
    };
    write_replacing(path, &target, contents, existing.as_ref())
}

/// Writes `contents` to a temporary file beside `target`, with the permissions, owner and group
/// of the file it replaces (`existing`), synced, then renamed over `target`. Temporary files that
/// a killed run left in the directory (more than an hour old) are removed first.
fn write_replacing(
    path: &Path,
    target: &Path,
    contents: &[u8],
    existing: Option<&std::fs::Metadata>,
) -> Result<(), FileError> {
    let permissions = existing.map(std::fs::Metadata::permissions);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| FileError::io(path, e))?;
    remove_stale_temporaries(&dir);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".credence-").suffix(".tmp");
    #[cfg(unix)]
    {
        // New files get the usual mode (0666 less the umask), not the temporary file's 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temporary = builder
        .tempfile_in(&dir)
        .map_err(|e| FileError::io(path, e))?;
    temporary
        .write_all(contents)
        .map_err(|e| FileError::io(path, e))?;
    if let Some(permissions) = permissions {
        temporary
            .as_file()
            .set_permissions(permissions)
            .map_err(|e| FileError::io(path, e))?;
    }
    #[cfg(unix)]
    if let Some(existing) = existing {
        // Keep the owner and group where allowed (the group, at least, for a member of it).
        use std::os::unix::fs::MetadataExt;
        let file = temporary.as_file();
        if std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid())).is_err() {
            let _ = std::os::unix::fs::fchown(file, None, Some(existing.gid()));
        }
    }
    temporary
        .as_file()
        .sync_all()
        .map_err(|e| FileError::io(path, e))?;
    temporary
        .persist(target)
        .map_err(|e| FileError::io(path, e.error))?;
    // Make the rename itself durable.
    if let Ok(directory) = std::fs::File::open(&dir) {
        let _ = directory.sync_all();
    }
    Ok(())
}

/// How old a temporary file of an interrupted write must be before a later run removes it.
const STALE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the temporary files (`.credence-*.tmp`) of writes that were killed, more than an
/// hour ago, from `dir`: never a file another run may still be writing.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".credence-") && name.ends_with(".tmp")) {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
