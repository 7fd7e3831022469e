//! The `profile` block: checked against the scores, their bands and criteria, and the case
//! schema, and lowered to a [`Profile`].

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic};
use crate::profile::{
    Actor, Baseline, Category, DateRule, Probability, Profile, Stance, Start, Step, Subject,
};
use crate::program::ScoreDef;
use crate::source::Span;
use crate::syntax::ast::{CasePath, Ident, Item, PathStep, ProfileEntry, StanceRow, Template};

use super::{Checker, quoted_list};
use crate::diagnostic::closest;

impl<'a> Checker<'a> {
    /// Reads the rule set's `profile` (at most one), once its scores are lowered.
    pub(super) fn profile(&mut self, items: &[&'a Item], scores: &[ScoreDef]) -> Profile {
        let mut profile = Profile::default();
        let mut first: Option<Span> = None;
        for item in items {
            let Item::Profile(block) = item else { continue };
            if let Some(first) = first {
                let help = self
                    .two_files(first, block.span)
                    .unwrap_or_else(|| "merge the entries into one `profile` block".to_string());
                self.error(
                    Diagnostic::new(Code::Duplicate, block.span, "a rule set has one `profile`")
                        .label("second profile")
                        .note(first, "first profile")
                        .help(help),
                );
                continue;
            }
            first = Some(block.span);
            profile.declared = true;
            let mut seen: Vec<(&'static str, Span)> = Vec::new();
            let mut subject: Option<(Vec<String>, String, Span)> = None;
            for entry in &block.entries {
                if let Some((kind, span)) = single(entry) {
                    if let Some((_, earlier)) = seen.iter().find(|(k, _)| *k == kind) {
                        self.error(
                            Diagnostic::new(
                                Code::Duplicate,
                                span,
                                format!("a profile has one `{kind}`"),
                            )
                            .label("second one")
                            .note(*earlier, "first one")
                            .help("keep one of the two"),
                        );
                        continue;
                    }
                    seen.push((kind, span));
                }
                match entry {
                    ProfileEntry::Title(title) => profile.title = self.plain(title),
                    ProfileEntry::Subject(path, noun) => {
                        if let (Some(keys), Some(noun)) = (self.keys(path), self.plain(noun)) {
                            subject = Some((keys, noun, path.span));
                        }
                    }
                    ProfileEntry::Start(path, label) => {
                        if let (Some(keys), Some(label)) = (self.keys(path), self.plain(label)) {
                            profile.start = Some(Start { path: keys, label });
                        }
                    }
                    ProfileEntry::Date(what, by) => {
                        if let Some(rule) = self.date_rule(what, by) {
                            profile.dating.push(rule);
                        }
                    }
                    ProfileEntry::Probability(score, source) => {
                        profile.probability = self.probability(score, source.as_ref(), scores);
                    }
                    ProfileEntry::Category(score, rows) => {
                        profile.category = self.category(score, rows, scores, block.span);
                    }
                    ProfileEntry::Actor(path, kind) => {
                        let kind = match kind {
                            Some(kind) => match self.plain(kind) {
                                Some(kind) => Some(kind),
                                None => continue,
                            },
                            None => None,
                        };
                        if let Some(path) = self.keys(path) {
                            profile.actor = Some(Actor { path, kind });
                        }
                    }
                    ProfileEntry::Channel(path) => profile.channel = self.keys(path),
                    ProfileEntry::Baseline(name, file, only) => {
                        if let Some(baseline) = self.baseline(name, file, only.as_ref()) {
                            profile.baselines.push(baseline);
                        }
                    }
                }
            }
            // The subject's time is the field that dates it: `claim+24h` counts from there.
            if let Some((path, noun, span)) = subject {
                let time = profile.dating.iter().find_map(|rule| match rule {
                    DateRule::ByField { object, field }
                        if object.iter().map(key).collect::<Option<Vec<_>>>().as_ref()
                            == Some(&path) =>
                    {
                        Some(path.iter().cloned().chain([field.clone()]).collect())
                    }
                    _ => None,
                });
                match time {
                    Some(time) => profile.subject = Some(Subject { path, noun, time }),
                    None => self.error(
                        Diagnostic::new(
                            Code::BadProfile,
                            span,
                            format!("nothing dates the subject `{}`", path.join(".")),
                        )
                        .label("no `date` for it")
                        .help(format!(
                            "say which of its fields holds its time, e.g. `date {} by published_at`: `claim+24h` counts from it",
                            path.join(".")
                        )),
                    ),
                }
            }
        }
        profile
    }

    /// A string without interpolation, or an error.
    fn plain(&mut self, text: &Template) -> Option<String> {
        match text.plain() {
            Some(plain) => Some(plain.to_string()),
            None => {
                self.error(
                    Diagnostic::new(
                        Code::BadProfile,
                        text.span,
                        "a profile string holds no `{…}`",
                    )
                    .label("interpolated")
                    .help("write plain text; escape a brace as `\\{`"),
                );
                None
            }
        }
    }

    /// A path of keys only (no `[]` or `*`), checked against the schema.
    fn keys(&mut self, path: &CasePath) -> Option<Vec<String>> {
        let keys: Option<Vec<String>> = path
            .steps
            .iter()
            .map(|step| match step {
                PathStep::Key(k) => Some(k.clone()),
                _ => None,
            })
            .collect();
        let Some(keys) = keys else {
            self.error(
                Diagnostic::new(Code::BadProfile, path.span, "expected a path of fields")
                    .label("`[]` or `*` here")
                    .help("name one value of a case, such as `claim.published_at`"),
            );
            return None;
        };
        self.profile_path_in_schema(path).then_some(keys)
    }

    /// `date X by field` or `date A.* by B.*`.
    fn date_rule(&mut self, what: &CasePath, by: &CasePath) -> Option<DateRule> {
        let all_keys = |p: &CasePath| p.steps.iter().all(|s| matches!(s, PathStep::Key(_)));
        let parallel = |p: &CasePath| {
            p.steps.last() == Some(&PathStep::Any)
                && p.steps[..p.steps.len() - 1]
                    .iter()
                    .all(|s| matches!(s, PathStep::Key(_)))
        };
        if parallel(what) && parallel(by) {
            if !(self.profile_path_in_schema(what) && self.profile_path_in_schema(by)) {
                return None;
            }
            let keys = |p: &CasePath| -> Vec<String> {
                p.steps
                    .iter()
                    .filter_map(|s| match s {
                        PathStep::Key(k) => Some(k.clone()),
                        _ => None,
                    })
                    .collect()
            };
            return Some(DateRule::Parallel {
                values: keys(what),
                times: keys(by),
            });
        }
        let object_ok = !what.steps.contains(&PathStep::Any)
            && what
                .steps
                .first()
                .is_some_and(|s| matches!(s, PathStep::Key(_)));
        let field = match by.steps.as_slice() {
            [PathStep::Key(field)] if object_ok => field.clone(),
            _ => {
                let help = if all_keys(by) && by.steps.len() > 1 {
                    "the time is a field of the object itself: `date posts[] by at`".to_string()
                } else {
                    "write `date OBJECT by FIELD` (`date posts[] by at`), or `date A.* by B.*` to date each field of A by the same field of B".to_string()
                };
                self.error(
                    Diagnostic::new(
                        Code::BadProfile,
                        what.span.to(by.span),
                        "this does not say how to date evidence",
                    )
                    .label("not a dating rule")
                    .help(help),
                );
                return None;
            }
        };
        if !self.profile_path_in_schema(what) {
            return None;
        }
        let object = what
            .steps
            .iter()
            .map(|s| match s {
                PathStep::Key(k) => Step::Key(k.clone()),
                _ => Step::Items,
            })
            .collect();
        Some(DateRule::ByField { object, field })
    }

    /// Checks a profile path against the case schema (when there is one): each key a field,
    /// `[]` only after a list, `*` only at the end of an object.
    fn profile_path_in_schema(&mut self, path: &CasePath) -> bool {
        let Some(schema) = self.schema else {
            return true;
        };
        let mut node = None;
        let mut parent: Vec<&str> = Vec::new();
        for (index, step) in path.steps.iter().enumerate() {
            match step {
                PathStep::Key(k) => match schema.lookup(node.as_ref(), &[k.as_str()]) {
                    Ok((_, found)) => node = Some(found),
                    Err(err) => {
                        let within = if parent.is_empty() {
                            "the case".to_string()
                        } else {
                            format!("`{}`", parent.join("."))
                        };
                        let close = closest(k, err.candidates.iter().map(String::as_str));
                        self.error(
                            Diagnostic::new(
                                Code::UnknownField,
                                path.span,
                                format!("{within} has no field `{k}` in the case schema"),
                            )
                            .label("not in the schema")
                            .help(match close {
                                Some(close) => format!("did you mean `{close}`?"),
                                None => format!("{within} has {}", quoted_list(&err.candidates)),
                            }),
                        );
                        return false;
                    }
                },
                PathStep::Items => {
                    match node.as_ref().and_then(|n| schema.items(n)) {
                        Some(items) => node = Some(items),
                        None => {
                            self.error(
                                Diagnostic::new(
                                    Code::BadProfile,
                                    path.span,
                                    format!("`{}` is not a list", parent.join(".")),
                                )
                                .label("`[]` after a value that is not a list")
                                .help("`[]` stands for each item of a list"),
                            );
                            return false;
                        }
                    }
                    continue;
                }
                PathStep::Any => {
                    if index + 1 != path.steps.len() {
                        self.error(
                            Diagnostic::new(Code::BadProfile, path.span, "`*` ends a path")
                                .label("more after `*`")
                                .help("`A.*` stands for each field of A"),
                        );
                        return false;
                    }
                    continue;
                }
            }
            if let PathStep::Key(k) = step {
                parent.push(k);
            }
        }
        true
    }

    fn probability(
        &mut self,
        score: &Ident,
        source: Option<&Ident>,
        scores: &[ScoreDef],
    ) -> Option<Probability> {
        let index = self.profile_score(score, scores)?;
        let def = &scores[index];
        if !matches!(def.mode, crate::program::ScoreMode::Evidence { .. }) {
            self.error(
                Diagnostic::new(
                    Code::BadProfile,
                    score.span,
                    format!("`{}` adds points: it has no probability", score.name),
                )
                .label("an additive score")
                .help("name an evidence score (`evidence prior …`)"),
            );
            return None;
        }
        let source = match source {
            None => None,
            Some(name) => match def.criteria.iter().position(|c| c.name == name.name) {
                Some(found) => Some(found),
                None => {
                    let close = closest(&name.name, def.criteria.iter().map(|c| c.name.as_str()));
                    self.error(
                        Diagnostic::new(
                            Code::UnknownName,
                            name.span,
                            format!("`{}` has no criterion `{}`", def.name, name.name),
                        )
                        .label("not a criterion of this score")
                        .help(match close {
                            Some(close) => format!("did you mean `{close}`?"),
                            None => "name the criterion that grades the claim's source".into(),
                        }),
                    );
                    return None;
                }
            },
        };
        Some(Probability {
            score: index,
            source,
        })
    }

    fn category(
        &mut self,
        score: &Ident,
        rows: &[StanceRow],
        scores: &[ScoreDef],
        profile: Span,
    ) -> Option<Category> {
        let index = self.profile_score(score, scores)?;
        let Some(bands) = &scores[index].bands else {
            self.error(
                Diagnostic::new(
                    Code::BadProfile,
                    score.span,
                    format!("`{}` has no bands to categorise by", score.name),
                )
                .label("no `bands`")
                .help("name a score whose bands are the categories"),
            );
            return None;
        };
        let mut labels: Vec<&str> = Vec::new();
        for row in &bands.rows {
            if !labels.contains(&row.label.as_str()) {
                labels.push(&row.label);
            }
        }
        let mut stances: Vec<(String, Stance)> = Vec::new();
        let mut ok = true;
        for row in rows {
            let Some(label) = self.plain(&row.label) else {
                ok = false;
                continue;
            };
            if !labels.contains(&label.as_str()) {
                let close = closest(&label, labels.iter().copied());
                self.error(
                    Diagnostic::new(
                        Code::UnknownBand,
                        row.label.span,
                        format!("`{}` has no band `{label}`", score.name),
                    )
                    .label("not one of its bands")
                    .help(match close {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("its bands are {}", quoted_list(&labels)),
                    }),
                );
                ok = false;
                continue;
            }
            let words: Vec<&str> = row.stance.iter().map(|w| w.name.as_str()).collect();
            let written = words.join(" ");
            let span = row.stance[0].span.to(row.stance[row.stance.len() - 1].span);
            let Some((_, stance)) = Stance::WRITTEN.iter().find(|(w, _)| *w == written) else {
                self.error(
                    Diagnostic::new(
                        Code::BadProfile,
                        span,
                        format!("`{written}` is not a stance"),
                    )
                    .label("not a stance")
                    .help("write `agree strongly`, `agree`, `neutral`, `disagree` or `disagree strongly`"),
                );
                ok = false;
                continue;
            };
            if stances.iter().any(|(l, _)| *l == label) {
                self.error(
                    Diagnostic::new(
                        Code::Duplicate,
                        row.label.span,
                        format!("`{label}` is given a stance twice"),
                    )
                    .label("again")
                    .help("give each band one stance"),
                );
                ok = false;
                continue;
            }
            stances.push((label, *stance));
        }
        let missing: Vec<&str> = labels
            .iter()
            .copied()
            .filter(|l| !stances.iter().any(|(s, _)| s == l))
            .collect();
        if ok && !missing.is_empty() {
            self.error(
                Diagnostic::new(
                    Code::BadProfile,
                    score.span,
                    format!("the category gives no stance to {}", quoted_list(&missing)),
                )
                .label("every band needs a stance")
                .note(profile, "in this profile")
                .help("add `\"label\" => agree` (or `neutral`, `disagree`, …) for each"),
            );
            ok = false;
        }
        ok.then_some(Category {
            score: index,
            stances,
        })
    }

    /// A score the profile names, by index.
    fn profile_score(&mut self, score: &Ident, scores: &[ScoreDef]) -> Option<usize> {
        match scores.iter().position(|s| s.name == score.name) {
            Some(index) => Some(index),
            None => {
                let close = closest(&score.name, scores.iter().map(|s| s.name.as_str()));
                self.error(
                    Diagnostic::new(
                        Code::UnknownName,
                        score.span,
                        format!("there is no score `{}`", score.name),
                    )
                    .label("not a score")
                    .help(match close {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!(
                            "the scores are {}",
                            quoted_list(
                                &scores.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()
                            )
                        ),
                    }),
                );
                None
            }
        }
    }

    fn baseline(
        &mut self,
        name: &Template,
        file: &Template,
        only: Option<&Ident>,
    ) -> Option<Baseline> {
        let name = self.plain(name)?;
        let relative = self.plain(file)?;
        if let Some(word) = only.filter(|w| w.name != "binary") {
            self.error(
                Diagnostic::new(
                    Code::BadProfile,
                    word.span,
                    format!("`{}` is not how a baseline is compared", word.name),
                )
                .label("expected `binary` or nothing")
                .help("`binary`: the baseline answers only whether the claim is credible"),
            );
            return None;
        }
        if !relative.ends_with(".cred") {
            self.error(
                Diagnostic::new(
                    Code::BadProfile,
                    file.span,
                    "a baseline is a `.cred` rule file",
                )
                .label("not a rule file")
                .help("give the path of its rule file, relative to this file"),
            );
            return None;
        }
        let declared_in = Path::new(&self.sources.file(file.span.file).name);
        let path = declared_in.parent().unwrap_or(Path::new("")).join(relative);
        Some(Baseline {
            name,
            path,
            binary_only: only.is_some(),
        })
    }
}

/// The entries a profile has at most one of, with their span.
fn single(entry: &ProfileEntry) -> Option<(&'static str, Span)> {
    Some(match entry {
        ProfileEntry::Title(t) => ("title", t.span),
        ProfileEntry::Subject(p, _) => ("subject", p.span),
        ProfileEntry::Start(p, _) => ("start", p.span),
        ProfileEntry::Probability(s, _) => ("probability", s.span),
        ProfileEntry::Category(s, _) => ("category", s.span),
        ProfileEntry::Actor(p, _) => ("actor", p.span),
        ProfileEntry::Channel(p) => ("channel", p.span),
        ProfileEntry::Date(..) | ProfileEntry::Baseline(..) => return None,
    })
}

/// A key step's name.
fn key(step: &Step) -> Option<String> {
    match step {
        Step::Key(k) => Some(k.clone()),
        Step::Items => None,
    }
}
