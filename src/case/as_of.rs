//! What was known at a moment: a case with everything that became known later left out, and
//! the moments at which evidence arrived (docs/CASE_FORMAT.md, "Known-at times").
//!
//! A piece of evidence is dated by, in order: its own `known_at`; the root `known_at` map (by
//! path); the dating rules of the rule set's profile (`date posts[] by at`, `date
//! incident.facts.* by incident.facts_public_at.*`). A range is known once its latest end has
//! passed. Undated evidence is known from the start.

use std::collections::HashSet;

use serde_json::Value as Json;

use crate::profile::{DateRule, Profile, Step as ProfileStep};
use crate::time;

/// One step of a path into a case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// An object field.
    Key(String),
    /// A list item.
    Index(usize),
}

/// A piece of evidence and when it became known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    /// Where it is in the case.
    pub path: Vec<Step>,
    /// When it became known, milliseconds since the epoch.
    pub known_at: i64,
}

impl Dated {
    /// Its path as written in rules: `claim`, `posts[3]`, `incident.facts.killed`.
    pub fn path_text(&self) -> String {
        path_text(&self.path)
    }

    /// The path with list indexes dropped (`posts[]`), to group items of one list.
    pub fn list_text(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Index(_) => out.push_str("[]"),
            }
        }
        out
    }
}

/// Why a case's evidence could not be dated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError {
    /// The path of the bad time.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for DateError {}

/// Every dated piece of evidence in a case, in document order, by its own `known_at`, the
/// root `known_at` map and the profile's dating rules.
pub fn dated(case: &Json, profile: &Profile) -> Result<Vec<Dated>, DateError> {
    let by_field: Vec<(String, &str)> = profile
        .dating
        .iter()
        .filter_map(|rule| match rule {
            DateRule::ByField { object, field } => Some((rule_path(&object[..]), field.as_str())),
            DateRule::Parallel { .. } => None,
        })
        .collect();
    let mut out = Vec::new();
    walk(case, &mut Vec::new(), &by_field, &mut out)?;
    for rule in &profile.dating {
        let DateRule::Parallel { values, times } = rule else {
            continue;
        };
        if let Some(Json::Object(map)) = pointer(case, &strs(&times[..])) {
            for (field, at) in map {
                let value_path: Vec<&str> = strs(&values[..])
                    .into_iter()
                    .chain([field.as_str()])
                    .collect();
                let time_path: Vec<&str> = strs(&times[..])
                    .into_iter()
                    .chain([field.as_str()])
                    .collect();
                if pointer(case, &value_path).is_some()
                    && let Some(known_at) = time_of(at, &path_text(&keys(&time_path)))?
                {
                    out.push(Dated {
                        path: keys(&value_path),
                        known_at,
                    });
                }
            }
        }
    }
    if let Some(Json::Object(map)) = case.get("known_at") {
        for (path, at) in map {
            let steps = parse_path(path).ok_or_else(|| DateError {
                path: format!("known_at.{path}"),
                message: "expected a path such as `event.findings[2].at`".into(),
            })?;
            if let Some(known_at) = time_of(at, &format!("known_at.{path}"))? {
                out.push(Dated {
                    path: steps,
                    known_at,
                });
            }
        }
    }
    Ok(out)
}

/// Keys as `&str`s.
fn strs(keys: &[String]) -> Vec<&str> {
    keys.iter().map(String::as_str).collect()
}

/// A dating rule's object as [`Dated::list_text`] writes paths (`posts[]`).
fn rule_path(object: &[ProfileStep]) -> String {
    let mut out = String::new();
    for step in object {
        match step {
            ProfileStep::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            ProfileStep::Items => out.push_str("[]"),
        }
    }
    out
}

