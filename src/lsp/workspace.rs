//! The documents the editor has open, and the rule sets they belong to: a document is checked
//! with every `.cred` file of its directory, as `credence check DIR` checks them, its unsaved
//! text (and that of other open files) in place of what is on disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

use crate::check::{Analysis, Disk, FileSource, Options, analyze, is_rule_file, rule_files_inside};
use crate::files::FileError;
use crate::limits::Limits;

/// The open documents, by path.
#[derive(Default)]
pub(crate) struct Workspace {
    open: HashMap<PathBuf, String>,
}

impl Workspace {
    /// Opens or replaces a document.
    pub(crate) fn set(&mut self, path: PathBuf, text: String) {
        self.open.insert(path, text);
    }

    /// Closes a document.
    pub(crate) fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    /// The text of a document the editor has open.
    pub(crate) fn text(&self, path: &Path) -> Option<&str> {
        self.open.get(path).map(String::as_str)
    }

    /// Checks the rule set `path` belongs to.
    pub(crate) fn analyze(&self, path: &Path) -> Result<Analysis, FileError> {
        let roots = self.rule_set(path);
        let limits = Limits::default();
        let overlay = Overlay {
            open: &self.open,
            disk: Disk::new(&roots, &[], limits.rule_file_bytes),
            limit: limits.rule_file_bytes,
        };
        analyze(
            &roots,
            &overlay,
            &Options {
                schema: None,
                limits,
            },
        )
    }

    /// The rule files checked together with `path`: its directory's `.cred` files on disk and
    /// open, in name order.
    fn rule_set(&self, path: &Path) -> Vec<PathBuf> {
        let dir = path.parent().unwrap_or(Path::new("/"));
        // A link leading out of the directory is never read.
        let mut files: Vec<PathBuf> = rule_files_inside(dir)
            .into_iter()
            .filter(|p| p.is_file())
            .collect();
        files.extend(
            self.open
                .keys()
                .filter(|p| p.parent() == Some(dir) && is_rule_file(p))
                .cloned(),
        );
        files.push(path.to_path_buf());
        files.sort();
        files.dedup();
        files
    }
}

/// Open documents' text over the files on disk, under the same size limit.
struct Overlay<'w> {
    open: &'w HashMap<PathBuf, String>,
    disk: Disk,
    limit: u64,
}

impl FileSource for Overlay<'_> {
    fn read(&self, path: &Path, named_by_file: bool) -> Result<String, FileError> {
        match self.open.get(path) {
            Some(text) if text.len() as u64 > self.limit => Err(FileError::TooLarge {
                path: path.to_path_buf(),
                limit: self.limit,
            }),
            Some(text) => Ok(text.clone()),
            None => self.disk.read(path, named_by_file),
        }
    }
}

/// The path of a `file:` URI.
pub(crate) fn path_of(uri: &Uri) -> Option<PathBuf> {
    if !uri
        .scheme()
        .is_some_and(|s| s.as_str().eq_ignore_ascii_case("file"))
    {
        return None;
    }
    let decoded = uri.path().as_estr().decode().into_string().ok()?;
    Some(PathBuf::from(decoded.into_owned()))
}

/// The `file:` URI of a path.
pub(crate) fn uri_of(path: &Path) -> Option<Uri> {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
        if keep {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&uri).ok()
}

#[cfg(test)]
mod tests {
    use super::{path_of, uri_of};
    use std::path::Path;

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let path = Path::new("/tmp/rule sets/é#1.cred");
        let uri = uri_of(path).expect("a URI");
        assert_eq!(uri.as_str(), "file:///tmp/rule%20sets/%C3%A9%231.cred");
        assert_eq!(path_of(&uri).as_deref(), Some(path));
    }
}
