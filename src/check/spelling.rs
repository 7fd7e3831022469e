//! Without a case schema, a misspelt case path cannot be told from a real one; a path one
//! letter away from another path the rules read is the likely slip, and is warned about.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, NameIndex};
use crate::syntax::ast::Ident;

use super::Checker;

/// One reading of a case path: the record it is under and its segments.
pub(super) struct PathUse {
    record: u32,
    segments: Vec<Ident>,
}

impl Checker<'_> {
    /// Notes a case path read (when there is no schema to check it against).
    pub(super) fn note_path_use(&mut self, record: u32, segments: &[Ident]) {
        if self.reporting && self.schema.is_none() && !segments.is_empty() {
            self.path_uses.push(PathUse {
                record,
                segments: segments.to_vec(),
            });
        }
    }

    /// W003 for each path one edit away from another path: at the one read less often, with
    /// patches for every reading of it; on a tie, at the one read later, without a patch
    /// (either may be the slip).
    pub(super) fn warn_near_paths(&mut self) {
        // Each distinct path: where it is read, in order.
        let mut paths: BTreeMap<(u32, String), Vec<usize>> = BTreeMap::new();
        for (index, use_) in self.path_uses.iter().enumerate() {
            paths
                .entry((use_.record, dotted(&use_.segments)))
                .or_default()
                .push(index);
        }
        let mut by_record: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
        for (record, path) in paths.keys() {
            by_record.entry(*record).or_default().push(path);
        }
        let mut warnings = Vec::new();
        for (record, names) in &by_record {
            let index = NameIndex::new(names.iter().copied());
            for name in names {
                let Some(other) = index.closest(name, 0.9) else {
                    continue;
                };
                let (Some(mine), Some(theirs)) = (
                    paths.get(&(*record, name.to_string())),
                    paths.get(&(*record, other.to_string())),
                ) else {
                    continue;
                };
                let meant_other = theirs.len() > mine.len()
                    || (theirs.len() == mine.len() && theirs[0] < mine[0]);
                if meant_other {
                    let certain = theirs.len() > mine.len();
                    warnings.push(self.near_path(mine, other, theirs.len(), certain));
                }
            }
        }
        warnings.sort_by_key(|d| (d.span.file.0, d.span.start));
        self.diags.extend(warnings);
    }

    fn near_path(
        &self,
        uses: &[usize],
        other: &str,
        other_reads: usize,
        certain: bool,
    ) -> Diagnostic {
        let first = &self.path_uses[uses[0]].segments;
        let name = dotted(first);
        let wanted: Vec<&str> = other.split('.').collect();
        let span = first[0].span.to(first[first.len() - 1].span);
        let times = |n: usize| match n {
            1 => "once".to_string(),
            2 => "twice".to_string(),
            n => format!("{n} times"),
        };
        let mut diagnostic = Diagnostic::new(
            Code::NearPath,
            span,
            format!("case path `{name}` is one letter away from `{other}`"),
        )
        .label(format!("read {}; `{other}` is read {}", times(uses.len()), times(other_reads)))
        .help(format!(
            "{} A case schema declared in the `ruleset` header (`schema \"case.schema.json\"`) would check every path",
            if certain {
                format!("did you mean `{other}`?")
            } else {
                "If one of the two is misspelt, correct it.".to_string()
            }
        ));
        if !certain {
            return diagnostic;
        }
        // The segment that differs, in every reading.
        for &index in uses {
            let segments = &self.path_uses[index].segments;
            if segments.len() != wanted.len() {
                continue;
            }
            for (segment, want) in segments.iter().zip(&wanted) {
                if segment.name != *want {
                    diagnostic = diagnostic.suggest_if(segment.span, Some(*want));
                }
            }
        }
        diagnostic
    }
}

/// `a.b.c`.
fn dotted(segments: &[Ident]) -> String {
    let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
    names.join(".")
}