fn walk(
    value: &Json,
    path: &mut Vec<Step>,
    by_field: &[(String, &str)],
    out: &mut Vec<Dated>,
) -> Result<(), DateError> {
    match value {
        Json::Object(fields) => {
            // The root's `known_at` is the map of paths, read by `dated`.
            let own = if path.is_empty() {
                None
            } else {
                fields.get("known_at")
            };
            let by_convention = || {
                let list = list_path(path);
                by_field
                    .iter()
                    .find(|(at, _)| *at == list)
                    .and_then(|(_, field)| Some((*field, fields.get(*field)?)))
            };
            if let Some((field, at)) = own.map(|at| ("known_at", at)).or_else(by_convention) {
                let field_path = format!("{}.{field}", path_text(path));
                if let Some(known_at) = time_of(at, &field_path)? {
                    out.push(Dated {
                        path: path.clone(),
                        known_at,
                    });
                }
            }
            for (key, child) in fields {
                if child.is_object() || child.is_array() {
                    path.push(Step::Key(key.clone()));
                    walk(child, path, by_field, out)?;
                    path.pop();
                }
            }
        }
        Json::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                walk(item, path, by_field, out)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

/// When a time value says something became known: a timestamp, or the latest end of a range
/// (its earliest when it has no latest); `None` for null.
pub(crate) fn time_of(at: &Json, path: &str) -> Result<Option<i64>, DateError> {
    let parse = |text: &str, path: String| {
        time::parse(text).map_err(|e| DateError {
            path,
            message: format!("expected an RFC 3339 timestamp ({e})"),
        })
    };
    match at {
        Json::Null => Ok(None),
        Json::String(text) => parse(text, path.to_string()).map(Some),
        Json::Object(range) => {
            // Both ends must be times (or null), the earliest not after the latest.
            let mut ends = [None, None];
            for (slot, key) in ends.iter_mut().zip(["earliest", "latest"]) {
                *slot = match range.get(key) {
                    None | Some(Json::Null) => None,
                    Some(Json::String(text)) => Some(parse(text, format!("{path}.{key}"))?),
                    Some(_) => {
                        return Err(DateError {
                            path: format!("{path}.{key}"),
                            message: "expected an RFC 3339 timestamp".into(),
                        });
                    }
                };
            }
            if let [Some(earliest), Some(latest)] = ends
                && earliest > latest
            {
                return Err(DateError {
                    path: path.to_string(),
                    message: "`earliest` is after `latest`".into(),
                });
            }
            let end = range
                .get("latest")
                .filter(|v| !v.is_null())
                .map(|v| ("latest", v))
                .or_else(|| range.get("earliest").map(|v| ("earliest", v)));
            match end {
                Some((key, Json::String(text))) => parse(text, format!("{path}.{key}")).map(Some),
                Some((_, Json::Null)) | None => Ok(None),
                Some((key, _)) => Err(DateError {
                    path: format!("{path}.{key}"),
                    message: "expected an RFC 3339 timestamp".into(),
                }),
            }
        }
        _ => Err(DateError {
            path: path.to_string(),
            message: "expected an RFC 3339 timestamp or a range with `earliest` and `latest`"
                .into(),
        }),
    }
}

/// A moment to judge a case at: a time, or a duration after the claim or the case's start
/// (what those are, the rule set's profile says: its `subject` and `start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// This time (milliseconds since the epoch).
    At(i64),
    /// This long after the claim (the profile's subject) was published (`claim+24h`).
    AfterClaim(i64),
    /// This long after the case's start (the attack, say) (`start+6h`).
    AfterStart(i64),
}

impl When {
    /// `2018-03-23T12:00:00Z`, `claim+24h` or `start+6h`.
    pub fn parse(text: &str) -> Result<When, String> {
        let relative = |anchor: &str| {
            text.strip_prefix(anchor)
                .and_then(|rest| rest.strip_prefix('+'))
                .map(time::parse_duration)
        };
        if let Some(after) = relative("claim") {
            return after.map(When::AfterClaim);
        }
        if let Some(after) = relative("start") {
            return after.map(When::AfterStart);
        }
        time::parse(text).map(When::At).map_err(|e| {
            format!("`{text}` is not a time: write an RFC 3339 timestamp, `claim+24h` or `start+6h` ({e})")
        })
    }

    /// The time this is for `case`, with the anchors `profile` names.
    pub fn resolve(self, case: &Json, profile: &Profile) -> Result<i64, DateError> {
        let (anchor, after) = match self {
            When::At(at) => return Ok(at),
            When::AfterClaim(after) => match &profile.subject {
                Some(subject) => (&subject.time, after),
                None => {
                    return Err(no_anchor(
                        "claim",
                        "subject PATH \"…\"` with a `date PATH by …",
                    ));
                }
            },
            When::AfterStart(after) => match &profile.start {
                Some(start) => (&start.path, after),
                None => return Err(no_anchor("start", "start PATH \"…\"")),
            },
        };
        let path = anchor.join(".");
        let value = pointer(case, &strs(anchor)).unwrap_or(&Json::Null);
        match time_of(value, &path)? {
            Some(at) => Ok(at.saturating_add(after)),
            None => Err(DateError {
                path,
                message: "not known, so there is no time to count from".into(),
            }),
        }
    }
}

/// A moment counted from an anchor the profile does not name.
fn no_anchor(anchor: &str, entry: &str) -> DateError {
    DateError {
        path: format!("{anchor}+…"),
        message: format!(
            "the rule set's profile does not say what `{anchor}` is: add `{entry}` to its `profile` block"
        ),
    }
}

/// The case as known at `at`: what became known later left out (list items removed, fields
/// absent), and what was left out.
pub fn as_of(case: &Json, at: i64, profile: &Profile) -> Result<(Json, Vec<Dated>), DateError> {
    Ok(known_at(case, &dated(case, profile)?, at))
}

/// [`as_of`] with the case's dated evidence ([`dated`]) already found (a timeline judges one case at many
/// moments).
pub fn known_at(case: &Json, dated: &[Dated], at: i64) -> (Json, Vec<Dated>) {
    let later: Vec<&Dated> = dated.iter().filter(|d| d.known_at > at).collect();
    let removed: HashSet<&[Step]> = later.iter().map(|d| d.path.as_slice()).collect();
    let kept = without(case, &mut Vec::new(), &removed).unwrap_or(Json::Null);
    // A piece inside another left-out piece is not listed on its own: one of its path's
    // prefixes is left out too (looked up, not searched for, so many pieces cost little).
    let left_out = later
        .iter()
        .filter(|d| !(1..d.path.len()).any(|len| removed.contains(&d.path[..len])))
        .map(|d| (*d).clone())
        .collect();
    (kept, left_out)
}

fn without(value: &Json, path: &mut Vec<Step>, removed: &HashSet<&[Step]>) -> Option<Json> {
    if removed.contains(path.as_slice()) {
        return None;
    }
    Some(match value {
        Json::Object(fields) => {
            let mut kept = serde_json::Map::new();
            for (key, child) in fields {
                path.push(Step::Key(key.clone()));
                if let Some(child) = without(child, path, removed) {
                    kept.insert(key.clone(), child);
                }
                path.pop();
            }
            Json::Object(kept)
        }
        Json::Array(items) => {
            let mut kept = Vec::new();
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                kept.extend(without(item, path, removed));
                path.pop();
            }
            Json::Array(kept)
        }
        other => other.clone(),
    })
}

/// The moments at which evidence arrived, in order, each with what arrived.
pub fn moments(case: &Json, profile: &Profile) -> Result<Vec<(i64, Vec<Dated>)>, DateError> {
    Ok(moments_of(&dated(case, profile)?))
}

/// The moments at which the dated evidence `all` arrived, in order, each with what arrived.
pub fn moments_of(all: &[Dated]) -> Vec<(i64, Vec<Dated>)> {
    let mut all = all.to_vec();
    all.sort_by_key(|d| d.known_at);
    let mut out: Vec<(i64, Vec<Dated>)> = Vec::new();
    for d in all {
        match out.last_mut() {
            Some((at, arrived)) if *at == d.known_at => arrived.push(d),
            _ => out.push((d.known_at, vec![d])),
        }
    }
    out
}

fn keys(names: &[&str]) -> Vec<Step> {
    names.iter().map(|k| Step::Key(k.to_string())).collect()
}

fn pointer<'j>(value: &'j Json, names: &[&str]) -> Option<&'j Json> {
    names.iter().try_fold(value, |v, k| v.get(*k))
}

/// `a.b[2].c` as steps; `None` when it is not a path.
fn parse_path(text: &str) -> Option<Vec<Step>> {
    let mut out = Vec::new();
    for part in text.split('.') {
        let (name, mut rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
        if name.is_empty() {
            return None;
        }
        out.push(Step::Key(name.to_string()));
        while !rest.is_empty() {
            let (index, after) = rest.split_once(']')?;
            out.push(Step::Index(index.parse().ok()?));
            rest = after.strip_prefix('[').unwrap_or(after);
            if !after.is_empty() && !after.starts_with('[') {
                return None;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The path with list indexes as `[]`.
fn list_path(path: &[Step]) -> String {
    Dated {
        path: path.to_vec(),
        known_at: 0,
    }
    .list_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> Json {
        serde_json::json!({
            "id": "t",
            "known_at": {"incident.attacker.prior_contact": "2024-01-05T00:00:00Z"},
            "incident": {
                "started_at": "2024-01-01T10:00:00Z",
                "facts": {"killed": 4, "attackers": 1},
                "facts_public_at": {"killed": "2024-01-01T13:00:00Z", "attackers": null},
                "attacker": {"prior_contact": "none_found"},
                "official_statements": [
                    {"kind": "attribution", "at": "2024-01-01T12:00:00Z"},
                    {"kind": "denial", "at": {"earliest": "2024-01-02T00:00:00Z", "latest": "2024-01-02T06:00:00Z"}}
                ]
            },
            "claim": {"published_at": "2024-01-01T15:00:00Z", "channel_class": "official_agency"},
            "posts": [{"at": "2024-01-01T15:05:00Z"}, {"at": "2024-01-01T09:00:00Z"}, {"account": "undated"}]
        })
    }

    fn at(text: &str) -> i64 {
        time::parse(text).expect("time")
    }

    /// The dating rules of a profile like the shipped pack's.
    fn profile() -> Profile {
        use crate::profile::{Start, Subject};
        let key = |k: &str| ProfileStep::Key(k.into());
        let by = |object: Vec<ProfileStep>, field: &str| DateRule::ByField {
            object,
            field: field.into(),
        };
        Profile {
            declared: true,
            subject: Some(Subject {
                path: vec!["claim".into()],
                noun: "claim".into(),
                time: vec!["claim".into(), "published_at".into()],
            }),
            start: Some(Start {
                path: vec!["incident".into(), "started_at".into()],
                label: "it began".into(),
            }),
            dating: vec![
                by(vec![key("claim")], "published_at"),
                by(vec![key("posts"), ProfileStep::Items], "at"),
                by(
                    vec![
                        key("incident"),
                        key("official_statements"),
                        ProfileStep::Items,
                    ],
                    "at",
                ),
                DateRule::Parallel {
                    values: vec!["incident".into(), "facts".into()],
                    times: vec!["incident".into(), "facts_public_at".into()],
                },
            ],
            ..Profile::default()
        }
    }

    #[test]
    fn before_the_claim_only_what_was_public_remains() {
        let (known, left_out) =
            as_of(&case(), at("2024-01-01T12:30:00Z"), &profile()).expect("dated");
        assert!(known.get("claim").is_none());
        assert_eq!(
            known["incident"]["official_statements"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert!(known["incident"]["facts"].get("killed").is_none());
        assert_eq!(
            known["incident"]["facts"]["attackers"], 1,
            "undated facts stay"
        );
        assert!(known["incident"]["attacker"].get("prior_contact").is_none());
        assert_eq!(
            known["posts"].as_array().map(Vec::len),
            Some(2),
            "the early and the undated post"
        );
        let paths: Vec<String> = left_out.iter().map(Dated::path_text).collect();
        assert_eq!(
            paths,
            [
                "incident.official_statements[1]",
                "claim",
                "posts[0]",
                "incident.facts.killed",
                "incident.attacker.prior_contact"
            ]
        );
    }

    #[test]
    fn a_range_is_known_once_its_latest_end_has_passed() {
        let (known, _) = as_of(&case(), at("2024-01-02T03:00:00Z"), &profile()).expect("dated");
        assert_eq!(
            known["incident"]["official_statements"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        let (known, _) = as_of(&case(), at("2024-01-02T06:00:00Z"), &profile()).expect("dated");
        assert_eq!(
            known["incident"]["official_statements"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
    }

    #[test]
    fn moments_are_the_distinct_times_in_order() {
        let times: Vec<String> = moments(&case(), &profile())
            .expect("dated")
            .into_iter()
            .map(|(t, _)| time::format(t))
            .collect();
        assert_eq!(
            times,
            [
                "2024-01-01T09:00:00Z",
                "2024-01-01T12:00:00Z",
                "2024-01-01T13:00:00Z",
                "2024-01-01T15:00:00Z",
                "2024-01-01T15:05:00Z",
                "2024-01-02T06:00:00Z",
                "2024-01-05T00:00:00Z"
            ]
        );
    }

    #[test]
    fn moments_relative_to_the_claim_or_the_start() {
        let claim_plus_day = When::parse("claim+24h").expect("parses");
        assert_eq!(
            claim_plus_day.resolve(&case(), &profile()),
            Ok(at("2024-01-02T15:00:00Z"))
        );
        let start = When::parse("start+1h30m").expect("parses");
        assert_eq!(
            start.resolve(&case(), &profile()),
            Ok(at("2024-01-01T11:30:00Z"))
        );
        assert_eq!(
            When::parse("2024-01-01T00:00:00Z"),
            Ok(When::At(at("2024-01-01T00:00:00Z")))
        );
        assert!(When::parse("claim+a day").is_err());
        assert!(When::parse("tomorrow").is_err());
        let no_claim = serde_json::json!({"incident": {}});
        assert_eq!(
            claim_plus_day
                .resolve(&no_claim, &profile())
                .map_err(|e| e.path),
            Err("claim.published_at".to_string())
        );
    }

    #[test]
    fn bad_times_and_paths_are_named() {
        let bad = serde_json::json!({"claim": {"published_at": "soon"}});
        assert_eq!(
            dated(&bad, &profile()).map_err(|e| e.path),
            Err("claim.published_at".to_string())
        );
        let bad = serde_json::json!({"known_at": {"a..b": "2024-01-01T00:00:00Z"}});
        assert_eq!(
            dated(&bad, &profile()).map_err(|e| e.path),
            Err("known_at.a..b".to_string())
        );
        assert_eq!(
            parse_path("incident.statements[2].at"),
            Some(vec![
                Step::Key("incident".into()),
                Step::Key("statements".into()),
                Step::Index(2),
                Step::Key("at".into())
            ])
        );
    }

    #[test]
    fn only_what_the_profile_dates_is_dated() {
        // Without dating rules, only `known_at` dates evidence; and `claim+…` has no anchor.
        let bare = Profile::default();
        let paths: Vec<String> = dated(&case(), &bare)
            .expect("dated")
            .iter()
            .map(Dated::path_text)
            .collect();
        assert_eq!(paths, ["incident.attacker.prior_contact"]);
        let error = When::AfterClaim(0)
            .resolve(&case(), &bare)
            .expect_err("no anchor");
        assert!(error.message.contains("`subject"), "{error}");
    }
}
